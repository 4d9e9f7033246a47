"""The search page in a real browser: a visitor types Vietnamese without diacritics and the results
appear as they type (htmx), grouped by item with their Lao version, the words marked."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from ttdn.content import services as content
from ttdn.content.models import State, TranslationState

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.browser


def test_typing_without_diacritics_finds_the_material(
    browser_world: World, new_page: Callable[..., Any], live_server: Any, artifacts: Path,
) -> None:
    world = browser_world
    item = advance(world, make_item(world, title="Quy định khu vực biên giới đất liền", summary=""), State.PUBLISHED)
    lo = content.do_save_variant(world.translator_lo, item, "lo", "ລະບຽບເຂດຊາຍແດນ", "", "<p>ຂໍ້ມູນຊາຍແດນ</p>")
    content.do_set_translation_state(world.appraiser, lo, TranslationState.REVIEWED)
    advance(world, make_item(world, title="Phòng chống dịch bệnh", summary=""), State.PUBLISHED)

    page = new_page()
    page.goto(f"{live_server.url}/search/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.locator("#id_q").press_sequentially("bien gioi dat", delay=40)
    hits = page.locator("[data-testid=search-results] > li")
    expect(hits).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]q=bien(\+|%20)gioi(\+|%20)dat"))
    title = page.locator("[data-testid=hit-title]").first
    expect(title).to_have_text("Quy định khu vực biên giới đất liền")
    expect(title.locator("mark")).to_have_text(["biên", "giới", "đất"])
    expect(hits.first.locator("li[data-lang=lo]")).to_have_count(1)  # the Lao version comes with the item
    page.select_option("#id_language", "lo")  # a filter applies as soon as it is chosen
    expect(page.locator("[data-testid=no-results]")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]language=lo"))
    page.select_option("#id_language", "")
    expect(hits).to_have_count(1)

    page.fill("#id_q", "ຊາຍແດນ")
    expect(hits.first.locator("[data-testid=snippet][lang=lo] mark")).to_have_text(["ຊາຍແດນ"])
    page.fill("#id_q", "khong co tai lieu nay")
    expect(page.locator("[data-testid=no-results]")).to_be_visible()
    page.fill("#id_q", "dich benh")
    expect(page.locator("[data-testid=hit-title]")).to_have_text(["Phòng chống dịch bệnh"])
    page.screenshot(path=str(artifacts / "search-page.png"), full_page=True)
    # Straight from typing to a result: the box losing focus sends no search of its own, whose answer would
    # replace the result under the pointer between the press and the release, and the click would be lost.
    searches: list[str] = []
    page.on("request", lambda request: searches.append(request.url) if request.headers.get("hx-request") else None)
    page.locator("[data-testid=hit-title]").first.click()
    page.wait_for_url(re.compile(r"/items/[0-9a-f-]{36}/$"))
    assert searches == []
