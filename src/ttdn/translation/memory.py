"""The translation memory's look-ups: exact (by the source's hash, in the database) and fuzzy (character
n-grams, so Lao, Khmer, Thai and Chinese match without spaces between words).

The fuzzy index lives in the process, one per language pair, loaded from the database on first use and
topped up with the units added since (the memory only grows). Candidates are counted over the n-grams'
posting lists with numpy, then the best few are scored by their character edit similarity."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Max

from ttdn.core import languages
from ttdn.translation.distance import levenshtein, normalise
from ttdn.translation.models import MemoryUnit
from ttdn.translation.segmenter import source_hash

# n-grams that occur in more than this share of the units tell little apart and cost the most to count.
COMMON_SHARE = 0.1
CANDIDATES = 12
THRESHOLD = 0.6
# The database is asked for newer units at most this often per language pair: a page of many sentences costs
# one question, and a unit approved a moment ago is suggested a second later.
FRESH_SECONDS = 1.0


@dataclass(frozen=True)
class Match:
    source: str
    target: str
    score: float  # 1.0 exact
    kind: str
    topic: str
    unit_id: int

    @property
    def percent(self) -> int:
        return int(self.score * 100)


def _n(language: str) -> int:
    lang = languages.get(language)
    return 2 if lang is not None and lang.unspaced else 3


def grams(text: str, n: int) -> set[str]:
    text = normalise(text)
    if len(text) <= n:
        return {text} if text else set()
    return {text[i:i + n] for i in range(len(text) - n + 1)}


@dataclass
class _Index:
    n: int
    loaded_to: int = 0
    last_hash: str = ""  # the hash of the unit `loaded_to`, to tell a database that started afresh
    checked_at: float = -1e9  # when the database was last asked for newer units (time.monotonic)
    by_hash: dict[str, list[int]] = field(default_factory=dict)  # the exact matches' rows
    ids: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    context: list[tuple[str, str]] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    _arrays: dict[str, np.ndarray] = field(default_factory=dict)
    _sizes: np.ndarray | None = None

    def add(self, pk: int, source: str, target: str, kind: str, topic: str) -> None:
        row = len(self.ids)
        self.ids.append(pk)
        self.sources.append(source)
        self.targets.append(target)
        self.context.append((kind, topic))
        self.by_hash.setdefault(source_hash(source), []).append(row)
        found = grams(source, self.n)
        self.sizes.append(len(found))
        for gram in found:
            self.postings.setdefault(gram, []).append(row)
            self._arrays.pop(gram, None)  # only the touched lists are converted again
        self._sizes = None

    def _array(self, gram: str) -> np.ndarray:
        arr = self._arrays.get(gram)
        if arr is None:
            arr = np.asarray(self.postings[gram], dtype=np.int32)
            self._arrays[gram] = arr
        return arr

    def search(self, query: str, limit: int, threshold: float) -> list[tuple[int, float]]:
        total = len(self.ids)
        if not total:
            return []
        wanted = [g for g in grams(query, self.n) if g in self.postings]
        if not wanted:
            return []
        common = max(50, int(total * COMMON_SHARE))
        rare = [g for g in wanted if len(self.postings[g]) <= common] or wanted
        counts = np.bincount(np.concatenate([self._array(g) for g in rare]), minlength=total)
        if self._sizes is None:
            self._sizes = np.asarray(self.sizes, dtype=np.float32)
        # Only units sharing at least half as many rare n-grams as the best one can be close; among them
        # Dice picks the candidates, and the edit similarity decides.
        rows = np.flatnonzero(counts >= max(1, int(counts.max()) * 2 // 5))
        dice = (2.0 * counts[rows]).astype(np.float32) / (len(rare) + self._sizes[rows])
        k = min(CANDIDATES, len(rows))
        best = rows[np.argsort(-dice)[:k]]
        folded = normalise(query)
        scored = []
        for row in best.tolist():
            if counts[row] == 0:
                continue
            other = normalise(self.sources[row])
            longest = max(len(folded), len(other))
            if min(len(folded), len(other)) < threshold * longest:
                continue  # the lengths alone rule it out
            ratio = 1.0 - levenshtein(folded, other) / longest
            if ratio >= threshold:
                scored.append((row, ratio))
        scored.sort(key=lambda x: -x[1])
        return scored[:limit]


_indexes: dict[tuple[str, str], _Index] = {}
_lock = threading.Lock()


def _index(source_language: str, target_language: str) -> _Index:
    """The pair's index, topped up with the units stored since it was last read."""
    key = (source_language, target_language)
    with _lock:
        index = _indexes.get(key)
        if index is not None and time.monotonic() - index.checked_at < FRESH_SECONDS:
            return index
        newest = MemoryUnit.objects.aggregate(m=Max("id"))["m"] or 0
        if index is not None and index.loaded_to:
            # The memory only grows: a unit read before that is gone or different means another database
            # (a test rolled back, a restore); read it all again.
            seen = MemoryUnit.objects.filter(pk=index.loaded_to).values_list("target_hash", flat=True).first()
            if seen != index.last_hash:
                index = None
        if index is None:
            index = _indexes[key] = _Index(_n(source_language))
        if newest > index.loaded_to:
            rows = MemoryUnit.objects.filter(pk__gt=index.loaded_to).filter(
                source_language=source_language, target_language=target_language,
            ).order_by("pk").values_list("pk", "source", "target", "kind", "topic")
            for pk, source, target, kind, topic in rows.iterator(chunk_size=5000):
                index.add(pk, source, target, kind, topic)
            index.loaded_to = newest
            index.last_hash = MemoryUnit.objects.filter(pk=newest).values_list("target_hash", flat=True).first() or ""
        index.checked_at = time.monotonic()
        return index


def forget() -> None:
    """Drop the in-process indexes (tests that roll the database back)."""
    with _lock:
        _indexes.clear()


def lookup(source: str, source_language: str, target_language: str, *, kind: str = "", topic: str = "",
           limit: int = 3, threshold: float = THRESHOLD) -> list[Match]:
    """Exact matches first (those of the same kind and topic before others, then the newest), then fuzzy
    ones. Both come from the pair's index in the process: no database round trip but the freshness check."""
    index = _index(source_language, target_language)
    rows = sorted(index.by_hash.get(source_hash(source), ()),
                  key=lambda r: (index.context[r][0] != kind, index.context[r][1] != topic, -index.ids[r]))
    out = [Match(index.sources[r], index.targets[r], 1.0, *index.context[r], index.ids[r]) for r in rows[:limit]]
    if len(out) >= limit:
        return out
    seen = {m.target for m in out}
    for row, ratio in index.search(source, limit * 3, threshold):
        if index.targets[row] in seen or (ratio >= 1.0 and index.ids[row] in {m.unit_id for m in out}):
            continue
        seen.add(index.targets[row])
        kind_, topic_ = index.context[row]
        out.append(Match(index.sources[row], index.targets[row], min(ratio, 0.99), kind_, topic_, index.ids[row]))
        if len(out) >= limit:
            break
    return out
