"""The officials' alert pages, through the forms: a publisher declares an alert for communes (each a CAP <area>
with its GSO geocode), updates and cancels it; errors come back in Vietnamese, in place under htmx; an operator
registers a CAP sender whose commune-level alert lands on the commune's province."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from lxml import etree

from tests.conftest import World
from tests.content.test_views import login
from tests.portal.conftest import publish_with_translations
from tests.portal.test_cap_import import SENDER, keypair, message, signed
from ttdn.content.models import Item
from ttdn.core.errors import ServiceError
from ttdn.places.models import AdminUnit
from ttdn.portal import cap, services
from ttdn.portal.models import Alert, CapMessage, CapSender

C = "{urn:oasis:names:tc:emergency:cap:1.2}"


def communes(province: AdminUnit, n: int = 2) -> list[AdminUnit]:
    return list(AdminUnit.objects.filter(parent=province, level="commune", valid_to__isnull=True)
                .order_by("gso_code")[:n])


def areas(identifier: str) -> list[tuple[str, list[str]]]:
    root = etree.fromstring(bytes(CapMessage.objects.get(identifier=identifier).document))
    cap.schema().assertValid(root)
    info = next(root.iter(f"{C}info"))
    return [(a.findtext(f"{C}areaDesc"), [g.findtext(f"{C}value") for g in a.iter(f"{C}geocode")])
            for a in info.iter(f"{C}area")]


@pytest.fixture
def item(world: World) -> Item:
    return publish_with_translations(world, "Cảnh báo sạt lở đất", languages=("lo",))


def test_a_publisher_declares_updates_and_cancels_through_the_pages(world: World, item: Item,
                                                                   client: Client) -> None:
    two = communes(world.gia_lai)
    url = reverse("portal:alert_form", args=[item.uid])
    login(client, world.publisher)
    assert 'data-testid="nav-alerts"' in client.get(reverse("content:my_work")).content.decode()
    listing = client.get(reverse("portal:alerts")).content.decode()
    assert url in listing and "Cảnh báo sạt lở đất" in listing
    page = client.get(url).content.decode()
    assert 'data-testid="alert-form"' in page and 'name="event_lo"' in page and two[0].gso_code in page
    # Missing the event in the source language: the form comes back in place (htmx), in Vietnamese.
    form = {"status": "Exercise", "category": "Geo", "urgency": "Immediate", "severity": "Severe",
            "certainty": "Likely", "event_vi": "", "event_lo": "ດິນເຈື່ອນ", "instruction_vi": "Sơ tán ngay.",
            "communes": [u.gso_code for u in two]}
    bad = client.post(url, form, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="vi")
    assert bad.status_code == 200 and 'data-testid="alert-form"' in bad.content.decode()
    assert "<html" not in bad.content.decode() and "errorlist" in bad.content.decode()
    assert not Alert.objects.exists()
    ok = client.post(url, {**form, "event_vi": "Sạt lở đất"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 204 and ok["HX-Redirect"] == url
    alert = Alert.objects.get(item=item)
    assert alert.status == "Exercise" and {u.pk for u in alert.communes.all()} == {u.pk for u in two}
    first = alert.messages.get()
    assert first.msg_type == "Alert"
    assert areas(first.identifier) == [(f"{u.name}, {world.gia_lai.name}", [u.gso_code])
                                       for u in sorted(two, key=lambda u: u.name)]
    # The update, without JavaScript: no commune now → the whole province.
    done = client.post(url, {**form, "event_vi": "Sạt lở đất", "severity": "Extreme", "communes": []})
    assert done.status_code == 302
    update = alert.messages.order_by("-sent", "-id").first()
    assert update is not None and update.msg_type == "Update"
    assert areas(update.identifier) == [(world.gia_lai.name, [world.gia_lai.gso_code])]
    page = client.get(url).content.decode()
    assert update.identifier in page and 'data-testid="cancel-form"' in page
    cancelled = client.post(reverse("portal:alert_cancel", args=[item.uid]), {"note": "Đã hết nguy cơ"})
    assert cancelled.status_code == 302
    alert.refresh_from_db()
    assert alert.cancelled_at is not None and alert.messages.order_by("-sent", "-id")[0].msg_type == "Cancel"
    again = client.post(reverse("portal:alert_cancel", args=[item.uid]), {"note": ""}, HTTP_ACCEPT_LANGUAGE="vi")
    assert again.status_code == 409 and "không phải là cảnh báo đang hiệu lực" in again.content.decode()


def test_communes_outside_the_item_or_unknown_are_refused(world: World, item: Item, client: Client) -> None:
    outside = communes(world.dak_lak, 1)[0]
    with pytest.raises(ServiceError) as caught:
        services.do_alert(world.publisher, item.uid, services.AlertInput(event={"vi": "Lũ"},
                                                                         communes=[outside.gso_code]))
    assert caught.value.details["field"] == "communes"
    with pytest.raises(ServiceError):
        services.do_alert(world.publisher, item.uid, services.AlertInput(event={"vi": "Lũ"}, communes=["99999"]))
    assert not Alert.objects.exists()
    # Through the form: a choice outside the item's provinces is not even offered.
    login(client, world.publisher)
    response = client.post(reverse("portal:alert_form", args=[item.uid]), {
        "status": "Actual", "category": "Geo", "urgency": "Immediate", "severity": "Severe",
        "certainty": "Likely", "event_vi": "Lũ", "communes": [outside.gso_code]}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400 and not Alert.objects.exists()


def test_only_publishers_reach_the_alert_pages(world: World, item: Item, client: Client) -> None:
    for who in (world.contributor, world.appraiser):
        login(client, who)
        assert client.get(reverse("portal:alerts")).status_code == 403
        assert client.post(reverse("portal:alert_form", args=[item.uid]), {"event_vi": "Lũ"}).status_code == 403
    assert not Alert.objects.exists()


def test_an_operator_registers_a_sender_and_its_commune_alert_lands_on_the_province(world: World,
                                                                                  client: Client) -> None:
    key, cert = keypair()
    login(client, world.operator)
    url = reverse("portal:senders")
    assert 'data-testid="sender-form"' in client.get(url).content.decode()
    bad = client.post(url, {"sender": "có dấu cách", "name": "NCHMF", "certificate": cert,
                            "account": world.contributor.pk}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="vi")
    assert bad.status_code == 200 and "dấu cách" in bad.content.decode() and not CapSender.objects.exists()
    not_pem = client.post(url, {"sender": SENDER, "certificate": "xyz", "account": world.contributor.pk},
                          HTTP_ACCEPT_LANGUAGE="vi")
    assert not_pem.status_code == 400 and "PEM" in not_pem.content.decode()
    ok = client.post(url, {"sender": SENDER, "name": "Trung tâm Dự báo KTTV", "certificate": cert,
                           "account": world.contributor.pk}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 204 and ok["HX-Redirect"] == url
    assert SENDER in client.get(url).content.decode()
    login(client, world.publisher)
    assert client.get(url).status_code == 403
    # A message naming a commune of Đắk Lắk: the item targets the province, the alert keeps the commune.
    commune = communes(world.dak_lak, 1)[0]
    root: Any = message(world, identifier="NCHMF-2026-0900")
    for area in root.iter(f"{C}area"):
        area.find(f"{C}geocode").find(f"{C}value").text = commune.gso_code
    result = services.do_import_cap(signed(root, key, cert))
    assert result.item is not None
    assert list(result.item.target_provinces.all()) == [world.dak_lak]
    assert list(result.alert.communes.all()) == [commune]
