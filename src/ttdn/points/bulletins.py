"""Bulletin classes from the hub to the nodes: the snapshot each batch carries (hub), its digest that the
node's wake poll compares (hub), and its application on the node, inside the batch's transaction (node).

A snapshot lists every hub bulletin on an item the node receives, live or cancelled within RETAIN: a node that
missed the cancellation (offline, an older bundle) still learns of it. Each entry carries the hub's change time;
the node applies an entry only when it is newer than the hub decision it already applied, so an old bundle
imported late never brings back a cancelled emergency.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from django.db.models import Q
from django.utils import timezone

from ttdn.core.audit import record
from ttdn.points.models import Bulletin, BulletinClass, HubBulletin
from ttdn.sync.hub import feed
from ttdn.sync.models import EdgeNode

RETAIN = dt.timedelta(days=30)
MAX_ENTRIES = 2000


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def snapshot_for(node: EdgeNode, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """On the hub: the bulletin classes of the items this node receives (a batch part)."""
    now = now or timezone.now()
    target = feed.target_of(node)
    rows = (HubBulletin.objects.filter(Q(cancelled_at__isnull=True) | Q(changed_at__gte=now - RETAIN))
            .select_related("item").prefetch_related("sites", "item__target_provinces")
            .order_by("-changed_at")[:MAX_ENTRIES])
    out: list[dict[str, Any]] = []
    for bulletin in rows:
        if not feed.wants(target, bulletin.item, now):
            continue  # the node does not hold the item (or no longer): nothing to class there
        site_ids = {site.pk for site in bulletin.sites.all()}
        # A bulletin narrowed to other sites is, for this node, cancelled (it may have been meant for it before).
        off = bulletin.cancelled_at is not None or bool(site_ids and node.site_id not in site_ids)
        out.append({"uid": str(bulletin.item.uid), "class": bulletin.bulletin_class, "until": _iso(bulletin.until),
                    "repeat": bulletin.repeat, "cancelled": off, "changed_at": _iso(bulletin.changed_at)})
    out.sort(key=lambda e: str(e["uid"]))
    return out


def digest_for(node: EdgeNode, now: dt.datetime | None = None) -> str:
    """On the hub: what the wake poll answers; it changes whenever the node's bulletins do."""
    data = json.dumps(snapshot_for(node, now), sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()


def _parse(entry: Any) -> dict[str, Any] | None:
    """One snapshot entry, or None when malformed (skipped: the rest of the batch must still land)."""
    try:
        uid = uuid.UUID(str(entry["uid"]))
        changed = dt.datetime.fromisoformat(str(entry["changed_at"]))
        until = dt.datetime.fromisoformat(entry["until"]) if entry.get("until") else None
        repeat = int(entry.get("repeat", 3))
    except (KeyError, TypeError, ValueError):
        return None
    if entry.get("class") not in BulletinClass.values or timezone.is_naive(changed):
        return None
    if until is not None and timezone.is_naive(until):
        return None
    return {"uid": uid, "class": entry["class"], "until": until, "repeat": max(1, min(repeat, 20)),
            "cancelled": bool(entry.get("cancelled")), "changed_at": changed}


def receive(batch: dict[str, Any]) -> None:
    """On the node, inside the batch's transaction: the hub's decisions win over the officer's older ones."""
    entries = batch.get("bulletins")
    if not isinstance(entries, list):
        return  # a hub without bulletins, or an older bundle format
    for raw in entries[:MAX_ENTRIES]:
        entry = _parse(raw)
        if entry is None:
            continue
        bulletin = Bulletin.objects.select_for_update().filter(item_uid=entry["uid"]).first()
        if bulletin is not None and bulletin.hub_changed_at is not None \
                and bulletin.hub_changed_at >= entry["changed_at"]:
            continue  # already applied, or an older decision than the one the node holds
        if bulletin is None:
            if entry["cancelled"]:
                continue  # nothing to cancel here
            bulletin = Bulletin(item_uid=entry["uid"])
        bulletin.bulletin_class = entry["class"]
        bulletin.until = entry["until"]
        bulletin.repeat = entry["repeat"]
        bulletin.cancelled_at = entry["changed_at"] if entry["cancelled"] else None
        bulletin.hub_changed_at = entry["changed_at"]
        bulletin.set_at = entry["changed_at"]
        bulletin.set_by = None
        bulletin.save()
        record(None, "points.bulletin_from_hub", bulletin, item_uid=str(entry["uid"]),
               bulletin_class=entry["class"], cancelled=entry["cancelled"])
