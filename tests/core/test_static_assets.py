"""The vendored front-end assets are complete and local, so the UI works offline and every script
the product serves (Vietnamese, Lao, Khmer, Chinese, minority Latin orthographies) has a font.

Pure file checks: no database, no network.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

import ttdn

CORE = Path(ttdn.__file__).resolve().parent / "core"
STATIC = CORE / "static" / "ttdn"
FONTS_CSS = STATIC / "css" / "fonts.css"
TTDN_CSS = STATIC / "css" / "ttdn.css"
BASE_HTML = CORE / "templates" / "base.html"
FONT_STACK = '"Noto Sans", "Noto Sans Lao", "Noto Sans Khmer", "Noto Sans SC", "Noto Sans Tai Viet", sans-serif'

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_FACE = re.compile(r"@font-face\s*\{([^}]*)\}", re.S)
_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


def _faces() -> list[dict[str, str]]:
    css = _COMMENT.sub("", FONTS_CSS.read_text(encoding="utf-8"))
    faces = []
    for body in _FACE.findall(css):
        props = {}
        for decl in body.split(";"):
            name, sep, value = decl.partition(":")
            if sep:
                props[name.strip().lower()] = value.strip()
        faces.append(props)
    return faces


def _family(face: dict[str, str]) -> str:
    return face["font-family"].strip("'\"")


def _ranges(face: dict[str, str]) -> list[tuple[int, int]] | None:
    """The face's unicode-range as (first, last) pairs; None when it has none (covers everything)."""
    value = face.get("unicode-range")
    if value is None:
        return None
    ranges = []
    for part in value.split(","):
        part = part.strip().upper().removeprefix("U+")
        if "?" in part:  # U+4?? wildcard form
            ranges.append((int(part.replace("?", "0"), 16), int(part.replace("?", "F"), 16)))
            continue
        first, _, last = part.partition("-")
        ranges.append((int(first, 16), int(last or first, 16)))
    return ranges


def _coverage(family: str | None = None, weight: str | None = None) -> set[int] | None:
    """Code points covered by the matching faces; None means 'all' (a face without unicode-range)."""
    covered: set[int] = set()
    for face in _faces():
        if family and _family(face) != family:
            continue
        if weight and face.get("font-weight") != weight:
            continue
        ranges = _ranges(face)
        if ranges is None:
            return None
        for first, last in ranges:
            covered.update(range(first, last + 1))
    return covered


def _assigned(first: int, last: int) -> list[int]:
    return [cp for cp in range(first, last + 1) if unicodedata.category(chr(cp)) != "Cn"]


def _gb2312_hanzi(rows: range) -> list[str]:
    """The hanzi of GB 2312 (level 1 is rows 0xB0-0xD7: the 3,755 most common characters)."""
    chars = []
    for row in rows:
        for col in range(0xA1, 0xFF):
            try:
                chars.append(bytes([row, col]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def _missing(covered: set[int] | None, code_points: list[int]) -> list[str]:
    if covered is None:
        return []
    return [f"U+{cp:04X}" for cp in code_points if cp not in covered]


def test_every_font_url_points_to_a_vendored_woff2_file() -> None:
    css = _COMMENT.sub("", FONTS_CSS.read_text(encoding="utf-8"))
    urls = [m.group(2) for m in _URL.finditer(css)]
    assert len(urls) >= 10
    for url in urls:
        assert not re.match(r"^(https?:)?//", url), f"remote font URL {url}"
        path = (FONTS_CSS.parent / url).resolve()
        assert path.is_file(), f"{url} in fonts.css does not exist"
        assert path.read_bytes()[:4] == b"wOF2", f"{url} is not a WOFF2 file"


def test_fonts_are_licensed_and_within_budget() -> None:
    fonts = STATIC / "fonts"
    assert list(fonts.glob("OFL*.txt")), "the SIL Open Font License text must ship with the fonts"
    for licence in fonts.glob("OFL*.txt"):
        assert "SIL Open Font License" in licence.read_text(encoding="utf-8")
    total = sum(f.stat().st_size for f in fonts.iterdir())
    assert total < 25 * 1024 * 1024


def test_font_faces_swap_and_families_exist() -> None:
    faces = _faces()
    assert faces
    assert all(face.get("font-display") == "swap" for face in faces)
    families = {_family(face) for face in faces}
    assert {"Noto Sans", "Noto Sans Lao", "Noto Sans Khmer", "Noto Sans SC", "Noto Sans Tai Viet"} <= families
    for family in ("Noto Sans", "Noto Sans Lao", "Noto Sans Khmer"):
        weights = {face.get("font-weight") for face in faces if _family(face) == family}
        assert {"400", "700"} <= weights, family


def test_page_font_stack_names_only_vendored_families_then_sans_serif() -> None:
    assert FONT_STACK in TTDN_CSS.read_text(encoding="utf-8")


@pytest.mark.parametrize("weight", ["400", "700"])
def test_lao_and_khmer_blocks_are_covered(weight: str) -> None:
    lao = _assigned(0x0E80, 0x0EFF)
    khmer = _assigned(0x1780, 0x17FF)
    assert not _missing(_coverage("Noto Sans Lao", weight), lao)
    assert not _missing(_coverage("Noto Sans Khmer", weight), khmer)
    # And by the page as a whole (any face).
    assert not _missing(_coverage(), lao + khmer)


def test_cjk_unified_ideographs_are_covered() -> None:
    """Noto Sans SC, as fontsource (Google Fonts) ships it, has about 12,200 of the 20,992 code
    points of U+4E00-U+9FFF: all characters in everyday simplified-Chinese use, but not every rare
    or traditional-only one. So: the block is served by Noto Sans SC, every common character
    (GB 2312 level 1) and almost all of GB 2312 are covered, and no chunk was lost in vendoring."""
    covered = _coverage("Noto Sans SC", "400")
    block = _assigned(0x4E00, 0x9FFF)
    if covered is None:
        return
    in_block = [cp for cp in block if cp in covered]
    assert len(in_block) >= 12000, f"only {len(in_block)} CJK ideographs covered: a chunk is missing"

    level1 = [ord(c) for c in _gb2312_hanzi(range(0xB0, 0xD8))]
    assert len(level1) == 3755
    assert not _missing(covered, level1)
    everything = [ord(c) for c in _gb2312_hanzi(range(0xB0, 0xF8))]
    assert len([cp for cp in everything if cp in covered]) / len(everything) > 0.99

    sample = "越南社会主义共和国边境口岸通关手续护照签证检疫海关"
    assert not _missing(covered, [ord(c) for c in sample])


def test_vietnamese_and_minority_latin_are_covered_by_noto_sans() -> None:
    text = "Biên giới hòa bình, hữu nghị. Ƀuôn ƀon. Ĕ ĭ ŏ ŭ Č č Ñ ñ Ơ ơ Ư ư Đ đ Ỹ ỹ ₫"
    code_points = sorted({ord(c) for c in text if not c.isspace()})
    for weight in ("400", "700"):
        assert not _missing(_coverage("Noto Sans", weight), code_points)


def test_base_template_references_nothing_remote() -> None:
    html = BASE_HTML.read_text(encoding="utf-8")
    assert "http://" not in html
    assert "https://" not in html
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']//""", html), "protocol-relative URL"


def test_base_template_static_references_exist() -> None:
    html = BASE_HTML.read_text(encoding="utf-8")
    refs = re.findall(r"""\{%\s*static\s+['"]([^'"]+)['"]\s*%\}""", html)
    assert {"ttdn/css/fonts.css", "ttdn/css/ttdn.css", "ttdn/vendor/htmx.min.js", "ttdn/js/ttdn.js"} <= set(refs)
    for ref in refs:
        assert (CORE / "static" / ref).is_file(), ref


def test_own_css_and_js_load_nothing_remote() -> None:
    for path in (FONTS_CSS, TTDN_CSS, STATIC / "js" / "ttdn.js"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), path.name
        assert "@import" not in text, path.name
