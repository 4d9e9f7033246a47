"""Lao and Khmer titles render with the vendored Noto fonts — real glyphs, not empty boxes — even on a
machine with no Lao or Khmer system font (an offline kiosk)."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from ttdn.content import services as content
from ttdn.content.models import State, TranslationState

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.browser

TITLES = {
    "lo": ("ສາທາລະນະລັດ ປະຊາທິປະໄຕ ປະຊາຊົນລາວ", "Noto Sans Lao"),
    "km": ("ព្រះរាជាណាចក្រកម្ពុជា", "Noto Sans Khmer"),
}
# Code points no font has a glyph for: drawn as "tofu" (.notdef boxes), the failure we guard against.
TOFU = "\uffff"


def rendered_fonts(page: Any, selector: str) -> list[dict[str, Any]]:
    """The fonts Chromium actually used to draw the text of an element (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return list(cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"])
    finally:
        cdp.detach()


def ink_box(png: bytes) -> tuple[Image.Image, tuple[int, int, int, int] | None]:
    image = Image.open(BytesIO(png)).convert("L")
    inverted = Image.eval(image, lambda v: 255 - v)
    return image, inverted.point(lambda v: 255 if v > 64 else 0).getbbox()


def test_lao_and_khmer_titles_render_with_real_glyphs(
    browser_world: World, new_page: Callable[..., Any], live_server: Any, artifacts: Path
) -> None:
    world = browser_world
    item = make_item(world, title="Thông tin cho người qua cửa khẩu")
    for lang, (title, _font) in TITLES.items():
        content.do_save_variant(world.contributor, item, lang, title, "", "<p>" + title + "</p>")
    advance(world, item, State.IN_APPRAISAL)
    for variant in item.variants.exclude(language="vi"):  # the public is shown reviewed translations only
        content.do_set_translation_state(world.appraiser, variant, TranslationState.REVIEWED)
    advance(world, item, State.PUBLISHED)

    page = new_page()
    page.goto(f"{live_server.url}/items/{item.uid}/")
    assert page.evaluate("document.documentElement.lang") == "vi"
    page.evaluate("document.fonts.ready.then(() => true)")

    for lang, (title, font) in TITLES.items():
        selector = f"#variant-title-{lang}"
        heading = page.locator(selector)
        assert heading.get_attribute("lang") == lang
        assert heading.inner_text().strip() == title

        # 1. The web font is loaded and covers the text.
        loaded = page.evaluate(
            """async ([font, text]) => {
                const faces = await document.fonts.load(`16px "${font}"`, text);
                await document.fonts.ready;
                return {
                    faces: faces.map(f => f.family.replaceAll('"', '')),
                    check: document.fonts.check(`16px "${font}"`, text),
                };
            }""",
            [font, title],
        )
        assert font in loaded["faces"] and loaded["check"], loaded

        # 2. Chromium drew the glyphs with that font, and nothing with a fallback.
        fonts = rendered_fonts(page, selector)
        by_family = {f["familyName"]: f for f in fonts}
        assert font in by_family and by_family[font]["isCustomFont"], fonts
        assert all(f["familyName"].startswith("Noto Sans") for f in fonts), fonts
        letters = sum(1 for ch in title if not ch.isspace())
        assert by_family[font]["glyphCount"] >= letters // 2, fonts

        # 3. The picture is not a row of identical boxes: compare with the same number of
        #    characters that no font has, drawn in the same place with the same style.
        page.evaluate(
            """([selector, text]) => {
                const source = document.querySelector(selector);
                const tofu = source.cloneNode(false);
                tofu.id = source.id + '-tofu';
                tofu.textContent = text;
                source.after(tofu);
            }""",
            [selector, TOFU * len(title)],
        )
        real_png = heading.screenshot(path=str(artifacts / f"title-{lang}.png"))
        tofu_png = page.locator(f"{selector}-tofu").screenshot(path=str(artifacts / f"title-{lang}-tofu.png"))
        real, real_box = ink_box(real_png)
        tofu, tofu_box = ink_box(tofu_png)
        assert real_box is not None, "the title drew nothing"
        if tofu_box is not None and real.size == tofu.size:
            assert ImageChops.difference(real, tofu).getbbox() is not None
        real_width = real_box[2] - real_box[0]
        tofu_width = (tofu_box[2] - tofu_box[0]) if tofu_box else 0
        # Combining vowels, tone marks and subscripts take no width of their own in a real font;
        # as boxes every code point takes a full box.
        assert tofu_width == 0 or abs(real_width - tofu_width) > 0.1 * max(real_width, tofu_width), (
            real_width, tofu_width)

    page.screenshot(path=str(artifacts / "item-lo-km.png"), full_page=True)
