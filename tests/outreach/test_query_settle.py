"""A sender killed mid-batch, its answers not yet committed, never sends again what the SMSC accepted: the
sender (`ttdn outreach_send`, a process of its own) is killed with SIGKILL while the real SMPP peer has taken
every part of a batch but answered only some (the rest of the answers lost on the way), and while the peer
keeps every receipt to itself. The next run reads the dead run's journal, asks the peer for the state of the
answered ones with query_sm (they end delivered with no receipt at all), sends at once those never written,
and leaves the in-flight ones to their receipts — no subscriber gets the message twice."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from .conftest import Box, kill_running
from .peer import Peer
from .test_exactly_once import SETUP

pytestmark = pytest.mark.slow

COUNT = 60  # the first batch is 50 (5 × window 10)
ANSWERED = 30  # submit_sm_resp that reach the sender before the kill


def wait_for(what: str, test: object, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not test():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.05)


def states(box: Box) -> dict[str, int]:
    return dict(json.loads(box.ttdn("shell", "-c", (
        "import json; from django.db.models import Count; from ttdn.outreach.models import Message; "
        "print(json.dumps(list(Message.objects.values_list('state').annotate(n=Count('pk')))))"))
        .stdout.strip().splitlines()[-1]))


def test_kill_with_answers_in_flight_sends_nothing_twice(box: Box) -> None:
    with Peer(receipt_delay=0, answer_submits=ANSWERED) as peer:
        peer.hold = True  # no receipt reaches the sender: only query_sm can tell it what the SMSC has
        assert box.python(SETUP.format(port=peer.port, count=COUNT)) == COUNT
        journals = Path(box.env["TTDN_DATA_DIR"])
        with box.running("outreach_send", "--operator", "viettel", "--until-idle", "--grace", "600",
                         "--wait-receipts", "600") as proc:
            # 30 answered, then a window of 10 written whose answers never come: the batch waits on them.
            wait_for("a window written after the last answer", lambda: peer.offered >= ANSWERED + 10)

            def answered_noted() -> bool:
                lines = b"".join(p.read_bytes() for p in journals.glob("outreach-viettel-*.journal"))
                return lines.count(b"\na ") + lines.startswith(b"a ") >= ANSWERED

            wait_for("the answers noted", answered_noted)
            kill_running(proc)
        assert peer.accepted_count() == ANSWERED + 10
        assert states(box) == {"claimed": 50, "pending": 10}, "the batch was committed before the kill"

        peer.answer_submits = None
        again = box.popen("outreach_send", "--operator", "viettel", "--until-idle", "--grace", "600",
                          "--wait-receipts", "600")
        try:
            # Still no receipt: the 30 answered are delivered by query_sm alone, the 10 never written and the
            # 10 left over are sent, the 10 in flight wait for a receipt from their number.
            wait_for("the state of the answered ones", lambda: states(box).get("delivered", 0) == ANSWERED)
            wait_for("the rest sent", lambda: peer.accepted_count() == COUNT)
            assert peer.offered_receipts == 0 and peer.queries >= ANSWERED
            assert states(box) == {"delivered": ANSWERED, "uncertain": 10, "submitted": 20}
            peer.hold = False
            out, err = again.communicate(timeout=300)
        finally:
            if again.poll() is None:
                again.kill()
                again.communicate()
        assert again.returncode == 0, err[-3000:]
        report = json.loads(out.strip().splitlines()[-1])
        received = peer.per_destination()
    assert len(received) == COUNT and max(received.values()) == 1, received.most_common(3)
    assert report["from_journal"] == ANSWERED and report["not_offered"] == 10, report
    assert report["uncertain_at_start"] == 10 and report["settled_by_query"] == ANSWERED, report
    assert states(box) == {"delivered": COUNT}
    # Each receipt counted once, also for the messages query_sm had settled before it came.
    assert box.count("SELECT count(*) FROM outreach_message WHERE parts_delivered = 1") == COUNT
    assert not list(journals.glob("outreach-viettel-*.journal")), "a finished run leaves no journal"
