"""Read-only admin for the audit trail: operators inspect it here; only the services write it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ttdn.core.models import AuditEntry

# The admin speaks the user's language (model and field names: ttdn.core.verbose_names).
admin.site.site_header = _("TTĐN administration")
admin.site.site_title = _("TTĐN administration")
admin.site.index_title = _("Inspect the records")


class ReadOnlyMixin:
    """Inspect, never change: every change goes through the services layer, which audits it."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_id", "agency_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "action", "object_id")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "actor_label", "action", "object_type", "object_id", "agency_id", "data")
