"""What the proximity bonus costs, measured so the machine's load cancels out: every gold query asked in
four ways one right after the other (in random order): without proximity pairs, with the pairs but no
windows (`query.NEAR_WINDOWS = ()`), with every pair's windows (`query.WINDOWED_PAIRS` unbounded), and as
shipped (pairs, and their tapering windows in a query of one pair).

  python bench/search/pair_cost.py --db /tmp/ttdn-bench-search/corpus.sqlite3 [--rounds 1]

`--db` is a corpus kept by `run.py --keep-corpus` (SQLite path or postgres:// URL). Prints p50/p95 per way
over all gold queries and over those holding a pair (wall clock, and the process's CPU time), and the load
average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    from perf_search import setup  # type: ignore[import-not-found]

    setup(args.db)
    from tests.search.gold import scoring

    from ttdn.search import query as q
    from ttdn.search.services import SearchQuery, search

    shipped_windows = q.NEAR_WINDOWS
    shipped_pairs = q._adjacent_pairs
    shipped_windowed = q.WINDOWED_PAIRS
    ways: dict[str, Any] = {
        "no_pairs": (lambda terms: {}, (), shipped_windowed),
        "pairs_only": (shipped_pairs, (), shipped_windowed),
        "every_pair_windows": (shipped_pairs, shipped_windows, q.MAX_TERMS),
        "shipped": (shipped_pairs, shipped_windows, shipped_windowed),
    }
    texts = [item["text"] for item in scoring.load_queries()]
    with_pair = {t for t in texts if q.parse(t).pairs}
    for t in texts[:20]:  # warm the caches
        search(None, SearchQuery(text=t))
    times: dict[str, dict[str, list[float]]] = {w: {} for w in ways}
    cpu: dict[str, dict[str, list[float]]] = {w: {} for w in ways}
    rng = random.Random(21)
    load_before = os.getloadavg()
    for _ in range(args.rounds):
        for text in texts:
            order = list(ways)
            rng.shuffle(order)
            for way in order:
                q._adjacent_pairs, q.NEAR_WINDOWS, q.WINDOWED_PAIRS = ways[way]  # type: ignore[assignment]
                started, cpu_started = time.perf_counter(), time.process_time()
                search(None, SearchQuery(text=text))
                times[way].setdefault(text, []).append((time.perf_counter() - started) * 1000)
                cpu[way].setdefault(text, []).append((time.process_time() - cpu_started) * 1000)
    q._adjacent_pairs, q.NEAR_WINDOWS = shipped_pairs, shipped_windows  # type: ignore[assignment]
    q.WINDOWED_PAIRS = shipped_windowed
    out: dict[str, Any] = {"queries": len(texts), "queries_with_pairs": len(with_pair)}
    for way, per_text in times.items():
        every = [statistics.median(v) for v in per_text.values()]
        paired = [statistics.median(v) for t, v in per_text.items() if t in with_pair]
        spent = [statistics.median(v) for v in cpu[way].values()]
        out[way] = {"p50_ms": pct(every, 0.5), "p95_ms": pct(every, 0.95),
                    "paired_p50_ms": pct(paired, 0.5), "paired_p95_ms": pct(paired, 0.95),
                    "cpu_p50_ms": pct(spent, 0.5), "cpu_p95_ms": pct(spent, 0.95)}
    out["load_average"] = {"before": [round(x, 2) for x in load_before],
                           "after": [round(x, 2) for x in os.getloadavg()]}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
