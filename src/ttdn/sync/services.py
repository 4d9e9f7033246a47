"""Every operation of the sync app that changes state. `check_…` validates and authorises; `do_…` writes in one
transaction and records the audit entry.

Hub: enrolment codes, enrolment, revocation, targeting, signed-request authentication, contacts (heartbeat
and display counts), and `sites_equipped_and_online` for the plans' indicators.
Node: `do_enroll_node` (the node side of enrolment) and `count_display` (views and downloads on the LAN).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import shutil
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ttdn import __version__
from ttdn.accounts.models import Role, User
from ttdn.accounts.permissions import has_role
from ttdn.core import audit, languages
from ttdn.core.errors import NotFound, PermissionDenied, ServiceError
from ttdn.places.models import AdminUnit, BorderSite, SiteKind
from ttdn.sync import keys
from ttdn.sync.feed import OFFICIAL_SITE_KINDS
from ttdn.sync.models import (
    CountKind,
    DisplayCount,
    EdgeNode,
    EnrolmentCode,
    Heartbeat,
    LocalCount,
    NodeAudience,
    NodeState,
    ReturnAck,
    SeenNonce,
)

__all__ = [
    "MAX_SKEW",
    "authenticate_request",
    "check_enroll",
    "count_display",
    "do_enroll",
    "do_enroll_node",
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


def _both(message: Any) -> str:
    """Vietnamese, then English: a node's log is read by whoever is at the post."""
    with translation.override("vi"):
        vi = str(message)
    with translation.override("en"):
        en = str(message)
    return vi if vi == en else f"{vi} / {en}"


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
        raise Unauthenticated("unknown_node", _both(_("This node is not known to the hub. Enrol it again.")))
    if not keys.verify(node.public_key, keys.request_message(method, path, timestamp, nonce, body), signature):
        raise Unauthenticated("bad_signature", _both(_("The request's signature does not verify.")))
    if node.revoked_at is not None:
        raise PermissionDenied(
            _both(_("This node has been revoked by the hub's operator and may no longer synchronise.")),
            code="node_revoked",
        )
    try:
        sent = dt.datetime.fromtimestamp(float(timestamp), tz=dt.UTC)
    except (ValueError, OverflowError):
        raise Unauthenticated("bad_time", _both(_("The request carries no valid time."))) from None
    now = timezone.now()
    if abs(now - sent) > MAX_SKEW:
        raise Unauthenticated(
            "clock_skew", _both(_("The node's clock differs from the hub's by more than 5 minutes: set its time.")),
        )
    try:
        with transaction.atomic():
            SeenNonce.objects.create(node=node, nonce=nonce, at=now)
    except IntegrityError:
        raise Unauthenticated("replayed", _both(_("This request was already received (replay)."))) from None
    if secrets.randbelow(200) == 0:
        SeenNonce.objects.filter(at__lt=now - 2 * MAX_SKEW).delete()
    return node


def do_note_feed_read(node: EdgeNode, applied_seq: int) -> None:
    """A node reading the feed is in contact and has applied up to `applied_seq` (dashboard bookkeeping,
    one row update per request: not audited, like the heartbeat's counters)."""
    EdgeNode.objects.filter(pk=node.pk).update(last_contact_at=timezone.now(), last_applied_seq=applied_seq)


MAX_SEQ = _BIG = 2**63 - 1  # a BigIntegerField
MAX_EPOCH = _COUNT_MAX = 2**31 - 1  # a PositiveIntegerField
MAX_COUNT_ROWS = 100_000
MAX_ACKS = 1000


def _bad_report(field: str) -> ServiceError:
    return ServiceError("bad_request", _both(_("The node's report has a wrong value in “%(field)s”.")
                                              % {"field": field}), field=field)


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
    return out


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
        node.save(update_fields=["last_contact_at", "last_applied_seq", "reported_epoch", "software_version",
                                 "free_disk_bytes"])
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
        if via != "network" or rows:
            audit.record(None, "sync.node.contact", node, via=via, applied_seq=node.last_applied_seq,
                         counts=len(rows))


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


# ------------------------------------------------------------------------------------------------ node


def node_report() -> dict[str, Any]:
    """What the node tells the hub at each contact: state, disk, version and unsent counts."""
    state = NodeState.objects.first()
    usage = shutil.disk_usage(settings.DATA_DIR)
    counts = [
        {"day": c.day.isoformat(), "uid": str(c.item_uid), "kind": c.kind, "count": c.count}
        for c in LocalCount.objects.filter(count__gt=F("sent_count"))[:50_000]
    ]
    from ttdn.sync.models import ImportedBundle

    acks = [{"bundle_id": b.bundle_id, "status": b.status, "applied_seq": b.applied_seq}
            for b in ImportedBundle.objects.filter(acked=False)]
    return {
        "applied_seq": state.applied_seq if state else 0, "epoch": state.epoch if state else 0,
        "version": __version__, "free_disk": usage.free, "counts": counts, "acks": acks,
    }


def do_mark_reported(report: dict[str, Any]) -> None:
    """The hub has the counts and acks of this report: do not send them again."""
    from ttdn.sync.models import ImportedBundle

    with transaction.atomic():
        for row in report.get("counts", []):
            LocalCount.objects.filter(day=row["day"], item_uid=row["uid"], kind=row["kind"],
                                      sent_count__lt=row["count"]).update(sent_count=row["count"])
        ids = [a["bundle_id"] for a in report.get("acks", [])]
        if ids:
            ImportedBundle.objects.filter(bundle_id__in=ids).update(acked=True)


def count_display(item_uid: uuid.UUID, kind: str) -> None:
    """One view or download on this node's LAN; only the count per item per day is kept."""
    day = timezone.localdate()
    with transaction.atomic():
        updated = LocalCount.objects.filter(day=day, item_uid=item_uid, kind=kind).update(count=F("count") + 1)
        if not updated:
            LocalCount.objects.bulk_create([LocalCount(day=day, item_uid=item_uid, kind=kind, count=1)],
                                           update_conflicts=True, unique_fields=["day", "item_uid", "kind"],
                                           update_fields=["count"])


def do_enroll_node(hub_url: str, code: str, name: str = "") -> NodeState:
    """Make this box's key pair, register its public key with the hub using the one-time code, keep the answer."""
    from ttdn.sync.client import HubClient

    if settings.ROLE != "edge":
        raise ServiceError("not_edge", _("Enrolment is done on an edge box (TTDN_ROLE=edge)."))
    if NodeState.objects.exists():
        raise ServiceError("already_enrolled", _("This box is already enrolled. Use a fresh data directory to "
                                                 "enrol it again."), status=409)
    key = keys.node_key(create=True)
    client = HubClient(hub_url.rstrip("/"))
    answer = client.enroll(code, keys.public_hex(key), name, __version__)
    with transaction.atomic():
        state = NodeState.objects.create(
            hub_url=hub_url.rstrip("/"), node_uid=uuid.UUID(answer["node"]), hub_public_key=answer["hub_key"],
            site_code=answer["site"]["code"], site_name=answer["site"]["name"],
            languages=answer["site"].get("languages", []),
        )
        audit.record(None, "sync.node.enrolled", state, hub=state.hub_url, site=state.site_code)
    if not AdminUnit.objects.exists():
        from ttdn.places.services import do_load_admin_units

        do_load_admin_units()  # province names for the LAN pages
    return state


def do_add_local_official(username: str, password: str) -> User:
    """On a node: an account for an official at the site. Readers see officials-only material (when the node
    receives any) and nothing else: there is nothing to edit on a node."""
    from ttdn.accounts import services as accounts

    if settings.ROLE != "edge":
        raise ServiceError("not_edge", _("Local accounts for officials are created on an edge node."))
    with transaction.atomic():
        user = accounts.do_create_user(None, username, password, agency=None)
        accounts.do_grant_role(None, user, Role.READER)
    return user


def enrol_answer(node: EdgeNode) -> dict[str, Any]:
    site = node.site
    return {"node": str(node.uid), "hub_key": keys.public_hex(keys.hub_key()),
            "site": {"code": site.code, "name": site.name, "kind": site.kind, "languages": node.languages}}

