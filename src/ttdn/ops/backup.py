"""Backups of a hub or a node: a repository of snapshots, each a consistent copy of the database and of every stored
file it refers to, with a manifest of hashes.

The repository is a directory (a mounted disk, a USB stick, a network share) or a bucket of an S3-compatible object
store, `s3://bucket/prefix` (an off-site copy; see `stores`), with the same layout:

    repository.json          format, and for an encrypted repository the key's salt and a check value
    objects/ab/cd/NAME       content addressed: a file already there is not copied again (incremental)
    snapshots/ID.json        one manifest per snapshot: every object it needs with the hash of its stored bytes

Consistency: SQLite is copied with its online backup API (one instant, writers go on); PostgreSQL is dumped by
`pg_dump` inside a snapshot exported from a REPEATABLE READ transaction, and the list of referenced files is read in
that same transaction. Stored files never change once written (they are named by their SHA-256), so copying them
after the database is safe.

Encryption (optional, a passphrase from the environment): AES-256-GCM in 1 MiB chunks, each chunk's number and a
last-chunk flag authenticated, so reordering or truncating a file is detected. Objects are then named by an HMAC of
their hash, so the repository does not reveal which known files it holds. `verify_repository` checks every stored
object's hash without the passphrase, and with it also decrypts and checks every file's own hash.
"""

from __future__ import annotations

import base64
import datetime as dt
import errno
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ttdn.core.errors import ServiceError
from ttdn.ops.stores import LocalStore, Store, disk_errors, open_store, write_atomically

FORMAT = 1
CHUNK = 1024 * 1024
_MAGIC = b"TTDNENC1"
_CHECK_TEXT = b"ttdn-backup-key-check"
# Files of the data directory a restored server needs besides the database: Django's secret key and the sync
# signing keys (nodes trust the hub's public key; losing it means enrolling every node again).
KEY_FILES = ("secret_key", "sync/hub_ed25519.key", "sync/node_ed25519.key")
# Columns holding the SHA-256 of a stored file. An app that stores files elsewhere adds its column here.
BLOB_COLUMNS = (("content_asset", "sha256"), ("content_asset", "thumbnail_sha256"))
PASSPHRASE_ENV = "TTDN_BACKUP_PASSPHRASE"  # noqa: S105  (the variable's name, not a secret)


def _error(code: str, message: Any, **params: Any) -> ServiceError:
    return ServiceError(f"backup.{code}", message % params if params else message)


# ------------------------------------------------------------------------------------------------ keys


@dataclass(frozen=True)
class _Keys:
    data: bytes  # AES-256-GCM
    names: bytes  # HMAC-SHA256 of a file's hash → its object name


def _derive(passphrase: str, salt: bytes) -> _Keys:
    material = Scrypt(salt=salt, length=64, n=2**15, r=8, p=1).derive(passphrase.encode())
    return _Keys(material[:32], material[32:])


def _seal_small(keys: _Keys, data: bytes) -> str:
    nonce = os.urandom(12)
    return base64.b64encode(nonce + AESGCM(keys.data).encrypt(nonce, data, b"small")).decode()


def _open_small(keys: _Keys, sealed: str) -> bytes:
    raw = base64.b64decode(sealed)
    return AESGCM(keys.data).decrypt(raw[:12], raw[12:], b"small")


def _encrypt_stream(keys: _Keys, chunks: Iterable[bytes]) -> Iterator[bytes]:
    prefix = os.urandom(8)
    aead = AESGCM(keys.data)
    yield _MAGIC + prefix
    index = 0
    pending: bytes | None = None
    for chunk in _rechunk(chunks):
        if pending is not None:
            yield _sealed_chunk(aead, prefix, index, pending, last=False)
            index += 1
        pending = chunk
    yield _sealed_chunk(aead, prefix, index, pending or b"", last=True)


def _sealed_chunk(aead: AESGCM, prefix: bytes, index: int, plain: bytes, *, last: bool) -> bytes:
    aad = index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")
    sealed = aead.encrypt(prefix + index.to_bytes(4, "big"), plain, aad)
    return len(sealed).to_bytes(4, "big") + (b"\x01" if last else b"\x00") + sealed


def _decrypt_stream(keys: _Keys, fh: _Reader, name: str) -> Iterator[bytes]:
    head = fh.read(len(_MAGIC) + 8)
    if not head.startswith(_MAGIC):
        raise _error("not_encrypted", _("Backup object %(name)s is not an encrypted object."), name=name)
    prefix = head[len(_MAGIC):]
    aead = AESGCM(keys.data)
    index = 0
    while True:
        frame = fh.read(5)
        if len(frame) < 5:
            raise _error("truncated", _("Backup object %(name)s is cut short."), name=name)
        length, last = int.from_bytes(frame[:4], "big"), frame[4:] == b"\x01"
        if length > CHUNK + 64:
            raise _error("corrupt", _("Backup object %(name)s is damaged."), name=name)
        sealed = fh.read(length)
        aad = index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")
        try:
            yield aead.decrypt(prefix + index.to_bytes(4, "big"), sealed, aad)
        except InvalidTag as exc:
            raise _error("corrupt", _("Backup object %(name)s is damaged."), name=name) from exc
        if last:
            if fh.read(1):
                raise _error("corrupt", _("Backup object %(name)s is damaged."), name=name)
            return
        index += 1


def _rechunk(chunks: Iterable[bytes]) -> Iterator[bytes]:
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= CHUNK:
            yield bytes(buffer[:CHUNK])
            del buffer[:CHUNK]
    if buffer:
        yield bytes(buffer)


def _read_file(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _read_blob(sha: str) -> Iterator[bytes]:
    """A stored file's bytes, opened only when the repository asks for them (it holds most already)."""
    from ttdn.content.files.blobs import open_blob

    with open_blob(sha) as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


# ------------------------------------------------------------------------------------------------ repository


class Repository:
    """A backup repository in a directory or an S3 bucket (`s3://bucket/prefix`); `passphrase` opens an encrypted
    one (or creates one encrypted)."""

    def __init__(self, location: str | Path, passphrase: str | None = None, *, create: bool = False) -> None:
        self.location = location
        self.store: Store = open_store(location)
        self.root = Path(location) if isinstance(self.store, LocalStore) else None
        self.keys: _Keys | None = None
        try:
            raw = b"".join(self.store.read("repository.json"))
        except FileNotFoundError:
            if not create:
                raise _error("no_repository", _("%(path)s is not a backup repository (no repository.json)."),
                             path=self.store.describe()) from None
            raw = self._create(passphrase)
        except OSError as exc:
            raise _error("bad_repository", _("The backup repository's description is damaged.")) from exc
        try:
            self.meta = json.loads(raw)
        except ValueError as exc:
            raise _error("bad_repository", _("The backup repository's description is damaged.")) from exc
        if self.meta.get("format") != FORMAT:
            raise _error("format", _("This backup repository has format %(format)s; this version reads format "
                                     "%(expected)s."), format=self.meta.get("format"), expected=FORMAT)
        if self.meta.get("encrypted") and passphrase is not None:
            keys = _derive(passphrase, base64.b64decode(self.meta["salt"]))
            try:
                if _open_small(keys, self.meta["check"]) != _CHECK_TEXT:
                    raise InvalidTag
            except (InvalidTag, ValueError) as exc:
                raise _error("wrong_passphrase", _("The passphrase does not open this backup repository.")) from exc
            self.keys = keys

    def _create(self, passphrase: str | None) -> bytes:
        meta: dict[str, Any] = {"format": FORMAT, "encrypted": bool(passphrase)}
        if passphrase:
            salt = os.urandom(16)
            meta["salt"] = base64.b64encode(salt).decode()
            meta["check"] = _seal_small(_derive(passphrase, salt), _CHECK_TEXT)
        if self.root is not None:
            (self.root / "objects").mkdir(parents=True, exist_ok=True)
            (self.root / "snapshots").mkdir(parents=True, exist_ok=True)
        raw = json.dumps(meta, indent=1).encode()
        self.store.write("repository.json", [raw])
        return raw

    @property
    def encrypted(self) -> bool:
        return bool(self.meta.get("encrypted"))

    def _need_keys(self) -> _Keys:
        if self.keys is None:
            raise _error("passphrase_needed", _("This backup repository is encrypted: set %(env)s to its passphrase."),
                         env=PASSPHRASE_ENV)
        return self.keys

    def object_name(self, sha256: str) -> str:
        if not self.encrypted:
            return sha256
        return hmac.new(self._need_keys().names, sha256.encode(), hashlib.sha256).hexdigest()

    def object_key(self, name: str) -> str:
        if len(name) != 64 or any(c not in "0123456789abcdef" for c in name):
            raise _error("bad_object", _("A backup manifest names an invalid object: %(name)s."), name=name[:80])
        return f"objects/{name[:2]}/{name[2:4]}/{name}"

    def object_path(self, name: str) -> Path:
        """Where an object lies in a repository on disk."""
        assert self.root is not None, "an object path exists only for a repository in a directory"
        return self.root / self.object_key(name)

    def put(self, sha256: str, chunks: Iterable[bytes]) -> tuple[str, str, int, bool]:
        """Store a file whose plaintext hash is known; (object name, stored hash, stored size, newly copied)."""
        name = self.object_name(sha256)
        key = self.object_key(name)
        present = self.store.size(key)
        if present is not None:
            stored = self._stored_hash(key) if self.encrypted else name
            return name, stored, present, False
        stream = _encrypt_stream(self._need_keys(), chunks) if self.encrypted else chunks
        stored, size = self.store.write(key, stream, expect=None if self.encrypted else sha256)
        if self.encrypted:
            self.store.write(key + ".sha256", [stored.encode()])
        return name, stored, size, True

    def _stored_hash(self, key: str) -> str:
        # Encrypted objects carry the hash of their stored bytes beside them, so a repeat backup need not reread them.
        try:
            return b"".join(self.store.read(key + ".sha256")).decode().strip()
        except FileNotFoundError:
            return _hash_chunks(self.store.read(key))[0]

    def read(self, name: str) -> Iterator[bytes]:
        """The plaintext of an object."""
        key = self.object_key(name)
        try:
            if self.encrypted:
                yield from _decrypt_stream(self._need_keys(), _Reader(self.store.read(key)), name)
            else:
                yield from self.store.read(key)
        except FileNotFoundError:
            raise _error("missing_object", _("Backup object %(name)s is missing."), name=name) from None

    def snapshot_ids(self) -> list[str]:
        return sorted(Path(k).stem for k in self.store.keys("snapshots/") if k.endswith(".json"))

    def write_manifest(self, snapshot_id: str, objects: list[list[Any]], payload: dict[str, Any]) -> None:
        body: dict[str, Any] = {"format": FORMAT, "id": snapshot_id, "objects": objects}
        if self.encrypted:
            body["payload_sealed"] = _seal_small(self._need_keys(), json.dumps(payload).encode())
        else:
            body["payload"] = payload
        body["checksum"] = _checksum(body)
        # Written last: a manifest present means every object it names was stored before it.
        self.store.write(f"snapshots/{snapshot_id}.json", [json.dumps(body, indent=1, ensure_ascii=False).encode()])

    def read_manifest(self, snapshot_id: str, *, payload: bool = True) -> dict[str, Any]:
        try:
            body = json.loads(b"".join(self.store.read(f"snapshots/{snapshot_id}.json")))
        except FileNotFoundError as exc:
            raise _error("no_snapshot", _("There is no snapshot %(id)s in this repository."), id=snapshot_id) from exc
        except (OSError, ValueError) as exc:
            raise _error("bad_manifest", _("The manifest of snapshot %(id)s is damaged."), id=snapshot_id) from exc
        checksum = body.pop("checksum", None)
        if checksum != _checksum(body):
            raise _error("bad_manifest", _("The manifest of snapshot %(id)s is damaged."), id=snapshot_id)
        if payload and "payload_sealed" in body:
            try:
                body["payload"] = json.loads(_open_small(self._need_keys(), body.pop("payload_sealed")))
            except (InvalidTag, ValueError) as exc:
                raise _error("bad_manifest", _("The manifest of snapshot %(id)s is damaged."), id=snapshot_id) from exc
        return body


class _Reader:
    """A file-like `read(n)` over a stream of chunks (the decryption reads frames of its own sizes)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = bytearray()

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out


def _checksum(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _hash_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _hash_file(path: Path) -> tuple[str, int]:
    return _hash_chunks(_read_file(path))


# ------------------------------------------------------------------------------------------------ database


@dataclass
class _DatabaseCopy:
    engine: str
    path: Path  # the SQLite file or the pg_dump archive
    blobs: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)


def _engine() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise _error("engine", _("Backups support SQLite and PostgreSQL, not %(engine)s."), engine=engine)


def _tables() -> list[str]:
    from django.apps import apps

    return sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed})


def _copy_sqlite(workdir: Path) -> _DatabaseCopy:
    from django.db import connection

    target = workdir / "database.sqlite3"
    connection.ensure_connection()
    raw = connection.connection
    destination = sqlite3.connect(target)
    try:
        raw.backup(destination)  # the online backup API: one consistent instant, writers are not stopped
    finally:
        destination.close()
    copy = _DatabaseCopy("sqlite", target)
    with sqlite3.connect(target) as db:
        present = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table, column in BLOB_COLUMNS:
            if table in present:
                copy.blobs |= {r[0] for r in db.execute(f'SELECT "{column}" FROM "{table}"') if r[0]}  # noqa: S608
        for table in _tables():
            if table in present:
                copy.counts[table] = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
    return copy


def pg_params() -> dict[str, Any]:
    db = settings.DATABASES["default"]
    return {"host": db.get("HOST") or None, "port": db.get("PORT") or None, "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None, "dbname": db["NAME"]}


def _pg_env(params: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ}
    for key, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD")):
        if params.get(key):
            env[var] = str(params[key])
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise _error("no_pg_tool", _("%(tool)s is not installed (Debian package postgresql-client)."), tool=name)
    return found


def _copy_postgresql(workdir: Path) -> _DatabaseCopy:
    import psycopg
    from psycopg import sql

    params = pg_params()
    target = workdir / "database.pgdump"
    copy = _DatabaseCopy("postgresql", target)
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        snapshot = row[0]
        # pg_dump reads the very snapshot this transaction holds, so the dump and the file list agree.
        result = subprocess.run(  # noqa: S603
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
             "--file", str(target), params["dbname"]],
            capture_output=True, text=True, env=_pg_env(params), check=False)
        if result.returncode != 0:
            raise _error("pg_dump", _("pg_dump failed: %(error)s"), error=result.stderr.strip()[-500:])
        present = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()}
        for table, column in BLOB_COLUMNS:
            if table in present:
                query = sql.SQL("SELECT {} FROM {}").format(sql.Identifier(column), sql.Identifier(table))
                copy.blobs |= {r[0] for r in conn.execute(query).fetchall() if r[0]}
        for table in _tables():
            if table in present:
                count = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
                copy.counts[table] = count[0] if count else 0
        conn.execute("COMMIT")
    return copy


# ------------------------------------------------------------------------------------------------ backup


@dataclass
class BackupResult:
    snapshot_id: str
    files: int
    copied: int
    copied_bytes: int
    total_bytes: int


def backup(repository: str | Path, passphrase: str | None = None, *, now: dt.datetime | None = None) -> BackupResult:
    """Take one snapshot into the repository (created on first use, encrypted when a passphrase is given)."""
    from ttdn.content.files import blobs as store

    repo = Repository(repository, passphrase, create=True)
    if repo.encrypted:
        repo._need_keys()
    now = now or dt.datetime.now(dt.UTC)
    snapshot_id = now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z"
    objects: list[list[Any]] = []
    copied = copied_bytes = total_bytes = 0

    def add(sha256: str, chunks: Iterable[bytes]) -> str:
        nonlocal copied, copied_bytes, total_bytes
        name, stored, size, new = repo.put(sha256, chunks)
        objects.append([name, stored, size])
        total_bytes += size
        if new:
            copied += 1
            copied_bytes += size
        return name

    with tempfile.TemporaryDirectory(prefix="ttdn-backup-") as tmp:
        copy = _copy_sqlite(Path(tmp)) if _engine() == "sqlite" else _copy_postgresql(Path(tmp))
        db_sha, db_size = _hash_file(copy.path)
        database = {"object": add(db_sha, _read_file(copy.path)), "sha256": db_sha, "size": db_size}
    blobs: list[list[Any]] = []
    for sha in sorted(copy.blobs):
        try:
            size = store.blob_size(sha)  # a directory or an object store (content.files.blobs)
        except FileNotFoundError:
            raise _error("missing_blob", _("Stored file %(sha)s is referenced by the database but missing from the "
                                           "data directory."), sha=sha) from None
        blobs.append([sha, add(sha, _read_blob(sha)), size])
    keys: list[list[Any]] = []
    for relative in KEY_FILES:
        path = Path(settings.DATA_DIR) / relative
        if path.exists():
            data = path.read_bytes()
            keys.append([relative, add(hashlib.sha256(data).hexdigest(), [data]), len(data)])
    payload = {"created": now.isoformat(), "engine": copy.engine, "database": database, "blobs": blobs,
               "keys": keys, "counts": copy.counts, "version": _version()}
    repo.write_manifest(snapshot_id, objects, payload)
    return BackupResult(snapshot_id, len(objects), copied, copied_bytes, total_bytes)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ttdn")
    except PackageNotFoundError:
        return "unknown"


# ------------------------------------------------------------------------------------------------ verify


@dataclass
class Problem:
    snapshot: str
    what: str


def verify_repository(repository: str | Path, passphrase: str | None = None,
                      snapshot_ids: list[str] | None = None) -> tuple[int, list[Problem]]:
    """Check every object of the given snapshots (all by default); (objects checked, problems found).

    Without the passphrase of an encrypted repository, the stored bytes' hashes are checked; with it (or for an
    unencrypted repository) every file is also read back and its own hash compared."""
    repo = Repository(repository, passphrase)
    problems: list[Problem] = []
    checked: dict[str, bool] = {}
    deep = not repo.encrypted or repo.keys is not None
    for snapshot_id in snapshot_ids or repo.snapshot_ids():
        try:
            manifest = repo.read_manifest(snapshot_id, payload=deep)
        except ServiceError as exc:
            problems.append(Problem(snapshot_id, str(exc.message)))
            continue
        for name, stored, size in manifest["objects"]:
            if name not in checked:
                checked[name] = _object_ok(repo, name, stored, size)
            if not checked[name]:
                problems.append(Problem(snapshot_id, str(_("object %(name)s is missing or damaged")
                                                         % {"name": name})))
        if deep:
            payload = manifest["payload"]
            wanted = [(payload["database"]["sha256"], payload["database"]["object"])]
            wanted += [(sha, name) for sha, name, _size in payload["blobs"]]
            for sha, name in wanted:
                key = f"plain:{name}"
                if key not in checked:
                    checked[key] = _plain_ok(repo, name, sha)
                if not checked[key]:
                    problems.append(Problem(snapshot_id, str(_("file %(sha)s does not read back whole")
                                                             % {"sha": sha})))
    return len([k for k in checked if not k.startswith("plain:")]), problems


def _object_ok(repo: Repository, name: str, stored: str, size: int) -> bool:
    try:
        key = repo.object_key(name)
        return repo.store.size(key) == size and _hash_chunks(repo.store.read(key))[0] == stored
    except (OSError, ServiceError):
        return False


def _plain_ok(repo: Repository, name: str, sha256: str) -> bool:
    digest = hashlib.sha256()
    try:
        for chunk in repo.read(name):
            digest.update(chunk)
    except (OSError, ServiceError):
        return False
    return digest.hexdigest() == sha256


# ------------------------------------------------------------------------------------------------ restore


def _database_is_empty() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if "django_migrations" not in tables:
            return True
        cursor.execute("SELECT count(*) FROM django_migrations")
        row = cursor.fetchone()
        return not row or row[0] == 0


def restore(repository: str | Path, passphrase: str | None = None, snapshot_id: str | None = None) -> str:
    """Restore a snapshot into this server's (empty) database and data directory; returns the snapshot's id.

    Every file is checked against its hash as it is written; the database is restored before the stored files,
    and the stored files before the keys, so a restore cut short is visible (the keys are missing) and is simply
    run again on a new empty database."""
    from django.db import connection

    from ttdn.content.files.blobs import blob_exists, store_pieces

    repo = Repository(repository, passphrase)
    ids = repo.snapshot_ids()
    if not ids:
        raise _error("empty", _("This backup repository holds no snapshot."))
    snapshot_id = snapshot_id or ids[-1]
    payload = repo.read_manifest(snapshot_id)["payload"]
    if payload["engine"] != _engine():
        raise _error("engine_mismatch", _("Snapshot %(id)s is of a %(engine)s database; this server uses %(here)s."),
                     id=snapshot_id, engine=payload["engine"], here=_engine())
    if not _database_is_empty():
        raise _error("not_empty", _("The database is not empty: restore into a new, empty database."))
    with tempfile.TemporaryDirectory(prefix="ttdn-restore-") as tmp:
        dump = Path(tmp) / "database"
        digest, _size = write_atomically(dump, repo.read(payload["database"]["object"]))
        if digest != payload["database"]["sha256"]:
            raise _error("corrupt", _("Backup object %(name)s is damaged."), name=payload["database"]["object"])
        connection.close()
        with disk_errors(Path(settings.DATA_DIR), restoring=True):
            if payload["engine"] == "sqlite":
                _restore_sqlite(dump)
            else:
                _restore_postgresql(dump)
    for sha, name, _size in payload["blobs"]:
        if not blob_exists(sha):
            try:
                with disk_errors(Path(settings.DATA_DIR), restoring=True):
                    store_pieces(sha, repo.read(name))
            except ValueError as exc:  # the digest did not match
                raise _error("corrupt", _("Backup object %(name)s is damaged."), name=name) from exc
    for relative, name, _size in payload["keys"]:
        target = Path(settings.DATA_DIR) / relative
        data = b"".join(repo.read(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target.with_suffix(".restore"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(target.with_suffix(".restore"), target)
    return snapshot_id


def _restore_sqlite(dump: Path) -> None:
    from django.db import connection

    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    except sqlite3.OperationalError as exc:
        if "full" not in str(exc):
            raise
        # SQLite reports a full disk as its own error, not the system's: the same advice as for the files.
        raise OSError(errno.ENOSPC, str(exc)) from exc
    finally:
        source.close()
    connection.close()


def _restore_postgresql(dump: Path) -> None:
    params = pg_params()
    result = subprocess.run(  # noqa: S603
        [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         "--dbname", params["dbname"], str(dump)],
        capture_output=True, text=True, env=_pg_env(params), check=False)
    if result.returncode != 0:
        raise _error("pg_restore", _("pg_restore failed: %(error)s"), error=result.stderr.strip()[-500:])


# ------------------------------------------------------------------------------------------------ retention


def snapshot_time(snapshot_id: str) -> dt.datetime:
    return dt.datetime.strptime(snapshot_id[:15], "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)


def kept_snapshots(ids: list[str], daily: int = 7, weekly: int = 4, monthly: int = 12) -> set[str]:
    """Grandfather-father-son: the newest snapshot of each of the last `daily` days, `weekly` ISO weeks and
    `monthly` months that have one; the newest snapshot is always kept."""
    keep: set[str] = set()
    for count, period in ((daily, lambda t: t.date()), (weekly, lambda t: t.isocalendar()[:2]),
                          (monthly, lambda t: (t.year, t.month))):
        seen: list[Any] = []
        for snapshot_id in sorted(ids, reverse=True):
            key = period(snapshot_time(snapshot_id))
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            keep.add(snapshot_id)
    if ids:
        keep.add(max(ids))
    return keep


def prune(repository: str | Path, daily: int = 7, weekly: int = 4, monthly: int = 12) -> tuple[list[str], int]:
    """Remove the snapshots retention does not keep, then the objects no kept snapshot needs.

    Needs no passphrase: the objects a snapshot needs are listed outside its sealed payload."""
    repo = Repository(repository)
    ids = repo.snapshot_ids()
    keep = kept_snapshots(ids, daily, weekly, monthly)
    removed = [i for i in ids if i not in keep]
    for snapshot_id in removed:
        repo.store.delete(f"snapshots/{snapshot_id}.json")
    needed = {name for i in keep for name, _stored, _size in repo.read_manifest(i, payload=False)["objects"]}
    freed = 0
    for key in list(repo.store.keys("objects/")):
        name = key.rsplit("/", 1)[-1]
        if name.endswith(".sha256"):
            continue
        if name not in needed:
            repo.store.delete(key + ".sha256")
            repo.store.delete(key)
            freed += 1
    return removed, freed
