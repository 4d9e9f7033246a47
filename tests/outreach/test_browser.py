"""The campaign pages in chromium. The form's live preview, as the person preparing a campaign uses it: typing a message
shows, without a click, its encoding (GSM-7 for plain Latin, UCS-2 once a Vietnamese mark appears), its
characters, segments and the campaign's cost at each operator's price; the unaccented choice shows what the
subscriber reads; a message over the segment limit is flagged. And the whole way: a campaign from a published SMS
item, two languages with their cost, approved by a second person, sent to two real SMSCs on loopback, the
progress bar reaching 100 % and the receipts arriving on the dashboard."""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal
from typing import Any

from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import World, advance, make_item
from ttdn.content.models import State
from ttdn.outreach.models import Campaign, Message, Operator
from ttdn.outreach.sending import run_operator

from .peer import Peer
from .plainsmsc import PlainSmsc
from .test_campaigns import _audience


def test_live_preview_counts_segments_and_cost_as_one_types(new_page: Any, live_server: Any,
                                                             browser_world: World) -> None:
    world = browser_world
    operators = {"viettel": Operator.objects.create(code="viettel", name="Viettel", price_per_segment=Decimal(350)),
                 "vinaphone": Operator.objects.create(code="vinaphone", name="VinaPhone",
                                                      price_per_segment=Decimal(300))}
    _audience(world, operators)  # 2 Viettel and 2 VinaPhone numbers in Vietnamese, 1 Viettel in Jrai
    page = new_page(world.contributor)
    page.goto(live_server.url + reverse("outreach:campaign_new"))
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("Viết tin nhắn để xem chi phí.")
    vietnamese = page.get_by_label("Tin nhắn bằng Tiếng Việt")
    row = page.get_by_test_id("preview-vi")
    total = page.get_by_test_id("total-cost")

    # Plain Latin letters: GSM-7, one segment of 160; 2 × 300 + 2 × 350 VND.
    vietnamese.press_sequentially("Moi ba con hop dan luc 8h", delay=20)
    expect(row.locator("td").nth(1)).to_have_text("GSM-7")
    expect(row.locator("td").nth(2)).to_have_text("25")
    expect(row.locator("td").nth(3)).to_have_text("1")
    expect(row.locator("td").nth(4)).to_have_text("4")
    expect(total).to_have_text("1.300")

    # One Vietnamese mark makes it UCS-2 (70 characters a segment); past 70 it takes two segments, at twice
    # the cost.
    vietnamese.fill("")
    vietnamese.press_sequentially("Mời bà con họp dân lúc 8 giờ sáng mai", delay=20)
    expect(row.locator("td").nth(1)).to_have_text("UCS-2")
    expect(row.locator("td").nth(3)).to_have_text("1")
    vietnamese.press_sequentially(" tại nhà văn hóa xã Ia Chia, mang theo căn cước", delay=10)
    expect(row.locator("td").nth(2)).to_have_text("84")
    expect(row.locator("td").nth(3)).to_have_text("2")
    expect(total).to_have_text("2.600")
    expect(page.get_by_text("Các phần tin", exact=True)).to_be_visible()

    # Unaccented ("không dấu"): the subscriber's text is shown, back to GSM-7 and one segment.
    page.get_by_label("Gửi tiếng Việt không dấu").check()
    expect(row.locator("td").nth(1)).to_have_text("GSM-7")
    expect(row.locator("td").nth(3)).to_have_text("1")
    expect(page.get_by_test_id("unaccented")).to_have_text(
        "Moi ba con hop dan luc 8 gio sang mai tai nha van hoa xa Ia Chia, mang theo can cuoc")
    expect(total).to_have_text("1.300")

    # A second language (Jrai subscribers are on the list): its own row and cost, added to the total.
    jrai = page.locator("textarea[data-language=jra]")
    jrai.press_sequentially("Nao bơwih tơlơi", delay=20)
    jrai_row = page.get_by_test_id("preview-jra")
    expect(jrai_row.locator("td").nth(1)).to_have_text("UCS-2")
    expect(jrai_row.locator("td").nth(4)).to_have_text("1")
    expect(total).to_have_text("1.650")

    # Over the limit of one segment: flagged in the row, never cut.
    page.get_by_label("Số phần tin SMS tối đa mỗi tin nhắn").fill("1")
    page.get_by_label("Gửi tiếng Việt không dấu").uncheck()
    expect(row).to_contain_text("vượt giới hạn 1: hãy rút gọn")
    expect(row).to_have_class("error")


def test_campaign_from_an_sms_item_approved_sent_and_delivered(new_page: Any, live_server: Any,
                                                               browser_world: World) -> None:
    world = browser_world
    with Peer(receipt_delay=0.2) as viettel_smsc, PlainSmsc() as vinaphone_smsc:
        operators = {
            "viettel": Operator.objects.create(code="viettel", name="Viettel", price_per_segment=Decimal(350),
                                               host="127.0.0.1", port=viettel_smsc.port, system_id="ttdn",
                                               password="secret"),
            "vinaphone": Operator.objects.create(code="vinaphone", name="VinaPhone", price_per_segment=Decimal(300),
                                                 host="127.0.0.1", port=vinaphone_smsc.port, system_id="ttdn",
                                                 password="secret")}
        _audience(world, operators)
        item = make_item(world, title="Tin nhắn họp dân", kind="sms",
                         body="<p>Mời bà con xã họp dân lúc 8 giờ sáng mai tại nhà văn hóa.</p>")
        advance(world, item, State.PUBLISHED)

        author = new_page(world.contributor)
        author.goto(live_server.url + reverse("outreach:campaign_new") + f"?item={item.uid}")
        expect(author.get_by_label("Tin nhắn bằng Tiếng Việt")).to_have_value(
            "Mời bà con xã họp dân lúc 8 giờ sáng mai tại nhà văn hóa.")
        expect(author.get_by_test_id("preview-vi").locator("td").nth(1)).to_have_text("UCS-2")
        author.locator("textarea[data-language=jra]").press_sequentially("Nao bơwih tơlơi", delay=20)
        expect(author.get_by_test_id("preview-jra")).to_be_visible()
        expect(author.get_by_test_id("total-cost")).to_have_text("1.650")  # 2 × 300 + 2 × 350 + 350
        author.get_by_label("Tên người gửi (brandname)").fill("SoTTTT")
        # No quiet hours (from and until the same time): the test runs at any hour.
        author.get_by_label("Giờ yên tĩnh từ").fill("00:00")
        author.get_by_label("Giờ yên tĩnh đến").fill("00:00")
        author.get_by_test_id("save-campaign").click()
        author.get_by_test_id("submit").click()
        expect(author.get_by_test_id("submit")).to_have_count(0)
        campaign = Campaign.objects.get(item=item)
        assert campaign.state == "awaiting"

        approver = new_page(world.agency_admin)
        approver.goto(live_server.url + reverse("outreach:campaign", args=[campaign.pk]))
        approver.get_by_test_id("approve").click()
        expect(approver.get_by_test_id("pause")).to_be_visible()  # sending now
        assert Message.objects.filter(campaign=campaign).count() == 5

        failures: list[BaseException] = []

        def send() -> None:
            try:
                for code in ("viettel", "vinaphone"):
                    asyncio.run(run_operator(code, until_idle=True, receipts_wait=60, poll=0.1))
            except BaseException as exc:  # reported by the test
                failures.append(exc)

        sender = threading.Thread(target=send)
        sender.start()
        # The dashboard refreshes itself: the bar reaches 100 % and every receipt shows as delivered.
        expect(approver.get_by_test_id("percent")).to_have_text("100 %", timeout=120_000)
        expect(approver.get_by_test_id("delivered")).to_have_text("5", timeout=120_000)
        assert approver.get_by_test_id("progress").get_attribute("value") == "100"
        expect(approver.get_by_test_id("cost")).to_have_text("1.650")
        sender.join(180)
        assert not sender.is_alive() and not failures, failures
        assert viettel_smsc.per_destination() + vinaphone_smsc.per_destination() == {
            m.number: 1 for m in Message.objects.filter(campaign=campaign)}
        assert {s for _d, s, _m in viettel_smsc.accepted} == {"SoTTTT"} and vinaphone_smsc.sources == {"SoTTTT"}
