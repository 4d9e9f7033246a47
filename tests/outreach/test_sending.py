"""The campaign sender (`ttdn outreach_send`, a process per operator, as in production) against real SMPP peers:
a bind that fails until the SMSC comes up, and two operators at once — one on the `smpp34` server, one on an
independent SMPP 3.4 implementation written from the specification (tests/outreach/plainsmsc.py)."""

from __future__ import annotations

import json
import time

import pytest

from .conftest import Box
from .peer import Peer
from .plainsmsc import PlainSmsc

pytestmark = pytest.mark.slow

SETUP = """
import json
from datetime import time
from django.db import transaction
from ttdn.accounts.models import Agency
from ttdn.outreach.models import Campaign, CampaignText, Operator, Subscriber
from ttdn.core.sms import analyse
from ttdn.outreach.services import materialise

TEXT = "Thông báo: họp dân lúc 8 giờ sáng mai tại nhà văn hóa xã. Mang theo căn cước."
with transaction.atomic():
    agency = Agency.objects.create(code="so-tt", name="Sở Thông tin", kind="department")
    for n, (code, port) in enumerate({ports!r}.items()):
        op = Operator.objects.create(code=code, name=code.title(), host="127.0.0.1", port=port, system_id="ttdn",
                                     password="secret", window=10)
        Subscriber.objects.bulk_create([Subscriber(number="849%02d%06d" % (n, i), operator=op, language="vi")
                                        for i in range({count})])
    campaign = Campaign.objects.create(agency=agency, title="Họp dân", sender_name="SoTTTT", state="sending",
                                       quiet_start=time(0), quiet_end=time(0))
    CampaignText.objects.create(campaign=campaign, language="vi", text=TEXT)
    print(json.dumps(materialise(campaign, {{"vi": analyse(TEXT)}})))
"""

FIGURES = """
import json
from django.db.models import Count
from ttdn.outreach.models import Campaign, Message, Operator
print(json.dumps({"states": dict(Message.objects.values_list("state").annotate(n=Count("pk"))),
                  "campaign": Campaign.objects.get().state,
                  "bound": list(Operator.objects.filter(last_bound_at__isnull=False, last_error="")
                                .values_list("code", flat=True))}))
"""
TEXT = "Thông báo: họp dân lúc 8 giờ sáng mai tại nhà văn hóa xã. Mang theo căn cước."  # UCS-2, 2 parts
SEND = ("outreach_send", "--until-idle", "--grace", "3", "--wait-receipts", "60", "--operator")


def report_of(proc: object) -> dict[str, int]:
    out, err = proc.communicate(timeout=300)  # type: ignore[attr-defined]
    assert proc.returncode == 0, err[-3000:]  # type: ignore[attr-defined]
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_bind_fails_until_the_smsc_comes_up(box: Box) -> None:
    peer = PlainSmsc()
    assert box.python(SETUP.format(ports={"viettel": peer.port}, count=40)) == 40
    proc = box.popen(*SEND, "viettel")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            # Until the sender recorded a refused bind on the operator, nothing listens.
            if box.python("import json; from ttdn.outreach.models import Operator; "
                          "print(json.dumps(Operator.objects.get().last_error))"):
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the sender gave up instead of trying the bind again"
        peer.__enter__()
        report = report_of(proc)
    finally:
        peer.__exit__()
    assert report["bind_failures"] >= 1 and report["binds"] == 1
    assert sorted(peer.per_destination().values()) == [2] * 40  # each message's two parts, once
    figures = box.python(FIGURES)
    assert figures["states"] == {"delivered": 40} and figures["bound"] == ["viettel"], figures


def test_two_operators_on_two_independent_smscs(box: Box) -> None:
    from ttdn.core.sms import analyse

    with Peer() as viettel_smsc, PlainSmsc() as vinaphone_smsc:
        ports = {"viettel": viettel_smsc.port, "vinaphone": vinaphone_smsc.port}
        assert box.python(SETUP.format(ports=ports, count=300)) == 600
        senders = [box.popen(*SEND, code) for code in ports]
        reports = [report_of(proc) for proc in senders]
        for smsc, prefix in ((viettel_smsc, "84900"), (vinaphone_smsc, "84901")):
            received = smsc.per_destination()
            assert len(received) == 300 and set(received.values()) == {2}  # each message's two parts, once
            assert all(number.startswith(prefix) for number in received)
        # The independent SMSC decoded what we sent: the UCS-2 text and the brandname.
        first = sorted((d[5], d[6:]) for dest, _s, _c, d in vinaphone_smsc.accepted if dest == "84901000000")
        assert [n for n, _ in first] == [1, 2]
        assert "".join(p.decode("utf-16-be") for _, p in first) == analyse(TEXT).text
        assert vinaphone_smsc.sources == {"SoTTTT"}
    assert all(r["accepted"] == 300 for r in reports)
    figures = box.python(FIGURES)
    # Receipts from both: decimal ids padded with zeros answered, hex quoted in the receipt, and the reverse.
    assert figures["states"] == {"delivered": 600} and figures["campaign"] == "finished", figures
