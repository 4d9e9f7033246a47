"""Vietnamese words of several syllables, so search knows "biên giới" is one word and "giới Lào" is not.

Vietnamese writes a word's syllables apart ("đường biên giới": border line; "đường" alone: road, or sugar).
The word index holds syllables with their positions; this list says which runs of adjacent query syllables
are words, and those pairs score as phrases on top of the syllables' own scores (`query._adjacent_pairs`).

`data/vi_words.txt` is vendored: the word list of pyvi 0.1.1 (MIT licence, © 2016 Viet-Trung Tran, kept in
`data/LICENSE.pyvi.txt`), its entries of two to four syllables, plus the short names of every current and
former administrative unit of the places data package ("Lào Cai", "Ia Mơ"). Rebuild it with
`python -m ttdn.search.lexicon WORDS.txt` (pyvi's `models/words.txt`) after a new places package.
`data/vi_words_border.txt` is ours: words of the border's material the general list lacks ("cột mốc",
"đồn biên phòng"). Neighbouring syllables that no word of either list covers are taken as a word of their
own (a name or a term the lists lack): see `word_pairs`.
"""

from __future__ import annotations

import bisect
import functools
import sys
from importlib import resources

from ttdn.search.normalize import fold, normalize

MAX_SYLLABLES = 4
_FILE = "vi_words.txt"
_FILES = (_FILE, "vi_words_border.txt")


@functools.cache
def _words() -> tuple[dict[str, frozenset[tuple[str, ...]]], tuple[str, ...]]:
    """Each folded word (syllables joined by one space) with its spellings as written (lower case, one
    tuple of syllables each: "chó biển" and "chợ biên" fold alike), and the folded words sorted (prefixes)."""
    text = "\n".join(resources.files("ttdn.search").joinpath("data", name).read_text(encoding="utf-8")
                     for name in _FILES)
    spellings: dict[str, set[tuple[str, ...]]] = {}
    for line in text.splitlines():
        if line.strip():
            exact = tuple(written(line).split())
            spellings.setdefault(" ".join(fold(line).split()), set()).add(exact)
    return {k: frozenset(v) for k, v in spellings.items()}, tuple(sorted(spellings))


def written(text: str) -> str:
    """A syllable as typed, compared with the list's spellings: normalised (tone placement), lower case."""
    return normalize(text).lower()


def _is_word(folded: list[str], typed: list[str | None]) -> bool:
    """Whether these syllables are a word: folded, and each one typed with its marks (`typed` not None) as
    the word writes it ("bảo giờ" is none, "bao giờ" is; "bao gio" may be either)."""
    spellings = _words()[0].get(" ".join(folded))
    if spellings is None:
        return False
    if all(t is None for t in typed):
        return True
    return any(all(t is None or t == e for t, e in zip(typed, exact, strict=True)) for exact in spellings)


def _starts_word(folded: list[str]) -> bool:
    """Whether some word of the list begins with these folded syllables, the last one possibly cut short
    (a query typed as far as `biên gi*`)."""
    stem = " ".join(folded)
    ordered = _words()[1]
    at = bisect.bisect_left(ordered, stem)
    return at < len(ordered) and ordered[at].startswith(stem)


def word_pairs(folded: list[str], typed: list[str | None] | None = None, last_is_prefix: bool = False) -> set[int]:
    """The indexes i where syllables i and i + 1 stand inside one word of the query.

    The words are those of the list found in the syllables (`typed[i]`: syllable i as written when it was
    typed with marks, else None) that lie on some segmentation into the fewest pieces (words and lone
    syllables): "hoi cho bien gioi" is "hội chợ | biên giới", never "hội | chó biển | giới"; both words of
    "đường biên giới" ("đường biên", "biên giới") are kept, each on a segmentation of two pieces."""
    n = len(folded)
    typed = typed if typed is not None and len(typed) == n else [None] * n
    spans: list[tuple[int, int]] = []
    for i in range(n - 1):
        for size in range(2, min(MAX_SYLLABLES, n - i) + 1):
            j = i + size
            if _is_word(folded[i:j], typed[i:j]) or (last_is_prefix and j == n and _starts_word(folded[i:j])):
                spans.append((i, j))
    inf = n + 1
    ahead = [0] + [inf] * n  # fewest pieces up to i
    behind = [inf] * n + [0]  # fewest pieces from i
    for i in range(n):
        ahead[i + 1] = min(ahead[i + 1], ahead[i] + 1)
        for s, e in spans:
            if s == i:
                ahead[e] = min(ahead[e], ahead[i] + 1)
    for i in range(n - 1, -1, -1):
        behind[i] = behind[i + 1] + 1
        for s, e in spans:
            if s == i:
                behind[i] = min(behind[i], behind[e] + 1)
    pairs: set[int] = set()
    covered = [False] * n
    for s, e in spans:
        if ahead[s] + 1 + behind[e] == ahead[n]:
            pairs.update(range(s, e - 1))
            covered[s:e] = [True] * (e - s)
    # Syllables next to each other that no word covers: most likely a word the lists lack ("cột mốc", a
    # village's name), so they pair too; a lone syllable between words stays alone ("Lao Bảo | giờ | làm việc").
    for i in range(n - 1):
        if not covered[i] and not covered[i + 1]:
            pairs.add(i)
    return pairs


def build(pyvi_words: str) -> list[str]:
    """The list's lines: pyvi's words of two to four syllables and the places' short names of two or more."""
    import django

    django.setup()
    from ttdn.places.services import read_packages

    words: set[str] = set()
    with open(pyvi_words, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if 2 <= len(parts) <= MAX_SYLLABLES:
                words.add(" ".join(parts))
    for row in read_packages().rows:
        parts = (row.short_name or "").split()
        if 2 <= len(parts) <= MAX_SYLLABLES and all(p.isalpha() for p in parts):
            words.add(" ".join(parts))
    return sorted(words)


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    lines = build(sys.argv[1])
    target = resources.files("ttdn.search").joinpath("data", _FILE)
    with resources.as_file(target) as path:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} words written to {target}")
