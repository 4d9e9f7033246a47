"""A device's playlist as one document (its rules, pinned items and loudspeaker slots), edited by the post's
officer on the node and by publishers at the hub, and the conflict rule between the two.

The node counts a revision for every change its officer makes and reports the document with its revision at each
contact. A hub edit records the revision it started from (`base`) and travels in every batch (network and USB)
with the hub's change time. On the node, inside the batch's transaction: a hub version newer than the one
applied replaces the device's playlist; if the officer changed it after the revision the hub started from, both
changed it — the hub's version wins (the issue's rule) and the officer is told, with what they had.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Max
from django.utils import timezone

from ttdn.core.audit import record
from ttdn.core.errors import ServiceError
from ttdn.points import services
from ttdn.points.models import Device, DeviceKind, HubPlaylist, PlaylistConflict, PlaylistRule, SpeakerSlot
from ttdn.sync.models import EdgeNode

MAX_ENTRIES = 500


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def rule_doc(rule: PlaylistRule) -> dict[str, Any]:
    return {"topics": list(rule.topics), "kinds": list(rule.kinds), "languages": list(rule.languages),
            "weekdays": list(rule.weekdays), "hour_from": rule.hour_from, "hour_to": rule.hour_to}


def slot_doc(slot: SpeakerSlot) -> dict[str, Any]:
    return {"at": slot.at.strftime("%H:%M"), "weekdays": list(slot.weekdays), "languages": list(slot.languages),
            "topics": list(slot.topics), "items": list(slot.items), "volume": slot.volume,
            "max_minutes": slot.max_minutes}


def document(device: Device) -> dict[str, Any]:
    """The device's playlist as it stands (rules and slots in their order)."""
    return {"pinned": list(device.pinned or []), "rules": [rule_doc(r) for r in device.rules.all()],
            "slots": [slot_doc(s) for s in device.slots.all()] if device.kind == DeviceKind.SPEAKER else []}


def replace(device: Device, doc: dict[str, Any]) -> None:
    """Make the device's playlist this (clean) document. Inside the caller's transaction."""
    device.pinned = list(doc["pinned"])
    device.rules.all().delete()
    PlaylistRule.objects.bulk_create([PlaylistRule(device=device, position=n, **rule)
                                      for n, rule in enumerate(doc["rules"])])
    device.slots.all().delete()
    if device.kind == DeviceKind.SPEAKER:
        SpeakerSlot.objects.bulk_create([SpeakerSlot(device=device, **{**slot, "at": dt.time.fromisoformat(
            slot["at"])}) for slot in doc["slots"]])


# ------------------------------------------------------------------------------------------------ hub


def snapshot_for(node: EdgeNode) -> list[dict[str, Any]]:
    """On the hub: the playlists edited at the hub for this node's devices (a batch part)."""
    rows = HubPlaylist.objects.filter(device__node=node).select_related("device").order_by("device__device_uid")
    return [{"device": str(p.device.device_uid), "document": p.document, "base": p.base_revision,
             "changed_at": _iso(p.changed_at)} for p in rows[:MAX_ENTRIES]]


# ------------------------------------------------------------------------------------------------ node


def report_fields(device: Device) -> dict[str, Any]:
    """The playlist part of a device's row in the node's report (device prefetched with rules and slots)."""
    return {"playlist": document(device), "revision": device.playlist_revision,
            "hub_playlist_at": _iso(device.hub_playlist_at),
            "conflict_at": _iso(getattr(device, "last_conflict_at", None))}


def with_conflicts(qs: Any) -> Any:
    return qs.prefetch_related("rules", "slots").annotate(last_conflict_at=Max("conflicts__at"))


def _parse(entry: Any) -> dict[str, Any] | None:
    try:
        device = uuid.UUID(str(entry["device"]))
        changed = dt.datetime.fromisoformat(str(entry["changed_at"]))
        base = entry["base"]
    except (KeyError, TypeError, ValueError):
        return None
    if timezone.is_naive(changed) or isinstance(base, bool) or not isinstance(base, int) or base < 0:
        return None
    return {"device": device, "changed_at": changed, "base": base, "document": entry.get("document")}


def receive(batch: dict[str, Any]) -> None:
    """On the node, inside the batch's transaction: a newer hub version replaces the device's playlist; when the
    officer changed it too (after the revision the hub started from), the hub wins and the officer is told."""
    entries = batch.get("playlists")
    if not isinstance(entries, list):
        return  # an older hub or bundle
    for raw in entries[:MAX_ENTRIES]:
        entry = _parse(raw)
        if entry is None:
            continue
        device = (Device.objects.select_for_update().filter(uid=entry["device"], revoked_at__isnull=True)
                  .prefetch_related("rules", "slots").first())
        if device is None or (device.hub_playlist_at is not None and device.hub_playlist_at >= entry["changed_at"]):
            continue  # not this node's, revoked, or a version already applied (an old bundle imported late)
        try:
            doc = services.check_playlist_document(entry["document"], device.kind)
        except ServiceError:
            continue  # malformed: the rest of the batch must still land
        mine = document(device)
        both = device.playlist_revision > entry["base"] and mine != doc
        replace(device, doc)
        device.hub_playlist_at = entry["changed_at"]
        device.save(update_fields=["pinned", "hub_playlist_at"])
        if both:
            PlaylistConflict.objects.create(device=device, hub_changed_at=entry["changed_at"], officer_version=mine,
                                            hub_version=doc)
        record(None, "points.playlist_from_hub", device, changed_at=_iso(entry["changed_at"]), conflict=both,
               officer_revision=device.playlist_revision, hub_base=entry["base"])
