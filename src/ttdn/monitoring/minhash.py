"""Near-duplicate detection: MinHash signatures over word shingles of the folded text, and locality-sensitive
bands so that candidates are found with one indexed lookup, then confirmed by the estimated Jaccard similarity.

A wire story republished with a new headline, a lead cut or a paragraph added keeps most of its shingles;
two stories on one topic share few.
"""

from __future__ import annotations

import zlib

import numpy as np

from ttdn.search.normalize import index_tokens

PERMUTATIONS = 128
BANDS = 32  # rows per band: 4; candidates from a Jaccard of about 0.4
ROWS = PERMUTATIONS // BANDS
SHINGLE = 3  # words, for spaced scripts
# Lao, Khmer, Thai and Chinese are indexed as overlapping pairs of clusters: a shingle of 8 pairs spans 9
# clusters, about two or three words — as specific as three spaced words.
SHINGLE_UNSPACED = 8
THRESHOLD = 0.45  # estimated Jaccard at or above which two articles are one story
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20260701)
# Coefficients below the prime, as datasketch draws them; a·x wraps modulo 2**64 (numpy's unsigned overflow),
# which keeps the permutations independent enough — small ones would leave a·x + b monotonic in x.
_A = _rng.integers(1, (1 << 61) - 1, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, (1 << 61) - 1, size=PERMUTATIONS, dtype=np.uint64)
_MAX = np.uint32(0xFFFFFFFF)


def shingles(text: str, unspaced: bool = False, tokens: list[str] | None = None) -> set[int]:
    tokens = index_tokens(text) if tokens is None else tokens
    size = SHINGLE_UNSPACED if unspaced else SHINGLE
    if len(tokens) < size:
        return {zlib.crc32(" ".join(tokens).encode("utf-8"))} if tokens else set()
    # The windows of `size` tokens, by zipping shifted views (no slice per window).
    crc32 = zlib.crc32
    windows = zip(*(tokens[k:] for k in range(size)), strict=False)  # shorter views end it: unequal on purpose
    return {crc32(" ".join(window).encode("utf-8")) for window in windows}


def signature(text: str, unspaced: bool = False, tokens: list[str] | None = None) -> np.ndarray:
    """The signature of `text` (or of its `tokens`, when the caller has cut them already)."""
    found = shingles(text, unspaced, tokens)
    if not found:
        return np.full(PERMUTATIONS, _MAX, dtype=np.uint32)
    values = np.fromiter(found, dtype=np.uint64, count=len(found))
    # (a·x + b) mod p, for every permutation and shingle at once; the minimum per permutation.
    with np.errstate(over="ignore"):
        hashed = (np.outer(_A, values) + _B[:, None]) % _PRIME
    return (hashed.min(axis=1) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<u4")


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) != len(b) or not len(a):
        return 0.0
    return float(np.count_nonzero(a == b)) / len(a)


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 63-bit key per band (band number included, so equal rows in different bands differ)."""
    keys: list[int] = []
    raw = sig.astype("<u4").tobytes()
    for band in range(BANDS):
        chunk = raw[band * ROWS * 4:(band + 1) * ROWS * 4]
        digest = zlib.crc32(chunk, band) | (zlib.adler32(chunk, band + 1) << 32)
        keys.append(digest & 0x3FFFFFFFFFFFFFFF)
    return keys


def is_empty(sig: np.ndarray) -> bool:
    return bool(np.all(sig == _MAX))
