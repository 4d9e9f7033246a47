"""Snippets and highlighted titles: found on the original text (folded word by word for comparison), so
the reader sees the words as written, in their own script, with the matches in <mark> and the rest escaped."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.utils.html import escape

from ttdn.content.models import Attachment
from ttdn.core.text import html_to_text
from ttdn.search.normalize import fold, word_spans

if TYPE_CHECKING:
    from ttdn.content.models import Variant
    from ttdn.search.query import ParsedQuery

WINDOW = 220  # characters shown
LEAD = 60  # characters kept before the first match


# Words repeat across a page of results: folding each distinct word once is most of a snippet's cost saved.
_fold_word = lru_cache(maxsize=65_536)(fold)


def spans(text: str, parsed: ParsedQuery, *, limit: int | None = None) -> list[tuple[int, int]]:
    """Where the query's words, prefixes and Lao/Khmer/Chinese runs occur in `text` (original offsets).

    With `limit`, stop reading once that many matches are found (a long file text is not read to its end)."""
    found: list[tuple[int, int]] = []
    for start, end, unspaced in word_spans(text):
        if limit is not None and len(found) >= limit:
            break
        piece = text[start:end]
        folded = _fold_word(piece)
        if not unspaced:
            if folded in parsed.words or any(folded.startswith(p) for p in parsed.prefixes):
                found.append((start, end))
            continue
        if len(folded) != len(piece):
            continue  # offsets would not line up (a compatibility form); leave it unmarked
        for run in parsed.runs:
            at = folded.find(run)
            while at >= 0:
                found.append((start + at, start + at + len(run)))
                at = folded.find(run, at + len(run))
    found.sort()
    merged: list[tuple[int, int]] = []
    for s, e in found:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _render(text: str, marks: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    pos = start
    for s, e in marks:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(str(escape(text[pos:s])))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(str(escape(text[pos:end])))
    return "".join(out)


def highlight(text: str, parsed: ParsedQuery) -> str:
    """The whole (short) text, escaped, matches marked."""
    return _render(text, spans(text, parsed), 0, len(text))


def excerpt(text: str, parsed: ParsedQuery) -> str:
    """A window of the text around its first match (or its beginning), escaped, matches marked."""
    text = " ".join(text.split())
    first = spans(text, parsed, limit=1)
    start = 0
    if first and first[0][0] > LEAD:
        start = first[0][0] - LEAD
        space = text.find(" ", start, first[0][0])
        if 0 <= space < first[0][0] - 1:
            start = space + 1  # do not cut a word in half (unspaced scripts are cut anywhere)
    end = min(len(text), start + WINDOW)
    if end < len(text):
        space = text.rfind(" ", start + WINDOW // 2, end)
        if space > 0:
            end = space
    # Only the window shown is marked: the rest of a long text is never read.
    marks = [(s + start, e + start) for s, e in spans(text[start:end], parsed)]
    body = _render(text, marks, start, end)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def snippet(variant: Variant, parsed: ParsedQuery, look_in_files: bool = True) -> str:
    """From the summary, the text or the files' text, whichever holds a match first; else the summary."""
    candidates = [variant.summary, html_to_text(variant.body)]
    for text in candidates:
        if text and spans(text, parsed, limit=1):
            return excerpt(text, parsed)
    if parsed and look_in_files:
        for attachment in Attachment.objects.filter(variant_id=variant.pk).select_related("asset"):
            text = attachment.asset.extracted_text
            if text and spans(text, parsed, limit=1):
                return excerpt(text, parsed)
    first = next((t for t in candidates if t.strip()), "")
    return excerpt(first, parsed)
