"""The appraisal checklist is edited here by the operator (the central office); opinions and schedules
are shown read-only, since they change only through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ttdn.core import audit
from ttdn.core.admin import ReadOnlyAdmin, ReadOnlyInline
from ttdn.editorial.models import Criterion, Opinion, OpinionCheck, Schedule


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "code", "position", "active")
    list_editable = ("position", "active")
    search_fields = ("name", "name_en", "code")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Opinions point at their criteria: retire one (untick "asked") instead of deleting it.
        return False

    def save_model(self, request: HttpRequest, obj: Criterion, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
                     "editorial.criterion.update" if change else "editorial.criterion.create", obj,
                     code=obj.code, active=obj.active)


class OpinionCheckInline(ReadOnlyInline):
    model = OpinionCheck
    fields = ("criterion_name", "passed", "note")
    readonly_fields = fields


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "title", "decision", "appraiser_name")
    list_filter = ("decision",)
    inlines = [OpinionCheckInline]


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ("item", "publish_at", "scheduled_by", "failed_at")
