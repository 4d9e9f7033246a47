"""A hub and nodes as separate processes on loopback, each with its own data directory and database.

The hub is `ttdn serve` (PostgreSQL when the test run has TTDN_DATABASE_URL, else SQLite); nodes are `ttdn`
commands with TTDN_ROLE=edge and SQLite. The hub's corpus is built by `tests.sync.hubtool` through the
product's services.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests import forkserver

ROOT = Path(__file__).resolve().parents[2]
CORPUS_ITEMS = 200
FILE_KB = 120  # every fifth item has a PDF of this size: 40 files, ~5 MB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(data_dir: Path, role: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_") and not k.endswith("_PROXY")}
    env.update({"TTDN_DATA_DIR": str(data_dir), "TTDN_ROLE": role, "DJANGO_SETTINGS_MODULE": "ttdn.settings",
                "TTDN_SECRET_KEY": "test-only-secret-key-for-sync-processes-0123456789abcdef",
                "PYTHONPATH": str(ROOT)})
    return env


def run(env: dict[str, str], *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    # Forked from a warm parent (tests/forkserver.py): the same command, without ~0.3 s of imports each time.
    proc = forkserver.run(args, env=env, cwd=ROOT, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def last_json(text: str) -> Any:
    for line in reversed(text.strip().splitlines()):
        if line.startswith(("{", "[")):
            return json.loads(line)
    raise AssertionError(f"no JSON in output:\n{text}")


def _pg_database(name: str, template: str | None = None) -> str | None:
    """A fresh PostgreSQL database for the hub, next to the test run's own, or None on SQLite runs: a copy of
    `template`, by default the run's own (migrated, with the administrative units: tests/refdata.py)."""
    url = os.environ.get("TTDN_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    from tests import refdata

    template = template or refdata.pg_template(url)
    parts = urlsplit(url)
    with refdata.pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" ENCODING 'UTF8'")
    return urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class Hub:
    env: dict[str, str]
    data_dir: Path
    url: str = ""
    corpus: dict[str, list[str]] = field(default_factory=dict)
    proc: subprocess.Popen[str] | None = None

    def tool(self, *args: str) -> Any:
        return last_json(run(self.env, "-m", "tests.sync.hubtool", *args).stdout)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run(self.env, "-m", "ttdn.cli", *args, check=check)

    codes: dict[str, list[str]] = field(default_factory=dict)

    def code(self, site: str = "pc-ia-chia") -> str:
        # Issued five at a time: each hub command is a process start.
        if not self.codes.get(site):
            self.codes[site] = self.tool("codes", site, "5")
        return self.codes[site].pop()


@dataclass
class Node:
    env: dict[str, str]
    data_dir: Path
    uid: str = ""

    def cli(self, *args: str, check: bool = True, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return run({**self.env, **extra_env}, "-m", "ttdn.cli", *args, check=check)

    def sync(self, check: bool = True, **extra_env: str) -> dict[str, Any]:
        proc = self.cli("sync", check=check, **extra_env)
        summary: dict[str, Any] = last_json(proc.stdout)
        return summary

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.data_dir / "ttdn.sqlite3", timeout=30)

    def items(self) -> dict[str, int]:
        """uid → version of what the node holds."""
        with self.db() as conn:
            return {_uid(u): v for u, v in conn.execute("SELECT uid, version FROM content_item")}

    def languages(self, uid: str) -> set[str]:
        with self.db() as conn:
            rows = conn.execute("SELECT v.language FROM content_variant v JOIN content_item i ON i.id = v.item_id "
                                "WHERE i.uid = ?", [uid.replace("-", "")])
            return {r[0] for r in rows}


def _uid(raw: str) -> str:
    raw = raw.replace("-", "")
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def wait_http(url: str, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(proc.stdout.read() if proc.stdout else "server died") from None
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} did not answer") from None
            time.sleep(0.3)


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    # Static files are served from the app folders; gathering and compressing them (tests/core/test_cli.py) would
    # only slow every server start here.
    proc = subprocess.Popen([sys.executable, "-m", "ttdn.cli", "serve", "--port", str(port), "--sweep-seconds", "0",
                             "--no-collectstatic"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_http(f"http://127.0.0.1:{port}/accounts/login/", proc)
    return proc


def stop(proc: subprocess.Popen[str] | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _build_hub(env: dict[str, str], data: Path, snapshot: Path, snapshot_db: str | None) -> dict[str, list[str]]:
    """The hub's corpus, built by the first worker of the run that needs it and copied by the others: the groups
    of tests using a hub (sync, information points) run on different workers, and each would build the same
    200 items through the services again. Built and copied before the hub's server starts, so the copy is the
    hub as its builder left it; a snapshot belongs to one run (named after xdist's run id)."""
    from tests import refdata

    with refdata.file_lock(snapshot.with_suffix(".lock")):
        corpus_file = snapshot / "corpus.json"
        if corpus_file.exists():
            shutil.copytree(snapshot / "data", data, dirs_exist_ok=True)
            if snapshot_db:
                _pg_database(urlsplit(env["TTDN_DATABASE_URL"]).path.strip("/"), template=snapshot_db)
            corpus: dict[str, list[str]] = json.loads(corpus_file.read_text())
            return corpus
        # Building the corpus takes minutes on a loaded machine: a longer limit than other hub commands.
        corpus = last_json(run(env, "-m", "tests.sync.hubtool", "setup", str(CORPUS_ITEMS), str(FILE_KB),
                               timeout=1200).stdout)
        # Earlier runs' snapshots (the same database name: this checkout's) are of no more use.
        prefix = snapshot.name.rsplit("-", 1)[0]
        for old in snapshot.parent.glob(f"{prefix}-*"):
            if old.is_dir() and old != snapshot:
                shutil.rmtree(old, ignore_errors=True)
            elif old.suffix == ".lock" and old.stem != snapshot.name:
                old.unlink(missing_ok=True)
        if snapshot_db:
            url = urlsplit(env["TTDN_DATABASE_URL"])
            with refdata.pg_admin(env["TTDN_DATABASE_URL"]) as conn:
                stem = snapshot_db.rsplit("_", 1)[0].replace("_", r"\_")
                for (name,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                            [stem + r"\_%"]).fetchall():
                    if len(name) == len(snapshot_db):  # {own}_hub_{12 hex}, this run's among them
                        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{snapshot_db}" TEMPLATE "{url.path.strip("/")}"')
        else:
            with sqlite3.connect(data / "ttdn.sqlite3") as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copytree(data, snapshot / "data", ignore=shutil.ignore_patterns("*-wal", "*-shm"))
        corpus_file.write_text(json.dumps(corpus))
        return corpus


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory, worker_id: str, testrun_uid: str) -> Iterator[Hub]:
    data = tmp_path_factory.mktemp("hub")
    env = base_env(data, "hub")
    # Named after the run's own database, so that two runs on one server do not drop each other's hub.
    own = urlsplit(os.environ.get("TTDN_DATABASE_URL", "")).path.strip("/") or "ttdn"
    db_url = _pg_database(f"{own}_sync_hub_{worker_id}")
    if db_url:
        env["TTDN_DATABASE_URL"] = db_url
    else:
        from tests import refdata

        refdata.fresh_install(env)  # instead of migrating from nothing (tests/refdata.py)
    h = Hub(env, data)
    run_id = testrun_uid[:12]
    snapshot = Path(tempfile.gettempdir()) / f"ttdn-hub-{own}-{run_id}"
    h.corpus = _build_hub(env, data, snapshot, f"{own}_hub_{run_id}" if db_url else None)
    port = free_port()
    h.proc = start_server(env, port)
    h.url = f"http://127.0.0.1:{port}"
    try:
        yield h
    finally:
        stop(h.proc)


@pytest.fixture(scope="session")
def migrated_node_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty node database, copied for each node (migrating takes seconds)."""
    from tests import refdata

    data = tmp_path_factory.mktemp("node-template")
    refdata.fresh_install(base_env(data, "edge"))
    # With the administrative units already in place, enrolling does not load them again (40 s a node).
    run(base_env(data, "edge"), "-m", "tests.refdata", "restore")
    path: Path = data / "ttdn.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def make_node(hub: Hub, migrated_node_db: Path, tmp_path: Path) -> Any:
    counter = iter(range(100))

    def make(site: str = "pc-ia-chia") -> Node:
        data = tmp_path / f"node-{next(counter)}"
        data.mkdir()
        shutil.copy(migrated_node_db, data / "ttdn.sqlite3")
        node = Node(base_env(data, "edge"), data)
        node.cli("edge", "enroll", hub.url, hub.code(site))
        with node.db() as conn:
            node.uid = _uid(conn.execute("SELECT node_uid FROM sync_nodestate").fetchone()[0])
        return node

    return make


def check_searchable(node: Node) -> None:
    """After a completed sync: every variant the node holds is in its search index, nothing queued."""
    with node.db() as conn:
        variants = {r[0] for r in conn.execute("SELECT id FROM content_variant")}
        documents = {r[0] for r in conn.execute("SELECT variant_id FROM search_searchdocument")}
        queued = conn.execute("SELECT COUNT(*) FROM search_pendingindex").fetchone()[0]
    assert queued == 0 and documents == variants


def check_consistent(node: Node, hub_state: dict[str, list[Any]]) -> int:
    """The node's database after anything (a kill included): sound, and its content agrees with its cursor."""
    with node.db() as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        row = conn.execute("SELECT applied_seq FROM sync_nodestate").fetchone()
        cursor = int(row[0])
        held = {_uid(u): v for u, v in conn.execute("SELECT uid, version FROM content_item")}
        no_variant = conn.execute("SELECT COUNT(*) FROM content_item i WHERE NOT EXISTS "
                                  "(SELECT 1 FROM content_variant v WHERE v.item_id = i.id)").fetchone()[0]
        assets = conn.execute("SELECT sha256, size FROM content_asset").fetchall()
        variants = dict(conn.execute("SELECT id, item_id FROM content_variant").fetchall())
        documents = {r[0] for r in conn.execute("SELECT variant_id FROM search_searchdocument")}
        words = {r[0] for r in conn.execute("SELECT rowid FROM search_fts")}
        queued = {r[0] for r in conn.execute("SELECT item_id FROM search_pendingindex")}
    assert no_variant == 0
    # The search index: nothing for a variant that is gone, and every variant either indexed or its item
    # queued for the index (a kill between an apply's commit and the index catching up).
    assert documents <= set(variants) and words == documents
    assert {v for v, i in variants.items() if i not in queued} <= documents
    for uid, (version, last_seq, wanted) in hub_state.items():
        if last_seq <= cursor:
            # Everything up to the cursor is applied: held exactly when meant for the node.
            assert held.get(uid) == (version if wanted else None), (uid, cursor, last_seq)
        else:
            assert held.get(uid, 0) <= version
    for sha, size in assets:
        blob = node.data_dir / "blobs" / sha[:2] / sha[2:4] / sha
        data = blob.read_bytes()
        assert len(data) == size and hashlib.sha256(data).hexdigest() == sha
    return cursor
