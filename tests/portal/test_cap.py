"""CAP 1.2 alerts: valid against the OASIS schema, signed, one <info> per public language, Update and Cancel
chains, the Atom index, and only live public material ever (a withdrawn item's alert is cancelled)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree
from signxml import XMLVerifier

from tests.conftest import World, advance
from tests.portal.conftest import TRANSLATIONS, publish_with_translations
from ttdn.accounts import services as accounts
from ttdn.content.models import Item
from ttdn.core.errors import ServiceError
from ttdn.core.models import AuditEntry
from ttdn.portal import cap, services
from ttdn.portal.models import Alert, CapMessage

ATOM_SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).parents[1] / "fixtures" / "atom" / "atom.rng")))
ATOM = "{http://www.w3.org/2005/Atom}"
C = "{urn:oasis:names:tc:emergency:cap:1.2}"
FLOOD = services.AlertInput(
    status="Actual", category="Met", urgency="Immediate", severity="Severe", certainty="Likely",
    event={"vi": "Lũ quét", "lo": "ນ້ຳຖ້ວມ", "km": "ទឹកជំនន់", "zh-Hans": "山洪", "jra": "Ia lĭ"},
    instruction={"vi": "Di chuyển lên vùng cao ngay.", "lo": "ຍ້າຍຂຶ້ນບ່ອນສູງທັນທີ"})


def fetch(client: Client, identifier: str, status: int = 200) -> etree._Element | None:
    response = client.get(f"/portal/cap/{identifier}.xml")
    assert response.status_code == status
    if status != 200:
        return None
    assert response["Content-Type"].startswith("application/cap+xml")
    root = etree.fromstring(response.content)
    cap.schema().assertValid(root)  # the OASIS CAP 1.2 XSD, vendored
    # The enveloped signature covers the whole alert and verifies with the hub's certificate.
    signed = XMLVerifier().verify(response.content, x509_cert=cap.certificate()).signed_xml
    assert signed is not None and signed.tag == f"{C}alert"
    return root


def index(client: Client, query: str = "") -> etree._Element:
    response = client.get(f"/portal/cap/alerts.atom{query}")
    assert response.status_code == 200
    doc = etree.fromstring(response.content)
    ATOM_SCHEMA.assertValid(doc)
    return doc


@pytest.fixture
def item(world: World) -> Item:
    return publish_with_translations(world, "Cảnh báo lũ quét tại Ia Chia")


def test_an_alert_in_every_public_language(world: World, item: Item, client: Client) -> None:
    message = services.do_alert(world.publisher, item.uid, FLOOD)
    root = fetch(client, message.identifier)
    assert root is not None
    assert root.findtext(f"{C}msgType") == "Alert" and root.findtext(f"{C}status") == "Actual"
    assert root.findtext(f"{C}sender") == "ttdn.gov.vn" and root.findtext(f"{C}scope") == "Public"
    infos = {i.findtext(f"{C}language"): i for i in root.iter(f"{C}info")}
    assert set(infos) == {"vi", *TRANSLATIONS}
    assert infos["vi"].findtext(f"{C}headline") == "Cảnh báo lũ quét tại Ia Chia"
    assert infos["vi"].findtext(f"{C}event") == "Lũ quét"
    assert infos["lo"].findtext(f"{C}headline") == TRANSLATIONS["lo"][0]
    assert infos["lo"].findtext(f"{C}instruction") == "ຍ້າຍຂຶ້ນບ່ອນສູງທັນທີ"
    assert infos["km"].findtext(f"{C}event") == "ទឹកជំនន់"
    for info in infos.values():
        assert info.findtext(f"{C}severity") == "Severe" and info.findtext(f"{C}urgency") == "Immediate"
        area = info.find(f"{C}area")
        assert area is not None and area.findtext(f"{C}areaDesc") == world.gia_lai.name
        assert area.findtext(f"{C}geocode/{C}value") == world.gia_lai.gso_code
        assert client.get(info.findtext(f"{C}web", "").replace("http://localhost:8000", "")).status_code == 200
    doc = index(client)
    [entry] = list(doc.iter(f"{ATOM}entry"))
    assert entry.findtext(f"{ATOM}title") == "Cảnh báo lũ quét tại Ia Chia"
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("type") == "application/cap+xml"
    assert link.get("href", "").endswith(f"/portal/cap/{message.identifier}.xml")
    lao = index(client, "?lang=lo")
    assert [e.findtext(f"{ATOM}title") for e in lao.iter(f"{ATOM}entry")] == [TRANSLATIONS["lo"][0]]
    assert AuditEntry.objects.filter(action="portal.alert.alert", object_id=str(item.cap_alert.pk)).exists()


def test_drills_are_exercises(world: World, item: Item, client: Client) -> None:
    drill = services.AlertInput(status="Exercise", event={"vi": "Diễn tập phòng chống lũ"})
    root = fetch(client, services.do_alert(world.publisher, item.uid, drill).identifier)
    assert root is not None and root.findtext(f"{C}status") == "Exercise"


def test_update_and_cancel_reference_every_earlier_message(world: World, item: Item, client: Client) -> None:
    first = services.do_alert(world.publisher, item.uid, FLOOD)
    worse = services.AlertInput(**{**FLOOD.__dict__, "severity": "Extreme"})
    second = services.do_alert(world.publisher, item.uid, worse, now=timezone.now() + dt.timedelta(minutes=5))
    assert second.msg_type == "Update"
    root = fetch(client, second.identifier)
    assert root is not None
    refs = root.findtext(f"{C}references", "").split()
    assert refs == [f"ttdn.gov.vn,{first.identifier},{cap.cap_time(first.sent)}"]
    assert {i.findtext(f"{C}severity") for i in root.iter(f"{C}info")} == {"Extreme"}
    # The index carries the latest message only.
    assert [e.findtext(f"{ATOM}id") for e in index(client).iter(f"{ATOM}entry")] == [
        f"urn:ttdn:cap:{second.identifier}"]
    third = services.do_cancel_alert(world.publisher, item.uid, "Nước đã rút",
                                     now=timezone.now() + dt.timedelta(minutes=10))
    root = fetch(client, third.identifier)
    assert root is not None and root.findtext(f"{C}msgType") == "Cancel"
    assert len(root.findtext(f"{C}references", "").split()) == 2
    assert root.find(f"{C}info") is None and root.findtext(f"{C}note") == "Nước đã rút"
    [entry] = list(index(client).iter(f"{ATOM}entry"))
    assert entry.find(f"{ATOM}category").get("term") == "Cancel"  # type: ignore[union-attr]
    with pytest.raises(ServiceError) as err:
        services.do_cancel_alert(world.publisher, item.uid)
    assert err.value.code == "no_alert"
    # Declared again after a cancel: a new chain, no references.
    again = services.do_alert(world.publisher, item.uid, FLOOD, now=timezone.now() + dt.timedelta(minutes=15))
    root = fetch(client, again.identifier)
    assert root is not None and again.msg_type == "Alert" and root.find(f"{C}references") is None


def test_a_withdrawn_item_cancels_its_alert_and_shows_nothing(world: World, item: Item, client: Client) -> None:
    message = services.do_alert(world.publisher, item.uid, FLOOD)
    advance(world, item, "withdrawn")
    alert = Alert.objects.get(item=item)
    assert alert.cancelled_at is not None
    cancel = alert.messages.get(msg_type="Cancel")
    fetch(client, message.identifier, status=404)  # the text of withdrawn material is public no more
    root = fetch(client, cancel.identifier)
    assert root is not None and root.find(f"{C}info") is None
    assert message.identifier in root.findtext(f"{C}references", "")
    text = client.get("/portal/cap/alerts.atom").content.decode()
    assert "Cảnh báo lũ quét" not in text and cancel.identifier in text


def test_only_live_public_material_and_only_publishers(world: World, client: Client) -> None:
    officials = publish_with_translations(world, "Chỉ cán bộ", audience="officials")
    draft = publish_with_translations(world, "Sẽ thu hồi")
    advance(world, draft, "withdrawn")
    future = publish_with_translations(world, "Chưa hiệu lực", valid_from=timezone.now() + dt.timedelta(days=2))
    for hidden in (officials, draft, future):
        with pytest.raises(ServiceError) as err:
            services.do_alert(world.publisher, hidden.uid, FLOOD)
        assert err.value.code == "not_live"
    live = publish_with_translations(world, "Công khai")
    for user in (world.contributor, world.appraiser, world.translator_lo, world.agency_admin):
        with pytest.raises(ServiceError) as err:
            services.do_alert(user, live.uid, FLOOD)
        assert err.value.status == 403
    for bad, field in ((services.AlertInput(event={}), "event"),
                       (services.AlertInput(severity="Huge", event={"vi": "Lũ"}), "severity"),
                       (services.AlertInput(event={"vi": "Lũ"}, expires=timezone.now() - dt.timedelta(hours=1)),
                        "expires"),
                       (services.AlertInput(event={"xx": "?"}), "event")):
        with pytest.raises(ServiceError) as err:
            services.do_alert(world.publisher, live.uid, bad)
        assert err.value.details["field"] == field
    assert not CapMessage.objects.exists()
    assert list(index(client).iter(f"{ATOM}entry")) == []


def test_the_api_declares_and_cancels(world: World, item: Item, client: Client) -> None:
    token = accounts.do_create_token(world.publisher, world.publisher, "alerts")[1]
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "vi"}
    response = client.post(f"/api/v1/portal/alerts/{item.uid}", {"event": {"vi": "Sạt lở đất"},
                                                                  "severity": "Severe"},
                           content_type="application/json", **auth)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["msg_type"] == "Alert" and set(body["languages"]) == {"vi", *TRANSLATIONS}
    assert fetch(client, body["identifier"]) is not None
    bad = client.post(f"/api/v1/portal/alerts/{item.uid}", {"event": {"vi": "Lũ"}, "urgency": "Soon"},
                      content_type="application/json", **auth)
    assert bad.status_code == 400 and "Chọn một trong" in bad.json()["message"]
    cancelled = client.post(f"/api/v1/portal/alerts/{item.uid}/cancel", {"note": ""},
                            content_type="application/json", **auth)
    assert cancelled.status_code == 200 and cancelled.json()["msg_type"] == "Cancel"
    other = accounts.do_create_token(world.contributor, world.contributor, "x")[1]
    refused = client.post(f"/api/v1/portal/alerts/{item.uid}", {"event": {"vi": "Lũ"}},
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {other}")
    assert refused.status_code == 403
