"""Every operation of the hub's side of sync that changes state. `check_…` validates and authorises; `do_…`
writes in one transaction and records the audit entry.

Enrolment codes, enrolment, revocation, targeting, signed-request authentication, contacts (heartbeat, display
counts, the formats a node reads), `sites_equipped_and_online` for the plans' indicators, and the USB bundles
the hub writes (`do_export_bundle`) and reads back (`do_import_return_bundle`). The node's operations are
`sync.node.services`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Role, User
from ttdn.accounts.permissions import has_role
from ttdn.core import audit, languages
from ttdn.core.errors import NotFound, PermissionDenied, ServiceError
from ttdn.core.transactions import durable
from ttdn.places.models import AdminUnit, BorderSite, SiteKind
from ttdn.sync.hub import bundles
from ttdn.sync.hub.feed import OFFICIAL_SITE_KINDS
from ttdn.sync.models import (
    CountKind,
    DisplayCount,
    EdgeNode,
    EnrolmentCode,
    Heartbeat,
    NodeAudience,
    ReturnAck,
    SeenNonce,
)
from ttdn.sync.transport import keys, wire

__all__ = [
    "MAX_SKEW",
    "authenticate_request",
    "check_enroll",
    "do_enroll",
    "do_export_bundle",
    "do_import_return_bundle",
    "do_issue_code",
    "do_record_contact",
    "do_revoke_node",
    "do_set_targeting",
    "nodes_visible_to",
    "sites_equipped_and_online",
]

MAX_SKEW = dt.timedelta(minutes=5)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over a phone


class Unauthenticated(ServiceError):
    status = 401


def _hash_code(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


# ------------------------------------------------------------------------------------------ hub: nodes


def check_manage_nodes(actor: User | None) -> None:
    """Operators (and the command line, actor None) enrol, revoke and target nodes."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only an operator may manage border-site nodes."))


def do_issue_code(actor: User | None, site: BorderSite, valid_hours: float = 72) -> str:
    """A one-time enrolment code for this site; only its hash is kept."""
    check_manage_nodes(actor)
    if not site.active:
        raise ServiceError("site_inactive", _("This border site is not active."))
    if not 0 < valid_hours <= 24 * 30:
        raise ServiceError("invalid", _("A code is valid for between a few minutes and 30 days."), field="valid_hours")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(20))
    code = "-".join(raw[i:i + 5] for i in range(0, 20, 5))
    with transaction.atomic():
        entry = EnrolmentCode.objects.create(
            code_hash=_hash_code(code), site=site, issued_by=actor,
            expires_at=timezone.now() + dt.timedelta(hours=valid_hours),
        )
        audit.record(actor, "sync.code.issue", entry, site=site.code, expires_at=entry.expires_at.isoformat())
    return code


def check_enroll(code: str, public_key_hex: str) -> EnrolmentCode:
    try:
        raw = bytes.fromhex(public_key_hex)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ServiceError("invalid_key", _("The node's public key is not an Ed25519 key."))
    entry = EnrolmentCode.objects.select_related("site").filter(code_hash=_hash_code(code)).first()
    if entry is None or entry.used_at is not None or entry.expires_at <= timezone.now():
        raise PermissionDenied(
            _("This enrolment code is unknown, already used or expired. Ask the hub's operator for a new one."),
            code="bad_enrolment_code",
        )
    if EdgeNode.objects.filter(public_key=public_key_hex).exists():
        raise ServiceError("key_in_use", _("This key is already enrolled."), status=409)
    return entry


def do_enroll(code: str, public_key_hex: str, name: str = "", software_version: str = "") -> EdgeNode:
    with transaction.atomic():
        entry = check_enroll(code, public_key_hex)
        entry = EnrolmentCode.objects.select_for_update().get(pk=entry.pk)
        if entry.used_at is not None:
            raise PermissionDenied(_("This enrolment code has already been used."), code="bad_enrolment_code")
        site = entry.site
        node = EdgeNode.objects.create(
            site=site, name=(name or site.name)[:200], public_key=public_key_hex,
            languages=list(site.languages),
            audience=NodeAudience.OFFICIALS if site.kind == SiteKind.BORDER_POST else NodeAudience.PUBLIC,
            software_version=software_version[:32],
        )
        entry.used_at = timezone.now()
        entry.node = node
        entry.save(update_fields=["used_at", "node"])
        audit.record(None, "sync.node.enroll", node, site=site.code, key_id=keys.key_id(public_key_hex))
    return node


def do_revoke_node(actor: User | None, node: EdgeNode, reason: str = "") -> EdgeNode:
    check_manage_nodes(actor)
    with transaction.atomic():
        node = EdgeNode.objects.select_for_update().get(pk=node.pk)
        if node.revoked_at is None:
            node.revoked_at = timezone.now()
            node.revoked_reason = reason.strip()
            node.save(update_fields=["revoked_at", "revoked_reason"])
            audit.record(actor, "sync.node.revoke", node, site=node.site.code, reason=reason)
    return node


def do_set_targeting(actor: User | None, node: EdgeNode, *, languages_: list[str] | None = None,
                     audience: str | None = None) -> EdgeNode:
    """Change what a node receives; it is reconciled (material added or removed) at its next sync."""
    check_manage_nodes(actor)
    tags: list[str] | None = None
    if languages_ is not None:
        tags = []
        for tag in languages_:
            canonical = languages.canonical_tag(tag)
            if canonical is None:
                raise ServiceError("invalid", _("Unknown language “%(tag)s”.") % {"tag": tag}, field="languages")
            if canonical not in tags:
                tags.append(canonical)
    if audience is not None:
        if audience not in NodeAudience.values:
            raise ServiceError("invalid", _("Unknown audience."), field="audience")
        if audience == NodeAudience.OFFICIALS and node.site.kind not in OFFICIAL_SITE_KINDS:
            raise ServiceError(
                "invalid", _("Officials-only material goes to border posts, gates and airports only."),
                field="audience",
            )
    with transaction.atomic():
        node = EdgeNode.objects.select_for_update().get(pk=node.pk)
        before = {"languages": node.languages, "audience": node.audience}
        if tags is not None:
            node.languages = tags
        if audience is not None:
            node.audience = audience
        if before != {"languages": node.languages, "audience": node.audience}:
            node.targeting_epoch = F("targeting_epoch") + 1
            node.save(update_fields=["languages", "audience", "targeting_epoch"])
            node.refresh_from_db()
            audit.record(actor, "sync.node.target", node, before=before, languages=node.languages,
                         audience=node.audience, epoch=node.targeting_epoch)
    return node


def find_node(ref: str) -> EdgeNode:
    """A node by its uid, or by its site code when the site has exactly one node."""
    try:
        found = EdgeNode.objects.filter(uid=uuid.UUID(ref)).first()
    except ValueError:
        candidates = list(EdgeNode.objects.filter(site__code=ref, revoked_at__isnull=True))
        found = candidates[0] if len(candidates) == 1 else None
    if found is None:
        raise NotFound(_("No such node: %(ref)s.") % {"ref": ref})
    return found


# ---------------------------------------------------------------------------------- hub: signed requests


def authenticate_request(headers: dict[str, str], method: str, path: str, body: bytes) -> EdgeNode:
    """The node that signed this request; raises 401 (unknown, bad signature, replay, skew) or 403 (revoked)."""
    node_ref = headers.get("X-Ttdn-Node", "")
    timestamp = headers.get("X-Ttdn-Time", "")
    nonce = headers.get("X-Ttdn-Nonce", "")
    signature = headers.get("X-Ttdn-Signature", "")
    try:
        node = EdgeNode.objects.select_related("site").filter(uid=uuid.UUID(node_ref)).first()
    except ValueError:
        node = None
    if node is None or not (8 <= len(nonce) <= 64 and nonce.isalnum()):
        raise Unauthenticated("unknown_node", wire.both(_("This node is not known to the hub. Enrol it again.")))
    if not keys.verify(node.public_key, keys.request_message(method, path, timestamp, nonce, body), signature):
        raise Unauthenticated("bad_signature", wire.both(_("The request's signature does not verify.")))
    if node.revoked_at is not None:
        raise PermissionDenied(
            wire.both(_("This node has been revoked by the hub's operator and may no longer synchronise.")),
            code="node_revoked",
        )
    try:
        sent = dt.datetime.fromtimestamp(float(timestamp), tz=dt.UTC)
    except (ValueError, OverflowError):
        raise Unauthenticated("bad_time", wire.both(_("The request carries no valid time."))) from None
    now = timezone.now()
    if abs(now - sent) > MAX_SKEW:
        raise Unauthenticated(
            "clock_skew", wire.both(_("The node's clock differs from the hub's by more than 5 minutes: set its time.")),
        )
    try:
        with transaction.atomic():
            SeenNonce.objects.create(node=node, nonce=nonce, at=now)
    except IntegrityError:
        raise Unauthenticated("replayed", wire.both(_("This request was already received (replay)."))) from None
    if secrets.randbelow(200) == 0:
        SeenNonce.objects.filter(at__lt=now - 2 * MAX_SKEW).delete()
    return node


def do_note_feed_read(node: EdgeNode, applied_seq: int) -> None:
    """A node reading the feed is in contact and has applied up to `applied_seq` (dashboard bookkeeping,
    one row update per request: not audited, like the heartbeat's counters).

    On PostgreSQL its commit does not wait for the write-ahead log to reach the disk (one flush fewer on every feed
    read): a crash may lose the last fraction of a second of these marks, and the node's next request writes them
    again. The request's nonce (anti-replay) and the heartbeat with its audit are still committed durably."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        EdgeNode.objects.filter(pk=node.pk).update(last_contact_at=timezone.now(), last_applied_seq=applied_seq)


MAX_SEQ = _BIG = 2**63 - 1  # a BigIntegerField
MAX_EPOCH = _COUNT_MAX = 2**31 - 1  # a PositiveIntegerField
MAX_COUNT_ROWS = 100_000
MAX_ACKS = 1000
MAX_FORMATS, MAX_FORMAT = 16, 1000  # format numbers a node may name, and the highest


def _bad_report(field: str) -> ServiceError:
    return ServiceError("bad_request", wire.both(_("The node's report has a wrong value in “%(field)s”."),
                                                 {"field": field}), field=field)


def _whole(value: Any, field: str, high: int = _BIG) -> int:
    # bool is an int in Python; a node never means True by 1.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise _bad_report(field)
    return value


def _text(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise _bad_report(field)
    return value[:limit]


def _rows(report: dict[str, Any], field: str, limit: int) -> list[dict[str, Any]]:
    rows = report.get(field, [])
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows[:limit]):
        raise _bad_report(field)
    return rows[:limit]


def check_contact_report(report: dict[str, Any]) -> dict[str, Any]:
    """A node's report (over the network or in a return bundle), every field checked for its type and range:
    a wrong value is refused whole, with the field named, and nothing is recorded."""
    out: dict[str, Any] = {}
    for field in ("applied_seq", "epoch", "free_disk"):
        if report.get(field) is not None:
            out[field] = _whole(report[field], field, _COUNT_MAX if field == "epoch" else _BIG)
    if report.get("version") is not None:
        out["version"] = _text(report["version"], "version", 32)
    counts = []
    for row in _rows(report, "counts", MAX_COUNT_ROWS):
        try:
            day = dt.date.fromisoformat(row["day"])
            item_uid = uuid.UUID(row["uid"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise _bad_report("counts") from None
        counts.append({"day": day, "uid": item_uid, "kind": _text(row.get("kind"), "counts", 16),
                       "count": _whole(row.get("count"), "counts", _COUNT_MAX)})
    out["counts"] = counts
    acks = []
    for ack in _rows(report, "acks", MAX_ACKS):
        acks.append({"bundle_id": _text(ack.get("bundle_id"), "acks", 64),
                     "status": _text(ack.get("status"), "acks", 32),
                     "applied_seq": _whole(ack.get("applied_seq", 0), "acks")})
    out["acks"] = acks
    formats = report.get("formats")
    if formats is not None:  # a node from before the reporting sends none: its formats stay as they were
        if not isinstance(formats, dict):
            raise _bad_report("formats")
        out["formats"] = {kind: sorted({_whole(number, "formats", MAX_FORMAT) for number in _rows_of(formats, kind)})
                          for kind in ("batch", "bundle")}
    return out


def _rows_of(formats: dict[str, Any], kind: str) -> list[Any]:
    numbers = formats.get(kind, [])
    if not isinstance(numbers, list) or len(numbers) > MAX_FORMATS:
        raise _bad_report("formats")
    return numbers


def do_record_contact(node: EdgeNode, report: dict[str, Any], via: str = "network") -> None:
    """A heartbeat with the node's state and its display counts (absolute per day, so resending is harmless)."""
    checked = check_contact_report(report)
    now = timezone.now()
    with transaction.atomic():
        node = EdgeNode.objects.select_for_update().get(pk=node.pk)
        node.last_contact_at = now
        if "applied_seq" in checked:
            seq = checked["applied_seq"]
            # A return bundle may be carried in late: never move a node back behind a newer report.
            node.last_applied_seq = max(node.last_applied_seq, seq) if via == "bundle" else seq
        if "epoch" in checked:
            node.reported_epoch = checked["epoch"]
        node.software_version = checked.get("version", node.software_version)
        if "free_disk" in checked:
            node.free_disk_bytes = checked["free_disk"]
        if "formats" in checked:  # the USB bundles written for it are in these (`bundles.write_hub_bundle`)
            node.formats = checked["formats"]
        node.save(update_fields=["last_contact_at", "last_applied_seq", "reported_epoch", "software_version",
                                 "free_disk_bytes", "formats"])
        Heartbeat.objects.create(node=node, at=now, via=via, applied_seq=node.last_applied_seq,
                                 software_version=node.software_version, free_disk_bytes=node.free_disk_bytes)
        rows = [DisplayCount(node=node, day=row["day"], item_uid=row["uid"], kind=row["kind"], count=row["count"])
                for row in checked["counts"] if row["kind"] in CountKind.values]
        if rows:
            DisplayCount.objects.bulk_create(rows, update_conflicts=True,
                                             unique_fields=["node", "day", "item_uid", "kind"], update_fields=["count"])
        for ack in checked["acks"]:
            ReturnAck.objects.update_or_create(
                node=node, bundle_id=ack["bundle_id"],
                defaults={"status": ack["status"], "applied_seq": ack["applied_seq"]},
            )
        from ttdn.points import uplink as points_uplink

        points = points_uplink.record(node, report.get("points"))
        if via != "network" or rows or points:
            audit.record(None, "sync.node.contact", node, via=via, applied_seq=node.last_applied_seq,
                         counts=len(rows), points=points)


# ------------------------------------------------------------------------------------- hub: dashboard


def can_see_dashboard(user: User) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or has_role(user, Role.APPRAISER, Role.PUBLISHER):
        return True
    return has_role(user, Role.AGENCY_ADMIN) and user.agency is not None and bool(user.agency.province_id)


def nodes_visible_to(user: User) -> QuerySet[EdgeNode]:
    """Operators and central editors see every node; an agency administrator those of the agency's province."""
    qs = EdgeNode.objects.select_related("site", "site__province")
    if user.is_superuser or has_role(user, Role.APPRAISER, Role.PUBLISHER):
        return qs
    if has_role(user, Role.AGENCY_ADMIN) and user.agency is not None and user.agency.province_id:
        return qs.filter(site__province_id=user.agency.province_id)
    return qs.none()


def sites_equipped_and_online(province: AdminUnit | int | None = None,
                              within: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Border sites with an enrolled, unrevoked node that made contact within `within` (for plan indicators)."""
    q = Q(edge_nodes__revoked_at__isnull=True, edge_nodes__last_contact_at__gte=timezone.now() - within)
    sites = BorderSite.objects.filter(q, active=True)
    if province is not None:
        sites = sites.filter(province_id=province.pk if isinstance(province, AdminUnit) else province)
    return sites.distinct().count()


# ------------------------------------------------------------------------------------------- bundles


def check_export_bundle(actor: User | None, nodes: list[EdgeNode]) -> None:
    check_manage_nodes(actor)
    if not nodes:
        raise ServiceError("no_nodes", _("Name at least one node."))
    for node in nodes:
        if node.revoked_at is not None:
            raise PermissionDenied(_("Node %(node)s is revoked.") % {"node": node.uid}, code="node_revoked")


def do_export_bundle(actor: User | None, nodes: list[EdgeNode], out: Path, *, full: bool = False) -> Path:
    """(Hub) a signed bundle for these nodes (`bundles.write_hub_bundle`), audited. Reading the feed takes no
    transaction of its own here: a long export must not hold back the writers the feed waits for."""
    check_export_bundle(actor, nodes)
    built = bundles.write_hub_bundle(nodes, out, full=full)
    with durable():
        audit.record(actor, "sync.bundle.export", None, bundle_id=built.bundle_id, nodes=list(built.nodes),
                     ranges={k: [v["from"], v["to"]] for k, v in built.nodes.items()}, chunks=built.chunks)
    return built.path


def do_import_return_bundle(actor: User | None, path: Path) -> EdgeNode:
    """(Hub) a node's return bundle, verified with that node's key, recorded as a contact."""
    check_manage_nodes(actor)
    node, report = bundles.read_return_bundle(path)
    if node.revoked_at is not None:
        raise PermissionDenied(_("This node has been revoked; its return bundle is refused."), code="node_revoked")
    do_record_contact(node, report, via="bundle")
    return node


def enrol_answer(node: EdgeNode) -> dict[str, Any]:
    site = node.site
    return {"node": str(node.uid), "hub_key": keys.public_hex(keys.hub_key()),
            "site": {"code": site.code, "name": site.name, "kind": site.kind, "languages": node.languages}}

