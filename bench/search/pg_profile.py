"""Where a PostgreSQL search's time goes, query by query: the SQL statements (how many, their time, the rows
they return) and the impact index's evaluation in this process, per kind of query (run.py's classes).

  python bench/search/pg_profile.py --db postgres://…/corpus [--queries gold,generated] [--slowest 15]
  TTDN_SRC=/path/to/other/checkout/src python bench/search/pg_profile.py --db …   # another version's code

The queries are run.py's mix (the gold queries and 300 generated ones, the same seed), each asked `--rounds`
times after a warm-up pass; the figures are each query's median. Prints one JSON line per class and the
slowest queries with their breakdown; `--save` writes every query's figures (JSON) for a comparison.
The impact index's arrays are read through the driver's own cursor (in binary): their time is `read_lists` and
`read_positions`, not among the statements counted. The first line also gives the arrays held in the process
against their budget (TTDN_SEARCH_CACHE_MB).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else 0.0


class Meter:
    """Counts the statements of one search and the time spent in them and in named Python functions."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.statements = 0
        self.sql_ms = 0.0
        self.rows = 0
        self.spent: dict[str, float] = {}
        self.log: list[tuple[float, int, str]] = []
        self.rounds = 0  # statements ranking candidate items (a first stage's rounds)
        self.candidates = 0  # candidate items they ranked

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.statements += 1
            self.sql_ms += ms
            cursor = context.get("cursor")
            n = getattr(cursor, "rowcount", -1) if cursor is not None else -1
            self.rows += max(n, 0)
            self.log.append((ms, n, " ".join(sql.split())[:160]))
            if sql.startswith("WITH search_searchdocument AS MATERIALIZED (SELECT * FROM search_searchdocument "
                              "WHERE item_id = ANY("):
                self.rounds += 1
                self.candidates += len(params[0])

    def timed(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return
        meter = self

        def wrapper(*a: Any, **kw: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*a, **kw)
            finally:
                meter.spent[label] = meter.spent.get(label, 0.0) + (time.perf_counter() - started) * 1000

        setattr(owner, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--slowest", type=int, default=15)
    parser.add_argument("--only", help="a file of query texts, one a line (instead of the mix)")
    parser.add_argument("--save")
    parser.add_argument("--statements", action="store_true", help="print each slow query's statements")
    parser.add_argument("--warm", type=int, default=-1,
                        help="warm the caches with the first N queries (run.py: 60; default every query)")
    args = parser.parse_args()
    from perf_search import setup  # type: ignore[import-not-found]

    setup(args.db)
    from django.db import connection
    from run import Bench, query_class  # type: ignore[import-not-found]
    from tests.search.gold import scoring

    from ttdn.search import impact
    from ttdn.search.services import SearchQuery, search

    if args.only:
        texts = [t for t in Path(args.only).read_text(encoding="utf-8").splitlines() if t.strip()]
    else:
        texts = [q["text"] for q in scoring.load_queries()] + Bench("x", 0).generated_queries(300)
    meter = Meter()
    meter.timed(impact, "evaluate", "evaluate")
    meter.timed(impact.Evaluation, "verify", "verify")
    meter.timed(impact._Phrase, "occurrences", "occurrences")
    # Reading a lexeme's arrays from the build (once per process, then kept): lists, and positions for phrases.
    meter.timed(impact, "lists", "read_lists")
    meter.timed(impact, "positions", "read_positions")
    for text in texts[: args.warm] if args.warm >= 0 else texts:  # warm the caches
        search(None, SearchQuery(text=text, limit=10))
    for module_name in ("ttdn.search.backends.postgres", "ttdn.search.services"):
        module = sys.modules.get(module_name)
        if module is None:
            continue
        for name, label in (("_impact_top", "impact_top"), ("_impact_count", "impact_count"), ("_pg_top", "pg_top"),
                            ("_pieces_tier", "pieces_tier"), ("_other_versions", "other_versions"),
                            ("_hits", "hits"), ("_changed_matching", "changed_matching")):
            meter.timed(module, name, label)
    figures: dict[str, list[dict[str, Any]]] = {t: [] for t in texts}
    with connection.execute_wrapper(meter):
        for _ in range(args.rounds):
            for text in texts:
                meter.reset()
                started = time.perf_counter()
                search(None, SearchQuery(text=text, limit=10))
                wall = (time.perf_counter() - started) * 1000
                figures[text].append({"wall_ms": wall, "statements": meter.statements, "sql_ms": meter.sql_ms,
                                      "rows": meter.rows, "rounds": meter.rounds,
                                      "candidates": meter.candidates,
                                      **{k: round(v, 2) for k, v in meter.spent.items()},
                                      "log": sorted(meter.log, reverse=True)[:6]})
    per_query: dict[str, dict[str, Any]] = {}
    for text, runs in figures.items():
        best = sorted(runs, key=lambda r: r["wall_ms"])[len(runs) // 2]
        per_query[text] = {**best, "class": query_class(text)}
    classes: dict[str, list[dict[str, Any]]] = {}
    for fig in per_query.values():
        classes.setdefault(fig["class"], []).append(fig)
    walls = [f["wall_ms"] for f in per_query.values()]
    segment = impact._LOADED.get("current")
    held = {"impact_cache_mb": round(segment.cached / 2**20, 1) if segment else None,
            "impact_cache_budget_mb": round(impact._cache_bytes() / 2**20)}
    print(json.dumps({"all": {**held, "n": len(walls), "p50_ms": pct(walls, 0.5), "p95_ms": pct(walls, 0.95),
                              "statements_mean": round(statistics.mean(f["statements"] for f in per_query.values()), 1),
                              "sql_ms_mean": round(statistics.mean(f["sql_ms"] for f in per_query.values()), 1)}}))
    for name, figs in sorted(classes.items()):
        w = [f["wall_ms"] for f in figs]
        keys = sorted({k for f in figs for k in f if k not in ("wall_ms", "class", "log")})
        means = {k: round(statistics.mean(f.get(k, 0) for f in figs), 1) for k in keys}
        print(json.dumps({name: {"n": len(figs), "p50_ms": pct(w, 0.5), "p95_ms": pct(w, 0.95), "mean": means}}))
    for text, fig in sorted(per_query.items(), key=lambda kv: -kv[1]["wall_ms"])[: args.slowest]:
        parts = {k: round(v, 1) for k, v in fig.items() if k not in ("class", "log") and isinstance(v, (int, float))}
        print(f"{fig['wall_ms']:7.1f} ms  {text!r}  {json.dumps(parts)}")
        if args.statements:
            for ms, n, sql in fig["log"]:
                print(f"      {ms:7.1f} ms rows={n:6}  {sql}")
    if args.save:
        Path(args.save).write_text(json.dumps({t: {k: v for k, v in f.items() if k != "log"}
                                               for t, f in per_query.items()}, ensure_ascii=False),
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
