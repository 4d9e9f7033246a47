"""The SMSC goes down mid-campaign and comes back on the same port (its store of receipts intact): the sender
(`ttdn outreach_send`, a process of its own) notices the dead session, binds again when it can, and finishes —
every subscriber's message at the SMSC once, every receipt stored. Every wait here is bounded."""

from __future__ import annotations

import json
import time

import pytest

from .conftest import Box
from .peer import Peer
from .test_exactly_once import SETUP

pytestmark = pytest.mark.slow

COUNT = 1500


def test_smsc_restart_mid_campaign(box: Box) -> None:
    with Peer(receipt_delay=0.2) as peer:
        assert box.python(SETUP.format(port=peer.port, count=COUNT)) == COUNT
        proc = box.popen("outreach_send", "--operator", "viettel", "--until-idle", "--grace", "10",
                         "--wait-receipts", "60")
        try:
            deadline = time.monotonic() + 300
            while peer.accepted_count() < COUNT // 3:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "the sender made no progress"
                time.sleep(0.01)
            peer.stop()
            time.sleep(2.0)  # down for a while: the sender's binds are refused meanwhile
            assert proc.poll() is None, "the sender gave up while the SMSC was down"
            peer.start()
            out, err = proc.communicate(timeout=600)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode == 0, err[-3000:]
        report = json.loads(out.strip().splitlines()[-1])
        received = peer.per_destination()
        assert peer.binds >= 2 and report["binds"] >= 2, report
    assert len(received) == COUNT, f"lost at the SMSC: {COUNT - len(received)}"
    assert max(received.values()) == 1, f"sent twice: {[n for n, c in received.items() if c > 1][:10]}"
    assert box.count("SELECT count(*) FROM outreach_message WHERE state = 'delivered'") == COUNT
    assert box.python("from ttdn.outreach.models import Campaign; print('\"%s\"' % Campaign.objects.get().state)") \
        == "finished"
