"""Exactly once across crashes: the sender (`ttdn outreach_send`, a process of its own) is killed with SIGKILL
again and again in the middle of a campaign and started again; the real SMPP peer must have received every
recipient's message once — none twice, none missing."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from .conftest import Box
from .peer import Peer

pytestmark = pytest.mark.slow

SETUP = """
import json
from datetime import time
from django.db import transaction
from ttdn.accounts.models import Agency
from ttdn.outreach.models import Campaign, CampaignText, Operator, Subscriber
from ttdn.core.sms import analyse
from ttdn.outreach.services import materialise

TEXT = "Thong bao: hop dan luc 8h sang mai tai nha van hoa xa. Mang theo CCCD."
with transaction.atomic():
    agency = Agency.objects.create(code="so-tt", name="Sở Thông tin", kind="department")
    op = Operator.objects.create(code="viettel", name="Viettel", host="127.0.0.1", port={port}, system_id="ttdn",
                                 password="secret", window=10)
    Subscriber.objects.bulk_create([Subscriber(number="8496%07d" % i, operator=op, language="vi")
                                    for i in range({count})])
    # No quiet hours: the test runs at any hour.
    campaign = Campaign.objects.create(agency=agency, title="Họp dân", sender_name="SoTTTT", state="sending",
                                       quiet_start=time(0), quiet_end=time(0))
    CampaignText.objects.create(campaign=campaign, language="vi", text=TEXT)
    print(json.dumps(materialise(campaign, {{"vi": analyse(TEXT)}})))
"""

FIGURES = """
import json
from django.db.models import Count
from ttdn.outreach.models import Message, Campaign
from ttdn.core.models import AuditEntry
states = dict(Message.objects.values_list("state").annotate(n=Count("pk")))
recovered = {"uncertain": 0, "from_journal": 0, "not_offered": 0}
for data in AuditEntry.objects.filter(action="outreach.sender_recovered").values_list("data", flat=True):
    for key in recovered:
        recovered[key] += int(data.get(key, 0))
print(json.dumps({"states": states, "reconciled": Message.objects.filter(reconciled=True).count(),
                  "recovered": recovered,
                  "offered_again": Message.objects.filter(offers__gt=1).count(),
                  "recoveries": AuditEntry.objects.filter(action="outreach.sender_recovered").count(),
                  "campaign": Campaign.objects.get().state}))
"""

COUNT = 3000
KILLS = 5


def test_sigkill_mid_campaign_sends_each_message_once(box: Box) -> None:
    with Peer(receipt_delay=0.2) as peer:
        assert box.python(SETUP.format(port=peer.port, count=COUNT)) == COUNT
        step = COUNT // (KILLS + 3)
        kills = 0
        for _ in range(KILLS):
            target = peer.accepted_count() + step
            proc = box.popen("outreach_send", "--operator", "viettel", "--until-idle", "--grace", "10")
            deadline = time.monotonic() + 300
            while peer.accepted_count() < target and proc.poll() is None:
                assert time.monotonic() < deadline, "the sender made no progress"
                time.sleep(0.01)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait(30)
            proc.communicate()
        assert kills == KILLS, "the campaign ended before every kill: make it longer"
        final = box.ttdn("outreach_send", "--operator", "viettel", "--until-idle", "--grace", "10",
                         "--wait-receipts", "60")
        report = json.loads(final.stdout.strip().splitlines()[-1])

        received = peer.per_destination()
    assert len(received) == COUNT, f"lost at the SMSC: {COUNT - len(received)}"
    assert max(received.values()) == 1, f"sent twice: {[n for n, c in received.items() if c > 1][:10]}"
    assert {s for _d, s, _m in peer.accepted} == {"SoTTTT"}
    figures = box.python(FIGURES)
    # Every message is with the SMSC, and every receipt found its message: a receipt is answered only once
    # stored, so those a killed sender had read but not written came again to the next run.
    assert figures["states"] == {"delivered": COUNT}, figures
    assert figures["campaign"] == "finished"
    # The kills left claimed messages behind each time, which the next run took up as uncertain.
    assert figures["recoveries"] >= 1 and report["binds"] >= 1, figures
