"""A node's bundles: applying a hub's bundle (through the same path as the network) and writing the return
bundle. The file format is `sync.transport.bundle`; the audited operation is `sync.node.services.do_import_bundle`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zstandard
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.content import changes
from ttdn.core.errors import ServiceError
from ttdn.sync.models import NodeState
from ttdn.sync.node import apply
from ttdn.sync.node.report import do_mark_reported, node_report
from ttdn.sync.transport import bundle, keys, wire


class BundleSource(apply.ChunkSource):
    def __init__(self, verified: bundle.Verified) -> None:
        self.verified = verified

    def fetch(self, shas: list[str], store: apply.ChunkStore) -> None:
        for sha in shas:
            name = f"chunks/{sha}"
            if name not in self.verified.offsets:
                raise bundle.BundleRejected(f"chunk {sha} is not in the bundle")
            store.put(sha, self.verified.read(name))


@dataclass
class ImportResult:
    status: str
    bundle_id: str
    stats: apply.ApplyStats
    return_path: Path | None = None
    message: str = ""
    bundle_format: int = bundle.FORMAT  # the hub reads it: the return bundle is written in it


def apply_hub_bundle(path: Path) -> ImportResult:
    """On a node, under `apply.node_lock()`: verify everything, then apply through the same path as the network
    (its own transaction). The caller records the import and writes the return bundle.

    Safe twice or out of order: records never replace newer ones. A bundle that starts after this node's
    position (a bundle in between is missing) is refused without applying anything: applying it would move
    past withdrawals the node never saw.
    """
    state = apply.state()
    verified = bundle.verify(path, lambda manifest: state.hub_public_key)
    manifest = verified.manifest
    if manifest.get("kind") != "hub-bundle":
        raise bundle.BundleRejected("not a hub bundle")
    entry = manifest["nodes"].get(str(state.node_uid))
    if entry is None:
        raise ServiceError("bundle_not_for_node", _("This bundle holds nothing for this node."))
    bundle_id = str(manifest["bundle_id"])
    try:
        batch = json.loads(zstandard.ZstdDecompressor().decompress(
            verified.read(entry["member"]), max_output_size=wire.MAX_BATCH_BYTES))
    except (ValueError, zstandard.ZstdError) as exc:
        raise bundle.BundleRejected("batch cannot be read") from exc
    stats = apply.ApplyStats(cursor=state.applied_seq)
    if batch.get("node") != str(state.node_uid) or batch.get("bundle_id") != bundle_id:
        raise bundle.BundleRejected("batch does not belong to this manifest")
    if batch.get("format") not in wire.FORMATS:  # a hub that did not ask this node's last report
        raise bundle.FormatUnsupported(wire.both(_(
            "This bundle holds changes in format %(format)s, which this version does not read (it reads "
            "%(readable)s); nothing was applied. Ask for a bundle made after this box last reported, or upgrade it."),
            {"format": batch.get("format"), "readable": ",".join(map(str, wire.FORMATS))}),
            format=batch.get("format"))
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
    return ImportResult(status, bundle_id, stats, None, message, int(manifest["format"]))


# --------------------------------------------------------------------------------------- node → hub


def write_return_bundle(out: Path, bundle_format: int = bundle.FORMAT) -> Path:
    """Status, acknowledgements and display counts, signed by this node's key, in `bundle_format` (that of the
    hub's bundle it answers, which the hub reads)."""
    state = NodeState.objects.get()
    report = node_report()
    return_id = uuid.uuid4().hex
    manifest: dict[str, Any] = {"format": bundle_format, "kind": "return-bundle", "bundle_id": return_id,
                "node": str(state.node_uid), "created_at": timezone.now().isoformat(), "report": report,
                "members": []}
    if out.is_dir():
        out = out / f"ttdn-return-{state.site_code}-{timezone.localdate():%Y%m%d}-{return_id[:8]}.tar"
    bundle.write(out, manifest, keys.node_key(), [])
    # Counts are absolute per day, so the hub takes the newest; what went out need not go again.
    do_mark_reported(report)
    return out


