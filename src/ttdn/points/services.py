"""Pairing, playlists, bulletin classes and heartbeats of the site's devices.

`do_…` functions are the transaction boundaries; playlist() and alerts() only read. Every function that depends
on the time takes `now`, so schedules are tested with a controllable clock.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Role
from ttdn.accounts.permissions import has_role
from ttdn.content.models import Item, ItemKind, State
from ttdn.content.permissions import live_q, shown_variants, visible_items
from ttdn.core import languages as language_registry
from ttdn.core.audit import record
from ttdn.core.errors import ServiceError
from ttdn.outreach import voice
from ttdn.places.models import BorderSite
from ttdn.points.models import (
    Bulletin,
    BulletinClass,
    Device,
    DeviceKind,
    HubBulletin,
    HubPlaylist,
    Orientation,
    PlayCount,
    PlaylistConflict,
    PlaylistRule,
    PlayLog,
    SiteDevice,
    SpeakerSlot,
)
from ttdn.sync.models import NodeState

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
PLAYS_PER_HEARTBEAT = 1000  # device.js sends at most this many entries at once, the rest at the next heartbeat
PLAY_COUNT_MAX = 100_000
CLASS_RANK = {BulletinClass.EMERGENCY: 0, BulletinClass.PRIORITY: 1, BulletinClass.NORMAL: 2}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


# ------------------------------------------------------------------------------------------------ pairing


def do_start_pairing(now: datetime | None = None, kind: str = DeviceKind.SCREEN) -> tuple[Device, str]:
    """A device opened the player (or the kiosk): it gets a token (kept on the device) and a code to show."""
    now = now or timezone.now()
    if kind not in DeviceKind.values:
        raise ServiceError("bad_kind", _("Unknown kind of device."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if not Device.objects.filter(pairing_code=code, paired_at__isnull=True).exists():
                break
        device = Device.objects.create(pairing_code=code, code_expires_at=now + CODE_VALID,
                                       token_hash=_hash(token), created_at=now, kind=kind)
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
    idle_seconds: int = 90


def check_pair(data: PairingInput) -> None:
    if not data.name.strip():
        raise ServiceError("name_required", _("Give the device a name."))
    if data.orientation not in Orientation.values:
        raise ServiceError("bad_orientation", _("Unknown screen orientation."))
    if not 3 <= data.idle_seconds <= 3600:
        raise ServiceError("bad_idle", _("A kiosk returns to its start screen after 3 to 3600 seconds."))


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
        device.idle_seconds = data.idle_seconds
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
        _changed_by_officer(device)
        record(actor, "points.rule_add", device, rule=rule.pk)
    return rule


def do_remove_rule(actor: Any, device_id: int, rule_id: int) -> None:
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(pk=device_id).first()
        _check_manager(actor)
        rule = PlaylistRule.objects.filter(pk=rule_id, device=device).first() if device else None
        if device is None or rule is None:
            raise ServiceError("not_found", _("No such rule."), status=404)
        record(actor, "points.rule_remove", device, rule=rule.pk)
        rule.delete()
        _changed_by_officer(device)


def _changed_by_officer(device: Device) -> None:
    """One more revision of the device's playlist: what the hub's edits are compared with (points.playlists)."""
    Device.objects.filter(pk=device.pk).update(playlist_revision=F("playlist_revision") + 1)


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
        changed = device.pinned != clean
        device.pinned = clean
        device.save(update_fields=["pinned"])
        if changed:
            _changed_by_officer(device)
        record(actor, "points.pin", device, pinned=clean)
    return device


def do_set_bulletin(actor: Any, item_uid: uuid.UUID, bulletin_class: str,
                    until: datetime | None = None, now: datetime | None = None, repeat: int = 3) -> Bulletin:
    now = now or timezone.now()
    if bulletin_class not in BulletinClass.values:
        raise ServiceError("bad_class", _("Unknown bulletin class."))
    if not 1 <= repeat <= 20:
        raise ServiceError("bad_repeat", _("An emergency is repeated 1 to 20 times."))
    with transaction.atomic():
        _check_manager(actor)
        if not _showable(now).filter(uid=item_uid).exists():
            raise ServiceError("not_showable", _("This node may not show that item."))
        bulletin, _created = Bulletin.objects.select_for_update().get_or_create(item_uid=item_uid)
        bulletin.bulletin_class = bulletin_class
        bulletin.until = until
        bulletin.repeat = repeat
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


def showable(now: datetime) -> Any:
    return _showable(now)


def site_languages() -> list[str]:
    """The languages this node's site receives besides Vietnamese (empty on the hub)."""
    state = NodeState.objects.first()
    return list(state.languages or []) if state is not None else []


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
        audio = _audio(v)
        speech = _speech(item, v) if audio is None and bulletin_class == BulletinClass.EMERGENCY else None
        shown.append({"lang": v.language, "title": v.title, "summary": v.summary, "body": v.body,
                      "media": media, "audio": audio["url"] if audio else None,
                      "speech": speech["url"] if speech else None})
    return {
        "uid": str(item.uid), "kind": item.kind, "class": bulletin_class, "version": item.version,
        "duration": duration,
        "until": item.valid_until.isoformat() if item.valid_until else None,
        "variants": shown,
    }


def _audio(variant: Any) -> dict[str, Any] | None:
    """The variant's first audio file (URL and length), what a loudspeaker plays of it."""
    for attachment in variant.attachments.all():
        asset = attachment.asset
        if asset.file_kind == "audio":
            return {"url": reverse("content:file", args=[asset.sha256]),
                    "seconds": max(1, int(asset.duration_seconds or 0)) if asset.duration_seconds else None}
    return None


def _items(qs: Any) -> Any:
    return qs.prefetch_related("variants__attachments__asset").order_by("-published_at", "-id")


def playlist(device: Device, now: datetime | None = None) -> dict[str, Any]:
    """The device's playlist at `now`: emergency, then priority, then pinned, then what its rules match."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    specs = tuple(_rule_spec(rule) for rule in device.rules.all() if rule_matches(rule, local))
    return _answer(device, now, _body(specs, tuple(device.pinned or []), now))


def _rule_spec(rule: PlaylistRule) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """What a rule that applies now selects: topics, kinds, languages (its weekdays and hours already held)."""
    return tuple(rule.topics or []), tuple(rule.kinds or []), tuple(rule.languages or [])


def _answer(device: Device, now: datetime, body: dict[str, Any]) -> dict[str, Any]:
    return {"paired": True, "device": device.name, "orientation": device.orientation, "now": now.isoformat(),
            **body}


def _body(specs: tuple[Any, ...], pinned: tuple[str, ...], now: datetime) -> dict[str, Any]:
    """The entries (and their version) that the rules in force `specs` and the pinned items give at `now`."""
    classes = _classes(now)
    showable = _showable(now)
    chosen: dict[str, tuple[Item, list[str]]] = {}
    pinned_items = {str(i.uid): i for i in _items(showable.filter(uid__in=list(pinned)))} if pinned else {}
    for uid in pinned:
        if uid in pinned_items:
            chosen.setdefault(uid, (pinned_items[uid], []))
    for topics, kinds, languages in specs:
        qs = showable
        if topics:
            qs = qs.filter(topics__code__in=topics).distinct()
        if kinds:
            qs = qs.filter(kind__in=kinds)
        for item in _items(qs):
            chosen.setdefault(str(item.uid), (item, list(languages)))
    # Bulletins of a higher class reach every device whatever its rules.
    urgent = [uid for uid, c in classes.items() if c != BulletinClass.NORMAL]
    if urgent:
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
    if emergency:
        repeats = dict(Bulletin.objects.filter(item_uid__in=[e["uid"] for e in emergency])
                       .values_list("item_uid", "repeat"))
        for e in emergency:
            e["repeat"] = repeats.get(uuid.UUID(e["uid"]), 3)  # plays in a row on a loudspeaker
    body: dict[str, Any] = {"items": rotation, "ticker": ticker, "emergency": emergency}
    body["version"] = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    return body


# The alert poll (every device, every second) and the playlist fetch must not rebuild a playlist each time: a
# node's 20 screens with the same rule would each rebuild it twice on every change (alert, then fetch), which is
# what set the node's p95. Per process: each device's last answer with what it depended on, and the bodies by
# the rules in force, shared by the devices having the same (kept for the current state of the material only).
_made: dict[int, tuple[tuple[Any, ...], dict[str, Any]]] = {}
_bodies: dict[tuple[Any, ...], dict[str, Any]] = {}
_building = threading.Lock()


def _state_key(now: datetime) -> tuple[Any, ...]:
    """What every playlist depends on, in two aggregate queries: the showable items now (a withdrawal, an expiry
    or a new version changes it), the bulletins in force, the hour and weekday (day-parting)."""
    items = _showable(now).aggregate(n=Count("id"), v=Sum("version"), u=Max("updated_at"))
    bulletins = (Bulletin.objects.filter(cancelled_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gt=now))
                 .aggregate(n=Count("id"), s=Max("set_at"), h=Max("hub_changed_at"), r=Sum("repeat")))
    local = timezone.localtime(now)
    return (items["n"], items["v"], items["u"], bulletins["n"], bulletins["s"], bulletins["h"], bulletins["r"],
            local.weekday(), local.hour)


def current_playlist(device: Device, now: datetime | None = None) -> dict[str, Any]:
    """The device's playlist (as playlist()), rebuilt only when something it depends on changed. The device's
    own part is its playlist revision (every change by the officer) and the hub's version it holds, so an
    unchanged device costs the two aggregate queries of the state and nothing more."""
    now = now or timezone.now()
    state = _state_key(now)
    key = (state, device.playlist_revision, device.hub_playlist_at, tuple(device.pinned or []))
    made = _made.get(device.pk)
    if made is None or made[0] != key:
        local = timezone.localtime(now)
        specs = tuple(_rule_spec(rule) for rule in device.rules.all() if rule_matches(rule, local))
        shared = (state, specs, key[3])
        body = _bodies.get(shared)
        if body is None:
            # One build at a time: the screens that ask together (all of them after a change, or when the node
            # comes back up) wait for the first one's build instead of each making the same under the GIL.
            with _building:
                body = _bodies.get(shared)
                if body is None:
                    if any(k[0] != state for k in list(_bodies)):
                        _bodies.clear()  # the material or bulletins changed: the older bodies are done with
                    body = _body(specs, key[3], now)
                    _bodies[shared] = body
        made = (key, body)
        _made[device.pk] = made
    return _answer(device, now, made[1])


def alerts(device: Device, now: datetime | None = None) -> dict[str, Any]:
    """The tiny answer polled every second: the emergencies and the playlist's version (to refetch on change)."""
    now = now or timezone.now()
    current = current_playlist(device, now)
    return {"now": now.isoformat(), "version": current["version"], "emergency": current["emergency"]}


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
    if not isinstance(plays, list) or len(plays) > PLAYS_PER_HEARTBEAT:
        raise _bad(_("“plays” must be a list."))
    clean = []
    for play in plays:
        try:
            uid = uuid.UUID(str(play["uid"]))
            lang = str(play["lang"])[:16]
            seconds = int(play["seconds"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _bad(_("Each play needs “uid”, “lang” and “seconds”.")) from exc
        # A screen's or kiosk's plays of one item and language since the last heartbeat it got through come as one
        # entry with their number: its buffer stays the size of its playlist even after weeks offline.
        count = play.get("count", 1) if isinstance(play, dict) else 1
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= PLAY_COUNT_MAX:
            raise _bad(_("“count” of a play must be a whole number from 1 to 100000."))
        if not 0 <= seconds <= count * 24 * 3600 or not lang:
            raise _bad(_("Each play needs “uid”, “lang” and “seconds”."))
        logged = _logged(play)
        if logged is not None and count != 1:
            raise _bad(_("“count” of a play must be a whole number from 1 to 100000."))
        clean.append((uid, lang, seconds, count, logged))
    out["plays"] = clean
    return out


def _logged(play: dict[str, Any]) -> dict[str, Any] | None:
    """A loudspeaker's play also goes to the play log: when it started, in which slot, at what volume."""
    at = play.get("at")
    if at is None:
        return None
    started = parse_datetime(at) if isinstance(at, str) else None
    if started is None or timezone.is_naive(started):
        raise _bad(_("“at” of a play must be a date and time with its offset."))
    slot = play.get("slot")
    volume = play.get("volume")
    if slot is not None and (not isinstance(slot, int) or isinstance(slot, bool)):
        raise _bad(_("“slot” of a play must be a number."))
    if volume is not None and (not isinstance(volume, int) or isinstance(volume, bool) or not 0 <= volume <= 100):
        raise _bad(_("“volume” must be a whole number from 0 to 100."))
    return {"at": started, "slot": slot, "volume": volume, "emergency": bool(play.get("emergency"))}


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
        slots = set(device.slots.values_list("pk", flat=True))
        log = []
        for uid, lang, seconds, plays, logged in data["plays"]:
            count, _created = PlayCount.objects.get_or_create(device=device, day=day, item_uid=uid, language=lang)
            PlayCount.objects.filter(pk=count.pk).update(plays=F("plays") + plays, seconds=F("seconds") + seconds)
            if logged is not None:
                log.append(PlayLog(device=device, item_uid=uid, language=lang, seconds=seconds,
                                   started_at=logged["at"], volume=logged["volume"], emergency=logged["emergency"],
                                   slot_id=logged["slot"] if logged["slot"] in slots else None))
        PlayLog.objects.bulk_create(log)
        if log and secrets.randbelow(100) == 0:
            PlayLog.objects.filter(started_at__lt=now - timedelta(days=LOG_DAYS)).delete()
    return device


def is_silent(device: Device, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if not device.is_paired:
        return False
    last = device.last_seen_at or device.paired_at
    return last is not None and now - last > timedelta(seconds=device.silent_after_seconds)


# ------------------------------------------------------------------------------------------------ hub bulletins


def can_class_items(user: Any) -> bool:
    """On the hub: the central publishers give items their bulletin class (they decide what the sites show)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and has_role(user, Role.PUBLISHER))


HUB_CLASSABLE_STATES = frozenset({State.APPROVED, State.PUBLISHED})


@dataclass
class HubBulletinInput:
    item_uid: uuid.UUID
    bulletin_class: str
    until: datetime | None = None
    repeat: int = 3
    site_codes: list[str] | None = None


def check_hub_bulletin(data: HubBulletinInput, now: datetime) -> list[BorderSite]:
    if data.bulletin_class not in BulletinClass.values:
        raise ServiceError("bad_class", _("Unknown bulletin class."))
    if data.until is not None and data.until <= now:
        raise ServiceError("bad_until", _("The end of the bulletin must lie in the future."))
    if not 1 <= data.repeat <= 20:
        raise ServiceError("bad_repeat", _("An emergency is repeated 1 to 20 times."))
    codes = sorted({c.strip() for c in data.site_codes or [] if c.strip()})
    sites = list(BorderSite.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {s.code for s in sites})
    if unknown:
        raise ServiceError("bad_site", _("Unknown border site: %(codes)s") % {"codes": ", ".join(unknown)})
    return sites


def do_set_hub_bulletin(actor: Any, data: HubBulletinInput, now: datetime | None = None) -> HubBulletin:
    """A publisher classes an approved or published item for the sites; nodes learn it at their next batch,
    urgent classes within seconds through the wake poll."""
    now = now or timezone.now()
    sites = check_hub_bulletin(data, now)
    with transaction.atomic():
        item = Item.objects.select_for_update().filter(uid=data.item_uid).first()
        if not can_class_items(actor):
            raise ServiceError("forbidden", _("Only publishers give items a bulletin class."), status=403)
        if item is None:
            raise ServiceError("not_found", _("No such item."), status=404)
        if item.state not in HUB_CLASSABLE_STATES:
            raise ServiceError("not_classable", _("Only approved or published items get a bulletin class."))
        bulletin, _created = HubBulletin.objects.select_for_update().get_or_create(item=item)
        bulletin.bulletin_class = data.bulletin_class
        bulletin.until = data.until
        bulletin.repeat = data.repeat
        bulletin.cancelled_at = None
        bulletin.set_by = actor
        bulletin.changed_at = now
        bulletin.save()
        bulletin.sites.set(sites)
        record(actor, "points.hub_bulletin", item, bulletin_class=data.bulletin_class,
               until=data.until.isoformat() if data.until else None, sites=[s.code for s in sites],
               repeat=data.repeat)
    return bulletin


def do_cancel_hub_bulletin(actor: Any, item_uid: uuid.UUID, now: datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        bulletin = HubBulletin.objects.select_for_update().select_related("item").filter(item__uid=item_uid).first()
        if not can_class_items(actor):
            raise ServiceError("forbidden", _("Only publishers give items a bulletin class."), status=403)
        if bulletin is None or bulletin.cancelled_at is not None:
            return
        bulletin.cancelled_at = now
        bulletin.changed_at = now
        bulletin.save(update_fields=["cancelled_at", "changed_at"])
        record(actor, "points.hub_bulletin_cancel", bulletin.item, bulletin_class=bulletin.bulletin_class)


# ------------------------------------------------------------------------------------------------ loudspeakers

UNKNOWN_AUDIO_SECONDS = 60  # an audio file whose length is unknown counts this long towards a slot's length
SLOT_GRACE = timedelta(minutes=10)  # a player that comes up late still plays a slot this long after its time


@dataclass
class SlotInput:
    at: time
    languages: list[str]
    weekdays: list[int]
    topics: list[str]
    items: list[str]
    volume: int = 70
    max_minutes: int = 30


def check_slot(data: SlotInput) -> SlotInput:
    tags = []
    for raw in data.languages:
        tag = language_registry.canonical_tag(raw)
        if tag is None:
            raise ServiceError("bad_language", _("Unknown language: %(tag)s") % {"tag": raw})
        if tag not in tags:
            tags.append(tag)
    if not tags:
        raise ServiceError("no_language", _("Name at least one language the slot is played in."))
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in data.weekdays):
        raise ServiceError("bad_weekday", _("Weekdays are 0 (Monday) to 6 (Sunday)."))
    if not 0 <= data.volume <= 100:
        raise ServiceError("bad_volume", _("The volume runs from 0 to 100."))
    if not 1 <= data.max_minutes <= 180:
        raise ServiceError("bad_length", _("A slot lasts 1 to 180 minutes."))
    uids = []
    for raw in data.items:
        try:
            uids.append(str(uuid.UUID(raw.strip())))
        except ValueError as exc:
            raise ServiceError("bad_uid", _("Not an item identifier: %(uid)s") % {"uid": raw}) from exc
    if not uids and not data.topics:
        raise ServiceError("empty_slot", _("Pin items or name topics: a slot with neither plays nothing."))
    return SlotInput(at=data.at.replace(microsecond=0), languages=tags, weekdays=sorted(set(data.weekdays)),
                     topics=[t.strip() for t in data.topics if t.strip()], items=uids, volume=data.volume,
                     max_minutes=data.max_minutes)


def do_add_slot(actor: Any, device_id: int, data: SlotInput) -> SpeakerSlot:
    clean = check_slot(data)
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(pk=device_id, revoked_at__isnull=True).first()
        _check_manager(actor)
        if device is None:
            raise ServiceError("not_found", _("No such device."), status=404)
        if device.kind != DeviceKind.SPEAKER:
            raise ServiceError("not_speaker", _("Only loudspeaker players have a daily schedule."))
        slot = SpeakerSlot.objects.create(device=device, at=clean.at, weekdays=clean.weekdays,
                                          languages=clean.languages, topics=clean.topics, items=clean.items,
                                          volume=clean.volume, max_minutes=clean.max_minutes)
        _changed_by_officer(device)
        record(actor, "points.slot_add", device, slot=slot.pk, at=clean.at.isoformat(), languages=clean.languages,
               volume=clean.volume)
    return slot


def do_remove_slot(actor: Any, device_id: int, slot_id: int) -> None:
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(pk=device_id).first()
        _check_manager(actor)
        slot = SpeakerSlot.objects.filter(pk=slot_id, device=device).first() if device else None
        if device is None or slot is None:
            raise ServiceError("not_found", _("No such slot."), status=404)
        record(actor, "points.slot_remove", device, slot=slot.pk, at=slot.at.isoformat())
        slot.delete()
        _changed_by_officer(device)


def _slot_entries(slot: SpeakerSlot, start: datetime, classes: dict[str, str]) -> list[dict[str, Any]]:
    """What a slot plays when it starts at `start`: priority items first, then the pinned, then its topics'
    audio items — each in every language of the slot in turn, only what may be played then, within its length."""
    live = _showable(start)
    order: list[str] = [uid for uid, c in classes.items() if c == BulletinClass.PRIORITY]
    order += [u for u in slot.items if u not in order]
    candidates = {str(i.uid): i for i in _items(live.filter(uid__in=order))}
    if slot.topics:
        for item in _items(live.filter(topics__code__in=slot.topics).distinct()):
            candidates.setdefault(str(item.uid), item)
            if str(item.uid) not in order:
                order.append(str(item.uid))
    entries: list[dict[str, Any]] = []
    budget = slot.max_minutes * 60
    for lang in slot.languages:
        for uid in order:
            item = candidates.get(uid)
            if item is None:
                continue
            variant = next((v for v in shown_variants(AnonymousUser(), item, list(item.variants.all()))
                            if v.language == lang), None)
            audio = _audio(variant) if variant is not None else None
            if audio is None and variant is not None:
                audio = _speech(item, variant)  # read aloud by the speech engine, when it speaks the language
            if audio is None:
                continue
            seconds = audio["seconds"] or UNKNOWN_AUDIO_SECONDS
            if entries and budget - seconds < 0:
                return entries  # full: the rest waits for the next slot
            budget -= seconds
            entries.append({"uid": uid, "lang": lang, "title": variant.title if variant else "",
                            "url": audio["url"], "seconds": seconds, "speech": audio.get("speech", False),
                            "ready": audio.get("ready", True),
                            "class": classes.get(uid, BulletinClass.NORMAL),
                            "until": item.valid_until.isoformat() if item.valid_until else None})
    return entries


def speaker_day(device: Device, day: date, now: datetime | None = None) -> list[dict[str, Any]]:
    """What plays when on `day` (local): each slot that applies that weekday, with its entries."""
    now = now or timezone.now()
    out = []
    tz = timezone.get_current_timezone()
    for slot in device.slots.all():
        if slot.weekdays and day.weekday() not in slot.weekdays:
            continue
        start = datetime.combine(day, slot.at, tzinfo=tz)
        if start + SLOT_GRACE < now:
            continue  # over: nothing to plan (the log says what played)
        entries = _slot_entries(slot, start, _classes(start))
        out.append({"id": slot.pk, "start": start.isoformat(), "volume": slot.volume,
                    "languages": slot.languages, "entries": entries,
                    # Languages no speech engine reads (Jarai…): only recorded audio plays in them.
                    "unspoken": unspoken(slot.languages)})
    return out


def speaker_programme(device: Device, now: datetime | None = None) -> dict[str, Any]:
    """The loudspeaker player's answer: today's and tomorrow's slots still to come, and the emergencies."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    slots = speaker_day(device, today, now) + speaker_day(device, today + timedelta(days=1), now)
    body = {"slots": slots, "emergency": alerts(device, now)["emergency"]}
    version = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    return {"paired": True, "device": device.name, "now": now.isoformat(), "version": version, "grace":
            int(SLOT_GRACE.total_seconds()), **body}


LOG_DAYS = 400  # a year of proof of play, and the month it is reported in


# ------------------------------------------------------------------------------------------------ playlists at the hub

PLAYLIST_MAX_BYTES = 64 * 1024
PLAYLIST_MAX_PARTS = 200  # rules, slots or pinned items in one playlist
RULE_FIELDS = ("topics", "kinds", "languages", "weekdays", "hour_from", "hour_to")
SLOT_FIELDS = ("at", "weekdays", "languages", "topics", "items", "volume", "max_minutes")


def empty_playlist() -> dict[str, Any]:
    return {"pinned": [], "rules": [], "slots": []}


def check_playlist_document(raw: Any, kind: str) -> dict[str, Any]:
    """A document checked part by part with the same checks as the officer's forms (ServiceError otherwise)."""
    def bad() -> ServiceError:
        return ServiceError("bad_playlist", _("The playlist is not well formed."))

    if not isinstance(raw, dict) or len(json.dumps(raw)) > PLAYLIST_MAX_BYTES:
        raise bad()
    pinned, rules, slots = raw.get("pinned", []), raw.get("rules", []), raw.get("slots", [])
    if not all(isinstance(part, list) and len(part) <= PLAYLIST_MAX_PARTS for part in (pinned, rules, slots)):
        raise bad()
    out = empty_playlist()
    for uid in pinned:
        try:
            out["pinned"].append(str(uuid.UUID(str(uid))))
        except ValueError:
            raise bad() from None
    for rule in rules:
        if not isinstance(rule, dict) or not all(
                isinstance(rule.get(f), list) for f in ("topics", "kinds", "languages", "weekdays")):
            raise bad()
        try:
            data = RuleInput(topics=[str(t) for t in rule["topics"]], kinds=[str(k) for k in rule["kinds"]],
                             languages=[str(x) for x in rule["languages"]], weekdays=list(rule["weekdays"]),
                             hour_from=int(rule.get("hour_from", 0)), hour_to=int(rule.get("hour_to", 24)))
        except (TypeError, ValueError):
            raise bad() from None
        check_rule(data)
        out["rules"].append({"topics": data.topics, "kinds": data.kinds, "languages": data.languages,
                             "weekdays": sorted(set(data.weekdays)), "hour_from": data.hour_from,
                             "hour_to": data.hour_to})
    if slots and kind != DeviceKind.SPEAKER:
        raise ServiceError("not_speaker", _("Only loudspeaker players have a daily schedule."))
    for slot in slots:
        if not isinstance(slot, dict) or not all(
                isinstance(slot.get(f), list) for f in ("weekdays", "languages", "topics", "items")):
            raise bad()
        try:
            checked = check_slot(SlotInput(
                at=time.fromisoformat(str(slot["at"])), languages=[str(x) for x in slot["languages"]],
                weekdays=list(slot["weekdays"]), topics=[str(t) for t in slot["topics"]],
                items=[str(i) for i in slot["items"]], volume=int(slot.get("volume", 70)),
                max_minutes=int(slot.get("max_minutes", 30))))
        except (KeyError, TypeError, ValueError):
            raise bad() from None
        out["slots"].append({"at": checked.at.strftime("%H:%M"), "weekdays": checked.weekdays,
                             "languages": checked.languages, "topics": checked.topics, "items": checked.items,
                             "volume": checked.volume, "max_minutes": checked.max_minutes})
    return out


@dataclass
class HubPlaylistEdit:
    """One change a publisher makes at the hub to a site device's playlist (one of the fields set)."""

    pinned: list[str] | None = None
    add_rule: RuleInput | None = None
    remove_rule: int | None = None  # position in the playlist's rules
    add_slot: SlotInput | None = None
    remove_slot: int | None = None  # position in the playlist's slots


def hub_working_playlist(device: SiteDevice) -> tuple[dict[str, Any], int, bool]:
    """(the document a hub edit starts from, the node revision it is based on, whether it is still on its way).
    While the hub's last version has not reached the site, further edits build on it and keep its base: the
    officer's changes reported meanwhile were not seen by the editor, so they still count as a conflict."""
    pending = HubPlaylist.objects.filter(device=device).first()
    if pending is not None and (device.hub_playlist_at is None or device.hub_playlist_at < pending.changed_at):
        return pending.document, pending.base_revision, True
    return device.playlist or empty_playlist(), device.playlist_revision, False


def check_hub_playlist_edit(device: SiteDevice, edit: HubPlaylistEdit, doc: dict[str, Any]) -> dict[str, Any]:
    new = {"pinned": list(doc.get("pinned", [])), "rules": list(doc.get("rules", [])),
           "slots": list(doc.get("slots", []))}
    if edit.pinned is not None:
        new["pinned"] = edit.pinned
    if edit.add_rule is not None:
        new["rules"].append({f: getattr(edit.add_rule, f) for f in RULE_FIELDS})
    if edit.remove_rule is not None:
        if not 0 <= edit.remove_rule < len(new["rules"]):
            raise ServiceError("not_found", _("No such rule."), status=404)
        del new["rules"][edit.remove_rule]
    if edit.add_slot is not None:
        slot = check_slot(edit.add_slot)
        new["slots"].append({**{f: getattr(slot, f) for f in SLOT_FIELDS}, "at": slot.at.strftime("%H:%M")})
    if edit.remove_slot is not None:
        if not 0 <= edit.remove_slot < len(new["slots"]):
            raise ServiceError("not_found", _("No such slot."), status=404)
        del new["slots"][edit.remove_slot]
    return check_playlist_document(new, device.kind)


def do_edit_hub_playlist(actor: Any, site_device_id: int, edit: HubPlaylistEdit,
                         now: datetime | None = None) -> HubPlaylist:
    """A publisher changes a site device's playlist at the hub; the node applies it at its next sync (network or
    USB), the hub's version winning over the officer's own changes made meanwhile."""
    now = now or timezone.now()
    with transaction.atomic():
        device = SiteDevice.objects.select_for_update().filter(pk=site_device_id).first()
        if not can_class_items(actor):
            raise ServiceError("forbidden", _("Only publishers change the sites' playlists."), status=403)
        if device is None or device.revoked:
            raise ServiceError("not_found", _("No such device."), status=404)
        doc, base, _pending = hub_working_playlist(device)
        new = check_hub_playlist_edit(device, edit, doc)
        playlist, _created = HubPlaylist.objects.select_for_update().get_or_create(device=device)
        playlist.document = new
        playlist.base_revision = base
        playlist.changed_at = now
        playlist.set_by = actor
        playlist.save()
        record(actor, "points.hub_playlist", device, node=device.node_id, base=base, playlist=new)
    return playlist


def do_mark_conflict_seen(actor: Any, conflict_id: int, now: datetime | None = None) -> None:
    """The officer has read that the hub's version replaced their changes."""
    now = now or timezone.now()
    with transaction.atomic():
        _check_manager(actor)
        conflict = PlaylistConflict.objects.select_for_update().filter(pk=conflict_id).first()
        if conflict is None:
            raise ServiceError("not_found", _("No such notice."), status=404)
        if conflict.seen_at is None:
            conflict.seen_at = now
            conflict.seen_by = actor
            conflict.save(update_fields=["seen_at", "seen_by"])
            record(actor, "points.playlist_conflict_seen", conflict.device, conflict=conflict.pk)


# ------------------------------------------------------------------------------------------------ speech

SPEECH_DIR = "speech"  # under DATA_DIR: one MP3 per item, language and version (and text), made once
SPEECH_MAX_WORDS = 300  # about two minutes: the engine reads at most voice.MAX_TEXT characters anyway


def unspoken(languages: list[str]) -> list[str]:
    """The languages no speech engine here reads (Jarai and the other minority languages): recordings only."""
    return [lang for lang in languages if not voice.can_speak(lang)]


def speech_text(variant: Any) -> str:
    """What a loudspeaker reads of a language version without audio: its title, summary and text."""
    parts = [variant.title, variant.summary, strip_tags(variant.body or "")]
    return " ".join(" ".join(parts).split()[:SPEECH_MAX_WORDS])


def _speech_path(item: Item, variant: Any) -> Path:
    digest = hashlib.sha256(speech_text(variant).encode()).hexdigest()[:12]
    return Path(settings.DATA_DIR) / SPEECH_DIR / f"{item.uid}-{variant.language}-v{item.version}-{digest}.mp3"


def _speech(item: Item, variant: Any) -> dict[str, Any] | None:
    """The spoken version of a variant without audio (URL by the item's version; its length once made, else
    estimated from the text), or None when the speech engine does not read the language (Jarai: recordings)."""
    if not voice.can_speak(variant.language) or not speech_text(variant):
        return None
    path = _speech_path(item, variant)
    seconds = None
    length = path.with_suffix(".json")
    ready = length.exists()  # made already (ahead, by pregenerate_speech, or at an earlier play)
    if ready:
        seconds = json.loads(length.read_text())["seconds"]
    else:
        text = speech_text(variant)
        # 150 words a minute; unspaced scripts (Chinese) about four characters a second.
        seconds = max(3, round(len(text.split()) * 60 / voice.SPEED_WPM), round(len(text) / 12))
    return {"url": reverse("points:speech", args=[item.uid, variant.language, item.version]),
            "seconds": int(seconds), "speech": True, "ready": ready}


def speech_file(item: Item, language: str) -> Path:
    """The MP3 of an item's language version read aloud, made by eSpeak NG the first time it is asked for (or
    beforehand, by pregenerate_speech after a sync) and kept as a file named by the item's version (older
    versions' files of the item and language go)."""
    return _ensure_speech(item, language)[0]


def _ensure_speech(item: Item, language: str) -> tuple[Path, bool]:
    """(the MP3's path, whether it was made now)."""
    variant = next((v for v in shown_variants(AnonymousUser(), item, list(item.variants.all()))
                    if v.language == language), None)
    if variant is None or not voice.can_speak(language) or not speech_text(variant):
        raise ServiceError("no_speech", _("This item is not read aloud in this language."), status=404)
    path = _speech_path(item, variant)
    if path.exists():
        return path, False
    samples, rate = voice.synthesize(speech_text(variant), language)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{secrets.token_hex(6)}-{path.name}")
    tmp.write_bytes(voice.to_mp3(samples, rate))
    path.with_suffix(".json").write_text(json.dumps({"seconds": max(1, round(len(samples) / rate))}))
    tmp.replace(path)
    for old in path.parent.glob(f"{item.uid}-{language}-v*"):
        if old.stem != path.stem:
            old.unlink(missing_ok=True)
    return path, True


@dataclass
class SpeechRun:
    """What one pre-generation pass did: files made, files already there, what failed, and the languages the
    loudspeakers' slots name that no offline voice reads (only recordings play in them)."""

    made: list[str]
    kept: int
    failed: list[str]
    unspoken: list[str]

    def summary(self) -> str:
        return (f"speech: {len(self.made)} made, {self.kept} already made, {len(self.failed)} failed; "
                f"no offline voice (recordings only): {', '.join(self.unspoken) or '-'}")


def pregenerate_speech(now: datetime | None = None) -> SpeechRun:
    """Make now the spoken versions the site's loudspeakers will read (today's and tomorrow's slots still to
    come, and the emergencies): the first play at its slot then starts at once instead of waiting on eSpeak NG.
    Run by a task after a sync commits (points.apps) and every hour; what is already made is kept (a file per
    item version), so a second run does nothing."""
    now = now or timezone.now()
    wanted: dict[str, set[str]] = {}
    unspoken_tags: set[str] = set()
    speakers = Device.objects.filter(kind=DeviceKind.SPEAKER, paired_at__isnull=False, revoked_at__isnull=True)
    for device in speakers.prefetch_related("slots"):
        programme = speaker_programme(device, now)
        for slot in programme["slots"]:
            unspoken_tags.update(slot["unspoken"])
            for entry in slot["entries"]:
                if entry["speech"]:
                    wanted.setdefault(entry["uid"], set()).add(entry["lang"])
        for entry in programme["emergency"]:
            for variant in entry["variants"]:
                if variant["speech"]:
                    wanted.setdefault(entry["uid"], set()).add(variant["lang"])
                elif not variant["audio"] and not voice.can_speak(variant["lang"]):
                    unspoken_tags.add(variant["lang"])
    run = SpeechRun(made=[], kept=0, failed=[], unspoken=sorted(unspoken_tags))
    for item in _showable(now).filter(uid__in=list(wanted)).prefetch_related("variants"):
        for language in sorted(wanted[str(item.uid)]):
            try:
                _path, made = _ensure_speech(item, language)
            except ServiceError:
                run.failed.append(f"{item.uid}/{language}")  # eSpeak NG failed or missing: played on demand
                continue
            if made:
                run.made.append(f"{item.uid}/{language}")
            else:
                run.kept += 1
    return run
