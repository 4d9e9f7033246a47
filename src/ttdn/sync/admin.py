"""Read-only admin for operators: the node registry and the node's own state. Changes go through the services
(`ttdn edge …`, `ttdn sync`, `ttdn bundle …`)."""

from __future__ import annotations

from django.contrib import admin

from ttdn.core.admin import ReadOnlyAdmin
from ttdn.sync.models import EdgeNode, EnrolmentCode, Heartbeat, ImportedBundle, NodeState, ReturnAck


@admin.register(EdgeNode)
class EdgeNodeAdmin(ReadOnlyAdmin):
    list_display = ("name", "site", "audience", "last_contact_at", "last_applied_seq", "software_version",
                    "revoked_at")
    list_filter = ("audience", "site__province")
    search_fields = ("name", "site__name", "site__code", "uid")
    exclude = ("public_key",)


@admin.register(EnrolmentCode)
class EnrolmentCodeAdmin(ReadOnlyAdmin):
    list_display = ("site", "issued_by", "issued_at", "expires_at", "used_at")
    exclude = ("code_hash",)


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("node", "at", "via", "applied_seq", "software_version", "free_disk_bytes")
    list_filter = ("via",)


@admin.register(ReturnAck)
class ReturnAckAdmin(ReadOnlyAdmin):
    list_display = ("node", "bundle_id", "status", "applied_seq", "at")


@admin.register(NodeState)
class NodeStateAdmin(ReadOnlyAdmin):
    list_display = ("site_name", "hub_url", "applied_seq", "epoch", "last_sync_at", "last_error")


@admin.register(ImportedBundle)
class ImportedBundleAdmin(ReadOnlyAdmin):
    list_display = ("bundle_id", "status", "applied_seq", "at", "acked")
