"""Which language an article is in, from its text first and its page tags second.

Scripts decide Lao, Khmer, Thai and Chinese at once (their letters are their own); Latin text is Vietnamese
when its letters carry Vietnamese marks, otherwise py3langid (a model shipped inside the package) says which.
Short or empty text falls back to the page's own tag, then to the outlet's language; mixed text goes to the
script with most letters. Nothing here raises: a language is a hint, never a reason to drop an article.
"""

from __future__ import annotations

import re
import unicodedata

from ttdn.core import languages

MIN_LETTERS = 20  # fewer letters than this: trust the page's tag before the text

def _tag_language(tag: str) -> str:
    tag = (tag or "").strip().replace("_", "-")
    if not tag:
        return ""
    return languages.canonical_tag(tag) or languages.canonical_tag(tag.split("-")[0].lower()) or ""


_SCRIPT_RE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("th", re.compile("[\u0e00-\u0e7f]")),
    ("lo", re.compile("[\u0e80-\u0eff]")),
    ("km", re.compile("[\u1780-\u17ff]")),
    ("zh", re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")),
)
_LATIN = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_VI_MARKED = re.compile("[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")
SAMPLE = 6000  # characters looked at: enough to decide, bounded on huge pages


def preload() -> None:
    """Load py3langid's model now (a worker's start), not on the first Latin page that needs it."""
    try:
        import py3langid

        py3langid.classify("warm up")
    except Exception:  # noqa: S110 - a language is a hint, never a crash
        pass


def identify(text: str, page_tag: str = "", fallback: str = "") -> str:
    sample = unicodedata.normalize("NFC", text[:SAMPLE])
    counts = {lang: len(pattern.findall(sample)) for lang, pattern in _SCRIPT_RE}
    counts = {lang: n for lang, n in counts.items() if n}
    latin = len(_LATIN.findall(sample))
    vi_marks = len(_VI_MARKED.findall(sample))
    letters = latin + sum(counts.values())
    tagged = _tag_language(page_tag)
    if letters < MIN_LETTERS and tagged:
        return tagged
    if counts:
        script, most = max(counts.items(), key=lambda kv: kv[1])
        if most >= latin:
            return _tag_language(script)
    if latin == 0:
        return tagged or _tag_language(fallback)
    # Vietnamese: about one letter in four carries a mark; a few marked names inside English do not count.
    if vi_marks / latin >= 0.08:
        return "vi"
    try:
        import py3langid

        guess, _score = py3langid.classify(sample)
    except Exception:
        guess = ""
    if guess == "vi" and vi_marks == 0:
        guess = "vi" if tagged == "vi" else "en"
    found = _tag_language(guess)
    if letters < MIN_LETTERS:
        return tagged or _tag_language(fallback) or found
    return found or tagged or _tag_language(fallback)
