"""Signed bundles for sites without a link: hub → node (records and chunks) and node → hub (the return bundle).

This module writes, verifies and reads bundles; the operations that change state, check who may run them and
audit them are `sync.services.do_export_bundle`, `do_import_bundle` and `do_import_return_bundle`.

A bundle is an ordinary tar file (`tar tf` lists it) written canonically: `manifest.json`, `manifest.sig`, then
the members the manifest names, in its order, each with the SHA-256 the manifest gives. Reading checks every
byte before anything is applied: each header must be exactly the canonical one, padding and the end of the
archive must be zeros, the manifest's Ed25519 signature must verify, every member must hash right. So a bundle
with any single flipped bit, or one signed by another key, is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import zstandard
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.content import changes
from ttdn.core.errors import ServiceError
from ttdn.sync import apply, chunking, feed, keys
from ttdn.sync.models import EdgeNode, NodeState

FORMAT = 1
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


def _write(path: Path, manifest: dict[str, Any], key: Any, members: list[tuple[str, Callable[[], bytes]]]) -> Path:
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
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BundleRejected("unknown bundle format")
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


# --------------------------------------------------------------------------------------- hub → node


@dataclass
class HubBundle:
    path: Path
    bundle_id: str
    nodes: dict[str, Any]  # node uid → its member, feed range, epoch, snapshot
    chunks: int


def write_hub_bundle(nodes: list[EdgeNode], out: Path, *, full: bool = False) -> HubBundle:
    """A bundle for these nodes: each gets the feed after the position it last reported (everything, with the
    list of what it should hold, when its targeting changed or `full`), and the chunks of the files."""
    bundle_id = uuid.uuid4().hex
    hub_public = keys.public_hex(keys.hub_key())
    members: list[tuple[str, Callable[[], bytes]]] = []
    entries: dict[str, Any] = {}
    chunk_sizes: dict[str, int] = {}
    for node in nodes:
        snapshot = full or node.reported_epoch != node.targeting_epoch
        after = 0 if snapshot else node.last_applied_seq
        batch = feed.feed_batch(node, after, limit=10**9)
        batch["kind"] = "bundle"
        batch["bundle_id"] = bundle_id
        if snapshot:
            batch["targeted"] = feed.targeted_versions(node)
        payload = zstandard.ZstdCompressor(level=9).compress(json.dumps(batch, ensure_ascii=False).encode())
        name = f"batch-{node.uid}.json.zst"
        members.append((name, _constant(payload)))
        entries[str(node.uid)] = {"member": name, "from": batch["from"], "to": batch["to"],
                                  "epoch": batch["epoch"], "snapshot": snapshot}
        for spec in batch["files"].values():
            for sha, length in spec["chunks"]:
                chunk_sizes[sha] = int(length)

    def chunk(sha: str) -> Callable[[], bytes]:
        def produce() -> bytes:
            data = chunking.read_chunk(sha)
            if data is None:
                raise ServiceError("missing_chunk", _("A stored file is missing on the hub: %(sha)s.") % {"sha": sha})
            return data
        return produce

    listing: list[list[Any]] = []
    for name, produce in members:
        data = produce()
        listing.append([name, len(data), hashlib.sha256(data).hexdigest()])
    for sha in sorted(chunk_sizes):
        listing.append([f"chunks/{sha}", chunk_sizes[sha], sha])
        members.append((f"chunks/{sha}", chunk(sha)))
    manifest = {
        "format": FORMAT, "kind": "hub-bundle", "bundle_id": bundle_id, "created_at": timezone.now().isoformat(),
        "hub_key_id": keys.key_id(hub_public), "nodes": entries, "members": listing,
    }
    if out.is_dir():
        out = out / f"ttdn-{timezone.localdate():%Y%m%d}-{bundle_id[:8]}.tar"
    _write(out, manifest, keys.hub_key(), members)
    return HubBundle(out, bundle_id, entries, len(chunk_sizes))


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


class BundleSource(apply.ChunkSource):
    def __init__(self, verified: Verified) -> None:
        self.verified = verified

    def fetch(self, shas: list[str], store: apply.ChunkStore) -> None:
        for sha in shas:
            name = f"chunks/{sha}"
            if name not in self.verified.offsets:
                raise BundleRejected(f"chunk {sha} is not in the bundle")
            store.put(sha, self.verified.read(name))


@dataclass
class ImportResult:
    status: str
    bundle_id: str
    stats: apply.ApplyStats
    return_path: Path | None = None
    message: str = ""


def apply_hub_bundle(path: Path) -> ImportResult:
    """On a node, under `apply.node_lock()`: verify everything, then apply through the same path as the network
    (its own transaction). The caller records the import and writes the return bundle.

    Safe twice or out of order: records never replace newer ones. A bundle that starts after this node's
    position (a bundle in between is missing) is refused without applying anything: applying it would move
    past withdrawals the node never saw.
    """
    state = apply.state()
    verified = verify(path, lambda manifest: state.hub_public_key)
    manifest = verified.manifest
    if manifest.get("kind") != "hub-bundle":
        raise BundleRejected("not a hub bundle")
    entry = manifest["nodes"].get(str(state.node_uid))
    if entry is None:
        raise ServiceError("bundle_not_for_node", _("This bundle holds nothing for this node."))
    bundle_id = str(manifest["bundle_id"])
    try:
        batch = json.loads(zstandard.ZstdDecompressor().decompress(
            verified.read(entry["member"]), max_output_size=feed.MAX_BATCH_BYTES))
    except (ValueError, zstandard.ZstdError) as exc:
        raise BundleRejected("batch cannot be read") from exc
    stats = apply.ApplyStats(cursor=state.applied_seq)
    if batch.get("node") != str(state.node_uid) or batch.get("bundle_id") != bundle_id:
        raise BundleRejected("batch does not belong to this manifest")
    if int(batch["from"]) > state.applied_seq and "targeted" not in batch:
        status = "gap"
        message = str(_("This bundle starts at change %(start)d but this node has only reached %(at)d: import "
                        "the earlier bundle first, or ask the hub for a new one.")
                      % {"start": int(batch["from"]), "at": state.applied_seq})
    else:
        if "targeted" in batch and int(batch["to"]) < state.applied_seq:
            del batch["targeted"]  # older than what the node holds: its list would drop newer material
        apply.apply_batch(batch, BundleSource(verified), stats=stats)
        changes.catch_up()
        status = "applied" if int(batch["to"]) > state.applied_seq or stats.records else "already_applied"
        message = ""
    apply.ChunkStore().clean()
    return ImportResult(status, bundle_id, stats, None, message)


# --------------------------------------------------------------------------------------- node → hub


def write_return_bundle(out: Path) -> Path:
    """Status, acknowledgements and display counts, signed by this node's key."""
    from ttdn.sync import services

    state = NodeState.objects.get()
    report = services.node_report()
    return_id = uuid.uuid4().hex
    manifest: dict[str, Any] = {"format": FORMAT, "kind": "return-bundle", "bundle_id": return_id,
                "node": str(state.node_uid), "created_at": timezone.now().isoformat(), "report": report,
                "members": []}
    if out.is_dir():
        out = out / f"ttdn-return-{state.site_code}-{timezone.localdate():%Y%m%d}-{return_id[:8]}.tar"
    _write(out, manifest, keys.node_key(), [])
    # Counts are absolute per day, so the hub takes the newest; what went out need not go again.
    services.do_mark_reported(report)
    return out


def read_return_bundle(path: Path) -> tuple[EdgeNode, dict[str, Any]]:
    """On the hub: verify a node's return bundle with that node's key; (the node, its report)."""
    found: dict[str, EdgeNode] = {}

    def key_of(manifest: dict[str, Any]) -> str:
        try:
            node = EdgeNode.objects.select_related("site").get(uid=uuid.UUID(str(manifest.get("node"))))
        except (ValueError, EdgeNode.DoesNotExist):
            raise BundleRejected("unknown node") from None
        found["node"] = node
        return node.public_key

    verified = verify(path, key_of)
    node = found["node"]
    if verified.manifest.get("kind") != "return-bundle":
        raise BundleRejected("not a return bundle")
    return node, verified.manifest.get("report", {})

