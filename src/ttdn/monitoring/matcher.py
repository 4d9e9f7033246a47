"""Finding a watch list's names in an article, in every language, with the search normaliser's tokens.

Terms and text are cut by `ttdn.search.normalize.index_tokens` (folded words for spaced scripts, so "Gia Lai",
"GIA LAI" and "Gia Lai" unaccented are one; cluster pairs for Lao, Khmer, Thai and Chinese). A term matches
where its tokens stand in a row. Matches are kept unless inside a longer name known — the watched terms and
the other names of the country (provinces and communes, current and former): a shorter name inside a longer
other name is not a mention ("Lào" inside "Lào Cai", "Phú Thiện" inside "Phú Thiện Đông").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ttdn.search.normalize import index_tokens, query_tokens


@dataclass(frozen=True)
class Hit:
    payload: object  # what the caller attached to the term (a WatchTerm id, a topic code)
    start: int
    length: int


@dataclass
class Matcher:
    # first token → [(tokens, payload or None for a blocking name)], longest first
    _by_first: dict[str, list[tuple[tuple[str, ...], object | None]]] = field(default_factory=dict)

    def add(self, term: str, payload: object | None) -> None:
        tokens = tuple(query_tokens(term))  # a run as its pairs, found inside longer runs
        if not tokens:
            return
        bucket = self._by_first.setdefault(tokens[0], [])
        if (tokens, payload) not in bucket:
            bucket.append((tokens, payload))
            bucket.sort(key=lambda entry: (-len(entry[0]), entry[1] is None))

    def add_blockers(self, names: Iterable[str]) -> None:
        for name in names:
            self.add(name, None)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_first.values())

    def find_tokens(self, tokens: list[str]) -> list[Hit]:
        """Every watched term found, except those lying inside a longer name found there (contained, not
        merely overlapping: "Tĩnh Gia" before "Gia Lai" in "tinh gia lai" hides nothing)."""
        spans: list[tuple[int, int, object | None]] = []
        by_first = self._by_first
        # Which first tokens occur at all, by set intersection (in C), then only their positions: most of an
        # article's tokens start no name, and a Python loop over each of them cost more than the rest.
        present = by_first.keys() & set(tokens)
        if not present:
            return []
        for i in [i for i, token in enumerate(tokens) if token in present]:
            for term_tokens, payload in by_first[tokens[i]]:
                size = len(term_tokens)
                if size == 1 or tuple(tokens[i:i + size]) == term_tokens:
                    spans.append((i, size, payload))
        if not spans:
            return []
        hits: list[Hit] = []
        for start, size, payload in spans:
            if payload is None:
                continue
            end = start + size
            inside = any(s <= start and start + z >= end and z > size for s, z, _p in spans)
            if not inside:
                hits.append(Hit(payload, start, size))
        return hits

    def find(self, text: str) -> list[Hit]:
        return self.find_tokens(index_tokens(text))


def count_by_payload(hits: Iterable[Hit]) -> dict[object, int]:
    out: dict[object, int] = {}
    for hit in hits:
        out[hit.payload] = out.get(hit.payload, 0) + 1
    return out
