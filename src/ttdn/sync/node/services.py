"""Every operation of a node that changes state (`check_…` validates and authorises; `do_…` writes in one
transaction and records the audit entry): enrolment with the hub, local accounts for officials, display counts
on the LAN, and importing a hub's USB bundle. The sync pass itself is `sync.node.client.run_sync`.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn import __version__
from ttdn.accounts.models import Role, User
from ttdn.core import audit
from ttdn.core.errors import PermissionDenied, ServiceError
from ttdn.core.transactions import durable
from ttdn.places.models import AdminUnit
from ttdn.sync.models import ImportedBundle, LocalCount, NodeState
from ttdn.sync.node import apply, bundles
from ttdn.sync.node.client import HubClient
from ttdn.sync.node.report import do_mark_reported, node_report
from ttdn.sync.transport import keys

# What a node's command says on a box whose database was never set up (or not for this version's code).
NOT_SET_UP = _("This box's database has not been set up for this version: run `ttdn migrate` first.")

__all__ = [
    "check_import_bundle",
    "count_display",
    "do_add_local_official",
    "do_enroll_node",
    "do_import_bundle",
    "do_mark_reported",
    "node_report",
]


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
    return accounts.do_create_staff_member(None, username, password, agency=None, roles=[Role.READER])

# ------------------------------------------------------------------------------------------- bundles


def check_import_bundle(actor: User | None) -> None:
    """The node's console (actor None) or an operator imports bundles."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only an operator may manage border-site nodes."))


def do_import_bundle(actor: User | None, path: Path, return_to: Path | None = None) -> bundles.ImportResult:
    """(Node) apply a hub bundle (the node's apply is its own transaction), record and audit the import, and
    write the return bundle (in the format of the bundle it answers). Run from the node's console (actor None)
    or by an operator. A bundle refused (damaged, for another node, in a format this version does not read)
    leaves nothing behind: it is verified whole before anything is applied, recorded or written."""
    check_import_bundle(actor)
    with apply.node_lock():
        result = bundles.apply_hub_bundle(path)
        with durable():
            ImportedBundle.objects.update_or_create(
                bundle_id=result.bundle_id,
                defaults={"status": result.status, "applied_seq": result.stats.cursor, "at": timezone.now(),
                          "acked": False},
            )
            audit.record(actor, "sync.bundle.import", None, bundle_id=result.bundle_id, status=result.status,
                         records=result.stats.records, tombstones=result.stats.tombstones)
        result.return_path = bundles.write_return_bundle(return_to or path.with_name(path.stem + "-return.tar"),
                                                         result.bundle_format)
    return result


