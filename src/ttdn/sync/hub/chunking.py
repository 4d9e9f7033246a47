"""Content-defined chunks of stored files (FastCDC: 16 / 64 / 256 KiB), named by their SHA-256.

A revised file shares most chunks with its previous version, so a node fetches only the chunks it lacks.
Chunk lists are computed once per file on the hub and kept (FileChunks, ChunkLocation).
"""

from __future__ import annotations

import hashlib
import mmap
from pathlib import Path

from django.db import IntegrityError, transaction
from fastcdc import fastcdc_cy

from ttdn.content.files import blobs as files  # the blob store only: no PDF or media libraries on a node
from ttdn.sync.models import ChunkLocation, FileChunks

MIN_CHUNK = 16 * 1024
AVG_CHUNK = 64 * 1024
MAX_CHUNK = 256 * 1024

ChunkList = list[list[object]]  # [[sha256 hex, length], …]


def chunk_file(path: Path) -> list[tuple[str, int, int]]:
    """(sha256, offset, length) of each chunk of the file, in order."""
    size = path.stat().st_size
    if size == 0:
        return []
    out: list[tuple[str, int, int]] = []
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        view = memoryview(data)
        try:
            for chunk in fastcdc_cy.fastcdc_cy(data, MIN_CHUNK, AVG_CHUNK, MAX_CHUNK):
                start, length = int(chunk.offset), int(chunk.length)
                out.append((hashlib.sha256(view[start:start + length]).hexdigest(), start, length))
        finally:
            view.release()
    return out


def chunks_of(sha256: str) -> FileChunks:
    """The chunk list of a stored file, computed and kept the first time it is asked for."""
    known = FileChunks.objects.filter(sha256=sha256).first()
    if known is not None:
        return known
    with files.local_copy(sha256) as path:  # the blob itself, or a temporary copy from an object store
        pieces = chunk_file(path)
        size = path.stat().st_size
    record = FileChunks(sha256=sha256, size=size, chunks=[[sha, length] for sha, _o, length in pieces])
    try:
        with transaction.atomic():
            record.save()
            ChunkLocation.objects.bulk_create(
                [ChunkLocation(chunk_sha256=sha, file_sha256=sha256, offset=offset, length=length)
                 for sha, offset, length in pieces],
                ignore_conflicts=True,
            )
    except IntegrityError:
        # Another request chunked the same file at the same moment: theirs is identical.
        return FileChunks.objects.get(sha256=sha256)
    return record


def read_chunk(chunk_sha256: str) -> bytes | None:
    """A chunk's bytes from any stored file that holds it, checked against its name; None if unknown."""
    for loc in ChunkLocation.objects.filter(chunk_sha256=chunk_sha256)[:4]:
        try:
            with files.open_blob(loc.file_sha256) as fh:
                fh.seek(loc.offset)
                data = fh.read(loc.length)
        except (FileNotFoundError, ValueError):
            continue
        if hashlib.sha256(data).hexdigest() == chunk_sha256:
            return data
    return None
