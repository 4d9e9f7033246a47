"""The one text pipeline for documents and queries, shared by both search backends.

`normalize` unifies how the same words are written (NFC, zero-width characters, Vietnamese tone placement);
`fold` is what matching compares (lower case, U+0300–U+036F removed, đ→d, ƀ→b — Lao, Khmer and Thai signs
are combining marks too and are kept); `index_tokens` and `query_tokens` cut folded text into the
space-free tokens both backends index: folded words for spaced scripts; for Lao, Khmer, Thai, Chinese (and
other scripts written without spaces) overlapping pairs of grapheme clusters, so any word inside a run is
found as a phrase of pairs — also the words ICU's dictionary glues together (Khmer ចង់ទៅ) and 2-character
Chinese words. ICU's word segmentation cuts queries (see ttdn.search.query).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import icu

# Zero-width space, non-joiner, joiner, word joiner, BOM, and the soft hyphen that PDFs leave inside words.
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SOFT_HYPHEN = "\u00ad"
_FOLD_MARKS = re.compile("[\u0300-\u036f]+")


def _spaces_for_zero_width(text: str) -> str:
    if _SOFT_HYPHEN in text:
        text = text.replace(_SOFT_HYPHEN, "")
    return _ZERO_WIDTH.sub(" ", text)

# Blocks of scripts written without spaces between words. Only letters, marks and digits inside them form
# runs; their punctuation (Khmer ។, Thai ๚) ends a run.
_UNSPACED_BLOCKS: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0E7F),  # Thai
    (0x0E80, 0x0EFF),  # Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3134F),  # CJK extensions B–G
)


def _ranges(points: list[int]) -> str:
    """A regex character class body for these code points, as ranges."""
    out: list[str] = []
    start = prev = -2
    for cp in [*points, -10]:
        if cp == prev + 1:
            prev = cp
            continue
        if start >= 0:
            out.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
        start = prev = cp
    return "".join(out)


def _build_classes() -> tuple[str, str, str]:
    """The character classes of combining marks, of the unspaced scripts' letters, and of those scripts' own
    marks — in one pass over the code points (the pass is most of what importing this module costs, and every
    process that searches or indexes imports it)."""
    marks: list[int] = []
    unspaced: list[int] = []
    run_marks: list[int] = []
    in_block = [False] * 0x20000
    for lo, hi in _UNSPACED_BLOCKS:
        for cp in range(lo, min(hi, 0x1FFFF) + 1):
            in_block[cp] = True
    category = unicodedata.category
    for cp in range(0x20000):
        cat = category(chr(cp))[0]
        if cat == "M":
            marks.append(cp)
            if in_block[cp]:
                run_marks.append(cp)
        if in_block[cp] and cat in "LMN":
            unspaced.append(cp)
    marks.extend(range(0xE0100, 0xE01F0))  # variation selectors supplement
    unspaced_class = _ranges(unspaced) + re.escape(chr(0x20000)) + "-" + re.escape(chr(0x3134F))
    return _ranges(marks), unspaced_class, _ranges(run_marks)


_MARKS, _UNSPACED, _RUN_MARKS = _build_classes()
# A run of an unspaced script, or a word of any other script (letters, digits and their marks).
# A word never swallows a following run ("6个月的护照", "2025年"): its letters exclude the unspaced scripts.
_TOKEN_RE = re.compile(rf"(?P<run>[{_UNSPACED}]+)|(?P<word>(?:[^\W_{_UNSPACED}]|[{_MARKS}])+)")
_HAS_RUN_RE = re.compile(f"[{_UNSPACED}]")
_WORD_RE = re.compile(rf"(?:[^\W_]|[{_MARKS}])+")
_CLUSTER_RE = re.compile(rf".[{_MARKS}]*", re.DOTALL)
# _WORD_RE as one character class (several times faster than the alternation), for text without "_".
_PLAIN_WORD_RE = re.compile(rf"[\w{_MARKS}]+")


# _TOKEN_RE and the cluster pairs of its runs in one pass: at each cluster of a run (a letter of an unspaced
# script with the marks of that script after it) the pair it starts, found by a lookahead (the last cluster
# of a run alone); words as in _TOKEN_RE. Inside a run every mark is one of the run's own, so a cluster is
# exactly what _CLUSTER_RE finds there.
_RUN_CLUSTER = rf"[{_UNSPACED}][{_RUN_MARKS}]*"
_INDEX_TOKEN_RE = re.compile(
    rf"(?=(?P<pair>{_RUN_CLUSTER}(?:{_RUN_CLUSTER})?)){_RUN_CLUSTER}|(?P<word>(?:[^\W_{_UNSPACED}]|[{_MARKS}])+)"
)
# Blocks without a single combining mark (Latin, Greek, Cyrillic letters, punctuation, symbols), checked below.
# Folded text made only of them needs no mark class: a word is a run of \w but "_" (searching for a mark
# with the full class would cost more than the whole cut).
_MARK_FREE_BLOCKS = ((0x0000, 0x02FF), (0x0370, 0x0482), (0x1E00, 0x1FFF), (0x2000, 0x20CF), (0x2100, 0x2BFF))
if any(unicodedata.category(chr(cp))[0] == "M" for lo, hi in _MARK_FREE_BLOCKS for cp in range(lo, hi + 1)):
    raise RuntimeError("a mark-free block holds a mark in this Unicode version")
_BEYOND_MARK_FREE_RE = re.compile(
    "[^" + "".join(re.escape(chr(lo)) + "-" + re.escape(chr(hi)) for lo, hi in _MARK_FREE_BLOCKS) + "]"
)
_MARK_FREE_WORD_RE = re.compile(r"[^\W_]+")

# ------------------------------------------------------------------------------- Vietnamese tone placement

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_VI_QUALITY = "\u0302\u0306\u031b"  # circumflex (â ê ô), breve (ă), horn (ơ ư)
_VOWELS = set("aeiouy")
_VI_WORD = re.compile(r"[A-Za-zĐđ\u0300-\u036f]+")


@dataclass
class _Letter:
    base: str
    quality: str  # Vietnamese vowel-quality marks on it


def _place_tone(word: str) -> str:
    """One Vietnamese syllable (NFD) with its tone mark moved to the vowel the classic rule names:
    hòa, thúy, khỏe (tone on the first of two final vowels); hoàng, thuyền (on the vowel before the final
    consonant, or the one carrying a quality mark). Anything that is not a plain Vietnamese syllable is
    returned unchanged (minority-language words with breves on o/e/i/u, several tones, …)."""
    tones = [ch for ch in word if ch in _TONES]
    if len(tones) != 1:
        return word
    letters: list[_Letter] = []
    for ch in word:
        if ch in _TONES:
            continue
        if ch in _VI_QUALITY or unicodedata.combining(ch):
            if not letters or ch not in _VI_QUALITY:
                return word
            letters[-1].quality += ch
            continue
        letters.append(_Letter(ch, ""))
    lower = [letter.base.lower() for letter in letters]
    for letter, low in zip(letters, lower, strict=True):
        if "\u0306" in letter.quality and low != "a":
            return word  # ŏ, ĕ, ĭ, ŭ: Bahnar/Jarai, not Vietnamese
    start = 0
    while start < len(lower) and lower[start] not in _VOWELS:
        start += 1
    # "qu" and "gi" (before another vowel) are consonants.
    if start < len(lower) and (
        (start > 0 and lower[start - 1] == "q" and lower[start] == "u")
        or (start > 0 and lower[start - 1] == "g" and lower[start] == "i"
            and start + 1 < len(lower) and lower[start + 1] in _VOWELS)
    ):
        start += 1
    end = start
    while end < len(lower) and lower[end] in _VOWELS:
        end += 1
    if end == start or any(c in _VOWELS for c in lower[end:]):
        return word
    nucleus = list(range(start, end))
    marked = [i for i in nucleus if letters[i].quality]
    if marked:
        target = marked[-1]
    elif len(nucleus) == 1:
        target = nucleus[0]
    elif end == len(lower):  # no final consonant
        target = nucleus[1] if len(nucleus) == 3 else nucleus[0]
    else:
        target = nucleus[-1]
    out = []
    for i, letter in enumerate(letters):
        out.append(letter.base + letter.quality + (tones[0] if i == target else ""))
    return unicodedata.normalize("NFD", "".join(out))


def normalize(text: str) -> str:
    """NFC; zero-width spaces and joiners as spaces; Vietnamese tone marks on one agreed vowel (hoà → hòa,
    thuý → thúy, khoẻ → khỏe). Used for documents and queries alike; stored text is never rewritten."""
    text = _spaces_for_zero_width(text)
    decomposed = unicodedata.normalize("NFD", text)
    if any(t in decomposed for t in _TONES):
        decomposed = _VI_WORD.sub(lambda m: _place_tone(m.group(0)), decomposed)
    return unicodedata.normalize("NFC", decomposed)


# Spellings of one word that people type either way, folded to one form (documents and queries alike):
# full-width Latin letters and digits (Chinese input methods) and the ideographic space; Latin ligatures
# (PDF text); Lao ໜ ໝ and their two-letter spellings ຫນ ຫມ (Unicode's own compatibility mapping; keyboards
# offer both); Khmer ឲ, the variant of ឱ in ឲ្យ. Each maps one character to what NFKC gives it.
_VARIANTS = str.maketrans({
    **{chr(0xFF01 + i): chr(0x21 + i) for i in range(94)},
    "\u3000": " ",
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
    "\ufb06": "st",
    "\u0edc": "\u0eab\u0e99", "\u0edd": "\u0eab\u0ea1",
    "\u17b2": "\u17b1",
})
_VARIANT_RE = re.compile("[\uff01-\uff5e\u3000\ufb00-\ufb06\u0edc\u0edd\u17b2]")
# Khmer subscript DA (្ដ) and subscript TA (្ត) look alike and are typed for each other: one form.
_KHMER_COENG_DA = "\u17d2\u178a"
# Vietnamese writes a lone i after h, k, l, m, s, t and qu either way (kỹ/kĩ, lý/lí, quy/qui, hy/hi): after
# folding, a word of that onset and y alone ends in i.
# (The pattern starts with its literal y, which the regex engine scans for fast; the onset is looked behind.)
_VI_Y = re.compile(r"y\b(?<=\b[hklmst]y)|y\b(?<=\bquy)")


def _variants(text: str) -> str:
    if _VARIANT_RE.search(text):
        text = text.translate(_VARIANTS)
    if _KHMER_COENG_DA in text:
        text = text.replace(_KHMER_COENG_DA, "\u17d2\u178f")
    return text


def fold(text: str) -> str:
    """The matching form: normalize, lower case, U+0300–U+036F removed (Vietnamese tones and qualities,
    breves), đ→d, ƀ→b, and the spelling variants above. Lao, Khmer and Thai vowel signs are outside that
    block and stay."""
    if text.isascii():
        # Nothing else applies to ASCII (no zero-width characters, marks, đ/ƀ or variants).
        text = text.lower()
        return _VI_Y.sub("i", text) if "y" in text else text
    # Tone placement only moves marks that are removed here, so it is skipped (it is the slow part).
    text = _variants(_spaces_for_zero_width(text)).lower()
    text = _FOLD_MARKS.sub("", unicodedata.normalize("NFD", text))
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("ƀ", "b")
    return _VI_Y.sub("i", text) if "y" in text else text


# ---------------------------------------------------------------------------------------------- tokens

_local = threading.local()


def _word_breaker() -> icu.BreakIterator:
    # BreakIterators are not thread-safe; one per thread (the server runs several).
    breaker = getattr(_local, "breaker", None)
    if breaker is None:
        breaker = _local.breaker = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    return breaker


def clusters(run: str) -> list[str]:
    """Grapheme clusters of a run: a base character with the marks that follow it."""
    return _CLUSTER_RE.findall(run)


def icu_words(run: str) -> list[str]:
    """ICU dictionary segmentation of a Lao, Khmer, Thai or Chinese run."""
    breaker = _word_breaker()
    breaker.setText(run)
    utext = icu.UnicodeString(run)
    words: list[str] = []
    start = breaker.first()
    for end in breaker:
        # Boundaries are UTF-16 offsets; UnicodeString slices by them too.
        words.append(str(utext[start:end]))
        start = end
    return words


def run_bigrams(parts: list[str]) -> list[str]:
    return [parts[i] + parts[i + 1] for i in range(len(parts) - 1)]


@dataclass(frozen=True)
class Piece:
    """One word or unspaced run of a text, already folded."""

    text: str
    unspaced: bool
    start: int  # offsets in the folded text
    end: int


def pieces(folded: str) -> Iterator[Piece]:
    for m in _TOKEN_RE.finditer(folded):
        yield Piece(m.group(0), m.group("run") is not None, m.start(), m.end())


def word_spans(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, unspaced) of each word or unspaced run of an original, unfolded text."""
    for m in _TOKEN_RE.finditer(text):
        yield m.start(), m.end(), m.group("run") is not None


def _run_index_tokens(run: str) -> list[str]:
    parts = clusters(run)
    if len(parts) == 1:
        return parts
    # Pairs, then the last cluster alone: every cluster starts some token, so a one-cluster query can be
    # a prefix query, and any longer query is a phrase of pairs, found wherever ICU would cut the run.
    return [*run_bigrams(parts), parts[-1]]


def index_tokens(text: str, language: str | None = None) -> list[str]:
    """The tokens a text is indexed under, in order (positions matter for phrases).

    `language` is accepted for callers that know it; the pipeline is the same for every language, since
    material mixes scripts (a Vietnamese leaflet quotes a Lao place name) and a query's language is unknown.
    """
    folded = fold(text)
    if folded.isascii() or not _BEYOND_MARK_FREE_RE.search(folded):
        # The common case (Vietnamese, English): no runs and no marks ("_" separates words, as in _WORD_RE).
        return _MARK_FREE_WORD_RE.findall(folded)
    if not _HAS_RUN_RE.search(folded):
        return _PLAIN_WORD_RE.findall(folded.replace("_", " ") if "_" in folded else folded)
    return [pair or word for pair, word in _INDEX_TOKEN_RE.findall(folded)]


def index_tokens_reference(text: str) -> list[str]:
    """index_tokens by the definition (pieces, then each run's clusters in pairs): what the faster paths of
    index_tokens are tested against."""
    out: list[str] = []
    for piece in pieces(fold(text)):
        out.extend(_run_index_tokens(piece.text) if piece.unspaced else [piece.text])
    return out


def query_tokens(text: str, language: str | None = None) -> list[str]:
    """How a query is cut: folded words; an unspaced run as its cluster pairs (one cluster: itself)."""
    out: list[str] = []
    for piece in pieces(fold(text)):
        if piece.unspaced:
            parts = clusters(piece.text)
            out.extend(parts if len(parts) == 1 else run_bigrams(parts))
        else:
            out.append(piece.text)
    return out
