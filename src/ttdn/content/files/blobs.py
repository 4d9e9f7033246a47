"""The content-addressed blob store: every stored file (and thumbnail) once, named by its SHA-256, written whole
or not at all and verified against its digest before anyone can see it. Nothing else: a node's sync needs only
this, without the PDF, image and media libraries the upload checks use (the rest of `files`).

Two backends, chosen by `settings.BLOB_STORE` (the environment's `TTDN_BLOB_STORE`):
- a directory (the default, `BLOB_DIR`): BLOB_DIR/ab/cd/<sha256>, a temporary file beside the target, fsync,
  rename;
- an S3-compatible bucket, `s3://bucket/prefix` (Ceph's RADOS gateway, MinIO, a provider's): the same layout
  under the prefix. A blob is checked against its digest before its single PUT (or multipart upload, completed
  only after its last part), which the store makes visible at once and entire. The connection comes from the
  standard AWS variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`) and
  `TTDN_BLOB_S3_ENDPOINT`, the address of a store that is not Amazon's.

Everyone goes through the functions below (`open_blob` gives a seekable reader on both), never through paths:
`blob_path` exists for the directory backend only (hard links in benchmarks, tests that look at the disk).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Protocol

from django.conf import settings

__all__ = [
    "BlobStoreError",
    "blob_exists",
    "blob_path",
    "blob_size",
    "check_sha256",
    "delete_blob",
    "describe_store",
    "list_blobs",
    "local_copy",
    "open_blob",
    "store_blob",
    "store_bytes",
    "store_pieces",
]

_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024
S3_ENDPOINT_ENV = "TTDN_BLOB_S3_ENDPOINT"


class BlobStoreError(Exception):
    """The configured store cannot be used (a bad `TTDN_BLOB_STORE`, or a path asked of an object store)."""


def check_sha256(sha256: str) -> str:
    """The digest itself, if it is 64 lowercase hex digits: nothing like "../" reaches a path or a key."""
    if not isinstance(sha256, str) or not _SHA256_RE.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


def _relative(sha256: str) -> str:
    check_sha256(sha256)
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


# ------------------------------------------------------------------------------------------------ the interface


def blob_exists(sha256: str) -> bool:
    return _store().exists(sha256)


def blob_size(sha256: str) -> int:
    """The stored size. Raises FileNotFoundError when the blob is missing."""
    return _store().size(sha256)


def open_blob(sha256: str) -> IO[bytes]:
    """The stored bytes, for reading (seekable). Raises FileNotFoundError when the blob is missing."""
    return _store().open(sha256)


def store_blob(path: Path, sha256: str) -> None:
    """Store the file at `path` under its digest (checked while copying); a no-op if already stored."""
    store = _store()
    if not store.exists(sha256):
        store.put_file(path, sha256)


def store_bytes(data: bytes) -> str:
    """Store `data` (a thumbnail, say) under its digest and return the digest."""
    sha256 = hashlib.sha256(data).hexdigest()
    store = _store()
    if not store.exists(sha256):
        store.put(sha256, [data])
    return sha256


def store_pieces(sha256: str, pieces: Iterable[bytes]) -> None:
    """Store a blob arriving in pieces (chunks from a hub, a backup) under its digest, verified before it is
    visible. Raises ValueError when the pieces do not make the digest."""
    _store().put(sha256, pieces)


def delete_blob(sha256: str) -> None:
    """Remove the blob; nothing happens if it is not there."""
    _store().delete(sha256)


def list_blobs(older_than: float | None = None) -> Iterator[str]:
    """The digests of the stored blobs (written more than `older_than` seconds ago, when given). Unordered."""
    cutoff = None if older_than is None else time.time() - older_than
    return _store().names(cutoff)


@contextmanager
def local_copy(sha256: str) -> Iterator[Path]:
    """A path to the blob's bytes on this machine, for readers that need a real file (memory maps): the blob
    itself in a directory store, a temporary copy (removed afterwards) from an object store."""
    with _store().local_copy(sha256) as path:
        yield path


def blob_path(sha256: str) -> Path:
    """Where the blob with this digest lives in a directory store: BLOB_DIR/ab/cd/abcd…"""
    store = _store()
    if not isinstance(store, DirectoryStore):
        raise BlobStoreError(f"blobs are kept in {store.describe()}, not in a directory")
    return store.path(sha256)


def describe_store() -> str:
    return _store().describe()


class BlobStore(Protocol):
    def describe(self) -> str: ...

    def exists(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int: ...

    def open(self, sha256: str) -> IO[bytes]: ...

    def put(self, sha256: str, chunks: Iterable[bytes]) -> None: ...

    def put_file(self, path: Path, sha256: str) -> None: ...

    def delete(self, sha256: str) -> None: ...

    def names(self, cutoff: float | None) -> Iterator[str]: ...

    def local_copy(self, sha256: str) -> Any: ...  # a context manager of a Path


_S3_STORES: dict[tuple[str, str], S3BlobStore] = {}
_S3_LOCK = threading.Lock()


def _store() -> BlobStore:
    location = str(getattr(settings, "BLOB_STORE", "") or "")
    if not location:
        return DirectoryStore(Path(settings.BLOB_DIR))
    if location.startswith("s3://"):
        # One client per bucket and endpoint, shared by the threads of the process (boto3 clients are thread-safe).
        endpoint = os.environ.get(S3_ENDPOINT_ENV, "")
        with _S3_LOCK:
            store = _S3_STORES.get((location, endpoint))
            if store is None:
                store = _S3_STORES[(location, endpoint)] = S3BlobStore(location, endpoint)
        return store
    raise BlobStoreError(f"TTDN_BLOB_STORE must be empty (BLOB_DIR) or s3://bucket/prefix, not {location!r}")


def _chunks_of_file(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


# ------------------------------------------------------------------------------------------------ a directory


class DirectoryStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return str(self.root)

    def path(self, sha256: str) -> Path:
        return self.root / _relative(sha256)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def size(self, sha256: str) -> int:
        return self.path(sha256).stat().st_size

    def open(self, sha256: str) -> IO[bytes]:
        return self.path(sha256).open("rb")

    def put_file(self, path: Path, sha256: str) -> None:
        self.put(sha256, _chunks_of_file(path))

    def put(self, sha256: str, chunks: Iterable[bytes]) -> None:
        """Temp file beside the target, fsync, rename: readers see the whole blob or nothing.

        The shard directories (ab/cd) are shared by many blobs and are left in place on failure.
        """
        destination = self.path(sha256)
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=destination.parent)
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
                # Owner and group (a front web server) may read; blobs may be internal material.
                os.fchmod(out.fileno(), 0o640)
            if digest.hexdigest() != sha256:
                raise ValueError(f"content does not match SHA-256 {sha256}")
            os.replace(tmp, destination)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(destination.parent)

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def names(self, cutoff: float | None) -> Iterator[str]:
        if not self.root.exists():
            return
        for path in self.root.glob("??/??/*"):
            name = path.name
            if not _SHA256_RE.fullmatch(name) or path.parent.parent.name != name[:2] or path.parent.name != name[2:4]:
                continue  # temporary files, and anything not where its name says
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            if cutoff is None or st.st_mtime < cutoff:
                yield name

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        path = self.path(sha256)
        if not path.is_file():
            raise FileNotFoundError(str(path))
        yield path


def _fsync_dir(directory: Path) -> None:
    # The rename is only durable once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------------------------ S3


def s3_client(endpoint: str | None, pool: int = 10, *, attempts: int = 5, timeout: float = 10,
              read_timeout: float = 60) -> Any:
    """A boto3 client for an S3-compatible server (the blob store's and the backups' alike). `attempts` and
    the timeouts are for a quick probe (`ttdn check`): the defaults ride over a store's hiccups."""
    import boto3
    from botocore.config import Config

    # Path-style addresses: Ceph's gateway and MinIO are reached by an address, not a wildcard host name.
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": attempts, "mode": "standard"},
                    connect_timeout=timeout, read_timeout=read_timeout, max_pool_connections=pool)
    # A session of its own: boto3's default one keeps the first credentials it found for the process.
    return boto3.session.Session().client("s3", endpoint_url=endpoint or None,
                                          region_name=os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
                                          config=config)


class S3BlobStore:
    """`s3://bucket/prefix` on any S3-compatible server. The bucket must exist: the operator creates it, with its
    own access policy (blobs may be internal material: never a public-read bucket)."""

    def __init__(self, url: str, endpoint: str = "") -> None:
        bucket, _slash, prefix = url[len("s3://"):].partition("/")
        if not bucket:
            raise BlobStoreError("TTDN_BLOB_STORE names no bucket: s3://bucket/prefix")
        self.url = url
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint = endpoint
        self._client: Any = None

    def describe(self) -> str:
        return self.url

    @property
    def client(self) -> Any:
        if self._client is None:
            # A pool as large as the server's threads, so that parallel downloads do not queue for a connection.
            self._client = s3_client(self.endpoint, pool=32)
        return self._client

    def key(self, sha256: str) -> str:
        return self.prefix + _relative(sha256)

    def _head(self, sha256: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return dict(self.client.head_object(Bucket=self.bucket, Key=self.key(sha256)))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code", "") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def exists(self, sha256: str) -> bool:
        return self._head(sha256) is not None

    def size(self, sha256: str) -> int:
        head = self._head(sha256)
        if head is None:
            raise FileNotFoundError(f"{self.url}: {sha256}")
        return int(head["ContentLength"])

    def open(self, sha256: str) -> IO[bytes]:
        raw = _S3Reader(self, self.key(sha256), self.size(sha256))
        return io.BufferedReader(raw, buffer_size=_CHUNK)

    def put_file(self, path: Path, sha256: str) -> None:
        digest = hashlib.sha256()
        for chunk in _chunks_of_file(path):
            digest.update(chunk)
        if digest.hexdigest() != sha256:
            raise ValueError(f"content does not match SHA-256 {sha256}")
        # A file that changed between the check and the upload would be stored under a wrong name; staged
        # uploads are not written again, and the node verifies every file it fetches.
        self.client.upload_file(str(path), self.bucket, self.key(sha256))

    def put(self, sha256: str, chunks: Iterable[bytes]) -> None:
        # Spooled to a local file first: the digest is checked before anything is sent, and the upload
        # (multipart past 8 MiB) can retry a part without asking the source again.
        check_sha256(sha256)
        with tempfile.TemporaryFile(prefix="ttdn-blob-", dir=_spool_dir()) as spool:
            digest = hashlib.sha256()
            for chunk in chunks:
                digest.update(chunk)
                spool.write(chunk)
            if digest.hexdigest() != sha256:
                raise ValueError(f"content does not match SHA-256 {sha256}")
            spool.seek(0)
            self.client.upload_fileobj(spool, self.bucket, self.key(sha256))

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))

    def names(self, cutoff: float | None) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                relative = item["Key"][len(self.prefix):]
                name = relative.rsplit("/", 1)[-1]
                if not _SHA256_RE.fullmatch(name) or relative != f"{name[:2]}/{name[2:4]}/{name}":
                    continue
                if cutoff is None or item["LastModified"].timestamp() < cutoff:
                    yield name

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        with tempfile.TemporaryDirectory(prefix="ttdn-blob-", dir=_spool_dir()) as tmp:
            path = Path(tmp) / sha256
            with self.open(sha256) as source, path.open("wb") as out:
                while chunk := source.read(_CHUNK):
                    out.write(chunk)
            yield path


def _spool_dir() -> str:
    staging = Path(getattr(settings, "UPLOAD_STAGING_DIR", "") or tempfile.gettempdir())
    staging.mkdir(parents=True, exist_ok=True)
    return str(staging)


class _S3Reader(io.RawIOBase):
    """An object read as a file: one streamed GET from the current position, a new one after a seek."""

    def __init__(self, store: S3BlobStore, key: str, size: int) -> None:
        super().__init__()
        self.store, self.key, self.length = store, key, size
        self.name = f"{store.url}/{key}"
        self._pos = 0
        self._body: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.length}[whence]
        position = base + offset
        if position < 0:
            raise ValueError("negative seek position")
        if position != self._pos:
            self._drop_body()
            self._pos = position
        return self._pos

    def readinto(self, buffer: Any) -> int:
        if self._pos >= self.length or len(buffer) == 0:
            return 0
        if self._body is None:
            self._body = self.store.client.get_object(
                Bucket=self.store.bucket, Key=self.key, Range=f"bytes={self._pos}-{self.length - 1}")["Body"]
        data = self._body.read(len(buffer))
        if not data:
            raise OSError(f"{self.name}: the object ended at {self._pos} of {self.length} bytes")
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def _drop_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        self._drop_body()
        super().close()
