"""The signed bundle file that carries sync on a USB stick: hub → node (batches and file chunks) and node → hub
(the node's report). This module writes, verifies and reads the file only; the hub's side fills and reads it
(`sync.hub.bundles`), the node's side applies and answers it (`sync.node.bundles`), and the operations that
change state, check who may run them and audit them are their services.

A bundle is an ordinary tar file (`tar tf` lists it) written canonically: `manifest.json`, `manifest.sig`, then
the members the manifest names, in its order, each with the SHA-256 the manifest gives. Reading checks every
byte before anything is applied: each header must be exactly the canonical one, padding and the end of the
archive must be zeros, the manifest's Ed25519 signature must verify, every member must hash right. So a bundle
with any single flipped bit, or one signed by another key, is refused.

Formats: the manifest names its bundle format. A node reports the formats it reads (`FORMATS`, in its report
at every contact and in its return bundles) and the hub writes a node's bundle in the newest of those it writes
(`negotiate`); a bundle in a format the reader does not know is refused whole, before its signature is even
read (`FormatUnsupported`), with a message in Vietnamese and English.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from ttdn.core.errors import ServiceError
from ttdn.sync.transport import keys, wire

# Bundle formats this version reads and writes; the newest is written when the reader is not known.
FORMATS = (1,)
FORMAT = max(FORMATS)
BLOCK = 512
RECORD = 20 * BLOCK
MAX_MANIFEST = 64 * 1024 * 1024
MAX_MEMBER = 1024 * 1024 * 1024


class BundleRejected(ServiceError):
    def __init__(self, reason: str) -> None:
        super().__init__("bundle_rejected", _("This bundle is damaged or not signed by the expected key; nothing "
                                              "was applied. (%(reason)s)") % {"reason": reason}, reason=reason)


def _header(name: str, size: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode, info.uid, info.gid, info.uname, info.gname = size, 0, 0o644, 0, 0, "", ""
    return info.tobuf(tarfile.USTAR_FORMAT, "utf-8", "strict")


class _Writer:
    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.written = 0

    def add(self, name: str, data: bytes) -> None:
        self.fh.write(_header(name, len(data)))
        self.fh.write(data)
        self.fh.write(b"\0" * (-len(data) % BLOCK))
        self.written += BLOCK + len(data) + (-len(data) % BLOCK)

    def close(self) -> None:
        end = 2 * BLOCK
        end += -(self.written + end) % RECORD
        self.fh.write(b"\0" * end)


class FormatUnsupported(ServiceError):
    """A bundle (or a node) in a format this end does not read: say which, and who should upgrade."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__("bundle_format_unsupported", message, status=409, **details)


def negotiate(readers: dict[str, list[int] | None]) -> int:
    """The format to write a bundle in for these readers (a name → the bundle formats it last reported, None or
    empty when it never reported any: such a node predates the reporting and reads format 1)."""
    common = set(FORMATS)
    for name, readable in readers.items():
        known = set(readable or [1])
        if not known & set(FORMATS):
            raise FormatUnsupported(wire.both(_(
                "Node %(node)s reads bundle formats %(node_formats)s; this hub writes %(hub_formats)s. Upgrade the "
                "hub, or leave that node out of this bundle."), {
                "node": name, "node_formats": ",".join(map(str, sorted(known))),
                "hub_formats": ",".join(map(str, FORMATS))}), node=name)
        common &= known
    if not common:
        raise FormatUnsupported(wire.both(_("These nodes read no bundle format in common: make one bundle per node.")))
    return max(common)


def write(path: Path, manifest: dict[str, Any], key: Any, members: list[tuple[str, Callable[[], bytes]]]) -> Path:
    """Write atomically: a half-written bundle never carries the final name."""
    raw = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode()
    fd, tmp = tempfile.mkstemp(prefix=".bundle-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            writer = _Writer(fh)
            writer.add("manifest.json", raw)
            writer.add("manifest.sig", keys.sign(key, raw).encode())
            for name, produce in members:
                writer.add(name, produce())
            writer.close()
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@dataclass
class Verified:
    path: Path
    manifest: dict[str, Any]
    offsets: dict[str, tuple[int, int]] = field(default_factory=dict)  # member → (offset, size)

    def read(self, name: str) -> bytes:
        offset, size = self.offsets[name]
        with self.path.open("rb") as fh:
            fh.seek(offset)
            data = fh.read(size)
        expected = next(m[2] for m in self.manifest["members"] if m[0] == name)
        if hashlib.sha256(data).hexdigest() != expected:  # changed since it was verified
            raise BundleRejected(f"{name} changed on the medium")
        return data


def verify(path: Path, public_key: Callable[[dict[str, Any]], str]) -> Verified:
    """Check every byte of the bundle; `public_key(manifest)` names the key that must have signed it."""
    try:
        size = path.stat().st_size
        fh = path.open("rb")
    except OSError as exc:
        raise BundleRejected(f"cannot read: {exc}") from exc
    with fh:
        pos = 0

        def member(name: str | None, expected_size: int | None, limit: int) -> tuple[str, int, int]:
            nonlocal pos
            header = fh.read(BLOCK)
            try:
                info = tarfile.TarInfo.frombuf(header, "utf-8", "strict")
            except (tarfile.TarError, UnicodeError, ValueError) as exc:
                raise BundleRejected(f"bad header at byte {pos}") from exc
            if name is not None and info.name != name:
                raise BundleRejected(f"expected {name} at byte {pos}")
            if (expected_size is not None and info.size != expected_size) or info.size > limit:
                raise BundleRejected(f"{info.name}: unexpected size")
            if header != _header(info.name, info.size):
                raise BundleRejected(f"{info.name}: header is not canonical")
            offset = pos + BLOCK
            pos = offset + info.size + (-info.size % BLOCK)
            if pos > size:
                raise BundleRejected("truncated")
            return info.name, offset, info.size

        def data_of(offset: int, length: int) -> bytes:
            fh.seek(offset)
            data = fh.read(length)
            padding = fh.read(-length % BLOCK)
            if padding.strip(b"\0"):
                raise BundleRejected("non-zero padding")
            return data

        _n, m_off, m_size = member("manifest.json", None, MAX_MANIFEST)
        raw = data_of(m_off, m_size)
        _n, s_off, s_size = member("manifest.sig", None, 1024)
        signature = data_of(s_off, s_size)
        try:
            manifest = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BundleRejected("manifest is not JSON") from exc
        if not isinstance(manifest, dict) or not isinstance(manifest.get("format"), int):
            raise BundleRejected("unknown bundle format")
        if manifest["format"] not in FORMATS:  # made by a newer (or much older) version: say so, not "damaged"
            raise FormatUnsupported(wire.both(_(
                "This bundle is in format %(format)d, which this version does not read (it reads %(readable)s); "
                "nothing was applied. Ask for a bundle made after this box last reported, or upgrade it."),
                {"format": manifest["format"], "readable": ",".join(map(str, FORMATS))}),
                format=manifest["format"])
        key = public_key(manifest)
        if not keys.verify(key, raw, signature.decode(errors="replace")):
            raise BundleRejected("signature does not verify")
        verified = Verified(path, manifest)
        for name, length, sha in manifest.get("members", []):
            _n, offset, got = member(name, int(length), MAX_MEMBER)
            digest = hashlib.sha256()
            fh.seek(offset)
            left = got
            while left:
                piece = fh.read(min(left, 1024 * 1024))
                if not piece:
                    raise BundleRejected("truncated")
                digest.update(piece)
                left -= len(piece)
            if digest.hexdigest() != sha:
                raise BundleRejected(f"{name} does not match its digest")
            if fh.read(-got % BLOCK).strip(b"\0"):
                raise BundleRejected("non-zero padding")
            verified.offsets[name] = (offset, got)
        fh.seek(pos)
        tail = fh.read()
        if tail.strip(b"\0") or len(tail) < 2 * BLOCK or size % RECORD or len(tail) >= 2 * BLOCK + RECORD:
            raise BundleRejected("unexpected bytes after the last member")
    return verified


