"""The portal benchmark (issue 17): anonymous home, item page and feeds under load through the real HTTP server
(`ttdn serve`, waitress) on loopback, loaded by wrk, on SQLite and PostgreSQL; and the server time of a
conditional GET of an unchanged feed.

  python bench/portal.py                    # both backends, 20 s per page
  python bench/portal.py --quick            # 5 s per page, a smoke run
  python bench/portal.py --skip-pg          # SQLite only
  python bench/portal.py --pg-url postgres://postgres@127.0.0.1:5432/ttdn_bench_portal

For each backend: a fresh database (a temporary SQLite file; the PostgreSQL database of --pg-url dropped and made
again) is filled through the services with --items published items (Vietnamese and Lao, a topic, Gia Lai),
then `ttdn serve --threads 8` starts on a free port. wrk (2 threads, 32 connections, keep-alive) loads each URL
in turn after a warm-up; its requests/s and p99 latency are the figures. A conditional GET is an If-None-Match
with the feed's current tag: the 304 path (one aggregate query, no body). Its server time is bounded from above
by the client's round trip, one request at a time on a kept-alive connection (no queueing): 500 requests, p50/p99.

wrk must be installed (Debian: `apt-get install wrk`; scripts/common.sh lists it in BENCH_PACKAGES).
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/ttdn_bench_portal"
TARGET_RPS = 300
TARGET_P99_MS = 200
TARGET_CONDITIONAL_MS = 5


# ------------------------------------------------------------------------------------------ the seed (child)


def seed(items: int) -> None:
    """Run in a child with the backend's environment: migrate, then publish `items` items through the services."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from tests import refdata
    from tests.conftest import advance, build_world, make_item

    refdata.ensure_loaded()  # the administrative units, through the product's loader (copied from a dump)
    from ttdn.content import services as content
    from ttdn.content.models import TranslationState
    from ttdn.core.transactions import bulk_load

    with bulk_load():
        world = build_world()
        content.do_save_topic(None, "bien-gioi", "Biên giới")
        for n in range(items):
            item = make_item(world, title=f"Thông tin biên giới số {n}: quy định khi vào khu vực biên giới",
                             topics=["bien-gioi"])
            advance(world, item, "in_appraisal")
            variant = content.do_save_variant(world.appraiser, item, "lo", f"ຂໍ້ມູນຊາຍແດນ {n}",
                                              "ສິ່ງທີ່ຄວນຮູ້", "<p>ລະບຽບການເຂດຊາຍແດນ</p>" * 5)
            content.do_set_translation_state(world.appraiser, variant, TranslationState.REVIEWED)
            item.refresh_from_db()
            advance(world, item, "published")
    print(f"seeded {items} items", flush=True)


# ------------------------------------------------------------------------------------------ the parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fresh_pg(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' "
                     "LC_CTYPE 'C.UTF-8'")


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def _wrk(url: str, seconds: int, headers: dict[str, str] | None = None) -> dict[str, float]:
    args = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        m = re.search(rf"\s{label}\s+([\d.]+)(us|ms|s)\b", out)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": round(rps, 1), "p50_ms": round(ms("50%"), 2), "p99_ms": round(ms("99%"), 2),
            "bad_responses": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}  # type: ignore[dict-item]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to tell the code's cost from a busy machine's."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load(server_pid: int, url: str, seconds: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """wrk's figures, plus the server's CPU milliseconds per request and the requests/s that CPU cost allows
    on two cores (what the machine would serve if nothing else ran on it; wrk's own CPU not counted)."""
    cpu0 = _cpu_seconds(server_pid)
    figures: dict[str, Any] = _wrk(url, seconds, headers)
    cpu = _cpu_seconds(server_pid) - cpu0
    requests = figures["rps"] * seconds
    figures["server_cpu_ms_per_request"] = round(cpu * 1000 / requests, 2) if requests else None
    figures["two_core_capacity_rps"] = round(2 * requests / cpu) if cpu else None
    figures["load_average"] = round(os.getloadavg()[0], 1)
    return figures


def run_backend(name: str, database_url: str, items: int, seconds: int) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix=f"ttdn-bench-portal-{name}-")
    env = {**os.environ, "TTDN_DATA_DIR": data_dir, "TTDN_DATABASE_URL": database_url,
           "TTDN_SECRET_KEY": "bench-only-secret-key-0123456789-0123456789-0123456789",
           "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"}
    started = time.monotonic()
    subprocess.run([sys.executable, __file__, "--seed", str(items)], env=env, check=True, cwd=ROOT)
    print(f"[{name}] seeded {items} items in {time.monotonic() - started:.1f} s", flush=True)
    port = _free_port()
    # The server's output goes to a file: a pipe nobody reads would fill and stall it.
    log_path = Path(data_dir) / "server.log"
    log = log_path.open("w")
    server = subprocess.Popen([sys.executable, "-m", "ttdn.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--threads", "8", "--sweep-seconds", "0"], env=env, cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if _get(port, "/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"the server did not start: {log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        base = f"http://127.0.0.1:{port}"
        home = _get(port, "/portal/")
        assert home.status == 200
        feed = _get(port, "/portal/feeds/vi.atom")
        etag = feed.getheader("ETag") or ""
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/portal/feeds/vi.json")
        doc = json.loads(conn.getresponse().read())
        item_url = doc["items"][0]["url"].replace("http://127.0.0.1:" + str(port), "")
        pages = {"home": "/portal/", "item": item_url, "feed_atom": "/portal/feeds/vi.atom",
                 "feed_json_lo": "/portal/feeds/lo/topic/bien-gioi.json"}
        results: dict[str, Any] = {}
        for label, path in pages.items():
            _wrk(base + path, 2)  # warm-up: the cache holds the body
            results[label] = _load(server.pid, base + path, seconds)
            print(f"[{name}] {label:14} {results[label]}", flush=True)
            if server.poll() is not None or not results[label]["rps"]:
                raise RuntimeError(f"the server failed under load: {log_path.read_text()[-3000:]}")
        results["feed_304"] = _load(server.pid, base + "/portal/feeds/vi.atom", seconds, {"If-None-Match": etag})
        print(f"[{name}] {'feed_304':14} {results['feed_304']}", flush=True)
        # Server time of a conditional GET, one at a time on a kept-alive connection (no queueing).
        round_trip_ms = []
        cpu = _cpu_seconds(server.pid)
        for _ in range(500):
            t0 = time.perf_counter()
            conn.request("GET", "/portal/feeds/vi.atom", headers={"If-None-Match": etag})
            response = conn.getresponse()
            response.read()
            round_trip_ms.append((time.perf_counter() - t0) * 1000)
            assert response.status == 304
        conn.close()
        ordered = sorted(round_trip_ms)
        results["conditional_get_cpu_ms"] = round((_cpu_seconds(server.pid) - cpu) * 1000 / len(ordered), 2)
        results["conditional_get"] = {"round_trip_p50_ms": round(statistics.median(ordered), 2),
                                      "round_trip_p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 2)}
        print(f"[{name}] conditional GET {results['conditional_get']}", flush=True)
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--pg-url", default=os.environ.get("TTDN_BENCH_PG_URL", DEFAULT_PG_URL))
    args = parser.parse_args()
    if args.seed is not None:
        seed(args.seed)
        return 0
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    items, seconds = (60, 5) if args.quick else (args.items, args.seconds)
    figures: dict[str, Any] = {}
    if not args.skip_sqlite:
        sqlite_path = Path(tempfile.mkdtemp(prefix="ttdn-bench-portal-db-")) / "portal.sqlite3"
        figures["sqlite"] = run_backend("sqlite", f"sqlite:///{sqlite_path}", items, seconds)
        shutil.rmtree(sqlite_path.parent, ignore_errors=True)
    if not args.skip_pg:
        _fresh_pg(args.pg_url)
        figures["postgresql"] = run_backend("postgresql", args.pg_url, items, seconds)
    checks = {}
    for backend, res in figures.items():
        pages = [res[p] for p in ("home", "item", "feed_atom", "feed_json_lo")]
        checks[backend] = {
            "min_rps": min(p["rps"] for p in pages),
            "max_p99_ms": max(p["p99_ms"] for p in pages),
            "conditional_get_p99_ms": res["conditional_get"]["round_trip_p99_ms"],
            "conditional_get_server_cpu_ms": res["conditional_get_cpu_ms"],
            "min_two_core_capacity_rps": min(p["two_core_capacity_rps"] or 0 for p in pages),
        }
        checks[backend]["meets_targets"] = (checks[backend]["min_rps"] >= TARGET_RPS
                                            and checks[backend]["max_p99_ms"] <= TARGET_P99_MS
                                            and checks[backend]["conditional_get_p99_ms"]
                                            <= TARGET_CONDITIONAL_MS)
    print(json.dumps({"bench": "portal", "load_average_at_end": round(os.getloadavg()[0], 1), "items": items,
                      "seconds_per_page": seconds, "figures": figures,
                      "summary": checks}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
