"""In Debian chromium: a date typed 01/12/2026 in an en-US browser is 1 December (and the calendar button
writes dd/mm/yyyy); ô̆ is drawn whole by a vendored font that stacks the breve over the circumflex, on the
work pages, screens and kiosks, fetched only where needed; a withdrawn item's link shows the withdrawn page (410)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from ttdn.content import services as content
from ttdn.content.models import Item, State

from ..conftest import World, advance, log_in, make_item
from .test_fonts import rendered_fonts

pytestmark = pytest.mark.browser


def test_a_date_typed_01_12_2026_is_the_first_of_december_in_an_en_us_browser(
    browser: Any, browser_world: World, live_server: Any, artifacts: Path
) -> None:
    world = browser_world
    context = browser.new_context(locale="en-US", timezone_id="America/New_York",
                                  viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        assert page.evaluate("navigator.language") == "en-US"
        log_in(page, live_server.url, world.contributor)
        page.goto(f"{live_server.url}/items/new/")
        page.fill("#id_title", "Thông báo mùa khô")
        page.fill("#id_summary", "Tóm tắt")
        page.check("#id_no_state_secrets")
        start = page.locator("#id_valid_from")
        assert start.get_attribute("type") == "text" and start.get_attribute("placeholder") == "dd/mm/yyyy"
        start.fill("01/12/2026")
        # The calendar button: the browser's picker chooses a day, the field shows it day first.
        end = page.locator("#id_valid_until")
        button = page.locator("#id_valid_until + button[data-day-picker]")
        assert button.is_visible()
        page.locator("#id_valid_until ~ input[type=date]").first.fill("2026-12-31", force=True)
        assert end.input_value() == "31/12/2026"
        page.screenshot(path=str(artifacts / "date-fields-en-us.png"), full_page=True)
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r"/items/[0-9a-f-]{36}/$"))
        item = Item.objects.get()
        assert item.valid_from is not None and item.valid_until is not None
        assert timezone.localtime(item.valid_from).date() == dt.date(2026, 12, 1)
        assert timezone.localtime(item.valid_until).date() == dt.date(2027, 1, 1)  # the whole 31st included
        about = page.locator("main").inner_text()
        assert "01/12/2026" in about and "31/12/2026" in about
        # Shown back the same way on the edit page.
        page.goto(f"{live_server.url}/items/{item.uid}/edit/")
        assert page.locator("#id_valid_from").input_value() == "01/12/2026"
        assert page.locator("#id_no_state_secrets").is_checked()
        # Typed the American way: refused by the server with a clear message, nothing changed.
        page.fill("#id_valid_from", "12/31/2026")
        page.click("main form button[type=submit]")
        expect(page.locator("#id_valid_from-error, .errorlist").first).to_contain_text("dd/mm/yyyy")
        item.refresh_from_db()
        assert timezone.localtime(item.valid_from).date() == dt.date(2026, 12, 1)
        # No console error but the refused form's own 400 (an invalid `pattern` would show here).
        assert not [e for e in errors if not e.startswith("Failed to load resource")], errors
    finally:
        context.close()


def font_requests(page: Any, url: str) -> tuple[list[str], list[str]]:
    """The fonts (woff2) a page fetched while loading `url`, and the requests of any kind that failed."""
    fetched: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if r.url.endswith(".woff2") else None)
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    page.on("response", lambda r: failed.append(f"{r.url} {r.status}") if r.status >= 400 else None)
    page.goto(url)
    page.evaluate("document.fonts.ready.then(() => true)")
    return fetched, failed


def test_o_with_circumflex_and_breve_is_stacked_by_a_vendored_font(
    browser_world: World, new_page: Callable[..., Any], live_server: Any, artifacts: Path
) -> None:
    world = browser_world
    item = advance(world, make_item(world, title="Pơtao plơi Bô̆ng", summary="Jarai: ô̆ ƀ ŭ"), State.PUBLISHED)
    # A page without such letters (Vietnamese only) does not fetch the extra font. A request the test's
    # server dropped under load (seen once in the whole suite) is not the page's doing: one more try.
    for _ in range(2):
        fetched, failed = font_requests(new_page(), f"{live_server.url}/accounts/login/")
        if not failed:
            break
    assert not [u for u in fetched if "noto-sans-marks" in u], (fetched, failed)
    assert any("noto-sans-vietnamese-400" in u for u in fetched), fetched
    page = new_page()
    fetched, _ = font_requests(page, f"{live_server.url}/items/{item.uid}/")
    page.evaluate(
        """() => { const probe = document.createElement('span'); probe.id = 'probe';
                   probe.style.fontSize = '96px'; probe.style.lineHeight = '1.6';
                   probe.textContent = 'ô\u0306'; document.querySelector('main').prepend(probe); }""")
    page.evaluate("document.fonts.load('96px \"Noto Sans Marks\"', 'ô\u0306').then(() => document.fonts.ready)")
    page.wait_for_timeout(300)
    fonts = rendered_fonts(page, "#probe")
    # The letter and both marks come from one vendored font (no system fallback that cannot stack them).
    assert len(fonts) == 1 and fonts[0]["isCustomFont"] and fonts[0]["glyphCount"] == 2, fonts
    assert any("noto-sans-marks-400" in u for u in fetched)
    png = page.locator("#probe").screenshot(path=str(artifacts / "jarai-o-circumflex-breve.png"))
    image = Image.open(BytesIO(png)).convert("L")
    rows = [any(image.getpixel((x, y)) < 128 for x in range(image.width)) for y in range(image.height)]
    bands = sum(1 for y, ink in enumerate(rows) if ink and (y == 0 or not rows[y - 1]))
    # Breve, circumflex and the letter's bowl, each with clear space between them.
    assert bands == 3, bands
    title_fonts = rendered_fonts(page, "[data-testid=item-title]")
    assert all(f["isCustomFont"] for f in title_fonts), title_fonts


def test_a_page_whose_font_list_is_lost_fetches_no_font(
    browser_world: World, new_page: Callable[..., Any], live_server: Any
) -> None:
    # fonts.css lost on a bad link: the page falls back to the system's fonts and does not fetch the 2 × 65 KB
    # of stacked-marks faces for every letter (they were declared in ttdn.css, which still arrived).
    page = new_page()
    page.route("**/fonts.css", lambda route: route.abort())
    fetched, failed = font_requests(page, f"{live_server.url}/accounts/login/")
    assert [f for f in failed if "fonts.css" in f], failed
    assert fetched == []
    assert page.locator("h1").first.is_visible()


@pytest.mark.parametrize("screen", ["player", "kiosk"])
def test_screens_and_kiosks_stack_the_breve_over_the_circumflex(
    screen: str, browser_world: World, browser: Any, live_server: Any
) -> None:
    # What people at the border see: a Jarai title on a screen or a kiosk draws ô̆ from the vendored font.
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/points/{screen}/")
        page.evaluate(
            """() => { const probe = document.createElement('span'); probe.id = 'probe'; probe.lang = 'jra';
                       probe.textContent = 'Bô\u0306ng'; document.body.prepend(probe); }""")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.wait_for_function("document.fonts.check('16px \"Noto Sans Marks\"', 'ô\u0306')")
        page.wait_for_timeout(200)
        fonts = rendered_fonts(page, "#probe")
        assert fonts and all(f["isCustomFont"] for f in fonts), fonts
    finally:
        context.close()


def test_a_withdrawn_items_link_shows_the_withdrawn_page(
    browser_world: World, new_page: Callable[..., Any], live_server: Any
) -> None:
    world = browser_world
    item = advance(world, make_item(world, title="Quy định đã thay"), State.PUBLISHED)
    content.do_transition(world.publisher, item, "withdraw", "Đã có văn bản thay thế")
    page = new_page()
    response = page.goto(f"{live_server.url}/items/{item.uid}/")
    assert response is not None and response.status == 410
    text = page.locator("main").inner_text()
    assert f"Tài liệu này đã bị thu hồi ngày {timezone.localdate().strftime('%d/%m/%Y')}." in text
    assert "/accounts/login/" not in page.url


def test_revisions_are_compared_and_restored_in_the_browser(
    browser_world: World, new_page: Callable[..., Any], live_server: Any, artifacts: Path
) -> None:
    world = browser_world
    item = advance(world, make_item(world), State.APPROVED)
    content.do_save_variant(world.translator_lo, item, "lo", "ລະບຽບການ", "", "<p>ສະບາຍດີປະເທດລາວ</p>")
    content.do_save_variant(world.translator_lo, item, "lo", "ລະບຽບການ", "", "<p>ສະບາຍດີປະເທດໄທ</p>")
    page = new_page(world.translator_lo)
    page.goto(f"{live_server.url}/items/{item.uid}/")
    page.click("[data-testid=revisions-lo]")
    page.click("[data-testid=compare-form] button[type=submit]")
    body = page.locator("[data-testid=diff-body]")
    expect(body.locator("del")).to_have_text("ລາວ")
    expect(body.locator("ins")).to_have_text("ໄທ")
    page.screenshot(path=str(artifacts / "revisions-compare-lo.png"), full_page=True)
    page.click("[data-testid=restore-1]")
    expect(page.locator("[data-testid=consequences]")).to_contain_text("3")
    page.screenshot(path=str(artifacts / "revisions-restore-confirm.png"), full_page=True)
    page.click("[data-testid=confirm-button]")
    expect(page.locator("[data-testid=revision-3]")).to_contain_text("1")  # "restored from revision 1"
    lo = item.variants.get(language="lo")
    assert lo.revision == 3 and lo.body == "<p>ສະບາຍດີປະເທດລາວ</p>"
