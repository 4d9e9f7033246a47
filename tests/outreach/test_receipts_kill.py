"""A receipt is answered to the SMSC only after it is stored: the sender (`ttdn outreach_send`, a process of its
own) is killed with SIGKILL after the real SMPP peer has written the receipts and before the sender could commit
them (the test holds a write lock on the messages table meanwhile). The receipts stay in the peer's store,
unanswered; the next run gets them again and every message ends delivered."""

from __future__ import annotations

import contextlib
import json
import time

import pytest

from .conftest import Box, kill_running
from .peer import Peer
from .test_exactly_once import SETUP

pytestmark = pytest.mark.slow

COUNT = 40


def wait_for(what: str, test: object, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not test():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.05)


def test_kill_between_receipt_and_commit_loses_no_receipt(box: Box) -> None:
    with Peer(receipt_delay=0) as peer:
        peer.hold = True
        assert box.python(SETUP.format(port=peer.port, count=COUNT)) == COUNT
        with box.running("outreach_send", "--operator", "viettel", "--until-idle", "--grace", "600",
                         "--wait-receipts", "600") as proc:
            wait_for("every submit recorded", lambda: box.count(
                "SELECT count(*) FROM outreach_message WHERE state = 'submitted'") == COUNT)
            assert peer.accepted_count() == COUNT
            with contextlib.closing(box.connect()) as lock:
                # Hold the messages table: the sender reads the receipts but cannot commit them.
                if "TTDN_DATABASE_URL" in box.env:
                    lock.execute("BEGIN")
                    lock.execute("LOCK TABLE outreach_message IN EXCLUSIVE MODE")
                else:
                    lock.execute("BEGIN IMMEDIATE")
                peer.hold = False
                wait_for("the receipts written to the sender", lambda: peer.offered_receipts >= 10, 60)
                time.sleep(1.0)  # the sender has read them (and, were it to answer on reading, answered)
                kill_running(proc)
                lock.execute("ROLLBACK")
        answered_before_commit = peer.sent_receipts
        assert box.count("SELECT count(*) FROM outreach_message WHERE state = 'delivered'") == 0
        final = box.ttdn("outreach_send", "--operator", "viettel", "--until-idle", "--grace", "600",
                         "--wait-receipts", "120", timeout=300)
        report = json.loads(final.stdout.strip().splitlines()[-1])
        assert answered_before_commit == 0, "receipts were answered before they were stored"
        assert peer.sent_receipts == COUNT and not peer.outbox
        assert peer.offered_receipts > COUNT  # some were offered twice: to the killed run, then again
    assert box.count("SELECT count(*) FROM outreach_message WHERE state = 'delivered'") == COUNT, report
    assert max(peer.per_destination().values()) == 1
