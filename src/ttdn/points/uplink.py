"""The points' part of the node's report to the hub (devices' state and play counts), and its reception.

Called from inside the sync app's own transactions (node_report / do_mark_reported on the node,
do_record_contact on the hub): these are helpers, not transaction boundaries.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any

from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ttdn.core.errors import ServiceError
from ttdn.points import playlists, services
from ttdn.points.models import Device, DeviceKind, PlayCount, SiteDevice, SitePlayCount

MAX_DEVICES = 500
MAX_PLAY_ROWS = 50_000


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def report() -> dict[str, Any]:
    """On the node: every paired device's state, and the play counts the hub does not have yet."""
    devices = [
        {"uid": str(d.uid), "name": d.name, "group": d.group, "kind": d.kind, "revoked": d.revoked_at is not None,
         "last_seen": _iso(d.last_seen_at), "showing": d.showing_uid, "language": d.showing_language,
         "since": _iso(d.showing_since), "volume": d.volume, "version": d.player_version,
         "silent_after": d.silent_after_seconds, **playlists.report_fields(d)}
        for d in playlists.with_conflicts(Device.objects.filter(paired_at__isnull=False))[:MAX_DEVICES]
    ]
    plays = [
        {"device": str(c.device.uid), "day": c.day.isoformat(), "uid": str(c.item_uid), "lang": c.language,
         "plays": c.plays, "seconds": c.seconds}
        for c in PlayCount.objects.filter(Q(plays__gt=F("sent_plays")) | Q(seconds__gt=F("sent_seconds")))
        .select_related("device")[:MAX_PLAY_ROWS]
    ]
    return {"devices": devices, "plays": plays}


def mark_reported(data: dict[str, Any]) -> None:
    """On the node, once the hub has the report: do not send these counts again."""
    for row in data.get("plays", []):
        PlayCount.objects.filter(device__uid=row["device"], day=row["day"], item_uid=row["uid"],
                                 language=row["lang"]).update(sent_plays=row["plays"], sent_seconds=row["seconds"])


def _int(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return max(low, min(high, value))


def record(node: Any, data: Any) -> int:
    """On the hub: keep what the node said of its devices and plays. Malformed rows are skipped, not fatal
    (the rest of the node's report must still land)."""
    if not isinstance(data, dict):
        return 0
    now = timezone.now()
    kept = 0
    for row in (data.get("devices") or [])[:MAX_DEVICES]:
        try:
            device_uid = uuid.UUID(str(row["uid"]))
        except (KeyError, TypeError, ValueError):
            continue
        last_seen = row.get("last_seen")
        since = row.get("since")
        kind = row.get("kind") if row.get("kind") in DeviceKind.values else DeviceKind.SCREEN
        SiteDevice.objects.update_or_create(node=node, device_uid=device_uid, defaults={**_playlist(row),
            "name": str(row.get("name", ""))[:200], "group": str(row.get("group", ""))[:100], "kind": kind,
            "revoked": bool(row.get("revoked")),
            "last_seen_at": parse_datetime(last_seen) if isinstance(last_seen, str) else None,
            "showing_uid": str(row.get("showing") or "")[:36], "showing_language": str(row.get("language") or "")[:16],
            "showing_since": parse_datetime(since) if isinstance(since, str) else None,
            "volume": _int(row.get("volume"), 0, 100), "player_version": str(row.get("version") or "")[:32],
            "silent_after_seconds": _int(row.get("silent_after"), 30, 7 * 86400) or 180, "reported_at": now,
        })
        kept += 1
    rows = []
    for row in (data.get("plays") or [])[:MAX_PLAY_ROWS]:
        try:
            rows.append(SitePlayCount(
                node=node, device_uid=uuid.UUID(str(row["device"])), day=dt.date.fromisoformat(row["day"]),
                item_uid=uuid.UUID(str(row["uid"])), language=str(row["lang"])[:16],
                plays=_int(row["plays"], 0, 10**9) or 0, seconds=_int(row["seconds"], 0, 10**9) or 0))
        except (KeyError, TypeError, ValueError):
            continue
    if rows:
        SitePlayCount.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["node", "device_uid", "day", "item_uid", "language"],
            update_fields=["plays", "seconds"])
    return kept + len(rows)


def _playlist(row: dict[str, Any]) -> dict[str, Any]:
    """The device's playlist as the node reports it (absent from an older node's report: left as it was)."""
    if not isinstance(row.get("playlist"), dict):
        return {}
    try:
        doc = services.check_playlist_document(row["playlist"], str(row.get("kind")))
    except ServiceError:
        return {}
    out: dict[str, Any] = {"playlist": doc, "playlist_revision": _int(row.get("revision"), 0, 2**31 - 1) or 0}
    for field, key in (("hub_playlist_at", "hub_playlist_at"), ("playlist_conflict_at", "conflict_at")):
        value = row.get(key)
        parsed = parse_datetime(value) if isinstance(value, str) else None
        out[field] = parsed if parsed is not None and timezone.is_aware(parsed) else None
    return out


def is_silent(device: SiteDevice, now: dt.datetime) -> bool:
    """A device is silent when it has not reported within its threshold (as of the node's last report)."""
    if device.revoked:
        return False
    last = device.last_seen_at
    return last is None or now - last > dt.timedelta(seconds=device.silent_after_seconds)


def devices_by_node(node_ids: list[int], now: dt.datetime | None = None) -> dict[int, list[dict[str, Any]]]:
    """For the hub's nodes page: each node's devices, silent or not, with their plays by language."""
    now = now or timezone.now()
    plays: dict[tuple[int, uuid.UUID], dict[str, int]] = defaultdict(dict)
    for row in (SitePlayCount.objects.filter(node_id__in=node_ids)
                .values("node_id", "device_uid", "language").annotate(n=Sum("plays"))):
        plays[(row["node_id"], row["device_uid"])][row["language"]] = row["n"]
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for device in SiteDevice.objects.filter(node_id__in=node_ids):
        out[device.node_id].append({
            "device": device, "silent": is_silent(device, now),
            "plays": sorted(plays.get((device.node_id, device.device_uid), {}).items()),
        })
    return out
