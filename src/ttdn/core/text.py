"""Text normalisation shared by every app: NFC storage and rich-text sanitising."""

from __future__ import annotations

import re
import unicodedata

import nh3

# C0/C1 controls other than tab, newline, carriage return never belong in stored text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "q", "cite",
    "h2", "h3", "h4", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
    "figure", "figcaption", "hr", "span", "abbr", "code", "pre",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "lang"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"lang", "dir"},
}


def nfc(value: str) -> str:
    """Store text in NFC, without stray control characters. Breves, ƀ and combining marks survive."""
    return unicodedata.normalize("NFC", _CONTROL.sub("", value))


def clean_line(value: str) -> str:
    """A one-line field: NFC, whitespace runs collapsed."""
    return " ".join(nfc(value).split())


def sanitize_html(value: str) -> str:
    """Rich text with only safe tags left: no script, style, event handler or javascript: URL survives."""
    return nh3.clean(
        nfc(value),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


_TAG = re.compile(r"<[^>]+>")


def html_to_text(value: str) -> str:
    """Plain text of sanitised HTML, for search and previews."""
    import html

    text = _TAG.sub(" ", value.replace("</p>", "\n").replace("<br>", "\n"))
    return nfc(html.unescape(" ".join(text.split(" "))).strip())


_VI_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_VI_RANK = {ch: i for i, ch in enumerate(_VI_ALPHABET)}
_TONE_MARKS = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))


def vi_sort_key(value: str) -> tuple[tuple[int, ...], str]:
    """Vietnamese alphabetical order (a ă â b … đ … y), tones breaking ties; code-point order puts Đ after Z."""
    letters = unicodedata.normalize("NFC", unicodedata.normalize("NFD", value.lower()).translate(_TONE_MARKS))
    return tuple(_VI_RANK.get(ch, -1 if ch.isspace() else 100 + ord(ch)) for ch in letters), value
