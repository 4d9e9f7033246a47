"""Pairing, playlists, bulletin classes and heartbeats of the site's devices.

`do_…` functions are the transaction boundaries; playlist() and alerts() only read. Every function that depends
on the time takes `now`, so schedules are tested with a controllable clock.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from ttdn.content.models import Item, ItemKind
from ttdn.content.permissions import live_q, shown_variants, visible_items
from ttdn.core.audit import record
from ttdn.core.errors import ServiceError
from ttdn.points.models import Bulletin, BulletinClass, Device, Orientation, PlayCount, PlaylistRule

# Seconds on screen per kind (a video plays its own length when known).
DURATIONS: dict[str, int] = {
    ItemKind.IMAGE: 12, ItemKind.ARTICLE: 25, ItemKind.ORIENTATION_NOTE: 25, ItemKind.LEAFLET: 20,
    ItemKind.PUBLICATION: 20, ItemKind.VIDEO: 60, ItemKind.AUDIO: 20, ItemKind.SMS: 10,
}
TICKER_KINDS = frozenset({ItemKind.SMS})
CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY3479"  # no look-alikes: read off a screen across a room
CODE_LENGTH = 6
CODE_VALID = timedelta(hours=24)
PLAYER_VERSION_MAX = 32
CLASS_RANK = {BulletinClass.EMERGENCY: 0, BulletinClass.PRIORITY: 1, BulletinClass.NORMAL: 2}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


# ------------------------------------------------------------------------------------------------ pairing


def do_start_pairing(now: datetime | None = None) -> tuple[Device, str]:
    """A device opened the player: it gets a token (kept on the device) and a code to show."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if not Device.objects.filter(pairing_code=code, paired_at__isnull=True).exists():
                break
        device = Device.objects.create(pairing_code=code, code_expires_at=now + CODE_VALID,
                                       token_hash=_hash(token), created_at=now)
    return device, token


def device_for_token(token: str | None) -> Device:
    """The device behind a bearer token; a revoked or unknown one is refused."""
    device = Device.objects.filter(token_hash=_hash(token)).first() if token else None
    if device is None:
        raise ServiceError("unknown_device", _("This device is not known to the node."), status=401)
    if device.revoked_at is not None:
        raise ServiceError("revoked_device", _("This device's pairing has been revoked."), status=401)
    return device


def can_manage(user: Any) -> bool:
    """The node's officers: staff accounts of this box (deny by default)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and (user.is_staff or user.is_superuser))


def _check_manager(actor: Any) -> None:
    if not can_manage(actor):
        raise ServiceError("forbidden", _("Only the node's officers manage its devices."), status=403)


@dataclass
class PairingInput:
    code: str
    name: str
    group: str = ""
    orientation: str = Orientation.LANDSCAPE


def check_pair(data: PairingInput) -> None:
    if not data.name.strip():
        raise ServiceError("name_required", _("Give the device a name."))
    if data.orientation not in Orientation.values:
        raise ServiceError("bad_orientation", _("Unknown screen orientation."))


def do_pair(actor: Any, data: PairingInput, now: datetime | None = None) -> Device:
    now = now or timezone.now()
    check_pair(data)
    code = normalise_code(data.code)
    with transaction.atomic():
        _check_manager(actor)
        device = (Device.objects.select_for_update()
                  .filter(pairing_code=code, paired_at__isnull=True, revoked_at__isnull=True,
                          code_expires_at__gt=now).first())
        if device is None:
            raise ServiceError("bad_code", _("No device is waiting with this code (or the code has expired)."))
        device.name = data.name.strip()[:200]
        device.group = data.group.strip()[:100]
        device.orientation = data.orientation
        device.paired_at = now
        device.paired_by = actor
        device.pairing_code = ""
        device.save()
        record(actor, "points.pair", device, name=device.name, group=device.group)
    return device


def do_revoke(actor: Any, device_id: int, now: datetime | None = None) -> Device:
    now = now or timezone.now()
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(pk=device_id).first()
        _check_manager(actor)
        if device is None:
            raise ServiceError("not_found", _("No such device."), status=404)
        if device.revoked_at is None:
            device.revoked_at = now
            device.pairing_code = ""
            device.save(update_fields=["revoked_at", "pairing_code"])
            record(actor, "points.revoke", device, name=device.name)
    return device


# ------------------------------------------------------------------------------------------------ rules


@dataclass
class RuleInput:
    topics: list[str]
    kinds: list[str]
    languages: list[str]
    weekdays: list[int]
    hour_from: int = 0
    hour_to: int = 24


def check_rule(data: RuleInput) -> None:
    if any(k not in ItemKind.values for k in data.kinds):
        raise ServiceError("bad_kind", _("Unknown kind of material."))
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in data.weekdays):
        raise ServiceError("bad_weekday", _("Weekdays are 0 (Monday) to 6 (Sunday)."))
    if not (0 <= data.hour_from < data.hour_to <= 24):
        raise ServiceError("bad_hours", _("The hours must run from 0 to 24, the start before the end."))


def do_add_rule(actor: Any, device_id: int, data: RuleInput) -> PlaylistRule:
    check_rule(data)
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(pk=device_id, revoked_at__isnull=True).first()
        _check_manager(actor)
        if device is None:
            raise ServiceError("not_found", _("No such device."), status=404)
        rule = PlaylistRule.objects.create(
            device=device, topics=data.topics, kinds=data.kinds, languages=data.languages,
            weekdays=sorted(set(data.weekdays)), hour_from=data.hour_from, hour_to=data.hour_to,
            position=device.rules.count())
        record(actor, "points.rule_add", device, rule=rule.pk)
    return rule


def do_set_pinned(actor: Any, device_id: int, uids: list[str]) -> Device:
    clean: list[str] = []
    for raw in uids:
        try:
            clean.append(str(uuid.UUID(raw.strip())))
        except ValueError as exc:
            raise ServiceError("bad_uid", _("Not an item identifier: %(uid)s") % {"uid": raw}) from exc
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(pk=device_id, revoked_at__isnull=True).first()
        _check_manager(actor)
        if device is None:
            raise ServiceError("not_found", _("No such device."), status=404)
        device.pinned = clean
        device.save(update_fields=["pinned"])
        record(actor, "points.pin", device, pinned=clean)
    return device


def do_set_bulletin(actor: Any, item_uid: uuid.UUID, bulletin_class: str,
                    until: datetime | None = None, now: datetime | None = None) -> Bulletin:
    now = now or timezone.now()
    if bulletin_class not in BulletinClass.values:
        raise ServiceError("bad_class", _("Unknown bulletin class."))
    with transaction.atomic():
        _check_manager(actor)
        if not _showable(now).filter(uid=item_uid).exists():
            raise ServiceError("not_showable", _("This node may not show that item."))
        bulletin, _created = Bulletin.objects.select_for_update().get_or_create(item_uid=item_uid)
        bulletin.bulletin_class = bulletin_class
        bulletin.until = until
        bulletin.cancelled_at = None
        bulletin.set_by = actor
        bulletin.set_at = now
        bulletin.save()
        record(actor, "points.bulletin", bulletin, item_uid=str(item_uid), bulletin_class=bulletin_class)
    return bulletin


def do_cancel_bulletin(actor: Any, item_uid: uuid.UUID, now: datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        _check_manager(actor)
        bulletin = Bulletin.objects.select_for_update().filter(item_uid=item_uid).first()
        if bulletin is None or bulletin.cancelled_at is not None:
            return
        bulletin.cancelled_at = now
        bulletin.save(update_fields=["cancelled_at"])
        record(actor, "points.bulletin_cancel", bulletin, item_uid=str(item_uid))


# ------------------------------------------------------------------------------------------------ playlists


def _showable(now: datetime) -> Any:
    """What any passer-by may see at this node (the product's one visibility rule), live at `now`."""
    return visible_items(AnonymousUser()).filter(live_q(now))


def rule_matches(rule: PlaylistRule, local: datetime) -> bool:
    """Day-parting: the rule applies on its weekdays, between its hours (local time of the node)."""
    if rule.weekdays and local.weekday() not in rule.weekdays:
        return False
    return rule.hour_from <= local.hour < rule.hour_to


def _classes(now: datetime) -> dict[str, str]:
    active = Bulletin.objects.filter(cancelled_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gt=now))
    return {str(b.item_uid): b.bulletin_class for b in active}


def _entry(item: Item, bulletin_class: str, languages: list[str]) -> dict[str, Any] | None:
    variants = shown_variants(AnonymousUser(), item, list(item.variants.all()))
    if languages:
        variants = [v for v in variants if v.language in languages]
    if not variants:
        return None
    # The source language first, then the others in a stable order: "several languages of one item in turn".
    variants.sort(key=lambda v: (v.language != item.source_language, v.language))
    shown = []
    duration = DURATIONS.get(item.kind, 15)
    for v in variants:
        media = None
        for attachment in v.attachments.all():
            kind = attachment.asset.file_kind
            if kind in {"image", "video"}:
                media = {"type": kind, "url": reverse("content:file", args=[attachment.asset.sha256])}
                if kind == "video" and attachment.asset.duration_seconds:
                    duration = max(5, int(attachment.asset.duration_seconds))
                break
        shown.append({"lang": v.language, "title": v.title, "summary": v.summary, "body": v.body,
                      "media": media})
    return {
        "uid": str(item.uid), "kind": item.kind, "class": bulletin_class, "version": item.version,
        "duration": duration,
        "until": item.valid_until.isoformat() if item.valid_until else None,
        "variants": shown,
    }


def _items(qs: Any) -> Any:
    return qs.prefetch_related("variants__attachments__asset").order_by("-published_at", "-id")


def playlist(device: Device, now: datetime | None = None) -> dict[str, Any]:
    """The device's playlist at `now`: emergency, then priority, then pinned, then what its rules match."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    classes = _classes(now)
    showable = _showable(now)
    chosen: dict[str, tuple[Item, list[str]]] = {}
    pinned_items = {str(i.uid): i for i in _items(showable.filter(uid__in=device.pinned or []))}
    for uid in device.pinned or []:
        if uid in pinned_items:
            chosen.setdefault(uid, (pinned_items[uid], []))
    for rule in device.rules.all():
        if not rule_matches(rule, local):
            continue
        qs = showable
        if rule.topics:
            qs = qs.filter(topics__code__in=rule.topics).distinct()
        if rule.kinds:
            qs = qs.filter(kind__in=rule.kinds)
        for item in _items(qs):
            chosen.setdefault(str(item.uid), (item, rule.languages))
    # Bulletins of a higher class reach every device whatever its rules.
    urgent = [uid for uid, c in classes.items() if c != BulletinClass.NORMAL]
    for item in _items(showable.filter(uid__in=urgent)):
        chosen.setdefault(str(item.uid), (item, []))
    entries = []
    for position, (uid, (item, languages)) in enumerate(chosen.items()):
        entry = _entry(item, classes.get(uid, BulletinClass.NORMAL), languages)
        if entry is not None:
            entries.append((CLASS_RANK[entry["class"]], position, entry))
    entries.sort(key=lambda t: (t[0], t[1]))
    rotation = [e for _r, _p, e in entries if e["kind"] not in TICKER_KINDS and e["class"] != "emergency"]
    ticker = [e for _r, _p, e in entries if e["kind"] in TICKER_KINDS and e["class"] != "emergency"]
    emergency = [e for _r, _p, e in entries if e["class"] == BulletinClass.EMERGENCY]
    body = {"items": rotation, "ticker": ticker, "emergency": emergency}
    version = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    return {"paired": True, "device": device.name, "orientation": device.orientation, "now": now.isoformat(),
            "version": version, **body}


def alerts(device: Device, now: datetime | None = None) -> dict[str, Any]:
    """The tiny answer polled every second: the emergencies and the playlist's version (to refetch on change)."""
    current = playlist(device, now)
    return {"now": current["now"], "version": current["version"], "emergency": current["emergency"]}


# ------------------------------------------------------------------------------------------------ heartbeat


def _bad(message: Any) -> ServiceError:
    return ServiceError("bad_heartbeat", message)


def check_heartbeat(payload: Any) -> dict[str, Any]:
    """Validate a heartbeat: what is shown, since when, volume, version, and the plays since the last one."""
    if not isinstance(payload, dict):
        raise _bad(_("A heartbeat is a JSON object."))
    out: dict[str, Any] = {}
    showing = payload.get("showing") or ""
    if showing:
        try:
            showing = str(uuid.UUID(str(showing)))
        except ValueError as exc:
            raise _bad(_("“showing” is not an item identifier.")) from exc
    out["showing"] = showing
    out["language"] = str(payload.get("language") or "")[:16]
    since = payload.get("since")
    out["since"] = parse_datetime(since) if isinstance(since, str) else None
    if since and out["since"] is None:
        raise _bad(_("“since” is not a date and time."))
    volume = payload.get("volume")
    if volume is not None and (not isinstance(volume, int) or isinstance(volume, bool) or not 0 <= volume <= 100):
        raise _bad(_("“volume” must be a whole number from 0 to 100."))
    out["volume"] = volume
    version = payload.get("version", "")
    if not isinstance(version, str) or len(version) > PLAYER_VERSION_MAX:
        raise _bad(_("“version” must be a short text."))
    out["version"] = version
    plays = payload.get("plays", [])
    if not isinstance(plays, list) or len(plays) > 1000:
        raise _bad(_("“plays” must be a list."))
    clean = []
    for play in plays:
        try:
            uid = uuid.UUID(str(play["uid"]))
            lang = str(play["lang"])[:16]
            seconds = int(play["seconds"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _bad(_("Each play needs “uid”, “lang” and “seconds”.")) from exc
        if not 0 <= seconds <= 24 * 3600 or not lang:
            raise _bad(_("Each play needs “uid”, “lang” and “seconds”."))
        clean.append((uid, lang, seconds))
    out["plays"] = clean
    return out


def do_heartbeat(token: str | None, payload: Any, now: datetime | None = None) -> Device:
    now = now or timezone.now()
    data = check_heartbeat(payload)
    with transaction.atomic():
        device = device_for_token(token)
        device = Device.objects.select_for_update().get(pk=device.pk)
        if not device.is_paired:
            raise ServiceError("not_paired", _("This device is not paired yet."), status=409)
        device.last_seen_at = now
        device.showing_uid = data["showing"]
        device.showing_language = data["language"]
        device.showing_since = data["since"]
        device.volume = data["volume"]
        device.player_version = data["version"]
        device.save()
        day = timezone.localdate(now)
        for uid, lang, seconds in data["plays"]:
            count, _created = PlayCount.objects.get_or_create(device=device, day=day, item_uid=uid, language=lang)
            PlayCount.objects.filter(pk=count.pk).update(plays=F("plays") + 1, seconds=F("seconds") + seconds)
    return device


def is_silent(device: Device, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if not device.is_paired:
        return False
    last = device.last_seen_at or device.paired_at
    return last is not None and now - last > timedelta(seconds=device.silent_after_seconds)
