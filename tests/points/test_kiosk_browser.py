"""In a real browser: a touch kiosk pairs, offers the languages in their own scripts, a visitor in Lao browses a
topic, opens an item, enlarges its text, plays its audio, searches with the Lao on-screen keyboard; untouched,
it returns to the start screen with nothing left of the visit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.portal.conftest import TRANSLATIONS
from ttdn.content import services as content
from ttdn.content.models import State, Topic, TranslationState
from ttdn.points import services
from ttdn.points.services import PairingInput

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.browser
MEDIA = Path(__file__).parents[1] / "fixtures" / "media"


def _with_lao_audio(world: World) -> Any:
    Topic.objects.get_or_create(code="bien-gioi", defaults={"name": "Biên giới", "name_en": "Border"})
    item = make_item(world, title="Tờ gấp về đường biên giới", topics=["bien-gioi"])
    advance(world, item, State.IN_APPRAISAL)
    for lang in ("lo", "km", "zh-Hans"):
        title, summary = TRANSLATIONS[lang]
        variant = content.do_save_variant(world.appraiser, item, lang, title, summary, f"<p>{title}</p>")
        content.do_set_translation_state(world.appraiser, variant, TranslationState.REVIEWED)
    content.do_attach_file(world.appraiser, item.variants.get(language="lo"), MEDIA / "sample.ogg", "ban-tin.ogg")
    item.refresh_from_db()
    return advance(world, item, State.PUBLISHED)


def test_a_lao_visitor_reads_listens_searches_and_the_kiosk_forgets_them(
    browser_world: World, live_server: Any, browser: Any,
) -> None:
    world = browser_world
    item = _with_lao_audio(world)
    advance(world, make_item(world, title="Chỉ tiếng Việt"), State.PUBLISHED)
    context = browser.new_context(locale="vi-VN", viewport={"width": 1080, "height": 1920}, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/points/kiosk/")
        code = page.locator("[data-testid=pairing-code] strong")
        code.wait_for()
        services.do_pair(world.operator, PairingInput(code=code.inner_text().strip(), name="Kiosk cửa khẩu",
                                                      idle_seconds=4))
        start = page.locator("[data-testid=kiosk-start]")
        start.wait_for(timeout=30_000)  # the kiosk asks every 3 s; generous for a loaded machine
        cookies_before = {(c["name"], c["value"]) for c in context.cookies()}
        storage_before = page.evaluate("() => Object.keys(localStorage).sort()")
        buttons = {b.get_attribute("lang"): b.inner_text() for b in page.locator("button.language").all()}
        assert buttons["lo"].startswith("ພາສາລາວ") and buttons["km"].startswith("ភាសាខ្មែរ")
        assert buttons["zh-Hans"].startswith("中文") and buttons["vi"].startswith("Tiếng Việt")
        assert "en" not in buttons  # no English material: no button leading nowhere

        page.locator("[data-testid=lang-lo]").click()
        assert page.locator("#kiosk").get_attribute("lang") == "lo"
        page.locator("[data-testid=topic-bien-gioi]").click()
        cards = page.locator(".cards .card")
        assert cards.count() == 1  # the Vietnamese-only item is not offered in Lao
        cards.first.click()
        article = page.locator("article.item")
        assert article.locator("h1").inner_text() == TRANSLATIONS["lo"][0]
        assert article.get_attribute("lang") == "lo"
        size = page.evaluate("() => getComputedStyle(document.querySelector('article h1')).fontSize")
        page.locator("[data-testid=kiosk-larger]").click()
        assert page.evaluate("() => getComputedStyle(document.querySelector('article h1')).fontSize") != size
        audio = page.locator("article audio")
        audio.evaluate("a => a.play()")
        page.wait_for_function("() => document.querySelector('article audio').currentTime > 0")
        assert audio.evaluate("a => a.error === null")
        assert page.evaluate("() => [...document.querySelectorAll('*')].filter(e => !e.lang).length") == 0

        # Search with the Lao keyboard: the first letters of the title find it.
        page.locator("[data-testid=kiosk-search]").click()
        keyboard = page.locator("[data-testid=kiosk-keyboard]")
        for letter in TRANSLATIONS["lo"][0][:3]:
            shown = letter if letter.isalpha() else f"\u25cc{letter}"
            keyboard.locator("button.key", has_text=shown).first.click()
        assert page.locator("[data-testid=kiosk-query]").inner_text() == TRANSLATIONS["lo"][0][:3]
        assert page.locator(f"[data-testid=item-{item.uid}]").count() == 1

        # Left alone: back to the start screen, nothing of the visit left (language, size, query, item).
        start.wait_for(timeout=15_000)
        assert page.locator("#kiosk").get_attribute("lang") == "vi"
        assert page.locator("article, [data-testid=kiosk-query]").count() == 0
        assert page.evaluate("() => document.getElementById('kiosk').style.getPropertyValue('--scale')") == ""
        # The visit wrote nothing on the device: the same cookies and stored keys (the kiosk's token) as before.
        assert {(c["name"], c["value"]) for c in context.cookies()} == cookies_before
        assert page.evaluate("() => Object.keys(localStorage).sort()") == storage_before == ["points-kiosk-token"]
        assert page.evaluate("() => sessionStorage.length") == 0
    except Exception:
        from ..conftest import ARTIFACTS

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "FAILED-points-kiosk.png"))
        raise
    finally:
        context.close()
