"""Read-only admin: operators can see which notices went to whom and whether they were mailed."""

from __future__ import annotations

from django.contrib import admin

from ttdn.core.admin import ReadOnlyAdmin
from ttdn.notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "object_type", "object_id", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("recipient__username", "object_id")
