"""Search performance on a generated corpus: indexing rate (`index_items`) and query latency, broad queries apart.

  python bench/search/perf_search.py build --db /tmp/ttdn-perf/perf.sqlite3 --variants 100000
  python bench/search/perf_search.py index --db /tmp/ttdn-perf/perf.sqlite3 --items 1000
  python bench/search/perf_search.py query --db /tmp/ttdn-perf/perf.sqlite3 [--save top.json | --check top.json]

`--db` is a SQLite path or a postgres:// URL (built fresh by `build`). The corpus is bench/search/run.py's
(gold items recombined); `index` re-indexes the first N items several times through `index_items` (the path
every content change and a node's apply take) and prints variants/s; `query` times the gold queries, the
generated ones and a set of broad ones (common words, short prefixes), prints p50/p95 per group (wall clock and
the process's CPU time) and for gold + generated together (run.py's mix), and can save
or compare each query's top 10 (item ids) so a faster path is shown to rank the same items. `--slowest N`
lists the N slowest queries with the path that answered (impact: PostgreSQL's impact index; fast: the champion
lists or SQLite's bounded first stage; exact: every match ranked; two paths when the relaxed any-word query ran
too); `--exact` turns the first stages off, for the reference top 10 that `--check` compares with. The mix is
also timed per kind of query (`classes`: one word, two or three, four or more, quoted phrases, runs cut into words
by ICU, prefixes).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# Words found in a large share of the generated documents, and short prefixes.
BROAD = [
    "giới", "gioi", "biên giới", "bien gioi", "người", "nguoi", "tỉnh", "tinh", "thông tin", "xã", "của",
    "giói*", "gi*", "ng*", "th*", "the", "and", "border", "of the", "ຂອງ", "ການ", "ការ", "的", "边境",
    "nhân dân", "huyện", "pháp luật", "phap luat", "cửa khẩu", "cua khau",
]


def setup(db: str) -> None:
    os.environ.setdefault("TTDN_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abcdef")
    os.environ["DJANGO_SETTINGS_MODULE"] = "ttdn.settings"
    if db.startswith("postgres"):
        os.environ["TTDN_DATABASE_URL"] = db
        os.environ.setdefault("TTDN_DATA_DIR", str(Path(tempfile.gettempdir()) / "ttdn-perf-pg"))
    else:
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        os.environ["TTDN_DATABASE_URL"] = f"sqlite:///{db}"
        os.environ.setdefault("TTDN_DATA_DIR", str(Path(db).parent))
    Path(os.environ["TTDN_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    # TTDN_SRC: another checkout's src (a before/after comparison on the same database).
    sys.path[:0] = [str(ROOT), os.environ.get("TTDN_SRC", str(ROOT / "src")), str(HERE)]
    import django

    django.setup()


def build(args: argparse.Namespace) -> None:
    if args.db.startswith("postgres"):
        from run import fresh_pg_database  # type: ignore[import-not-found]

        fresh_pg_database(args.db)
    else:
        from run import hold_corpus

        args.lock = hold_corpus(args.db)  # held until the build ends: run.py --keep-corpus waits its turn
        Path(args.db).unlink(missing_ok=True)
    setup(args.db)
    from django.core.management import call_command
    from run import Bench
    from tests.search.gold.load import gold_users, load_gold

    from ttdn.places.services import do_load_admin_units
    from ttdn.search.services import do_reindex_all

    call_command("migrate", verbosity=0)
    do_load_admin_units(None)
    bench = Bench("x", args.variants)
    bench.users = gold_users()
    started = time.perf_counter()
    load_gold(bench.users)
    print(f"gold loaded in {time.perf_counter() - started:.1f} s", flush=True)
    from ttdn.content.models import Variant

    bench.generate(max(0, args.variants - Variant.objects.count()))
    started = time.perf_counter()
    n = do_reindex_all()
    took = time.perf_counter() - started
    print(json.dumps({"reindex_variants": n, "reindex_seconds": round(took, 1), "variants_per_s": round(n / took)}))


def index(args: argparse.Namespace) -> None:
    setup(args.db)
    from django.db import transaction

    from ttdn.content.models import Item, Variant
    from ttdn.search.services import index_items

    ids = list(Item.objects.order_by("pk").values_list("pk", flat=True)[: args.items])
    variants = Variant.objects.filter(item_id__in=ids).count()
    rates = []
    for _ in range(args.rounds):
        with transaction.atomic():
            started = time.perf_counter()
            for start in range(0, len(ids), args.batch):
                index_items(ids[start:start + args.batch])
            took = time.perf_counter() - started
            transaction.set_rollback(True)
        rates.append(variants / took)
    print(json.dumps({"items": len(ids), "variants": variants, "batch": args.batch,
                      "variants_per_s": [round(r) for r in rates], "best": round(max(rates))}))


def first_filter_uses(search: Any, query_type: Any) -> dict[str, list[float]]:
    """A common word under each kind of filter, asked first in this process (after the word alone) and then
    again (ms): what a filter's first use costs (on PostgreSQL, reading its documents from the impact index's
    build)."""
    import datetime as dt

    from ttdn.content.models import Topic
    from ttdn.places.models import current_units

    province = current_units().filter(level="province").order_by("key").values_list("key", flat=True).first()
    topic = Topic.objects.order_by("code").values_list("code", flat=True).first()
    today = dt.date.today()
    asks = {"language": {"languages": ["lo"]}, "province": {"provinces": [province]}, "topic": {"topics": [topic]},
            "dates": {"date_from": today - dt.timedelta(days=365), "date_to": today}}
    search(None, query_type(text="biên giới", limit=10))  # the index itself loaded, and the words' lists
    took: dict[str, list[float]] = {}
    for name, filters in asks.items():
        for _ in range(2):
            t0 = time.perf_counter()
            search(None, query_type(text="biên giới", limit=10, **filters))
            took.setdefault(name, []).append(round((time.perf_counter() - t0) * 1000, 1))
    return took


def query(args: argparse.Namespace) -> None:
    setup(args.db)
    from run import Bench, query_class
    from tests.search.gold import scoring
    from tests.search.gold.load import gold_users

    from ttdn.search import services
    from ttdn.search.services import SearchQuery, search

    try:  # the first stages live in the backends' modules (older code, TTDN_SRC: in services)
        from ttdn.search.backends import postgres as pg_backend
        from ttdn.search.backends import sqlite as sqlite_backend

        owner = pg_backend if args.db.startswith("postgres") else sqlite_backend
    except ImportError:
        owner = services

    # Which path answered each query: the impact index's first stage ("impact"), the champion lists' or
    # SQLite's ("fast"), or the exact ranking of every match ("exact"). --exact turns the first stages off.
    stages = ["_impact_top", "_pg_top"] if args.db.startswith("postgres") else ["_sqlite_top"]
    paths: list[str] = []

    def tracing(name: str, fast_top: Any) -> Any:
        def traced(*a: Any) -> Any:
            found = None if args.exact else fast_top(*a)
            if found is not None or name != "_impact_top":
                paths.append(("impact" if name == "_impact_top" else "fast") if found is not None else "exact")
            return found

        return traced

    for name in stages:
        fast_top = getattr(owner, name, None)  # None: older code (TTDN_SRC) without this stage
        if fast_top is not None:
            setattr(owner, name, tracing(name, fast_top))
    bench = Bench("x", 0)
    bench.users = gold_users()
    bench._pools()
    groups: dict[str, list[str]] = {
        "gold": [q["text"] for q in scoring.load_queries()],
        "generated": bench.generated_queries(300),
        "broad": BROAD,
    }
    figures: dict[str, Any] = {"filter_first_ms": first_filter_uses(search, SearchQuery)}
    for text in groups["gold"][:60]:
        search(None, SearchQuery(text=text, limit=10))
    tops: dict[str, Any] = {}
    slow: list[tuple[float, str, str]] = []
    mix: dict[str, list[float]] = {"wall": [], "cpu": []}  # gold + generated: bench/search/run.py's mix
    classes: dict[str, list[float]] = {}
    for name, texts in groups.items():
        took = []
        cpu = []  # the process's CPU time: steadier than the wall clock when the cores are shared
        for text in texts:
            paths.clear()
            t0, c0 = time.perf_counter(), time.process_time()
            res = search(None, SearchQuery(text=text, limit=10))
            ms = (time.perf_counter() - t0) * 1000
            cpu.append((time.process_time() - c0) * 1000)
            took.append(ms)
            slow.append((ms, text, "/".join(paths) or "-"))
            tops[f"{name}:{text}"] = {"top": [h.item_id for h in res.hits], "total": res.total}
        if name != "broad":
            mix["wall"] += took
            mix["cpu"] += cpu
            for text, ms in zip(texts, took, strict=True):
                classes.setdefault(query_class(text), []).append(ms)
        figures[name] = {"n": len(took), "p50_ms": round(scoring.percentile(took, 50), 1),
                         "p95_ms": round(scoring.percentile(took, 95), 1), "max_ms": round(max(took), 1),
                         "cpu_p50_ms": round(scoring.percentile(cpu, 50), 1),
                         "cpu_p95_ms": round(scoring.percentile(cpu, 95), 1)}
    figures["mix"] = {"n": len(mix["wall"]), "p50_ms": round(scoring.percentile(mix["wall"], 50), 1),
                      "p95_ms": round(scoring.percentile(mix["wall"], 95), 1),
                      "cpu_p95_ms": round(scoring.percentile(mix["cpu"], 95), 1)}
    figures["classes"] = {
        name: {"n": len(took), "p50_ms": round(scoring.percentile(took, 50), 1),
               "p95_ms": round(scoring.percentile(took, 95), 1), "over_100_ms": sum(ms > 100 for ms in took)}
        for name, took in sorted(classes.items())
    }
    for ms, text, path in sorted(slow, reverse=True)[: args.slowest]:
        print(f"  slow {ms:7.1f} ms  {path:10}  {text}")
    if args.save:
        Path(args.save).write_text(json.dumps(tops, ensure_ascii=False), encoding="utf-8")
    if args.check:
        want = json.loads(Path(args.check).read_text(encoding="utf-8"))
        differ = [k for k in want if k in tops and want[k]["top"] != tops[k]["top"]]
        figures["top10_differ"] = len(differ)
        for k in differ[:10]:
            print(f"  differs {k}: {want[k]['top']} -> {tops[k]['top']}")
    from run import server_settings

    figures["server"] = server_settings()
    print(json.dumps(figures, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["build", "index", "query"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--save")
    parser.add_argument("--check")
    parser.add_argument("--exact", action="store_true", help="rank every match (first stages off): the reference")
    parser.add_argument("--slowest", type=int, default=10, help="print the N slowest queries with the path taken")
    args = parser.parse_args()
    {"build": build, "index": index, "query": query}[args.mode](args)


if __name__ == "__main__":
    main()
