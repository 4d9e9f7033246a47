"""Where a backup repository's files live: a directory (a mounted disk, a USB stick, a network share) or a bucket of
any S3-compatible object store (Ceph's RADOS gateway, MinIO, a provider's), named `s3://bucket/prefix`.

The repository writes through this small interface only, so both hold the same layout. Every write is whole or
absent: a temporary file renamed into place on a disk; on S3 a single PUT (or a multipart upload completed only after
its last part), which the store makes visible at once and entire. S3 connection settings come from the standard AWS
variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`) and `TTDN_BACKUP_S3_ENDPOINT`, the
address of a store that is not Amazon's.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

from django.utils.translation import gettext_lazy as _

from ttdn.content.files.blobs import s3_client
from ttdn.core.errors import ServiceError

CHUNK = 1024 * 1024
S3_ENDPOINT_ENV = "TTDN_BACKUP_S3_ENDPOINT"
T = TypeVar("T")


class Store(Protocol):
    def describe(self) -> str: ...

    def size(self, key: str) -> int | None:
        """The stored size, None when there is no such file."""

    def read(self, key: str) -> Iterator[bytes]:
        """The file's bytes in chunks; FileNotFoundError when there is no such file."""

    def write(self, key: str, chunks: Iterable[bytes], expect: str | None = None) -> tuple[str, int]:
        """Write whole or not at all; (SHA-256, size) of what was written, refused if it is not `expect`."""

    def keys(self, prefix: str) -> Iterator[str]:
        """Every key under the prefix (no order promised)."""

    def delete(self, key: str) -> None: ...


def open_store(location: str | Path) -> Store:
    text = str(location)
    if text.startswith("s3://"):
        return S3Store(text)
    return LocalStore(Path(location))


def is_remote(location: str | Path) -> bool:
    return str(location).startswith("s3://")


def changed_error(expect: str) -> ServiceError:
    return ServiceError("backup.changed",
                        _("A stored file changed while it was being copied (%(sha)s).") % {"sha": expect})


# ------------------------------------------------------------------------------------------------ a directory


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def path(self, key: str) -> Path:
        return self.root / key

    def size(self, key: str) -> int | None:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return None

    def read(self, key: str) -> Iterator[bytes]:
        with self.path(key).open("rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk

    def write(self, key: str, chunks: Iterable[bytes], expect: str | None = None) -> tuple[str, int]:
        with disk_errors(self.root):
            return write_atomically(self.path(key), chunks, expect)

    def keys(self, prefix: str) -> Iterator[str]:
        base = self.root / prefix
        if not base.exists():
            return
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                if not name.startswith(".tmp-"):
                    yield (Path(dirpath) / name).relative_to(self.root).as_posix()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


@contextmanager
def disk_errors(where: Path, *, restoring: bool = False) -> Iterator[None]:
    """A full disk is the operator's to fix, not a crash: say which disk (the partial file is already gone)."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            if restoring:
                message = _("The disk holding %(path)s is full: the snapshot does not fit. Restore onto a larger "
                            "disk, into a new empty database.")
            else:
                message = _("The disk holding %(path)s is full: free some space (or prune old snapshots) and run "
                            "the backup again.")
            raise ServiceError("backup.disk_full", message % {"path": str(where)}) from exc
        raise


def write_atomically(path: Path, chunks: Iterable[bytes], expect: str | None = None) -> tuple[str, int]:
    """Temp file beside the target, fsync, rename; the hash of what was written (checked against `expect`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            digest, size = _copy(chunks, out)
            out.flush()
            os.fsync(out.fileno())
        if expect is not None and digest != expect:
            raise changed_error(expect)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return digest, size


def _copy(chunks: Iterable[bytes], out: Any) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
        out.write(chunk)
    return digest.hexdigest(), size


# ------------------------------------------------------------------------------------------------ S3


class S3Store:
    """`s3://bucket/prefix` on any S3-compatible server. The bucket must exist (the operator creates it, with its
    own access policy and, for an off-site copy, on another site)."""

    def __init__(self, url: str) -> None:
        rest = url[len("s3://"):]
        bucket, _slash, prefix = rest.partition("/")
        if not bucket:
            raise ServiceError("backup.s3_url", _("Name the bucket: s3://bucket/prefix."))
        self.url = url
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._client: Any = None

    def describe(self) -> str:
        return self.url

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = s3_client(os.environ.get(S3_ENDPOINT_ENV))
        return self._client

    def _call(self, action: Callable[[], T]) -> T:
        with self._errors():
            return action()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise FileNotFoundError(self.url) from exc
            if code == "NoSuchBucket":
                raise ServiceError("backup.s3_no_bucket", _("The bucket %(bucket)s does not exist on the S3 storage.")
                                   % {"bucket": self.bucket}) from exc
            if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
                raise ServiceError("backup.s3_denied", _("The S3 storage refused the credentials (%(code)s): check "
                                                         "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
                                   % {"code": code}) from exc
            raise ServiceError("backup.s3", _("The S3 storage answered with an error: %(error)s")
                               % {"error": code or str(exc)[:200]}) from exc
        except BotoCoreError as exc:
            raise ServiceError("backup.s3_unreachable", _("The S3 storage could not be reached: %(error)s")
                               % {"error": str(exc)[:200]}) from exc

    def _key(self, key: str) -> str:
        return self.prefix + key

    def size(self, key: str) -> int | None:
        try:
            head = self._call(lambda: self.client.head_object(Bucket=self.bucket, Key=self._key(key)))
        except FileNotFoundError:
            return None
        return int(head["ContentLength"])

    def read(self, key: str) -> Iterator[bytes]:
        body = self._call(lambda: self.client.get_object(Bucket=self.bucket, Key=self._key(key)))["Body"]
        with self._errors():
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

    def write(self, key: str, chunks: Iterable[bytes], expect: str | None = None) -> tuple[str, int]:
        # Spooled to a local file first: the hash is checked before anything is sent, and the upload (multipart past
        # 8 MiB) can retry a part without asking the source again.
        with disk_errors(Path(tempfile.gettempdir())), tempfile.TemporaryFile(prefix="ttdn-s3-") as spool:
            digest, size = _copy(chunks, spool)
            if expect is not None and digest != expect:
                raise changed_error(expect)
            spool.seek(0)
            self._call(lambda: self.client.upload_fileobj(spool, self.bucket, self._key(key)))
        return digest, size

    def keys(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        with self._errors():
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix)):
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.prefix):]

    def delete(self, key: str) -> None:
        self._call(lambda: self.client.delete_object(Bucket=self.bucket, Key=self._key(key)))
