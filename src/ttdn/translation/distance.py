"""Character-based text distance for the memory's fuzzy matches (no word boundaries needed, so Lao, Khmer,
Thai and Chinese compare as well as Vietnamese)."""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def levenshtein(a: str, b: str) -> int:
    """Edit distance by Myers' bit-vector algorithm (Hyyrö's form), one Python integer as the bit vector: a
    few integer operations per character of `b`, whatever the length of `a`."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    if len(b) > len(a):
        a, b = b, a  # one step per character of the shorter text
    m = len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(a):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    full = (1 << m) - 1
    top = 1 << (m - 1)
    pv, mv, score = full, 0, m
    for ch in b:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & full
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = (mh | ~(xv | ph)) & full
        mv = ph & xv
    return score


def similarity(a: str, b: str) -> float:
    """1 − edit distance / the longer length, on the normalised texts (character-based)."""
    a, b = normalise(a), normalise(b)
    longest = max(len(a), len(b))
    return 1.0 if not longest else 1.0 - levenshtein(a, b) / longest


