"""Scoring of the gold queries, shared by tests/search/test_gold.py and bench/search/run.py.

recall@10 of one query is the share of its relevant items found in the first ten results, out of at most ten
(a topical query with 23 relevant items is perfect when its first ten results are all relevant). MRR@10 is
the mean of 1/rank of the first relevant item in the first ten (0 when none is there). Queries are grouped
by language; Vietnamese queries typed without diacritics form their own group, "vi-nd".
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
K = 10


def load_queries(path: Path | None = None) -> list[dict[str, Any]]:
    with (path or HERE / "queries.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def group_of(query: dict[str, Any]) -> str:
    if query["language"] == "vi" and not query["diacritics"]:
        return "vi-nd"
    return str(query["language"])


def recall_at(relevant: Sequence[str], ranked: Sequence[str], k: int = K) -> float:
    if not relevant:
        return 0.0
    found = len(set(ranked[:k]) & set(relevant))
    return found / min(len(relevant), k)


def reciprocal_rank(relevant: Sequence[str], ranked: Sequence[str], k: int = K) -> float:
    wanted = set(relevant)
    for rank, key in enumerate(ranked[:k], start=1):
        if key in wanted:
            return 1.0 / rank
    return 0.0


@dataclass
class Report:
    recall_at_10: float
    mrr_at_10: float
    recall_at_10_by_language: dict[str, float]
    mrr_at_10_by_language: dict[str, float]
    no_diacritics_ratio: float
    queries: int
    # Queries that missed part of their relevant items: id, text, recall, relevant found / expected, top 3.
    misses: list[dict[str, Any]] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        return {
            "recall_at_10": round(self.recall_at_10, 4),
            "recall_at_10_by_language": {k: round(v, 4) for k, v in sorted(self.recall_at_10_by_language.items())},
            "no_diacritics_ratio": round(self.no_diacritics_ratio, 4),
            "mrr_at_10": round(self.mrr_at_10, 4),
            "mrr_at_10_by_language": {k: round(v, 4) for k, v in sorted(self.mrr_at_10_by_language.items())},
            "queries": self.queries,
        }


def _mean(values: Iterable[float]) -> float:
    vals = list(values)
    return sum(vals) / len(vals) if vals else 0.0


def evaluate(queries: Sequence[dict[str, Any]], ranked: dict[str, list[str]]) -> Report:
    recalls: dict[str, float] = {}
    rrs: dict[str, float] = {}
    groups: dict[str, list[str]] = {}
    misses = []
    for q in queries:
        got = ranked.get(q["id"], [])
        recalls[q["id"]] = recall_at(q["relevant"], got)
        rrs[q["id"]] = reciprocal_rank(q["relevant"], got)
        groups.setdefault(group_of(q), []).append(q["id"])
        if recalls[q["id"]] < 1.0:
            misses.append({"id": q["id"], "text": q["text"], "kind": q["kind"],
                           "recall": round(recalls[q["id"]], 3), "relevant": len(q["relevant"]),
                           "top3": got[:3]})
    with_diacritics = [q["typed_from"] for q in queries if "typed_from" in q]
    without = [q["id"] for q in queries if "typed_from" in q]
    base = _mean(recalls[i] for i in with_diacritics)
    return Report(
        recall_at_10=_mean(recalls.values()),
        mrr_at_10=_mean(rrs.values()),
        recall_at_10_by_language={g: _mean(recalls[i] for i in ids) for g, ids in groups.items()},
        mrr_at_10_by_language={g: _mean(rrs[i] for i in ids) for g, ids in groups.items()},
        no_diacritics_ratio=_mean(recalls[i] for i in without) / base if base else 0.0,
        queries=len(queries),
        misses=misses,
    )


def run(
    queries: Sequence[dict[str, Any]], search: Callable[[str], list[str]]
) -> tuple[dict[str, list[str]], list[float]]:
    """Ask every query through `search(text) -> ranked item keys`; return the rankings and latencies (ms)."""
    ranked: dict[str, list[str]] = {}
    took: list[float] = []
    for q in queries:
        start = time.perf_counter()
        ranked[q["id"]] = search(q["text"])[:K]
        took.append((time.perf_counter() - start) * 1000)
    return ranked, took


def overlap_at(a: Sequence[str], b: Sequence[str], k: int = K) -> float:
    """Share of the first k results two rankings have in common (1.0 when both are empty)."""
    sa, sb = set(a[:k]), set(b[:k])
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / max(len(sa), len(sb))


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]
