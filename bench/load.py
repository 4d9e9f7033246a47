"""The hub under a mixed load on loopback: the highest sustained request rate with p99 <= 300 ms and no errors.

    python bench/load.py [--quick] [--nodes 1000] [--processes 1] [--step-seconds 60] [--rates 10,20,40,...]
                         [--final-seconds 600] [--pg-url URL | --replica]

`--replica`: instead of `--pg-url`, a private PostgreSQL primary and streaming replica on free ports
(scripts/pg-test-cluster.sh, stopped at the end), the hub processes reading from the replica where its lag allows
(TTDN_DATABASE_REPLICA_URL); the JSON then carries the replica's share of the requests.

The hub runs on PostgreSQL (a database dropped and created again) with the demo material (`ttdn demo`) and
`--nodes` border-site nodes enrolled through the hub's own services, each with its Ed25519 key. `--processes` copies
of `ttdn serve` listen on their own ports; the generator spreads requests over them as nginx's round robin would.

The mix, arriving at a fixed rate (open loop, so a slow hub cannot slow the arrivals down):
- 35 % the public portal (`/portal/`, its Atom feed, its search page), 15 % searches (`/api/v1/search?q=…`, words
  of the demo material);
- 30 % node syncs: a signed `GET /sync/feed?after=<cursor>&epoch=E&limit=1000`, as `ttdn sync` asks (its default
  batch size): each simulated node keeps the cursor the hub's last answer gave it (`to`) and, while the answer says
  `more`, asks again at once, as a sync pass does; otherwise the node that syncs is drawn at random (at 20 req/s
  that is each node every ~3 minutes). `--first-sync-share` of the syncs (2 % by default) come from a node that lost
  its disk and was restored: it starts again from cursor 0 (a whole first sync);
- 20 % heartbeats: a signed `POST /sync/uplink` with the node's report (its cursor as `applied_seq`).

Before the steps every node makes its first sync (not recorded: the nodes were in service before the hour
measured), and throughout the steps a publisher in the hub's environment saves an edit to a published item every
`--publish-every` seconds (10 by default) through the content services, so that the feeds have something new and
the nodes' cursors move (0 turns it off).

After a 20-second warm-up at the first rate (not recorded), each rate runs `--step-seconds`; the highest rate whose
p99 <= 300 ms with no error is run again for `--final-seconds` (the issue's 10 minutes by default; --quick: 30 s
steps and a 60 s final run). The CPU each side used (hub processes, PostgreSQL, the generator) is printed per step
to name the bottleneck. Officials' logged-in pages are not in the mix yet (every page needs a second factor; left
for the next round). The last line is JSON.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import zstandard

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/ttdn_bench_load"
P99_LIMIT_MS = 300.0
# The batch size `ttdn sync` asks for (TTDN_SYNC_BATCH_LIMIT's default in sync/node/client.py).
FEED_LIMIT = 1000
WORDS = ["biên giới", "cửa khẩu", "đồn biên phòng", "xuất nhập cảnh", "thông báo", "Gia Lai", "hàng hóa", "ຊາຍແດນ",
         "ព្រំដែន", "边境", "quy định", "người dân"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--step-seconds", type=float, default=None)
    parser.add_argument("--final-seconds", type=float, default=None)
    parser.add_argument("--rates", default="10,20,40,60,80,120,160,240,320")
    parser.add_argument("--pg-url", default=os.environ.get("TTDN_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--replica", action="store_true",
                        help="a private primary and streaming replica (scripts/pg-test-cluster.sh), reads from it")
    parser.add_argument("--first-sync-share", type=float, default=0.02,
                        help="share of the syncs from a node restored after a disk loss (cursor 0)")
    parser.add_argument("--publish-every", type=float, default=10.0,
                        help="seconds between two edits of published items during the steps (0: none)")
    parser.add_argument("--phase", choices=["enroll", "publish"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "enroll":
        return enroll(args.nodes, Path(args.out))
    if args.phase == "publish":
        return publish(args.publish_every, Path(args.out))
    step = args.step_seconds or (30.0 if args.quick else 60.0)
    final = args.final_seconds or (60.0 if args.quick else 600.0)
    work = Path(tempfile.mkdtemp(prefix="ttdn-bench-load-"))
    servers: list[subprocess.Popen[str]] = []
    publisher: subprocess.Popen[str] | None = None
    cluster: Path | None = None
    try:
        replica_url = ""
        if args.replica:
            cluster = work / "pg"
            os.chmod(work, 0o755)  # noqa: S103  (the server runs as the postgres account when this runs as root)
            primary, replica_url = _start_pair(cluster)
            args.pg_url = f"{primary}/ttdn_bench_load"
            replica_url = f"{replica_url}/ttdn_bench_load"
        env = _hub_env(work, args.pg_url)
        _create_database(args.pg_url)
        if replica_url:
            env["TTDN_DATABASE_REPLICA_URL"] = replica_url
        started = time.perf_counter()
        _run(env, "-m", "ttdn.cli", "migrate", "-v0")
        _run(env, "-m", "ttdn.cli", "demo")
        _run(env, __file__, "--phase", "enroll", "--nodes", str(args.nodes), "--out", str(work / "nodes.json"))
        nodes = json.loads((work / "nodes.json").read_text())
        print(f"hub built with {len(nodes)} nodes in {time.perf_counter() - started:.0f} s", flush=True)
        ports = []
        for n in range(args.processes):
            port = _free_port()
            # Each hub's log is kept until the end: a failed request's traceback is printed from it.
            with open(work / f"hub-{n}.log", "w") as log:
                servers.append(subprocess.Popen(
                    [sys.executable, "-m", "ttdn.cli", "serve", "--port", str(port), "--sweep-seconds", "0",
                     "--no-collectstatic"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True))
            ports.append(port)
        for port in ports:
            _wait(port)
        rates = [float(r) for r in args.rates.split(",")]
        fleet = Fleet(nodes, args.first_sync_share)
        first = fleet.first_syncs(ports)
        print(f"first syncs of {len(nodes)} nodes (not recorded): {first['seconds']:.0f} s, "
              f"{first['requests']} feed requests, {first['errors']} errors, cursors at {first['cursor']}", flush=True)
        if args.publish_every > 0:
            with open(work / "publisher.log", "w") as log:
                publisher = subprocess.Popen(
                    [sys.executable, __file__, "--phase", "publish", "--publish-every", str(args.publish_every),
                     "--out", str(work / "published.json")],
                    env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
        # Unrecorded: a process's first requests load the search index, compile templates and open connections (up
        # to seconds each), which would otherwise be the p99 of the first step.
        warm = load_step(ports, fleet, rates[0], WARM_UP_SECONDS, [s.pid for s in servers])
        print("warm-up " + _line(warm), flush=True)
        results = []
        best: dict[str, Any] | None = None
        for rate in rates:
            result = load_step(ports, fleet, rate, step, [s.pid for s in servers])
            results.append(result)
            print(_line(result), flush=True)
            if result["p99_ms"] <= P99_LIMIT_MS and result["errors"] == 0 and result["achieved_rps"] >= 0.95 * rate:
                best = result
            else:
                break
        sustained = None
        if best is not None:
            sustained = load_step(ports, fleet, best["rate"], final, [s.pid for s in servers])
            print("final " + _line(sustained), flush=True)
        published = _stop_publisher(publisher, work)
        publisher = None
        ok = sustained is not None and sustained["p99_ms"] <= P99_LIMIT_MS and sustained["errors"] == 0
        figures = {
            "bench": "load", "processes": args.processes, "nodes": len(nodes), "step_seconds": step,
            "final_seconds": final, "steps": results, "sustained": sustained,
            "sustained_rps": sustained["achieved_rps"] if ok and sustained else None,
            "sync_rps": round(sum(sustained["by_kind"].get(k, {}).get("rps", 0.0) for k in ("feed", "first sync")), 1)
            if ok and sustained else None,
            "bottleneck": _bottleneck(results[-1]) if results else None,
            "replica": _replica_share(ports[0]) if args.replica else None,
            "first_sync_share": args.first_sync_share, "publish_every": args.publish_every,
            "published": published, "first_syncs": first,
        }
        _print_server_errors(work)
        print(json.dumps(figures))
        return 0
    finally:
        _stop_publisher(publisher, work)
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if cluster is not None:
            subprocess.run(["bash", str(PG_SCRIPT), "stop", str(cluster)], check=False, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


PG_SCRIPT = ROOT / "scripts" / "pg-test-cluster.sh"
WARM_UP_SECONDS = 20.0


def _stop_publisher(publisher: subprocess.Popen[str] | None, work: Path) -> dict[str, Any] | None:
    """Stop the publisher (SIGTERM: it ends after the edit in hand) and read what it did."""
    if publisher is None:
        return None
    publisher.terminate()
    try:
        publisher.wait(timeout=30)
    except subprocess.TimeoutExpired:
        publisher.kill()
        publisher.wait()
    out = work / "published.json"
    if not out.exists():
        log = work / "publisher.log"
        print(f"the publisher ended without its count:\n{log.read_text()[-3000:] if log.exists() else ''}")
        return None
    return dict(json.loads(out.read_text()))


def _print_server_errors(work: Path, limit: int = 3) -> None:
    """The first tracebacks the hubs logged (a 500 in the mix), so that an error is named, not only counted."""
    for log in sorted(work.glob("hub-*.log")):
        text = log.read_text(errors="replace")
        for block in text.split("Internal Server Error")[1:limit + 1]:
            print(f"{log.name}: Internal Server Error{block[:4000]}", flush=True)


def _start_pair(cluster: Path) -> tuple[str, str]:
    """The primary's and the replica's server URLs (without a database name)."""
    done = subprocess.run(["bash", str(PG_SCRIPT), "start", str(cluster), str(_free_port()), str(_free_port())],
                          capture_output=True, text=True, check=False, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"the private PostgreSQL pair did not start:\n{done.stderr[-2000:]}")
    found = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return found["TTDN_TEST_PG_PRIMARY"].rsplit("/", 1)[0], found["TTDN_TEST_PG_REPLICA"].rsplit("/", 1)[0]


def _replica_share(port: int) -> dict[str, float]:
    """Requests one hub process read from the replica and from the primary, and the replica's lag at the end."""
    import re
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
        text = answer.read().decode()
    found = {m[0]: float(m[1]) for m in re.findall(r'ttdn_database_requests_total\{database="(\w+)"\} (\S+)', text)}
    lag = re.search(r"^ttdn_database_replica_lag_seconds (\S+)$", text, re.MULTILINE)
    seconds = float(lag.group(1)) if lag else float("inf")
    return {**found, "lag_seconds": seconds if seconds != float("inf") else -1.0}  # -1: not replaying


def _line(r: dict[str, Any]) -> str:
    kinds = ", ".join(f"{kind} {k['rps']:.1f}/s p50 {k['p50_ms']:.0f} p99 {k['p99_ms']:.0f} ms"
                      + (f" ({k['errors']} errors)" if k["errors"] else "") for kind, k in r["by_kind"].items())
    return (f"rate {r['rate']:>5.0f}/s: achieved {r['achieved_rps']:.1f}/s, p50 {r['p50_ms']:.0f} ms, "
            f"p99 {r['p99_ms']:.0f} ms, errors {r['errors']}, cpu hub {r['cpu']['hub']:.0%} "
            f"postgres {r['cpu']['postgres']:.0%} generator {r['cpu']['generator']:.0%}\n    {kinds}")


def _bottleneck(r: dict[str, Any]) -> str:
    cpu = r["cpu"]
    busiest = max(cpu, key=lambda k: cpu[k])
    total = sum(cpu.values())
    if total >= 1.6:  # of 2 cores
        return f"CPU: both cores busy ({busiest} the largest share, {cpu[busiest]:.0%} of a core)"
    return f"not CPU ({total:.0%} of 2 cores): waiting (locks, connections or the generator)"


# ------------------------------------------------------------------------------------------------ set-up


def _hub_env(work: Path, pg_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_")}
    env.update({"TTDN_DATA_DIR": str(work / "hub"), "TTDN_DATABASE_URL": pg_url, "TTDN_ROLE": "hub",
                "TTDN_SECRET_KEY": "bench-only-secret-key-0123456789abcdef0123456789",
                "DJANGO_SETTINGS_MODULE": "ttdn.settings"})
    return env


def _pg(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    return {"host": parts.hostname, "port": parts.port or 5432, "user": parts.username, "password": parts.password}


def _create_database(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.strip("/")
    with psycopg.connect(dbname="postgres", autocommit=True, **_pg(url)) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8 LC_CTYPE \'C.UTF-8\' '
                      "LC_COLLATE 'C.UTF-8'")


def _run(env: dict[str, str], *command: str) -> None:
    done = subprocess.run([sys.executable, *command], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the hub on port {port} did not start")


def enroll(count: int, out: Path) -> int:
    """(In the hub's environment) `count` nodes on the demo's border sites, enrolled through the services."""
    import django

    django.setup()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ttdn.places.models import BorderSite
    from ttdn.sync.hub import feed, services
    from ttdn.sync.transport import keys

    sites = list(BorderSite.objects.filter(active=True))
    assert sites, "the demo has no border site"
    found = []
    for n in range(count):
        key = Ed25519PrivateKey.generate()
        code = services.do_issue_code(None, sites[n % len(sites)])
        node = services.do_enroll(code, keys.public_hex(key), f"bench node {n}", "bench")
        raw = key.private_bytes_raw().hex()
        found.append({"uid": str(node.uid), "key": raw, "epoch": node.targeting_epoch})
    out.write_text(json.dumps(found))
    print(f"  {count} nodes enrolled; feed at {feed.high_water_mark()}", flush=True)
    return 0


def publish(every: float, out: Path) -> int:
    """(In the hub's environment) an edit saved to a published item every `every` seconds, through the content
    services as an editor's save would (a new revision, a feed entry), until SIGTERM; then the count to `out`."""
    import signal

    import django

    django.setup()
    from ttdn.accounts.models import User
    from ttdn.content import services as content
    from ttdn.content.models import Item, State
    from ttdn.sync.hub import feed

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_a: stop.set())
    appraiser = User.objects.filter(role_grants__role="appraiser").order_by("pk").first()
    assert appraiser is not None, "the demo has no appraiser"
    items = list(Item.objects.filter(state=State.PUBLISHED).prefetch_related("variants"))
    assert items, "the demo has no published item"
    rng = random.Random(22)
    saved, refused, seconds = 0, Counter[str](), []
    first = feed.high_water_mark()
    while not stop.wait(every):
        item = rng.choice(items)
        source = next(v for v in item.variants.all() if v.language == item.source_language)
        language = "en" if item.source_language != "en" else "vi"
        started = time.perf_counter()
        try:
            # An appraiser corrects the translation of published material (its source text is frozen once
            # published): a new revision of the item, a feed entry.
            content.do_save_variant(appraiser, item, language, f"{source.title} ({saved + 1})", source.summary,
                                    source.body)
            saved += 1
        except Exception as exc:
            refused[type(exc).__name__] += 1
        seconds.append(time.perf_counter() - started)
        item.refresh_from_db()
    out.write_text(json.dumps({"edits": saved, "refused": dict(refused), "feed_entries": feed.high_water_mark() - first,
                               "mean_ms": round(1000 * sum(seconds) / max(len(seconds), 1), 1)}))
    return 0


# ------------------------------------------------------------------------------------------------ load


class Fleet:
    """The simulated nodes' sync state, shared by the generator's threads: each node's cursor (the `to` of the
    hub's last answer, from 0), the nodes whose pass goes on (the answer said `more`: they ask again at once, as
    `ttdn sync` does), and a node is on one request at a time."""

    def __init__(self, nodes: list[dict[str, Any]], first_sync_share: float) -> None:
        self.nodes = nodes
        self.by_uid = {n["uid"]: n for n in nodes}
        self.share = first_sync_share
        self.cursor = dict.fromkeys(self.by_uid, 0)
        self.continuing: list[str] = []
        self.fresh: list[str] = []  # nodes still to make their first sync (before the steps)
        self.busy: set[str] = set()
        self.lock = threading.Lock()
        self.rng = random.Random(22)
        self.restored = 0

    def next_sync(self) -> tuple[dict[str, Any], int]:
        """The node that syncs now and the cursor it asks after."""
        with self.lock:
            uid = next((u for u in self.continuing if u not in self.busy), None)
            if uid is not None:
                self.continuing.remove(uid)
            elif self.fresh:
                uid = self.fresh.pop()
            else:
                uid = self.rng.choice(self.nodes)["uid"]
                for _n in range(20):
                    if uid not in self.busy:
                        break
                    uid = self.rng.choice(self.nodes)["uid"]
                if self.rng.random() < self.share:
                    self.cursor[uid] = 0  # restored after a disk loss: a whole first sync again
                    self.restored += 1
            self.busy.add(uid)
            return self.by_uid[uid], self.cursor[uid]

    def answered(self, uid: str, after: int, head: tuple[int, bool] | None) -> None:
        with self.lock:
            self.busy.discard(uid)
            if head is not None and self.cursor[uid] == after:
                to, more = head
                self.cursor[uid] = max(to, after)
                if more:
                    self.continuing.append(uid)

    def applied(self, uid: str) -> int:
        return self.cursor[uid]

    def first_syncs(self, ports: list[int], threads: int = 8) -> dict[str, Any]:
        """Every node syncs from 0 until its answer says no `more` (not recorded: the nodes in service before)."""
        jobs: queue.Queue[tuple[float, str, int] | None] = queue.Queue()
        record: list[tuple[str, float, bool]] = []
        with self.lock:
            self.fresh = [n["uid"] for n in self.nodes]
        started = time.perf_counter()
        workers = [Worker(ports, jobs, self, record) for _n in range(threads)]
        for w in workers:
            w.start()
        sent = 0
        while True:
            with self.lock:
                todo = len(self.fresh) + len(self.continuing)
            if not todo:
                break
            for _n in range(todo):
                jobs.put((time.perf_counter(), "feed", ports[sent % len(ports)]))
                sent += 1
            while len(record) < sent:
                time.sleep(0.05)
            if not any(ok for _k, _d, ok in record[-todo:]):
                break  # every request of the round failed: the figures say so below
        for _w in workers:
            jobs.put(None)
        for w in workers:
            w.join(timeout=60)
        return {"seconds": round(time.perf_counter() - started, 1), "requests": len(record),
                "errors": sum(1 for _k, _d, ok in record if not ok),
                "cursor": sorted(Counter(self.cursor.values()).items())[-1][0] if self.cursor else 0}


_HEAD = re.compile(rb'"kind":"feed","from":(\d+),"to":(\d+),"hwm":(-?\d+),"more":(true|false)')


def _batch_head(payload: bytes, zstd: zstandard.ZstdDecompressor) -> tuple[int, bool] | None:
    """(to, more) of a feed batch; None for another kind (a reconcile). The signature is not checked here (the
    node's cost, not the hub's); the head is the batch's top-level keys, after the records (found from the end)."""
    raw = zstd.decompress(payload, max_output_size=1 << 30)
    at = raw.rfind(b'"kind":"feed","from":')
    found = _HEAD.match(raw, at) if at >= 0 else None
    return (int(found.group(2)), found.group(4) == b"true") if found else None


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def _postgres_pids() -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(proc.name))
            except OSError:
                continue
    return pids


def _children(pids: list[int]) -> list[int]:
    found = list(pids)
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid in pids:
                found.append(int(proc.name))
    return found


class Worker(threading.Thread):
    """Takes requests off the queue and sends them on its own keep-alive connections (one per hub process)."""

    def __init__(self, ports: list[int], jobs: queue.Queue[tuple[float, str, int] | None],
                 fleet: Fleet, record: list[tuple[str, float, bool]]) -> None:
        super().__init__(daemon=True)
        self.ports, self.jobs, self.fleet, self.record = ports, jobs, fleet, record
        nodes = fleet.nodes
        self.conns: dict[int, http.client.HTTPConnection] = {}
        # What each failed request was and how it failed ("search GET /api/v1/search 503"), to name the errors.
        self.failures: Counter[str] = Counter()
        self.rng = random.Random()
        self.zstd = zstandard.ZstdDecompressor()  # one per thread: a decompressor is not thread-safe
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        self.keys = {n["uid"]: Ed25519PrivateKey.from_private_bytes(bytes.fromhex(n["key"])) for n in nodes}

    def run(self) -> None:
        while (job := self.jobs.get()) is not None:
            due, kind, port = job
            node, after = self.fleet.next_sync() if kind == "feed" else (self.rng.choice(self.fleet.nodes), -1)
            if kind == "feed" and after == 0:
                kind = "first sync"  # the whole feed from 0: a new node, or one restored after a disk loss
            method, path, body, headers = self.request(kind, node, after)
            ok = False
            head = None
            try:
                conn = self.conns.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                self.conns[port] = conn
                conn.request(method, path, body=body or None, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                ok = response.status == 200
                if not ok:
                    self.failures[f"{kind} {method} {path.split('?')[0]} {response.status}"] += 1
                elif after >= 0:
                    head = _batch_head(answer, self.zstd)
            except (OSError, http.client.HTTPException, zstandard.ZstdError) as exc:
                self.conns.pop(port, None)
                self.failures[f"{kind} {type(exc).__name__}"] += 1
            if after >= 0:
                self.fleet.answered(node["uid"], after, head)
            # Latency from when the request was due, so time spent queued in the generator counts (open loop).
            self.record.append((kind, time.perf_counter() - due, ok))

    def request(self, kind: str, node: dict[str, Any], after: int) -> tuple[str, str, bytes, dict[str, str]]:
        from ttdn.sync.transport import keys

        if kind == "portal":
            words = quote(self.rng.choice(WORDS))
            page = self.rng.choice(["/portal/", "/portal/feeds/vi.atom", f"/portal/search/?q={words}"])
            return "GET", page, b"", {"Accept-Language": "vi"}
        if kind == "search":
            return "GET", f"/api/v1/search?q={quote(self.rng.choice(WORDS))}", b"", {}
        if after >= 0:
            method, path, body = "GET", f"/sync/feed?after={after}&epoch={node['epoch']}&limit={FEED_LIMIT}", b""
        else:
            method, path = "POST", "/sync/uplink"
            body = json.dumps({"applied_seq": self.fleet.applied(node["uid"]), "epoch": node["epoch"],
                               "software_version": "bench", "free_disk_bytes": 10**10}).encode()
        stamp, nonce = f"{time.time():.3f}", secrets.token_hex(16)
        headers = {"X-Ttdn-Node": node["uid"], "X-Ttdn-Time": stamp, "X-Ttdn-Nonce": nonce,
                   "X-Ttdn-Signature": keys.sign(self.keys[node["uid"]],
                                                 keys.request_message(method, path, stamp, nonce, body))}
        if body:
            headers["Content-Type"] = "application/json"
        return method, path, body, headers


MIX = [("portal", 0.35), ("search", 0.15), ("feed", 0.30), ("uplink", 0.20)]


def load_step(ports: list[int], fleet: Fleet, rate: float, seconds: float,
              server_pids: list[int]) -> dict[str, Any]:
    jobs: queue.Queue[tuple[float, str, int] | None] = queue.Queue()
    record: list[tuple[str, float, bool]] = []
    restored = fleet.restored
    workers = [Worker(ports, jobs, fleet, record) for _n in range(max(8, min(128, int(rate / 2))))]
    for w in workers:
        w.start()
    hub_pids = _children(server_pids)
    pg_pids = _postgres_pids()
    cpu_before = (_cpu_seconds(hub_pids), _cpu_seconds(pg_pids), time.process_time())
    rng = random.Random(int(rate))
    kinds, weights = zip(*MIX, strict=True)
    start = time.perf_counter()
    sent = 0
    while True:
        due = start + sent / rate
        now = time.perf_counter()
        if due - start >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        jobs.put((due, rng.choices(kinds, weights)[0], ports[sent % len(ports)]))
        sent += 1
    for _w in workers:
        jobs.put(None)
    for w in workers:
        w.join(timeout=60)
    elapsed = time.perf_counter() - start
    cpu = {"hub": (_cpu_seconds(hub_pids) - cpu_before[0]) / elapsed,
           "postgres": (_cpu_seconds(pg_pids) - cpu_before[1]) / elapsed,
           "generator": (time.process_time() - cpu_before[2]) / elapsed}
    latencies = sorted(d for _k, d, _ok in record)
    by_kind = {}
    for kind in [*kinds, "first sync"]:
        mine = sorted(d for k, d, _ok in record if k == kind)
        if mine:
            by_kind[kind] = {"rps": round(len(mine) / elapsed, 1), "p50_ms": round(_pct(mine, 0.5) * 1000, 1),
                             "p99_ms": round(_pct(mine, 0.99) * 1000, 1),
                             "errors": sum(1 for k, _d, ok in record if k == kind and not ok)}
    return {"rate": rate, "seconds": round(elapsed, 1), "requests": len(record),
            "achieved_rps": round(len(record) / elapsed, 1),
            "p50_ms": round(_pct(latencies, 0.5) * 1000, 1), "p99_ms": round(_pct(latencies, 0.99) * 1000, 1),
            "errors": sum(1 for _k, _d, ok in record if not ok) + (sent - len(record)),
            "failures": dict(sum((w.failures for w in workers), Counter())),
            "restored_nodes": fleet.restored - restored,
            "by_kind": by_kind, "cpu": {k: round(v, 2) for k, v in cpu.items()}}


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("inf")
    return values[min(len(values) - 1, int(q * len(values)))]


if __name__ == "__main__":
    sys.exit(main())
