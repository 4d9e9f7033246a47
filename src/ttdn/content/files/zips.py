"""The one way a ZIP container (DOCX, XLSX, and any later ZIP-based import) is opened: every member is
inflated once, in chunks, counting the bytes that actually come out, before anything else reads it.

Python's `zipfile` trusts each member's declared size: `ZipFile.read()` inflates the whole stream in one
call and only then cuts it to the declared size, so a member declaring 1,000 bytes that inflates to 1 GiB
costs 1 GiB of memory before the CRC check fails. `check_zip` never holds more than one chunk, stops as
soon as a member gives more than it declared (or the archive more than the cap), and checks each CRC.
Once it has passed, every declared size is the true size, so later readers (python-docx, openpyxl) are
bounded by the declared total, which is capped.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = ["ZipLimits", "ZipProblem", "check_zip", "open_zip", "read_member"]

MAX_MEMBERS = 10_000
MAX_TOTAL = 300 * 1024 * 1024  # inflated bytes over the whole archive
MAX_RATIO = 100
RATIO_MIN_SIZE = 1024 * 1024  # a part smaller than this may compress very well (repetitive XML)
# XML is parsed into a tree many times its size: a 1,000-page Word document's body is some 20 MB.
MAX_XML_MEMBER = 64 * 1024 * 1024

_CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


@dataclass(frozen=True, slots=True)
class ZipLimits:
    max_members: int = MAX_MEMBERS
    max_total: int = MAX_TOTAL
    max_ratio: int = MAX_RATIO
    ratio_min_size: int = RATIO_MIN_SIZE
    max_xml_member: int = MAX_XML_MEMBER


class ZipProblem(Exception):
    """Why an archive was refused. `kind` is one of: "members" (too many parts), "total" (expands past the
    cap, or one XML part past its own), "ratio" (a part compressed like a bomb), "encrypted", "malformed"
    (damaged, lying or unsupported). Each reader turns it into its own message."""

    def __init__(self, kind: str, detail: str, *, limits: ZipLimits | None = None, count: int = 0) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.limits = limits or ZipLimits()
        self.count = count

    @property
    def is_bomb(self) -> bool:
        return self.kind in ("members", "total", "ratio")


def check_zip(source: Path | IO[bytes], limits: ZipLimits | None = None) -> list[zipfile.ZipInfo]:
    """Check the archive's directory and inflate every member (never more than a chunk held); raise
    ZipProblem on the first breach. Returns the members."""
    limits = limits or ZipLimits()
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
            _check_directory(entries, limits)
            fh = archive.fp
            assert fh is not None
            total = 0
            for entry in entries:
                total += _inflate_member(fh, entry, limits.max_total - total)
    except ZipProblem:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
            struct.error, RuntimeError, NotImplementedError) as exc:
        raise ZipProblem("malformed", f"{type(exc).__name__}: {exc}", limits=limits) from exc
    return entries


def open_zip(source: Path | IO[bytes], limits: ZipLimits | None = None) -> zipfile.ZipFile:
    """A ZipFile of a checked archive: its declared sizes are true, so reading it costs at most the cap."""
    check_zip(source, limits)
    if not isinstance(source, Path):
        source.seek(0)
    return zipfile.ZipFile(source)


def read_member(archive: zipfile.ZipFile, member: str, limit: int) -> bytes:
    """A member's bytes, read in chunks and refused past `limit` whatever its header says."""
    out = bytearray()
    try:
        with archive.open(member) as fh:
            while chunk := fh.read(_CHUNK):
                out += chunk
                if len(out) > limit:
                    raise ZipProblem("malformed", f"{member} is larger than {limit} bytes")
    except KeyError as exc:
        raise ZipProblem("malformed", f"no member {member}") from exc
    return bytes(out)


def _check_directory(entries: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if len(entries) > limits.max_members:
        raise ZipProblem("members", f"{len(entries)} members", limits=limits, count=len(entries))
    if sum(e.file_size for e in entries) > limits.max_total:
        raise ZipProblem("total", "declared sizes past the cap", limits=limits)
    for entry in entries:
        if entry.filename.lower().endswith((".xml", ".rels")) and entry.file_size > limits.max_xml_member:
            raise ZipProblem("total", f"{entry.filename}: {entry.file_size} bytes of XML", limits=limits)
        if entry.flag_bits & 0x1:
            raise ZipProblem("encrypted", entry.filename, limits=limits)
        if entry.file_size >= limits.ratio_min_size and entry.file_size > limits.max_ratio * max(
            entry.compress_size, 1
        ):
            raise ZipProblem("ratio", entry.filename, limits=limits)
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Office and every format we read use only these two; others are needless attack surface.
            raise ZipProblem("malformed", f"{entry.filename}: compression method {entry.compress_type}")


def _inflate_member(fh: IO[bytes], entry: zipfile.ZipInfo, room: int) -> int:
    """Inflate one member from its raw bytes; return its true size. Stops past its declared size or `room`."""
    fh.seek(entry.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        raise ZipProblem("malformed", f"{entry.filename}: truncated local header")
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != b"PK\x03\x04":
        raise ZipProblem("malformed", f"{entry.filename}: bad local header")
    fh.seek(fields[9] + fields[10], 1)  # the name and extra field, as zipfile skips them
    left = entry.compress_size
    inflater = zlib.decompressobj(-15) if entry.compress_type == zipfile.ZIP_DEFLATED else None
    produced = 0
    crc = 0
    cap = min(entry.file_size, room)

    def take(data: bytes) -> None:
        nonlocal produced, crc
        produced += len(data)
        if produced > cap:
            kind = "total" if produced > room else "malformed"
            raise ZipProblem(kind, f"{entry.filename}: inflates past its declared {entry.file_size} bytes")
        crc = zlib.crc32(data, crc)

    pending = b""
    while left > 0 or pending:
        if not pending:
            pending = fh.read(min(_CHUNK, left))
            if not pending:
                raise ZipProblem("malformed", f"{entry.filename}: truncated data")
            left -= len(pending)
        if inflater is None:
            take(pending)
            pending = b""
            continue
        # max_length bounds what one call may produce: a 1 MB stream of zeros cannot become 1 GiB at once.
        take(inflater.decompress(pending, _CHUNK))
        pending = inflater.unconsumed_tail
        if inflater.eof:
            break
    if inflater is not None:
        if not inflater.eof:
            while not inflater.eof and (data := inflater.decompress(b"", _CHUNK)):
                take(data)
            if not inflater.eof:
                raise ZipProblem("malformed", f"{entry.filename}: deflate stream does not end")
    if produced != entry.file_size:
        raise ZipProblem("malformed", f"{entry.filename}: {produced} bytes, {entry.file_size} declared")
    if crc != entry.CRC:
        raise ZipProblem("malformed", f"{entry.filename}: bad CRC")
    return produced
