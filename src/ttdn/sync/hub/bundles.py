"""The hub's bundles: what it writes for nodes without a link, and how it reads their return bundles. The file
format is `sync.transport.bundle`; the audited operations are `sync.hub.services.do_export_bundle` and
`do_import_return_bundle`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zstandard
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.core.errors import ServiceError
from ttdn.sync.hub import chunking, feed
from ttdn.sync.models import EdgeNode
from ttdn.sync.transport import bundle, keys, wire


@dataclass
class HubBundle:
    path: Path
    bundle_id: str
    nodes: dict[str, Any]  # node uid → its member, feed range, epoch, snapshot
    chunks: int


def write_hub_bundle(nodes: list[EdgeNode], out: Path, *, full: bool = False) -> HubBundle:
    """A bundle for these nodes: each gets the feed after the position it last reported (everything, with the
    list of what it should hold, when its targeting changed or `full`), and the chunks of the files."""
    # In a format every one of these nodes reads (from its last report), else refused before anything is written.
    bundle_format = bundle.negotiate({str(node.uid): node.formats.get("bundle") for node in nodes})
    for node in nodes:
        wire.served_format(",".join(map(str, node.formats.get("batch") or [])))
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
        "format": bundle_format, "kind": "hub-bundle", "bundle_id": bundle_id, "created_at": timezone.now().isoformat(),
        "hub_key_id": keys.key_id(hub_public), "nodes": entries, "members": listing,
    }
    if out.is_dir():
        out = out / f"ttdn-{timezone.localdate():%Y%m%d}-{bundle_id[:8]}.tar"
    bundle.write(out, manifest, keys.hub_key(), members)
    return HubBundle(out, bundle_id, entries, len(chunk_sizes))


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def read_return_bundle(path: Path) -> tuple[EdgeNode, dict[str, Any]]:
    """On the hub: verify a node's return bundle with that node's key; (the node, its report)."""
    found: dict[str, EdgeNode] = {}

    def key_of(manifest: dict[str, Any]) -> str:
        try:
            node = EdgeNode.objects.select_related("site").get(uid=uuid.UUID(str(manifest.get("node"))))
        except (ValueError, EdgeNode.DoesNotExist):
            raise bundle.BundleRejected("unknown node") from None
        found["node"] = node
        return node.public_key

    verified = bundle.verify(path, key_of)
    node = found["node"]
    if verified.manifest.get("kind") != "return-bundle":
        raise bundle.BundleRejected("not a return bundle")
    return node, verified.manifest.get("report", {})

