"""Snippets and highlighted titles: found on the original text (folded word by word for comparison), so
the reader sees the words as written, in their own script, with the matches in <mark> and the rest escaped."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from html import escape
from itertools import pairwise
from typing import TYPE_CHECKING, Protocol

from ttdn.content.models import Attachment
from ttdn.core.text import html_to_text
from ttdn.search.normalize import fold, word_spans

if TYPE_CHECKING:
    from ttdn.search.query import ParsedQuery


class Texts(Protocol):
    """A language version's texts (a Variant, or the few columns a search reads)."""

    @property
    def pk(self) -> int: ...
    @property
    def summary(self) -> str: ...
    @property
    def body(self) -> str: ...


WINDOW = 220  # characters shown
LEAD = 60  # characters kept before the first match


# Words repeat across a page of results: folding each distinct word once is most of a snippet's cost saved.
_fold_word = lru_cache(maxsize=65_536)(fold)


def may_match(text: str, parsed: ParsedQuery) -> bool:
    """False when `spans` would find nothing in `text`, decided without walking its words: every word,
    prefix or run `spans` marks (a run written apart: its first word) is, folded, a substring of the folded
    text (folding is per character, and Greek final sigma, the one letter whose lower case depends on what
    follows, is compared as σ). Folding a text at once costs a tenth of reading it word by word, and most
    texts a page shows do not match (the match was in the title)."""
    if not text:
        return False
    folded = fold(text)
    if "ς" in folded:
        folded = folded.replace("ς", "σ")
    # A run written apart (`_split_runs`) begins with a text run ending in its first word.
    needles = parsed.words | parsed.prefixes | parsed.runs | {words[0] for words in parsed.split_runs}
    return any(needle.replace("ς", "σ") in folded for needle in needles)


def _origins(piece: str, folded: str) -> list[int] | None:
    """For each offset of a run's folded form (and its end), the offset in the run it comes from; None when
    the run does not fold character by character (Lao ໜ folds to two characters, ຫນ)."""
    if len(folded) == len(piece):
        return list(range(len(piece) + 1))
    origin: list[int] = []
    for i, ch in enumerate(piece):
        origin.extend([i] * len(_fold_word(ch)))
    if len(origin) != len(folded):
        return None
    origin.append(len(piece))
    return origin


def spans(text: str, parsed: ParsedQuery, *, limit: int | None = None) -> list[tuple[int, int]]:
    """Where the query's words, prefixes and Lao/Khmer/Chinese runs occur in `text` (original offsets).

    With `limit`, stop reading once that many matches are found (a long file text is not read to its end)."""
    found: list[tuple[int, int]] = []
    prefixes = tuple(parsed.prefixes)  # str.startswith takes them all at once
    for start, end, unspaced in word_spans(text):
        if limit is not None and len(found) >= limit:
            break
        piece = text[start:end]
        folded = _fold_word(piece)
        if not unspaced:
            if parsed.marks_word(folded, piece) or (prefixes and folded.startswith(prefixes)):
                found.append((start, end))
            continue
        origin = _origins(piece, folded)
        if origin is None:
            continue  # offsets would not line up; leave it unmarked
        for run in parsed.runs:
            at = folded.find(run)
            while at >= 0:
                found.append((start + origin[at], start + origin[at + len(run)]))
                at = folded.find(run, at + len(run))
    if parsed.split_runs and (limit is None or len(found) < limit):
        found += _split_runs(text, parsed.split_runs)
    found.sort()
    merged: list[tuple[int, int]] = []
    for s, e in found:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _split_runs(text: str, split_runs: set[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Where a run's words stand written apart: consecutive runs of the text separated only by spaces and
    zero-width characters, the first ending with the first word, the middle ones equal to the middle words,
    the last beginning with the last word (as the query's phrase of the words written alone matches)."""
    runs: list[tuple[int, int, str, list[int]]] = []  # start, end, folded, origins
    for start, end, unspaced in word_spans(text):
        if unspaced:
            piece = text[start:end]
            folded = _fold_word(piece)
            origin = _origins(piece, folded)
            if origin is not None:
                runs.append((start, end, folded, origin))
    found: list[tuple[int, int]] = []
    for words in split_runs:
        k = len(words)
        for i in range(len(runs) - k + 1):
            chain = runs[i:i + k]
            if any(text[a[1]:b[0]].strip(_GAP) for a, b in pairwise(chain)):
                continue
            first, last = chain[0], chain[-1]
            if not (first[2].endswith(words[0]) and last[2].startswith(words[-1])
                    and all(c[2] == w for c, w in zip(chain[1:-1], words[1:-1], strict=True))):
                continue
            at = len(first[2]) - len(words[0])
            found.append((first[0] + first[3][at], last[0] + last[3][len(words[-1])]))
    return found


# What may stand between the words of a run written apart.
_GAP = " \t\n\u00a0\u200b\u200c\u200d\u2060\ufeff"


def _render(text: str, marks: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    pos = start
    for s, e in marks:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def highlight(text: str, parsed: ParsedQuery) -> str:
    """The whole (short) text, escaped, matches marked."""
    if not may_match(text, parsed):
        return escape(text)  # nothing to mark (the other language versions' titles, mostly)
    return _render(text, spans(text, parsed), 0, len(text))


def excerpt(text: str, parsed: ParsedQuery) -> str:
    """A window of the text around its first match (or its beginning), escaped, matches marked."""
    text = " ".join(text.split())
    return _window(text, spans(text, parsed, limit=1), parsed)


def _matching_excerpt(text: str, parsed: ParsedQuery) -> str | None:
    """`excerpt` when the text holds a match, else None (each text is read once, up to its first match)."""
    if not may_match(text, parsed):
        return None
    text = " ".join(text.split())
    first = spans(text, parsed, limit=1)
    return _window(text, first, parsed) if first else None


def _window(text: str, first: list[tuple[int, int]], parsed: ParsedQuery) -> str:
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
    # Only the window shown is marked: the rest of a long text is never read; nor the window when its folded
    # text holds none of the query's words (a text shown for want of a match).
    shown = text[start:end]
    marks = [(s + start, e + start) for s, e in spans(shown, parsed)] if may_match(shown, parsed) else []
    body = _render(text, marks, start, end)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def snippet(variant: Texts, parsed: ParsedQuery, look_in_files: bool = True) -> str:
    """From the summary, the text or the files' text, whichever holds a match first; else the summary."""
    return snippets_for([(variant, look_in_files)], parsed)[0]


def snippets_for(variants: Sequence[tuple[Texts, bool]], parsed: ParsedQuery) -> list[str]:
    """`snippet` for each (variant, look_in_files) of a page, the files that are needed read in one query."""
    out: list[str | None] = []
    texts: list[list[str]] = []
    wanted: list[int] = []  # variants whose summary and text hold no match: their files are read
    for variant, look_in_files in variants:
        candidates = [variant.summary, html_to_text(variant.body)]
        texts.append(candidates)
        found = _first_excerpt(candidates, parsed)
        out.append(found)
        if found is None and parsed and look_in_files:
            wanted.append(variant.pk)
    files = file_texts(wanted) if wanted else {}
    result: list[str] = []
    for (variant, _look), candidates, found in zip(variants, texts, out, strict=True):
        if found is None and variant.pk in files:
            found = _first_excerpt(files[variant.pk], parsed)
        if found is None:
            # None of these texts holds a match: the window from the beginning, nothing searched again.
            first = " ".join(next((t for t in candidates if t.strip()), "").split())
            found = _window(first, [], parsed)
        result.append(found)
    return result


def _first_excerpt(texts: list[str], parsed: ParsedQuery) -> str | None:
    for text in texts:
        if text:
            found = _matching_excerpt(text, parsed)
            if found is not None:
                return found
    return None


def file_texts(variant_ids: list[int]) -> dict[int, list[str]]:
    """The attachments' extracted texts of these variants, in Attachment's order, in one query."""
    texts: dict[int, list[str]] = {}
    rows = Attachment.objects.filter(variant_id__in=variant_ids).values_list("variant_id", "asset__extracted_text")
    for vid, text in rows:
        texts.setdefault(vid, []).append(text or "")
    return texts
