"""Source text into sentences and back: the body's blocks (paragraphs, headings, list items) each split by ICU
sentence breaks in the source's language (Lao, Khmer, Thai and Chinese included, which need no spaces), and a
translated body rebuilt in the same blocks."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import icu

from ttdn.core.text import nfc

BLOCK_TAGS = frozenset({"p", "h2", "h3", "h4", "li", "blockquote", "pre", "td", "th", "figcaption"})
# Scripts written without spaces between sentences: sentences are joined without one when rebuilt.
NO_SPACE_LANGUAGES = frozenset({"zh", "zh-Hans", "zh-Hant", "ja"})


@dataclass(frozen=True)
class Piece:
    part: str  # "title" | "summary" | "body"
    block: int
    tag: str
    wrap: str
    text: str

    @property
    def digest(self) -> str:
        return source_hash(self.text)


def source_hash(text: str) -> str:
    return hashlib.sha256(" ".join(nfc(text).split()).encode()).hexdigest()


# ICU's data does not end a sentence at the Khmer khan (។, ៕); the Khmer-speaking border needs it.
_KHAN = re.compile(r"(?<=[\u17d4\u17d5])\s+")


def _locale(language: str) -> icu.Locale:
    # "ss=standard": abbreviations such as "Dr." or "No." do not end a sentence (where ICU knows them).
    return icu.Locale(language.replace("-", "_") + "@ss=standard")


def sentences(text: str, language: str) -> list[str]:
    """The sentences of a text by ICU's rules for the language; whitespace-only pieces dropped."""
    text = " ".join(nfc(text).split())
    if not text:
        return []
    breaker = icu.BreakIterator.createSentenceInstance(_locale(language))
    breaker.setText(text)
    # ICU counts in UTF-16 code units; walk a UTF-16 copy so characters beyond the BMP keep their place.
    units = text.encode("utf-16-le")
    out: list[str] = []
    start = breaker.first()
    for end in breaker:
        piece = units[start * 2:end * 2].decode("utf-16-le").strip()
        out.extend(p for p in _KHAN.split(piece) if p.strip())
        start = end
    return out


class _Blocks(HTMLParser):
    """Collect the text of each block of sanitised HTML, with its tag and the list around it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, str]] = []
        self._stack: list[str] = []
        self._lists: list[str] = []
        self._text: list[str] = []
        self._tag = "p"

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        if text:
            self.blocks.append((self._tag, self._lists[-1] if self._tag == "li" and self._lists else "", text))
        self._text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self._flush()
            self._lists.append(tag)
        elif tag in BLOCK_TAGS:
            self._flush()
            self._tag = tag
        elif tag == "br":
            self._text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self._flush()
            if self._lists:
                self._lists.pop()
            self._tag = "p"
        elif tag in BLOCK_TAGS:
            self._flush()
            self._tag = "p"

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def pieces(title: str, summary: str, body: str, language: str) -> list[Piece]:
    """Everything to translate, in reading order: the title (one segment), the summary's and the body's
    sentences."""
    out: list[Piece] = []
    if title.strip():
        out.append(Piece("title", 0, "title", "", " ".join(nfc(title).split())))
    for sentence in sentences(summary, language):
        out.append(Piece("summary", 0, "summary", "", sentence))
    parser = _Blocks()
    parser.feed(body)
    parser.close()
    for block, (tag, wrap, text) in enumerate(parser.blocks):
        for sentence in sentences(text, language):
            out.append(Piece("body", block, tag, wrap, sentence))
    return out


def _join(texts: list[str], language: str) -> str:
    glue = "" if language in NO_SPACE_LANGUAGES else " "
    return glue.join(t.strip() for t in texts if t.strip())


def rebuild(segments: list[tuple[str, int, str, str, str]], language: str) -> tuple[str, str, str]:
    """(title, summary, body HTML) from (part, block, tag, wrap, target) in order."""
    title = _join([t for part, _b, _tag, _w, t in segments if part == "title"], language)
    summary = _join([t for part, _b, _tag, _w, t in segments if part == "summary"], language)
    blocks: dict[int, tuple[str, str, list[str]]] = {}
    for part, block, tag, wrap, target in segments:
        if part == "body":
            blocks.setdefault(block, (tag, wrap, []))[2].append(target)
    html_parts: list[str] = []
    open_list = ""
    for block in sorted(blocks):
        tag, wrap, texts = blocks[block]
        text = html.escape(_join(texts, language), quote=False)
        if not text:
            continue
        if open_list and (tag != "li" or wrap != open_list):
            html_parts.append(f"</{open_list}>")
            open_list = ""
        if tag == "li" and not open_list:
            open_list = wrap or "ul"
            html_parts.append(f"<{open_list}>")
        safe_tag = tag if tag in BLOCK_TAGS - {"td", "th"} else "p"
        html_parts.append(f"<{safe_tag}>{text}</{safe_tag}>")
    if open_list:
        html_parts.append(f"</{open_list}>")
    return title, summary, "".join(html_parts)
