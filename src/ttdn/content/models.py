"""Items, variants, assets, topics, the workflow history and withdrawal tombstones."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ItemKind(models.TextChoices):
    ARTICLE = "article", _("Article")
    ORIENTATION_NOTE = "orientation_note", _("Orientation note")
    PUBLICATION = "publication", _("Publication (PDF)")
    LEAFLET = "leaflet", _("Leaflet")
    IMAGE = "image", _("Image / infographic")
    AUDIO = "audio", _("Audio programme")
    VIDEO = "video", _("Video")
    SMS = "sms", _("SMS text")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    OFFICIALS = "officials", _("Officials only")


class Classification(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_APPRAISAL = "in_appraisal", _("In appraisal")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Rejected")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    ARCHIVED = "archived", _("Archived")


class Item(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=32, choices=ItemKind.choices, db_index=True)
    # The language the item was written in; its variant is the source of every translation.
    source_language = models.CharField(max_length=16, default="vi")
    topics = models.ManyToManyField(Topic, blank=True, related_name="items")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="items")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="created_items"
    )
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.PUBLIC)
    classification = models.CharField(max_length=16, choices=Classification.choices, default=Classification.PUBLIC)
    # Targeting: provinces (AdminUnit, level province), neighbouring countries ("LA", "KH", "CN").
    target_provinces = models.ManyToManyField("places.AdminUnit", blank=True, related_name="targeted_items")
    target_countries = models.JSONField(default=list, blank=True)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True, db_index=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT, db_index=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Bumped on every change, so caches, the search index and sync can tell what moved.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["state", "audience", "published_at"])]

    def __str__(self) -> str:
        source = self.source_variant()
        return source.title if source else str(self.uid)

    def source_variant(self) -> Variant | None:
        for variant in self.variants.all():
            if variant.language == self.source_language:
                return variant
        return None


class TranslationState(models.IntegerChoices):
    # Ordered so that gates are comparisons (as Weblate does).
    TO_DO = 10, _("To do")
    IN_PROGRESS = 20, _("In progress")
    TRANSLATED = 30, _("Translated")
    REVIEWED = 40, _("Reviewed")


class Variant(models.Model):
    """The item in one language. A translation records which revision of its source it was made from."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="variants")
    language = models.CharField(max_length=16)
    title = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Sanitised HTML.")
    source_variant = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="translations"
    )
    source_revision = models.PositiveIntegerField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    translation_state = models.PositiveSmallIntegerField(
        choices=TranslationState.choices, default=TranslationState.TO_DO
    )
    translated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item_id", "language"]
        constraints = [models.UniqueConstraint(fields=["item", "language"], name="one_variant_per_language")]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"

    @property
    def is_source(self) -> bool:
        return self.source_variant_id is None

    @property
    def is_stale(self) -> bool:
        """A translation is stale when its source changed after it was made."""
        if self.source_variant is None or self.source_revision is None:
            return False
        return self.source_variant.revision > self.source_revision


class Asset(models.Model):
    """A file stored once, by the SHA-256 of its bytes."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    mime_type = models.CharField(max_length=100)
    file_kind = models.CharField(max_length=16)  # pdf, docx, image, audio, video
    extracted_text = models.TextField(blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    thumbnail_sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.mime_type})"


class Attachment(models.Model):
    """An asset attached to a variant, under the name the contributor gave it."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="attachments")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="attachments")
    filename = models.CharField(max_length=255)
    position = models.PositiveSmallIntegerField(default=0)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["variant", "asset"], name="asset_once_per_variant")]

    def __str__(self) -> str:
        return self.filename


class Transition(models.Model):
    """One step of the workflow: who moved the item, from where to where, when and why."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_state} → {self.to_state}"


class Tombstone(models.Model):
    """Left when material must disappear from every screen: withdrawn, expired or archived."""

    item_uid = models.UUIDField(db_index=True)
    reason_state = models.CharField(max_length=16, choices=State.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.item_uid} {self.reason_state}"


class VariantRevision(models.Model):
    """Each saved state of a variant, kept so that versions can be compared and an older one restored."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()  # equals Variant.revision when it was saved
    title = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set when this revision was made by restoring an older one.
    restored_from = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["variant_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["variant", "number"], name="one_revision_number_per_variant")]

    def __str__(self) -> str:
        return f"{self.variant_id} r{self.number}"
