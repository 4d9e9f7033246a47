"""Which characters the fonts shipped with the static files have glyphs for (fontTools over the woff2 files that
fonts.css names), so a test can check that every character a device shows is covered: no empty boxes offline."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

STATIC = Path(__file__).resolve().parents[2] / "src" / "ttdn" / "core" / "static" / "ttdn"
_SRC = re.compile(r"url\(\.\./fonts/([^)]+\.woff2)\)")


@lru_cache(maxsize=1)
def covered() -> frozenset[int]:
    """Code points with a glyph in at least one font that fonts.css declares."""
    css = (STATIC / "css" / "fonts.css").read_text(encoding="utf-8")
    points: set[int] = set()
    for name in sorted(set(_SRC.findall(css))):
        font = TTFont(STATIC / "fonts" / name, lazy=True)
        points.update(font.getBestCmap() or {})
        font.close()
    return frozenset(points)


def missing(text: str) -> list[str]:
    """The characters of `text` no shipped font has (controls and white space need no glyph)."""
    have = covered()
    out = []
    for ch in sorted(set(text)):
        if ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf"}:
            continue
        if ord(ch) not in have:
            out.append(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}")
    return out
