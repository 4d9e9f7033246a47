"""The backup tests' populated hub, the fresh machine it is restored on, and how the two are compared."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from PIL import Image

from tests import forkserver, refdata
from tests.conftest import World, make_item
from ttdn.content import services as content
from ttdn.ops import backup as backups

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "Mật-khẩu sao lưu 2026"


def png(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (64, 48), colour).save(path)
    return path


@pytest.fixture
def hub(live_world: World, tmp_path: Path) -> World:
    """Material with attachments, committed (pg_dump reads from its own connection)."""
    for n, colour in enumerate([(0, 84, 147), (200, 16, 46), (255, 205, 0)]):
        item = make_item(live_world, title=f"Tài liệu biên giới số {n} — ພາສາລາວ ភាសាខ្មែរ 中文 ô̆ ƀ")
        content.do_attach_file(live_world.contributor, item.source_variant(),  # type: ignore[arg-type]
                               png(tmp_path / f"p{n}.png", colour), f"áp phích {n}.png")
    # As `ttdn migrate` leaves a real hub: the index stamped with its format, so the restore's migrate keeps it.
    from ttdn.search.services import do_reindex_all

    do_reindex_all()
    return live_world


def engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


@pytest.fixture
def target(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a fresh machine: a new data directory and, on PostgreSQL, a new empty database."""
    env = {k: v for k, v in os.environ.items() if k != "TTDN_DATABASE_URL"}
    env["TTDN_DATA_DIR"] = str(tmp_path / "restored")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if engine() == "sqlite":
        yield env
        return
    import psycopg

    params = {k: v for k, v in backups.pg_params().items() if v is not None and k != "dbname"}
    name = f"ttdn_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8')
    user = params.get("user", "postgres")
    auth = f"{user}:{params['password']}@" if params.get("password") else f"{user}@"
    env["TTDN_DATABASE_URL"] = f"postgres://{auth}{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}/{name}"
    env["_RESTORED_DB"] = name
    try:
        yield env
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ttdn(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return forkserver.run(["-m", "ttdn.cli", *args], env=env, cwd=ROOT, timeout=600)


def rows(cursor: Any, table: str) -> list[tuple[Any, ...]]:
    cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  (table names from the models)
    # Compared as text: Django's cursor converts dates and JSON that the other connection leaves as stored.
    rows = [tuple(_text(v) for v in r) for r in cursor.fetchall()]
    if table == "core_auditentry":  # the backup and the restore each record themselves afterwards
        columns = [c[0] for c in cursor.description]
        action = columns.index("action")
        rows = [r for r in rows if not str(r[action]).startswith("ops.")]
    return sorted(rows, key=repr)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False)
        except ValueError:
            return value
    return str(value)


def restored_rows(env: dict[str, str], table: str) -> list[tuple[Any, ...]]:
    if engine() == "sqlite":
        with sqlite3.connect(Path(env["TTDN_DATA_DIR"]) / "ttdn.sqlite3") as db:
            return rows(db.cursor(), table)
    import psycopg

    params = {k: v for k, v in backups.pg_params().items() if v is not None and k != "dbname"}
    with psycopg.connect(dbname=env["_RESTORED_DB"], **params) as db, db.cursor() as cursor:
        return rows(cursor, table)




def assert_restored_matches(env: dict[str, str]) -> None:
    """Every row of every table, every stored file's hash and the keys on the restored machine equal this one's."""
    import hashlib

    from django.conf import settings

    from ttdn.content.models import Asset

    with connection.cursor() as cursor:
        for table in backups._tables():
            if table in connection.introspection.table_names(cursor):
                assert rows(cursor, table) == restored_rows(env, table), table
    restored_blobs = Path(env["TTDN_DATA_DIR"]) / "blobs"
    assets = list(Asset.objects.all())
    shas = {a.sha256 for a in assets} | {a.thumbnail_sha256 for a in assets if a.thumbnail_sha256}
    assert len(shas) >= 6  # three images and their thumbnails
    for sha in shas:
        stored = restored_blobs / sha[:2] / sha[2:4] / sha
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    for key in ("secret_key", "sync/hub_ed25519.key"):
        assert (Path(env["TTDN_DATA_DIR"]) / key).read_bytes() == (Path(settings.DATA_DIR) / key).read_bytes()


# ------------------------------------------------------------------------------------------------ S3

S3_SCRIPT = ROOT / "scripts" / "s3-test-server.sh"


@pytest.fixture(scope="session")
def s3_server() -> dict[str, str]:
    """Debian's Ceph RADOS gateway on loopback (scripts/s3-test-server.sh), started once for every test process:
    the first process to take the lock starts it, the others find it answering."""
    import fcntl

    with open("/tmp/ttdn-s3.lock", "w") as lock:  # noqa: S108  (one machine-wide server, one lock beside it)
        fcntl.flock(lock, fcntl.LOCK_EX)
        # On a machine busy with the whole suite a Ceph tool was seen to give up reaching the new monitor (exit 250,
        # nothing said): the script starts from nothing again each time, so a second or third try is a clean start.
        for _attempt in range(3):
            done = subprocess.run(["bash", str(S3_SCRIPT), "start"], capture_output=True, text=True, timeout=300,
                                  check=False)
            if done.returncode == 0:
                break
    assert done.returncode == 0, f"{done.returncode}: {done.stdout[-1000:]}\n{done.stderr[-2000:]}"
    found = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return {"TTDN_BACKUP_S3_ENDPOINT": found["TTDN_TEST_S3_ENDPOINT"],
            "AWS_ACCESS_KEY_ID": found["AWS_ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY": found["AWS_SECRET_ACCESS_KEY"]}


@pytest.fixture
def bucket(s3_server: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Any]]:
    """A new bucket on the server, this process's environment pointed at it; (name, boto3 client)."""
    import boto3

    for key, value in s3_server.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("s3", endpoint_url=s3_server["TTDN_BACKUP_S3_ENDPOINT"], region_name="us-east-1",
                          aws_access_key_id=s3_server["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=s3_server["AWS_SECRET_ACCESS_KEY"])
    name = f"ttdn-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    yield name, client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=name, Key=item["Key"])
    client.delete_bucket(Bucket=name)


# ------------------------------------------------------------------------------ a private primary and replica

PG_SCRIPT = ROOT / "scripts" / "pg-test-cluster.sh"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgPair:
    """A private PostgreSQL primary and its streaming replica (scripts/pg-test-cluster.sh), with one migrated
    hub database `ttdn_hub`."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.primary_port, self.replica_port = free_port(), free_port()

    def script(self, action: str, *more: str) -> str:
        done = subprocess.run(["bash", str(PG_SCRIPT), action, str(self.dir), *more], capture_output=True, text=True,
                              timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def url(self, which: str, db: str = "ttdn_hub") -> str:
        port = self.primary_port if which == "primary" else self.replica_port
        return f"postgres://postgres@127.0.0.1:{port}/{db}"

    def sql(self, which: str, statement: str, db: str = "ttdn_hub",
            params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.url(which, db), autocommit=True) as conn:
            cursor = conn.execute(statement, params or None)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def start(self) -> None:
        self.script("start", str(self.primary_port), str(self.replica_port))


@pytest.fixture(scope="session")
def pg_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgPair]:
    """Started once per test process, on ports of its own; the hub database a fresh installation of this version
    (the run's, copied: tests/refdata.py), replicated to the replica."""
    import tempfile

    # Not under pytest's tmp path: the server runs as the postgres account when the tests run as root, and needs to
    # reach its directory.
    directory = Path(tempfile.mkdtemp(prefix="ttdn-pg-"))
    os.chmod(directory, 0o755)  # noqa: S103  (the postgres account must reach the cluster inside)
    pair = PgPair(directory / "cluster")
    for _attempt in range(3):  # a port chosen free may be taken by another process before the server binds it
        try:
            pair.start()
            break
        except AssertionError:
            pair.primary_port, pair.replica_port = free_port(), free_port()
    else:
        pytest.fail("the private PostgreSQL pair could not start on free ports")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_") and k != "DJANGO_SETTINGS_MODULE"}
        env.update({"TTDN_DATA_DIR": str(tmp_path_factory.mktemp("pg-migrate")), "TTDN_DATABASE_URL":
                    pair.url("primary")})
        refdata.fresh_install(env)  # what `ttdn migrate` leaves, copied (tests/refdata.py)
        yield pair
    finally:
        pair.script("stop")
        import shutil

        shutil.rmtree(directory, ignore_errors=True)


class Hub:
    """`ttdn serve` as an operator runs it, on the private primary (and replica, when given)."""

    def __init__(self, pair: PgPair, data_dir: Path, db: str = "ttdn_hub",
                 prepare: Callable[[dict[str, str]], None] | None = None, **extra: str) -> None:
        import time

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_") and k != "DJANGO_SETTINGS_MODULE"}
        self.env.update({"TTDN_DATA_DIR": str(data_dir), "TTDN_DATABASE_URL": pair.url("primary", db),
                         "TTDN_SECRET_KEY": "test-only-hub-0123456789abcdefghijklmnopqrstuvwxyz", **extra})
        self.log = data_dir.with_suffix(".log")
        data_dir.mkdir(parents=True, exist_ok=True)
        if prepare is not None:
            prepare(self.env)
        with open(self.log, "w") as log:
            command = [sys.executable, "-m", "ttdn.cli", "serve", "--no-migrate", "--no-collectstatic", "--port",
                       str(self.port), "--threads", "6"]
            self.proc = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        import urllib.request

        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=5):  # noqa: S310
                    return
            except OSError:
                assert self.proc.poll() is None, self.output()
                assert time.monotonic() < deadline, "ttdn serve did not answer:\n" + self.output()
                time.sleep(0.3)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
