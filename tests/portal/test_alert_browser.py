"""A publisher declares, updates and cancels an alert through the alert page in chromium (htmx, as a person
uses it), and each step's CAP 1.2 document, fetched from its link on the page, is valid against the CAP
schema and says what was chosen: Exercise, one <info> per language, an <area> per commune with its GSO
geocode, then the Update and the Cancel referencing the earlier messages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from lxml import etree
from playwright.sync_api import expect

from tests.conftest import World
from tests.portal.conftest import publish_with_translations
from tests.portal.test_alert_pages import communes
from ttdn.portal import cap
from ttdn.portal.models import Alert

C = "{urn:oasis:names:tc:emergency:cap:1.2}"


def documents(page: Any, base: str) -> list[Any]:
    """The CAP documents listed on the alert page, fetched through their links (oldest first), each checked
    against the CAP 1.2 schema."""
    found = []
    for href in page.get_by_test_id("cap-messages").locator("a").evaluate_all("links => links.map(a => a.href)"):
        response = page.request.get(href)
        assert response.ok and response.headers["content-type"].startswith("application/cap+xml"), href
        root = etree.fromstring(response.body())
        cap.schema().assertValid(root)
        found.append(root)
    # `sent` has whole seconds: an Alert and its Update may share one, the chain's order settles it.
    order = ["Alert", "Update", "Cancel"]
    return sorted(found, key=lambda r: (r.findtext(f"{C}sent"), order.index(r.findtext(f"{C}msgType"))))


def infos(root: Any) -> dict[str, Any]:
    return {info.findtext(f"{C}language"): info for info in root.iter(f"{C}info")}


def test_publisher_declares_updates_and_cancels_an_alert_in_the_browser(new_page: Any, live_server: Any,
                                                                         browser_world: World) -> None:
    world = browser_world
    item = publish_with_translations(world, "Cảnh báo sạt lở đất", languages=("lo",))
    two = communes(world.gia_lai)
    page = new_page(world.publisher)
    page.goto(live_server.url + reverse("portal:alerts"))
    page.get_by_role("link", name="Cảnh báo sạt lở đất").first.click()
    page.wait_for_url(f"**{reverse('portal:alert_form', args=[item.uid])}")
    expect(page.locator("h1")).to_have_text("Phát cảnh báo")
    form = page.get_by_test_id("alert-form")

    # Only blanks as the Vietnamese event: the form comes back in place (htmx), with the error in Vietnamese.
    form.locator("[name=status]").select_option("Exercise")
    form.locator("[name=urgency]").select_option("Immediate")
    form.locator("[name=severity]").select_option("Severe")
    form.locator("[name=event_vi]").fill("   ")
    form.locator("[name=event_lo]").fill("ດິນເຈື່ອນ")
    form.locator("[name=instruction_vi]").fill("Sơ tán ngay khỏi sườn đồi.")
    form.locator("[name=communes]").select_option([u.gso_code for u in two])
    page.get_by_test_id("alert-submit").click()
    expect(page.get_by_test_id("alert-form").locator(".errorlist")).to_contain_text("bắt buộc")
    assert not Alert.objects.exists()
    # The choices made are kept in the form that came back.
    expect(page.get_by_test_id("alert-form").locator("[name=event_lo]")).to_have_value("ດິນເຈື່ອນ")

    page.get_by_test_id("alert-form").locator("[name=event_vi]").fill("Sạt lở đất")
    page.get_by_test_id("alert-submit").click()
    expect(page.get_by_test_id("cancel-form")).to_be_visible()  # the page reloaded: the alert is active
    expect(page.get_by_test_id("alert-submit")).to_have_text("Gửi bản cập nhật")
    (alert_doc,) = documents(page, live_server.url)
    assert alert_doc.findtext(f"{C}status") == "Exercise" and alert_doc.findtext(f"{C}msgType") == "Alert"
    by_language = infos(alert_doc)
    assert set(by_language) == {"vi", "lo"}
    vi = by_language["vi"]
    assert vi.findtext(f"{C}event") == "Sạt lở đất" and vi.findtext(f"{C}urgency") == "Immediate"
    assert vi.findtext(f"{C}severity") == "Severe" and vi.findtext(f"{C}instruction") == "Sơ tán ngay khỏi sườn đồi."
    assert by_language["lo"].findtext(f"{C}event") == "ດິນເຈື່ອນ"
    assert sorted(g.findtext(f"{C}value") for g in vi.iter(f"{C}geocode")) == sorted(u.gso_code for u in two)

    # The update: more severe, one commune fewer.
    form = page.get_by_test_id("alert-form")
    expect(form.locator("[name=severity]")).to_have_value("Severe")
    form.locator("[name=severity]").select_option("Extreme")
    form.locator("[name=communes]").select_option([two[0].gso_code])
    page.get_by_test_id("alert-submit").click()
    expect(page.get_by_test_id("cap-messages").locator("li")).to_have_count(2)
    first, update = documents(page, live_server.url)
    assert update.findtext(f"{C}msgType") == "Update"
    sender = alert_doc.findtext(f"{C}sender")
    assert update.findtext(f"{C}references") == (
        f"{sender},{alert_doc.findtext(f'{C}identifier')},{alert_doc.findtext(f'{C}sent')}")
    updated = infos(update)["vi"]
    assert updated.findtext(f"{C}severity") == "Extreme"
    assert [g.findtext(f"{C}value") for g in updated.iter(f"{C}geocode")] == [two[0].gso_code]

    # The cancel, with its reason.
    page.get_by_test_id("cancel-form").locator("[name=note]").fill("Đã hết nguy cơ sạt lở")
    page.get_by_test_id("cancel-submit").click()
    expect(page.get_by_test_id("cap-messages").locator("li")).to_have_count(3)
    expect(page.get_by_test_id("cancel-form")).to_have_count(0)
    *_earlier, cancel = documents(page, live_server.url)
    assert cancel.findtext(f"{C}msgType") == "Cancel" and cancel.findtext(f"{C}status") == "Exercise"
    referenced = cancel.findtext(f"{C}references").split()
    assert {r.split(",")[1] for r in referenced} == {first.findtext(f"{C}identifier"),
                                                      update.findtext(f"{C}identifier")}
    assert "Đã hết nguy cơ sạt lở" in (cancel.findtext(f"{C}note") or "")
    assert Alert.objects.get(item=item).cancelled_at is not None
