"""Messages whose submit_sm_resp was on its way when the sender was killed (SIGKILL) are *uncertain*: the SMSC
has them, but the next run cannot name them (it never learnt their ids). They must be settled by their
receipts, never sent again — also when the receipts come slowly, behind the SMSC's backlog of older ones, and
when a receipt reached the killed run before its submit_sm_resp did. Against the real SMPP peer (the relay
loses the last submit_sm_resp, as a link does when the sender dies mid-answer), on the box's own database."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from .conftest import Box, kill_running
from .peer import Peer
from .test_exactly_once import SETUP
from .test_receipts_kill import wait_for

pytestmark = pytest.mark.slow

COUNT = 40
LOST = 4  # submit_sm_resp lost on the way: the last LOST messages are uncertain after the kill
GRACE = "1"  # seconds an uncertain message waits for a receipt, from the run's bind


def answered_noted(box: Box) -> int:
    lines: list[str] = []
    for path in Path(box.env["TTDN_DATA_DIR"]).glob("outreach-viettel-*.journal"):
        lines += path.read_text().splitlines()
    return sum(line.startswith("a ") for line in lines)


def kill_with_answers_in_flight(box: Box, peer: Peer, receipts_first: bool = False) -> None:
    """Run the sender until the SMSC has taken every message and answered all but the last LOST, then SIGKILL
    it (it would wait 30 s for those answers). With `receipts_first`, only once the SMSC has written it every
    receipt, those of the unanswered messages included."""
    peer.answer_submits = COUNT - LOST
    with box.running("outreach_send", "--operator", "viettel", "--until-idle", "--grace", GRACE) as proc:
        wait_for("every message taken by the SMSC, all but the last answered",
                 lambda: peer.accepted_count() == COUNT and answered_noted(box) == COUNT - LOST)
        if receipts_first:
            late = uncertain_ids(peer)
            peer.hold = False
            wait_for("the receipts of the unanswered messages written to the run",
                     lambda: late <= {i for _t, e, _s, _d, i in list(peer.trace or []) if e == "offer"}, 30)
        time.sleep(0.5)  # the run has read what came (and, were it to answer receipts unplaced, answered)
        kill_running(proc)
    assert box.count("SELECT count(*) FROM outreach_message WHERE state = 'claimed'") == COUNT
    peer.answer_submits = None


def uncertain_ids(peer: Peer) -> set[str]:
    """The SMSC's ids (as its receipts quote them) of the messages whose answer was lost."""
    assert peer.trace is not None
    accepted = [i for _t, e, _s, _d, i in peer.trace if e == "accept"]
    return set(accepted[COUNT - LOST:])


def final_run(box: Box) -> dict[str, int]:
    done = box.ttdn("outreach_send", "--operator", "viettel", "--until-idle", "--grace", GRACE,
                    "--wait-receipts", "60", timeout=300)
    report: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_uncertain_waits_for_its_receipt_behind_a_backlog(box: Box) -> None:
    """The receipts the SMSC stored while no sender was bound come at 10 a second, the uncertain messages'
    last — seconds after the grace has run out, counted from the bind. Older receipts still arriving show the
    SMSC is not done handing over that time's receipts: the uncertain messages wait, and are settled."""
    with Peer(receipt_delay=0, trace=[]) as peer:
        peer.hold = True  # the killed run gets no receipt: all wait in the SMSC's store
        assert box.python(SETUP.format(port=peer.port, count=COUNT)) == COUNT
        kill_with_answers_in_flight(box, peer)
        late = uncertain_ids(peer)
        peer.pace, peer.hold = 10, False
        report = final_run(box)
        received = peer.per_destination()
        assert peer.trace is not None
        binds = [t for t, e, _s, _d, _i in peer.trace if e == "bind"]
        offered = [t for t, e, _s, _d, i in peer.trace if e == "offer" and i in late]
    assert report["uncertain_at_start"] == LOST and report["from_journal"] == COUNT - LOST, report
    # The case is the one asked about: the uncertain messages' receipts came after the grace had run out.
    assert min(offered) - binds[-1] > float(GRACE) * 1.5, (binds, offered)
    assert len(received) == COUNT
    assert max(received.values()) == 1, f"sent twice: {[n for n, c in received.items() if c > 1]}"
    assert box.count("SELECT count(*) FROM outreach_message WHERE state = 'delivered'") == COUNT
    assert box.count("SELECT count(*) FROM outreach_message WHERE reconciled AND offers = 1") == COUNT


def test_receipt_before_answer_then_kill_is_offered_again_and_settles(box: Box) -> None:
    """The receipts of the messages whose answer was lost reach the killed run itself, for ids it cannot place
    yet: it keeps them unanswered (never acknowledged before they are stored), so the SMSC offers them again
    to the next run, which settles the uncertain messages with them instead of sending them again."""
    with Peer(receipt_delay=0, trace=[]) as peer:
        assert box.python(SETUP.format(port=peer.port, count=COUNT)) == COUNT
        peer.hold = True
        kill_with_answers_in_flight(box, peer, receipts_first=True)
        late = uncertain_ids(peer)
        assert peer.trace is not None
        before_kill = list(peer.trace)
        report = final_run(box)
        received = peer.per_destination()
    offered_to_killed = {i for _t, e, _s, _d, i in before_kill if e == "offer"}
    acked_before_kill = {i for _t, e, _s, _d, i in before_kill if e == "ack"}
    assert late <= offered_to_killed, "the killed run did not get the receipts for ids it did not know"
    assert not late & acked_before_kill, "a receipt the killed run could not place was acknowledged"
    assert report["uncertain_at_start"] == LOST, report
    assert len(received) == COUNT
    assert max(received.values()) == 1, f"sent twice: {[n for n, c in received.items() if c > 1]}"
    assert box.count("SELECT count(*) FROM outreach_message WHERE state = 'delivered'") == COUNT
