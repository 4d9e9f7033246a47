"""The content-addressed blob store: every stored file (and thumbnail) once, under BLOB_DIR/ab/cd/<sha256>,
written atomically and verified against its digest. Nothing else: a node's sync needs only this, without
the PDF, image and media libraries the upload checks use (`files`).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from django.conf import settings

__all__ = ["blob_path", "open_blob", "store_blob", "store_bytes", "store_pieces"]

_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024



def _check_sha256(sha256: str) -> str:
    # Only 64 lowercase hex digits reach the filesystem: nothing like "../" can slip through.
    if not isinstance(sha256, str) or not _SHA256_RE.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


def blob_path(sha256: str) -> Path:
    """Where the blob with this digest lives: BLOB_DIR/ab/cd/abcd…"""
    _check_sha256(sha256)
    return Path(settings.BLOB_DIR) / sha256[:2] / sha256[2:4] / sha256


def open_blob(sha256: str) -> IO[bytes]:
    """The stored bytes, for reading. Raises FileNotFoundError when the blob is missing."""
    return blob_path(sha256).open("rb")


def store_blob(path: Path, sha256: str) -> Path:
    """Store the file at `path` under its digest (checked while copying); a no-op if already stored."""
    destination = blob_path(sha256)
    if destination.exists():
        return destination

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                yield chunk

    _write_atomically(destination, chunks(), sha256)
    return destination


def store_bytes(data: bytes) -> str:
    """Store `data` (a thumbnail, say) under its digest and return the digest."""
    sha256 = hashlib.sha256(data).hexdigest()
    destination = blob_path(sha256)
    if not destination.exists():
        _write_atomically(destination, [data], sha256)
    return sha256


def store_pieces(sha256: str, pieces: Iterable[bytes]) -> None:
    """Store a blob arriving in pieces (chunks from a hub) under its digest, verified before it is visible."""
    _write_atomically(blob_path(sha256), pieces, sha256)


def _write_atomically(destination: Path, chunks: Iterable[bytes], sha256: str) -> None:
    """Temp file beside the target, fsync, rename: readers see the whole blob or nothing.

    The shard directories (ab/cd) are shared by many blobs and are left in place on failure.
    """
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


def _fsync_dir(directory: Path) -> None:
    # The rename is only durable once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
