"""Read-only admin for material: operators inspect it here; every change goes through the services."""

from __future__ import annotations

from django.contrib import admin

from ttdn.content.models import Asset, Attachment, Item, Tombstone, Topic, Transition, Variant
from ttdn.core.admin import ReadOnlyAdmin, ReadOnlyInline


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ("name", "name_en", "code")
    search_fields = ("name", "name_en", "code")
    readonly_fields = ("code", "name", "name_en", "description")


class VariantInline(ReadOnlyInline):
    model = Variant
    fields = ("language", "title", "translation_state", "revision", "source_revision", "updated_at")
    readonly_fields = fields
    show_change_link = True


class TransitionInline(ReadOnlyInline):
    model = Transition
    fields = ("at", "from_state", "to_state", "actor", "reason")
    readonly_fields = fields


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ("uid", "__str__", "kind", "agency", "state", "audience", "published_at", "updated_at")
    list_filter = ("state", "kind", "audience", "classification")
    search_fields = ("uid", "variants__title")
    list_select_related = ("agency",)
    date_hierarchy = "updated_at"
    readonly_fields = ("uid", "kind", "source_language", "topics", "agency", "created_by", "audience",
                       "classification", "target_provinces", "target_countries", "valid_from", "valid_until",
                       "state", "state_changed_at", "created_at", "updated_at", "published_at", "version")
    inlines = [VariantInline, TransitionInline]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("filename", "asset", "position", "added_at")
    readonly_fields = fields


@admin.register(Variant)
class VariantAdmin(ReadOnlyAdmin):
    list_display = ("title", "language", "item", "translation_state", "revision", "updated_at")
    list_filter = ("language", "translation_state")
    search_fields = ("title", "item__uid")
    list_select_related = ("item",)
    readonly_fields = ("item", "language", "title", "summary", "body", "source_variant", "source_revision",
                       "revision", "translation_state", "translated_by", "created_at", "updated_at")
    inlines = [AttachmentInline]


@admin.register(Asset)
class AssetAdmin(ReadOnlyAdmin):
    list_display = ("sha256", "mime_type", "file_kind", "size", "page_count", "created_at")
    list_filter = ("file_kind", "mime_type")
    search_fields = ("sha256",)
    readonly_fields = ("sha256", "size", "mime_type", "file_kind", "page_count", "width", "height",
                       "duration_seconds", "thumbnail_sha256", "uploaded_by", "created_at", "extracted_text")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("filename", "variant", "asset", "added_at")
    search_fields = ("filename", "asset__sha256")
    list_select_related = ("variant", "asset")
    readonly_fields = ("variant", "asset", "filename", "position", "added_at")


@admin.register(Tombstone)
class TombstoneAdmin(ReadOnlyAdmin):
    list_display = ("item_uid", "reason_state", "at")
    list_filter = ("reason_state",)
    search_fields = ("item_uid",)
    readonly_fields = ("item_uid", "reason_state", "reason", "at")
