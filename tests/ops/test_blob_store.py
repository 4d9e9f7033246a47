"""User files kept in an S3-compatible bucket (a real Ceph RADOS gateway on loopback, scripts/s3-test-server.sh) or
in a directory, through the same ways in and out: material uploaded and served (whole and by ranges), orphans
collected, a node syncing it from the hub, a backup restored on a fresh machine. Every test runs on both stores."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.conftest import World, advance, make_item
from tests.ops.conftest import png, restored_rows, rows, ttdn
from ttdn.content import services as content
from ttdn.content.files import blobs
from ttdn.content.models import Asset, State

# A Ceph gateway, hub and node processes, a restore in another process.
pytestmark = pytest.mark.slow

BACKENDS = ["directory", "s3"]


class Store:
    """Where a process keeps its files (`TTDN_BLOB_STORE`), and how a test reads them there directly."""

    def __init__(self, kind: str, bucket: str = "", client: Any = None) -> None:
        self.kind, self.bucket, self.client = kind, bucket, client

    def url(self, prefix: str) -> str:
        return f"s3://{self.bucket}/{prefix}" if self.kind == "s3" else ""

    def env(self, prefix: str) -> dict[str, str]:
        if self.kind != "s3":
            return {}
        return {"TTDN_BLOB_STORE": self.url(prefix), blobs.S3_ENDPOINT_ENV: os.environ["TTDN_BACKUP_S3_ENDPOINT"]}

    def read(self, prefix: str, blob_dir: Path, sha: str) -> bytes:
        """The bytes stored under `sha`, read around the product: from the bucket, or from the directory."""
        relative = f"{sha[:2]}/{sha[2:4]}/{sha}"
        if self.kind == "s3":
            return bytes(self.client.get_object(Bucket=self.bucket, Key=f"{prefix}/{relative}")["Body"].read())
        return (blob_dir / relative).read_bytes()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Store:
    """This process's blob store: a new BLOB_DIR, or a new bucket's `hub` prefix (and BLOB_DIR left empty)."""
    settings.BLOB_DIR = tmp_path / "blobs"
    if request.param == "directory":
        settings.BLOB_STORE = ""
        return Store("directory")
    name, client = request.getfixturevalue("bucket")
    chosen = Store("s3", name, client)
    for key, value in chosen.env("hub").items():
        monkeypatch.setenv(key, value)
    settings.BLOB_STORE = chosen.url("hub")
    return chosen


def _published_with_file(world: World, path: Path, name: str) -> tuple[Any, Asset]:
    item = make_item(world)
    attachment = content.do_attach_file(world.contributor, item.source_variant(), path, name)  # type: ignore[arg-type]
    advance(world, item, State.PUBLISHED)
    return item, attachment.asset


def _pdf(path: Path, size: int) -> Path:
    from tests.sync.hubtool import pdf_bytes

    # No "/" in the noise: "/JS" and the like would be read as active content, and refused.
    path.write_bytes(pdf_bytes(os.urandom(size).replace(b"/", b"0"), "Tài liệu"))
    return path


def test_material_is_stored_served_by_ranges_and_collected(
        store: Store, world: World, tmp_path: Path, client: Client) -> None:
    source = _pdf(tmp_path / "quy-che.pdf", 9 * 1024 * 1024)  # past boto3's multipart threshold (8 MiB)
    data = source.read_bytes()
    _item, asset = _published_with_file(world, source, "Quy chế khu vực biên giới.pdf")
    assert asset.thumbnail_sha256
    # Where it went: the bucket and nothing on this disk, or the directory.
    for sha in (asset.sha256, asset.thumbnail_sha256):
        kept = store.read("hub", Path(django_settings.BLOB_DIR), sha)
        assert hashlib.sha256(kept).hexdigest() == sha
    local = Path(django_settings.BLOB_DIR)
    on_disk = [p for p in local.rglob("*") if p.is_file()] if local.exists() else []
    assert (on_disk == []) == (store.kind == "s3")

    whole = client.get(f"/files/{asset.sha256}/")
    assert whole.status_code == 200
    assert b"".join(whole.streaming_content) == data  # type: ignore[attr-defined]
    assert whole["Content-Length"] == str(len(data)) and whole["ETag"] == f'"{asset.sha256}"'
    part = client.get(f"/files/{asset.sha256}/", HTTP_RANGE="bytes=1000000-1999999")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 1000000-1999999/{len(data)}"
    assert b"".join(part.streaming_content) == data[1000000:2000000]  # type: ignore[attr-defined]
    tail = client.get(f"/files/{asset.sha256}/", HTTP_RANGE="bytes=-100")
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == data[-100:]  # type: ignore[attr-defined]
    assert client.get(f"/files/{asset.sha256}/", HTTP_IF_NONE_MATCH=f'"{asset.sha256}"').status_code == 304

    # A blob left by a rolled-back upload goes; the attached file and its preview stay.
    orphan = blobs.store_bytes(b"left behind by a rolled-back upload")
    assert blobs.blob_exists(orphan)
    assert content.do_collect_orphan_blobs(dt.timedelta(hours=1)) == 0  # too young to collect
    assert content.do_collect_orphan_blobs(dt.timedelta(seconds=-1)) == 1
    assert not blobs.blob_exists(orphan)
    assert blobs.blob_exists(asset.sha256) and blobs.blob_exists(asset.thumbnail_sha256)
    with pytest.raises(FileNotFoundError):
        blobs.open_blob(orphan)


def test_a_stored_blob_is_whole_or_absent(store: Store) -> None:
    data = os.urandom(200_000)
    sha = hashlib.sha256(data).hexdigest()
    with pytest.raises(ValueError, match="does not match"):
        blobs.store_pieces(sha, [data[:1000], b"not the same bytes"])
    assert not blobs.blob_exists(sha)
    blobs.store_pieces(sha, [data[:1000], data[1000:]])
    assert blobs.blob_size(sha) == len(data)
    with blobs.open_blob(sha) as fh:
        fh.seek(150_000)
        assert fh.read(10) == data[150_000:150_010]
        fh.seek(5)
        assert fh.read() == data[5:]
    with blobs.local_copy(sha) as path:
        assert path.read_bytes() == data
    assert sha in set(blobs.list_blobs())
    with pytest.raises(ValueError):
        blobs.open_blob("../" + "a" * 61)


def test_a_node_syncs_the_hubs_files_into_its_own_store(store: Store, tmp_path: Path) -> None:
    """Hub and node as processes, each with its own store (two prefixes of one bucket, or two directories)."""
    from tests import refdata
    from tests.sync.conftest import Node, _pg_database, base_env, free_port, last_json, run, start_server, stop

    hub_dir, node_dir = tmp_path / "hub", tmp_path / "node"
    hub_dir.mkdir()
    node_dir.mkdir()
    hub_env = {**base_env(hub_dir, "hub"), **store.env("hub")}
    own = os.environ.get("TTDN_DATABASE_URL", "").rsplit("/", 1)[-1] or "ttdn"
    db_url = _pg_database(f"{own}_blob_hub")
    if db_url:
        hub_env["TTDN_DATABASE_URL"] = db_url
    else:
        refdata.fresh_install(hub_env)  # the hub tool's `migrate` then has nothing to do
    corpus = last_json(run(hub_env, "-m", "tests.sync.hubtool", "setup", "6", "40").stdout)
    assert len(corpus["files"]) == 2
    proc = start_server(hub_env, port := free_port())
    try:
        node = Node({**base_env(node_dir, "edge"), **store.env("node")}, node_dir)
        # A fresh installation copied (tests/refdata.py), as every sync test's node, instead of migrated again.
        refdata.fresh_install(node.env)
        run(node.env, "-m", "tests.refdata", "restore")
        code = last_json(run(hub_env, "-m", "tests.sync.hubtool", "codes", "pc-ia-chia", "1").stdout)[0]
        node.cli("edge", "enroll", f"http://127.0.0.1:{port}", code)
        summary = node.sync()
        assert summary["status"] == "ok" and summary["files_written"] >= 2, summary
    finally:
        stop(proc)
    with sqlite3.connect(node_dir / "ttdn.sqlite3") as db:
        held = db.execute("SELECT sha256, size, thumbnail_sha256 FROM content_asset").fetchall()
    assert len(held) == 2
    for sha, size, thumb in held:
        data = store.read("node", node_dir / "blobs", sha)
        assert len(data) == size and hashlib.sha256(data).hexdigest() == sha
        assert hashlib.sha256(store.read("hub", hub_dir / "blobs", sha)).hexdigest() == sha
        if thumb:
            assert hashlib.sha256(store.read("node", node_dir / "blobs", thumb)).hexdigest() == thumb
    if store.kind == "s3":
        assert not (node_dir / "blobs").exists() or not any(p.is_file() for p in (node_dir / "blobs").rglob("*"))
    if db_url:
        import psycopg

        with psycopg.connect(os.environ["TTDN_DATABASE_URL"], autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_url.rsplit("/", 1)[-1]}" WITH (FORCE)')


def test_a_backup_of_files_in_the_store_restores_into_a_fresh_store(
        store: Store, live_world: World, tmp_path: Path, target: dict[str, str]) -> None:
    from ttdn.ops import services

    for n, colour in enumerate([(0, 84, 147), (200, 16, 46)]):
        item = make_item(live_world, title=f"Áp phích biên giới {n}")
        content.do_attach_file(live_world.contributor, item.source_variant(),  # type: ignore[arg-type]
                               png(tmp_path / f"p{n}.png", colour), f"áp phích {n}.png")
    repository = tmp_path / "repository"
    first = services.do_backup(None, str(repository), None)
    assert first.files >= 4  # two images and their previews
    assert services.do_backup(None, str(repository), None).copied <= 1  # the files are not copied again

    env = {**target, **store.env("restored")}
    done = ttdn(env, "restore", str(repository))
    assert done.returncode == 0, done.stderr
    restored_dir = Path(env["TTDN_DATA_DIR"])
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("content_asset", "content_attachment", "content_item", "content_variant"):
            assert rows(cursor, table) == restored_rows(env, table), table
    for asset in Asset.objects.all():
        for sha in filter(None, (asset.sha256, asset.thumbnail_sha256)):
            assert hashlib.sha256(store.read("restored", restored_dir / "blobs", sha)).hexdigest() == sha
    if store.kind == "s3":
        assert not (restored_dir / "blobs").exists() or not any((restored_dir / "blobs").rglob("*"))
    shutil.rmtree(repository)
