"""Every script on a kiosk: screenshots of the start screen and of one item per script (Vietnamese, Lao, Khmer,
Chinese, a minority Latin script, Tai Viet), and fontTools over the rendered text: every character shown has a
glyph in a font shipped with the node; the browser has the script's font loaded (no fallback to a system font)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.portal.conftest import TRANSLATIONS
from ttdn.content import services as content
from ttdn.content.models import State, TranslationState
from ttdn.points import services
from ttdn.points.services import PairingInput

from ..conftest import ARTIFACTS, World, advance, make_item
from .fontcheck import missing

pytestmark = pytest.mark.browser

# The Tai Viet letters as a literacy leaflet prints them (Tai Dam, Sơn La and Điện Biên).
TAI_VIET = ("ꪀ ꪁ ꪂ ꪃ ꪄ ꪅ ꪆ ꪇ ꪈ ꪉ ꪊ ꪋ", "ꪌ ꪍ ꪎ ꪏ ꪐ ꪑ ꪒ ꪓ ꪔ ꪕ")
FAMILY = {"vi": "Noto Sans", "lo": "Noto Sans Lao", "km": "Noto Sans Khmer", "zh-Hans": "Noto Sans SC",
          "jra": "Noto Sans", "blt": "Noto Sans Tai Viet"}


def test_every_script_shown_has_its_glyphs(browser_world: World, live_server: Any, browser: Any) -> None:
    world = browser_world
    item = make_item(world, title="Tờ gấp về quy chế khu vực biên giới đất liền")
    advance(world, item, State.IN_APPRAISAL)
    texts = {**TRANSLATIONS, "blt": TAI_VIET}
    for lang in ("lo", "km", "zh-Hans", "jra", "blt"):
        title, summary = texts[lang]
        variant = content.do_save_variant(world.appraiser, item, lang, title, summary, f"<p>{title}</p>")
        content.do_set_translation_state(world.appraiser, variant, TranslationState.REVIEWED)
    item.refresh_from_db()
    advance(world, item, State.PUBLISHED)
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(locale="vi-VN", viewport={"width": 1080, "height": 1920})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/points/kiosk/")
        code = page.locator("[data-testid=pairing-code] strong")
        code.wait_for()
        services.do_pair(world.operator, PairingInput(code=code.inner_text().strip(), name="Kiosk"))
        page.locator("[data-testid=kiosk-start]").wait_for(timeout=10_000)
        page.evaluate("() => document.fonts.ready")
        page.screenshot(path=str(ARTIFACTS / "points-kiosk-start.png"))
        problems: dict[str, list[str]] = {"start": missing(page.evaluate("() => document.body.innerText"))}
        for lang, family in FAMILY.items():
            page.locator(f"[data-testid=lang-{lang}]").click()
            page.locator(".cards .card").first.click()
            page.locator("article.item h1").wait_for()
            page.evaluate("() => document.fonts.ready")
            shown = page.evaluate("() => document.body.innerText")
            problems[lang] = missing(shown)
            title = page.locator("article.item h1").inner_text()
            # The script's own font is loaded for the title (the browser found no need to fall back).
            assert page.evaluate("([f, t]) => document.fonts.check(`32px '${f}'`, t)", [family, title]), lang
            page.screenshot(path=str(ARTIFACTS / f"points-kiosk-{lang}.png"))
            page.locator("[data-testid=kiosk-home]").click()
        assert {k: v for k, v in problems.items() if v} == {}
    finally:
        context.close()
