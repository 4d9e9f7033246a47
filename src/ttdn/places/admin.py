"""Read-only admin views of places. Every change goes through ttdn.places.services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ttdn.core.admin import ReadOnlyAdmin
from ttdn.places.models import AdminUnit, BorderSite


class ValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("current", _("In force today")), ("historical", _("No longer in force"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = dt.date.today()
        in_force = (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (
            Q(valid_to__isnull=True) | Q(valid_to__gt=today)
        )
        if self.value() == "current":
            return queryset.filter(in_force)
        if self.value() == "historical":
            return queryset.exclude(in_force)
        return queryset


@admin.register(AdminUnit)
class AdminUnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "level", "division_type", "parent", "gso_code", "valid_from", "valid_to", "key")
    list_filter = ("level", ValidityFilter, "division_type", "source")
    search_fields = ("name", "short_name", "gso_code", "key")
    list_select_related = ("parent",)
    fields = (
        "key", "gso_code", "level", "name", "short_name", "division_type", "parent", "valid_from", "valid_to",
        "successor_list", "predecessor_list", "source",
    )
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("successors"))
    def successor_list(self, obj: AdminUnit) -> str:
        return ", ".join(str(u) for u in obj.successors.all()) or "—"

    @admin.display(description=_("predecessors"))
    def predecessor_list(self, obj: AdminUnit) -> str:
        return ", ".join(str(u) for u in obj.predecessors.all()) or "—"


@admin.register(BorderSite)
class BorderSiteAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "province", "admin_unit", "neighbour_country", "active")
    list_filter = ("kind", "neighbour_country", "active", ("province", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "code", "province__name", "admin_unit__name")
    list_select_related = ("province", "admin_unit")
