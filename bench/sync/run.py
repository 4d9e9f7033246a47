"""The sync benchmark (issue 4): our hub → node sync against rsync, through the same shaping proxy.

  python bench/sync/run.py            # the full corpus: ≥ 5,000 items, ≥ 300 MB of files (about 20–30 min)
  python bench/sync/run.py --quick    # a small corpus and a fast link (under 3 min)
  python bench/sync/run.py --keep-corpus --only apply,utilisation   # two figures on the kept corpus (~5 min)

What runs, all as separate processes on loopback, each side through its own ShapingProxy with the same shape:
- the hub: `ttdn serve` on a corpus built by corpus.py (its own data dir; SQLite, or PostgreSQL with --pg URL);
- nodes: `ttdn edge enroll HUB_URL CODE` then `ttdn sync` (repeated until its summary says the sync is complete
  when a dropped connection ends a run), each node with its own data dir and SQLite database;
- rsync: a daemon (`rsync --daemon --no-detach`) serving corpus.py's export of what the node is meant to hold, one
  JSON file per item plus the files; the client `rsync -az --delete --partial --stats`, rerun until it succeeds.

Measurements (wire bytes = payload bytes through the proxy, both directions; time = wall clock of all runs):
1. initial sync of the main corpus, unshaped (node A, rsync dest A) and again for node B (not compared); then
   node F with the files already in place, apply_rate.py timing the apply → apply_records_per_s;
2. the change (1% of items edited, 10 withdrawn, 1 MB in the middle of the 50 MB file), export rewritten;
3. incremental, unshaped: node A vs rsync dest A → incremental_bytes_ratio;
4. incremental through 512 kbit/s, 300 ms RTT, a drop every 2 MB: node B vs a copy of rsync dest A taken before
   the change → shaped_wall_time_ratio;
5. initial sync of the subset (material for a Thanh Hóa post) through the shaped link without drops →
   initial_link_utilisation, and with a drop every 2 MB → shaped_wall_time_ratio_initial_subset;
6. initial sync of the subset, unshaped, once clean and once per cut at a given offset: the bytes beyond the clean
   run are what a drop costs (re-sent data plus the requests to resume) → resent_after_drop_max_bytes.
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from proxy import ProxyThread, Shape  # noqa: E402

MB = 1024 * 1024
MAIN_SITE = "gl-post-ia-o"
SUBSET_SITE = "th-post-na-meo"
MAIN_LANGS = "vi,km,en,jra"
SUBSET_LANGS = "vi,lo,blt,en,hnj"


@dataclass
class Profile:
    items: int
    files_mb: int
    big_mb: int
    subset_items: int
    subset_mb: int
    small_files: bool
    rate_kbit: float
    rtt_ms: float
    drop_every: int
    resent_offsets: tuple[float, ...]
    edit_percent: float = 1.0
    withdraw: int = 10
    big_change_mb: int = 1


FULL = Profile(items=5000, files_mb=260, big_mb=50, subset_items=150, subset_mb=6, small_files=False,
               rate_kbit=512, rtt_ms=300, drop_every=2 * MB, resent_offsets=(0.15, 0.35, 0.55, 0.75, 0.95))
# The parts, in the order they run (see the module docstring); `--only` picks some.
PARTS = ["initial", "apply", "incremental", "utilisation", "drops", "resent"]
QUICK = Profile(items=300, files_mb=10, big_mb=4, subset_items=40, subset_mb=2, small_files=True,
                rate_kbit=8000, rtt_ms=40, drop_every=512 * 1024, resent_offsets=(0.3, 0.7), edit_percent=3,
                withdraw=5)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def last_json(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            with suppress(ValueError):
                value = json.loads(line)
                if isinstance(value, dict):
                    return value
    return {}


@dataclass
class Run:
    """One side's measurement: wire bytes from the proxy, wall time, how many runs, the tool's own figures."""

    side: str
    what: str
    down: int = 0
    up: int = 0
    seconds: float = 0.0
    runs: int = 0
    drops: int = 0
    complete: bool = True
    summaries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return self.down + self.up

    def as_dict(self) -> dict[str, Any]:
        return {"bytes": self.bytes, "down": self.down, "up": self.up, "seconds": round(self.seconds, 2),
                "runs": self.runs, "drops": self.drops, "complete": self.complete}


class Bench:
    def __init__(self, args: argparse.Namespace, profile: Profile) -> None:
        self.args = args
        self.p = profile
        self.work = Path(args.work).resolve()
        self.hub_dir = self.work / "hub"
        self.venv_bin = Path(sys.executable).parent
        self.ttdn = str(self.venv_bin / "ttdn")
        self.procs: list[subprocess.Popen[bytes]] = []
        self.results: dict[str, Any] = {}
        self.hub_port = free_port()
        self.parts: set[str] = set(args.parts)
        # rsync's own utilisation is a reference, not a figure: skipped when only some parts run.
        self.with_rsync_utilisation = args.only is None or args.rsync_utilisation
        self.rsync_port = free_port()

    # ------------------------------------------------------------------------------------------ processes

    def hub_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_")}
        env.update(TTDN_DATA_DIR=str(self.hub_dir), TTDN_SWEEP_SECONDS="0", TTDN_ROLE="hub",
                   PYTHONPATH=str(ROOT / "src"))
        if self.args.pg:
            env["TTDN_DATABASE_URL"] = self.args.pg
        return env

    def node_env(self, name: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_")}
        env.update(TTDN_DATA_DIR=str(self.work / "nodes" / name), TTDN_ROLE="edge", PYTHONPATH=str(ROOT / "src"))
        for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
            env.pop(var, None)
        return env

    def run(self, cmd: list[str], env: dict[str, str], check: bool = True,
            timeout: float | None = None) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout[-2000:]}\n"
                               f"{result.stderr[-4000:]}")
        return result

    def corpus(self, *argv: str) -> dict[str, Any]:
        result = self.run([sys.executable, str(HERE / "corpus.py"), *argv], self.hub_env())
        return last_json(result.stdout)

    def start_hub(self) -> None:
        log_file = (self.work / "hub.log").open("ab")
        proc = subprocess.Popen([self.ttdn, "serve", "--host", "127.0.0.1", "--port", str(self.hub_port)],
                                env=self.hub_env(), stdout=log_file, stderr=subprocess.STDOUT, cwd=ROOT)
        self.procs.append(proc)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the hub stopped: see {self.work / 'hub.log'}")
            with suppress(OSError), urllib.request.urlopen(f"http://127.0.0.1:{self.hub_port}/", timeout=2):
                break
            time.sleep(0.5)
        log(f"hub on port {self.hub_port}")

    def start_rsyncd(self) -> None:
        conf = self.work / "rsyncd.conf"
        conf.write_text(
            f"pid file = {self.work / 'rsyncd.pid'}\nuse chroot = no\nuid = {os.getuid()}\ngid = {os.getgid()}\n"
            f"log file = {self.work / 'rsyncd.log'}\nmax connections = 20\n\n"
            f"[main]\npath = {self.work / 'export-main'}\nread only = yes\n\n"
            f"[subset]\npath = {self.work / 'export-subset'}\nread only = yes\n")
        proc = subprocess.Popen(["rsync", "--daemon", "--no-detach", f"--config={conf}",
                                 f"--port={self.rsync_port}", "--address=127.0.0.1"],
                                stdout=subprocess.DEVNULL, stderr=(self.work / "rsyncd.err").open("ab"))
        self.procs.append(proc)
        for _ in range(100):
            with suppress(OSError), socket.create_connection(("127.0.0.1", self.rsync_port), timeout=1):
                break
            time.sleep(0.1)
        log(f"rsync daemon on port {self.rsync_port}")

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()

    def reset_pg(self) -> None:
        """A fresh hub database on the PostgreSQL server of --pg."""
        from urllib.parse import urlsplit

        import psycopg

        url = urlsplit(self.args.pg)
        name = url.path.lstrip("/")
        with psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

    # -------------------------------------------------------------------------------------------- nodes

    def enroll(self, name: str, site: str, languages: str, hub_url: str) -> None:
        node_dir = self.work / "nodes" / name
        shutil.rmtree(node_dir, ignore_errors=True)
        node_dir.mkdir(parents=True)
        issued = self.run([self.ttdn, "edge", "issue-code", site], self.hub_env())
        code = issued.stdout.strip().splitlines()[-1].strip().split()[-1]
        env = self.node_env(name)
        template = self.work / "nodes" / "_template"
        if not (template / "ttdn.sqlite3").exists():
            # Migrated once; every node starts from a copy of that empty database (seconds saved per node).
            self.run([self.ttdn, "migrate", "-v0"], {**env, "TTDN_DATA_DIR": str(template)})
        shutil.copy2(template / "ttdn.sqlite3", node_dir / "ttdn.sqlite3")
        enrolled = self.run([self.ttdn, "edge", "enroll", hub_url, code], env)
        node_id = self.node_id(enrolled.stdout, name)
        target = self.run([self.ttdn, "edge", "target", node_id, "--languages", languages, "--audience",
                           "officials"], self.hub_env(), check=False)
        if target.returncode != 0:
            log(f"  could not set the targeting of {name}: {target.stderr.strip()[-300:]}")
        log(f"node {name} enrolled at {site} ({node_id})")

    def node_id(self, enroll_output: str, name: str) -> str:
        """`ttdn edge enroll` says "enrolled as <uid> for <site>"."""
        match = re.search(r"enrolled as (\S+)", enroll_output)
        if match:
            return match.group(1)
        raise RuntimeError(f"node {name}: no node id in {enroll_output!r}")

    def sync_node(self, name: str, proxy: ProxyThread, what: str, max_runs: int = 60) -> Run:
        """`ttdn sync` until its summary says complete; time and proxy bytes over all runs."""
        run = Run("ttdn", what)
        proxy.reset()
        started = time.monotonic()
        env = self.node_env(name)
        while run.runs < max_runs:
            run.runs += 1
            result = self.run([self.ttdn, "sync"], env, check=False, timeout=3600)
            summary = last_json(result.stdout)
            run.summaries.append(summary)
            if result.returncode == 0 and self.complete(summary):
                break
            if result.returncode != 0 and not summary:
                log(f"  ttdn sync exited {result.returncode}: {result.stderr.strip()[-500:]}")
        else:
            raise RuntimeError(f"node {name} did not complete in {max_runs} runs")
        run.seconds = time.monotonic() - started
        counters = proxy.counters()
        run.down, run.up, run.drops = counters.down, counters.up, counters.drops
        return run

    @staticmethod
    def complete(summary: dict[str, Any]) -> bool:
        if not summary:
            return False
        if summary.get("complete") is False or summary.get("ok") is False:
            return False
        return str(summary.get("status", "complete")).lower() in {"complete", "completed", "ok", "done", "up_to_date"}

    # -------------------------------------------------------------------------------------------- rsync

    def rsync(self, module: str, dest: Path, proxy: ProxyThread, what: str, max_runs: int = 60,
              partial: bool = True) -> Run:
        """`rsync -az --delete [--partial]` until it succeeds.

        --partial keeps a cut file so the next run resumes it: best for new files. For a revised file it is
        worse: the kept prefix replaces the old version as the basis, and the rest is sent again in full.
        """
        run = Run("rsync", what + ("" if partial else " (no --partial)"))
        proxy.reset()
        dest.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        while run.runs < max_runs:
            run.runs += 1
            result = subprocess.run(
                ["rsync", "-az", "--delete", *(["--partial"] if partial else []), "--stats", "--timeout=120",
                 f"rsync://127.0.0.1:{proxy.port}/{module}/", f"{dest}/"],
                capture_output=True, text=True)
            run.summaries.append(self.rsync_stats(result.stdout))
            if result.returncode == 0:
                break
        else:
            # Without --partial a revised file larger than the distance between drops never gets through.
            run.complete = False
            log(f"  rsync {module} did not complete in {max_runs} runs")
        run.seconds = time.monotonic() - started
        counters = proxy.counters()
        run.down, run.up, run.drops = counters.down, counters.up, counters.drops
        return run

    @staticmethod
    def rsync_stats(text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for line in text.splitlines():
            if ":" in line:
                key, _, value = line.partition(":")
                number = value.strip().split(" ")[0].replace(",", "")
                if number.isdigit():
                    out[key.strip()] = int(number)
        return out

    # --------------------------------------------------------------------------------------- the whole

    def shaped(self, drops: bool = True) -> Shape:
        return Shape.link(self.p.rate_kbit, self.p.rtt_ms, self.p.drop_every if drops else 0)

    def report(self, key: str, run: Run) -> None:
        self.results.setdefault("raw", {})[key] = run.as_dict()
        summary = self.sum_summaries(run)
        if summary:
            self.results["raw"][key]["summary"] = summary
        log(f"{key}: {run.bytes:,} bytes ({run.down:,} down, {run.up:,} up) in {run.seconds:.1f} s, "
            f"{run.runs} run(s), {run.drops} drop(s)")

    @staticmethod
    def sum_summaries(run: Run) -> dict[str, Any]:
        total: dict[str, Any] = {}
        for s in run.summaries:
            for k, v in s.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    total[k] = total.get(k, 0) + v
                else:
                    total[k] = v
        return total

    def execute(self) -> dict[str, Any]:
        p = self.p
        pristine = self.work / "hub-pristine"
        if self.args.keep_corpus and pristine.exists() and not self.args.pg:
            # Blobs never change once written (named by their hash): hard links are a safe copy.
            shutil.rmtree(self.hub_dir, ignore_errors=True)
            subprocess.run(["cp", "-al", str(pristine), str(self.hub_dir)], check=True)
            for db in self.hub_dir.glob("ttdn.sqlite3*"):
                db.unlink()
                shutil.copy2(pristine / db.name, db)
            self.results["corpus"] = json.loads((pristine / "corpus.json").read_text())
            log(f"corpus restored from {pristine}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)
            self.work.mkdir(parents=True)
            if self.args.pg:
                self.reset_pg()
            log(f"building the corpus in {self.work} …")
            built = self.corpus("build", "--items", str(p.items), "--files-mb", str(p.files_mb), "--big-mb",
                                str(p.big_mb), "--subset-items", str(p.subset_items), "--subset-mb",
                                str(p.subset_mb), *(["--small-files"] if p.small_files else []))
            self.results["corpus"] = built
            log(f"corpus: {built}")
            if not self.args.pg:
                subprocess.run(["cp", "-al", str(self.hub_dir), str(pristine)], check=True)
                for db in pristine.glob("ttdn.sqlite3*"):
                    db.unlink()
                    shutil.copy2(self.hub_dir / db.name, db)
                (pristine / "corpus.json").write_text(json.dumps(built))
        for name in ("dest", "export-main", "export-subset"):
            shutil.rmtree(self.work / name, ignore_errors=True)
        shutil.rmtree(self.work / "nodes", ignore_errors=True)
        # rsync's exports, only for the parts that run rsync.
        if self.parts & {"initial", "incremental"}:
            self.results["corpus_export_before"] = self.corpus(
                "export", "--site", MAIN_SITE, "--languages", MAIN_LANGS, "--officials", str(self.work / "export-main"))
        if self.parts & {"drops", "resent"} or ("utilisation" in self.parts and self.with_rsync_utilisation):
            self.results["corpus_export_subset"] = self.corpus(
                "export", "--site", SUBSET_SITE, "--languages", SUBSET_LANGS, "--officials",
                str(self.work / "export-subset"))
        self.start_hub()
        self.start_rsyncd()
        with ProxyThread(("127.0.0.1", self.hub_port), Shape()) as hub_proxy, \
                ProxyThread(("127.0.0.1", self.rsync_port), Shape()) as rsync_proxy:
            self.hub_proxy, self.rsync_proxy = hub_proxy, rsync_proxy
            self.hub_url = f"http://127.0.0.1:{hub_proxy.port}"
            figures: dict[str, Any] = {}
            for part in PARTS:
                if part in self.parts:
                    figures.update(getattr(self, f"part_{part}")())
        return {**figures, "parts": sorted(self.parts, key=PARTS.index),
                "link": {"rate_kbit": p.rate_kbit, "rtt_ms": p.rtt_ms, "drop_every_bytes": p.drop_every,
                         "drops_count": "both directions"},
                **self.results}

    def both(self, shape: Shape) -> None:
        self.hub_proxy.set_shape(shape)
        self.rsync_proxy.set_shape(shape)

    def part_initial(self) -> dict[str, Any]:
        """1. Initial sync of the main corpus, unshaped (nodes A and B, rsync dest A); B and the rsync copies
        are the starting points of the incremental part."""
        self.both(Shape())
        dest = self.work / "dest"
        self.enroll("a", MAIN_SITE, MAIN_LANGS, self.hub_url)
        self.enroll("b", MAIN_SITE, MAIN_LANGS, self.hub_url)
        self.report("initial_rsync", self.rsync("main", dest / "a", self.rsync_proxy, "initial"))
        self.report("initial_ttdn", self.sync_node("a", self.hub_proxy, "initial"))
        self.report("initial_ttdn_node_b", self.sync_node("b", self.hub_proxy, "initial"))
        # rsync -a kept the times: exact twins of A's state before the change.
        shutil.copytree(dest / "a", dest / "b", symlinks=True)
        shutil.copytree(dest / "a", dest / "b2", symlinks=True)
        return {}

    def part_apply(self) -> dict[str, Any]:
        """Node F with the files already in place: apply_rate.py times the apply, and apart the search index
        taking the records back after each commit (both together: records applied and searchable)."""
        self.results["apply"] = self.measure_apply(f"http://127.0.0.1:{self.hub_port}")
        self.results["apply_records_per_s"] = self.results["apply"].get("records_per_s")
        self.results["searchable_records_per_s"] = self.results["apply"].get("searchable_records_per_s")
        return {"apply_records_per_s": self.results["apply_records_per_s"],
                "searchable_records_per_s": self.results["searchable_records_per_s"]}

    def part_incremental(self) -> dict[str, Any]:
        """2.–4. The change, then incremental syncs unshaped (bytes) and shaped with drops (time)."""
        p = self.p
        dest = self.work / "dest"
        self.both(Shape())
        # 2. The change on the hub, and the export rewritten.
        self.results["change"] = self.corpus(
            "change", "--edit-percent", str(p.edit_percent), "--withdraw", str(p.withdraw),
            "--big-change-mb", str(p.big_change_mb))
        self.results["corpus_export_after"] = self.corpus(
            "export", "--site", MAIN_SITE, "--languages", MAIN_LANGS, "--officials", str(self.work / "export-main"))
        log(f"change: {self.results['change']}")

        # 3. Incremental, unshaped: the bytes.
        inc_rsync = self.rsync("main", dest / "a", self.rsync_proxy, "incremental")
        inc_ttdn = self.sync_node("a", self.hub_proxy, "incremental")
        self.report("incremental_rsync", inc_rsync)
        self.report("incremental_ttdn", inc_ttdn)

        # 4. Incremental through the shaped link with drops: the time.
        self.both(self.shaped(drops=True))
        # rsync at its best: with and without --partial (see rsync()), the faster one counts.
        sh_rsync_partial = self.rsync("main", dest / "b", self.rsync_proxy, "incremental shaped")
        sh_rsync_plain = self.rsync("main", dest / "b2", self.rsync_proxy, "incremental shaped", partial=False,
                                    max_runs=12)
        sh_rsync = min((r for r in (sh_rsync_partial, sh_rsync_plain) if r.complete), key=lambda r: r.seconds)
        sh_ttdn = self.sync_node("b", self.hub_proxy, "incremental shaped")
        self.report("incremental_shaped_rsync_partial", sh_rsync_partial)
        self.report("incremental_shaped_rsync_no_partial", sh_rsync_plain)
        self.report("incremental_shaped_rsync", sh_rsync)
        self.report("incremental_shaped_ttdn", sh_ttdn)
        return {"incremental_bytes_ratio": round(inc_ttdn.bytes / inc_rsync.bytes, 3),
                "shaped_wall_time_ratio": round(sh_ttdn.seconds / sh_rsync.seconds, 3)}

    def part_utilisation(self) -> dict[str, Any]:
        """5a. Initial sync of the subset (material for a Thanh Hóa post) through the shaped link, no drops."""
        self.both(self.shaped(drops=False))
        rate_bytes = self.p.rate_kbit * 1000 / 8
        self.enroll("c", SUBSET_SITE, SUBSET_LANGS, self.hub_url)
        util_ttdn = self.sync_node("c", self.hub_proxy, "subset initial shaped")
        self.report("subset_initial_shaped_ttdn", util_ttdn)
        out = {"initial_link_utilisation": round(util_ttdn.bytes / (util_ttdn.seconds * rate_bytes), 3)}
        if self.with_rsync_utilisation:
            util_rsync = self.rsync("subset", self.work / "dest" / "c", self.rsync_proxy, "subset initial shaped")
            self.report("subset_initial_shaped_rsync", util_rsync)
            out["initial_link_utilisation_rsync"] = round(util_rsync.bytes / (util_rsync.seconds * rate_bytes), 3)
        return out

    def part_drops(self) -> dict[str, Any]:
        """5b. The same initial subset sync with a drop every drop_every bytes, against rsync."""
        self.both(self.shaped(drops=True))
        self.enroll("d", SUBSET_SITE, SUBSET_LANGS, self.hub_url)
        dr_rsync = self.rsync("subset", self.work / "dest" / "d", self.rsync_proxy, "subset initial shaped, drops")
        dr_ttdn = self.sync_node("d", self.hub_proxy, "subset initial shaped, drops")
        self.report("subset_initial_drops_rsync", dr_rsync)
        self.report("subset_initial_drops_ttdn", dr_ttdn)
        return {"shaped_wall_time_ratio_initial_subset": round(dr_ttdn.seconds / dr_rsync.seconds, 3)}

    def part_resent(self) -> dict[str, Any]:
        """6. What one drop costs: a clean unshaped subset sync, then one cut at each offset."""
        dest = self.work / "dest"
        self.both(Shape())
        self.enroll("e0", SUBSET_SITE, SUBSET_LANGS, self.hub_url)
        clean_ttdn = self.sync_node("e0", self.hub_proxy, "subset initial clean")
        clean_rsync = self.rsync("subset", dest / "e0", self.rsync_proxy, "subset initial clean")
        self.report("subset_clean_ttdn", clean_ttdn)
        self.report("subset_clean_rsync", clean_rsync)
        extra_ttdn: list[int] = []
        extra_rsync: list[int] = []
        for k, frac in enumerate(self.p.resent_offsets, 1):
            name = f"e{k}"
            cut = Shape(drop_at=(int(clean_ttdn.bytes * frac),))
            self.hub_proxy.set_shape(cut)
            self.enroll(name, SUBSET_SITE, SUBSET_LANGS, self.hub_url)
            self.hub_proxy.set_shape(cut)  # enrolment went through the proxy: start counting afresh
            one = self.sync_node(name, self.hub_proxy, f"subset initial, one cut at {frac:.0%}")
            extra_ttdn.append(one.bytes - clean_ttdn.bytes)
            self.rsync_proxy.set_shape(Shape(drop_at=(int(clean_rsync.bytes * frac),)))
            one_r = self.rsync("subset", dest / name, self.rsync_proxy, f"subset initial, one cut at {frac:.0%}")
            extra_rsync.append(one_r.bytes - clean_rsync.bytes)
            log(f"  cut at {frac:.0%}: ttdn +{extra_ttdn[-1]:,} bytes ({one.drops} drop), "
                f"rsync +{extra_rsync[-1]:,} bytes ({one_r.drops} drop)")
        self.results["resent_after_drop_ttdn_bytes"] = extra_ttdn
        self.results["resent_after_drop_rsync_bytes"] = extra_rsync
        return {"resent_after_drop_max_bytes": max(extra_ttdn) if extra_ttdn else None}

    def measure_apply(self, hub_url: str) -> dict[str, Any]:
        """Node F, straight to the hub, with the hub's files hard-linked into its blob store: only records move,
        and apply_rate.py times the apply itself."""
        self.enroll("f", MAIN_SITE, MAIN_LANGS, hub_url)
        node_blobs = self.work / "nodes" / "f" / "blobs"
        shutil.rmtree(node_blobs, ignore_errors=True)
        subprocess.run(["cp", "-al", str(self.hub_dir / "blobs"), str(node_blobs)], check=True)
        result = self.run([sys.executable, str(HERE / "apply_rate.py")], self.node_env("f"), timeout=3600)
        measured = last_json(result.stdout)
        log(f"apply on the node: {measured}")
        return measured


@contextmanager
def bench_session(args: argparse.Namespace, profile: Profile) -> Iterator[Bench]:
    bench = Bench(args, profile)
    try:
        yield bench
    finally:
        bench.stop_all()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Sync benchmark: ttdn sync against rsync through a shaping proxy")
    parser.add_argument("--quick", action="store_true", help="small corpus, fast link (< 3 min)")
    parser.add_argument("--work", default="", help="working directory (default $TMPDIR/ttdn-bench-sync[-quick])")
    parser.add_argument("--pg", default="", help="hub on this PostgreSQL database URL instead of SQLite")
    parser.add_argument("--keep-corpus", action="store_true",
                        help="reuse the corpus of a previous run (a pristine copy kept before the change; SQLite hub)")
    parser.add_argument("--only", default=None,
                        help=f"comma-separated parts to run, of {','.join(PARTS)} (default: all); "
                             "incremental needs initial")
    parser.add_argument("--rsync-utilisation", action="store_true",
                        help="with --only: measure rsync's utilisation of the subset too (about as long as ours)")
    args = parser.parse_args(argv)
    args.parts = PARTS if args.only is None else [x.strip() for x in args.only.split(",") if x.strip()]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}: choose from {', '.join(PARTS)}")
    if "incremental" in args.parts and "initial" not in args.parts:
        parser.error("the incremental part starts from the initial part's nodes: add initial")
    profile = QUICK if args.quick else FULL
    base = Path(tempfile.gettempdir())
    args.work = args.work or str(base / ("ttdn-bench-sync-quick" if args.quick else "ttdn-bench-sync"))
    started = time.monotonic()
    with bench_session(args, profile) as bench:
        figures = bench.execute()
    figures["total_seconds"] = round(time.monotonic() - started, 1)
    figures["profile"] = "quick" if args.quick else "full"
    print(json.dumps(figures, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
