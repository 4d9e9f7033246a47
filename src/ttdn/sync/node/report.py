"""What a node tells the hub at each contact (over the network, or in a return bundle): its position, disk,
version, the formats it reads, unsent display counts and bundle acknowledgements."""

from __future__ import annotations

import shutil
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from ttdn import __version__
from ttdn.sync.models import ImportedBundle, LocalCount, NodeState
from ttdn.sync.transport import bundle, wire


def node_report() -> dict[str, Any]:
    """What the node tells the hub at each contact: state, disk, version, formats and unsent counts."""
    state = NodeState.objects.first()
    usage = shutil.disk_usage(settings.DATA_DIR)
    counts = [
        {"day": c.day.isoformat(), "uid": str(c.item_uid), "kind": c.kind, "count": c.count}
        for c in LocalCount.objects.filter(count__gt=F("sent_count"))[:50_000]
    ]
    acks = [{"bundle_id": b.bundle_id, "status": b.status, "applied_seq": b.applied_seq}
            for b in ImportedBundle.objects.filter(acked=False)]
    from ttdn.points import uplink as points_uplink

    return {
        "applied_seq": state.applied_seq if state else 0, "epoch": state.epoch if state else 0,
        "version": __version__, "free_disk": usage.free, "counts": counts, "acks": acks,
        # The hub writes this node's USB bundles in these (the network negotiates per request, FORMATS_HEADER).
        "formats": {"batch": list(wire.FORMATS), "bundle": list(bundle.FORMATS)},
        "points": points_uplink.report(),
    }


def do_mark_reported(report: dict[str, Any]) -> None:
    """The hub has the counts and acks of this report: do not send them again."""
    with transaction.atomic():
        for row in report.get("counts", []):
            LocalCount.objects.filter(day=row["day"], item_uid=row["uid"], kind=row["kind"],
                                      sent_count__lt=row["count"]).update(sent_count=row["count"])
        ids = [a["bundle_id"] for a in report.get("acks", [])]
        if ids:
            ImportedBundle.objects.filter(bundle_id__in=ids).update(acked=True)
        from ttdn.points import uplink as points_uplink

        points_uplink.mark_reported(report.get("points") or {})
