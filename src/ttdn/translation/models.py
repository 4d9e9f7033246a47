"""Translation jobs (one per item and target language, its source pinned), their segments, the shared
translation memory and the glossary."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JobState(models.IntegerChoices):
    # Ordered, so that gates are comparisons ("at least translated").
    REQUESTED = 10, _("Requested")
    IN_PROGRESS = 20, _("In progress")
    RETURNED = 25, _("Returned to the translator")
    TRANSLATED = 30, pgettext_lazy("job state", "Translated, waiting for review")
    APPROVED = 40, _("Reviewed and approved")


class Job(models.Model):
    """Translate one item into one language, from a pinned revision of its source (or of a pivot version)."""

    item = models.ForeignKey("content.Item", on_delete=models.CASCADE, related_name="translation_jobs")
    language = models.CharField(max_length=16)
    # The language translated from: the item's source, or a pivot (English or Vietnamese) version.
    from_language = models.CharField(max_length=16)
    # The revision of the from-language version the segments were taken from.
    source_revision = models.PositiveIntegerField()
    state = models.PositiveSmallIntegerField(choices=JobState.choices, default=JobState.REQUESTED, db_index=True)
    translator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="translation_jobs")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="review_jobs")
    # Who sent it for review last: never its reviewer.
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    due = models.DateField(null=True, blank=True)
    # The reviewer's word when the job was last returned.
    return_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Set when the overdue notice went out, so it goes once.
    overdue_noticed = models.BooleanField(default=False)

    class Meta:
        ordering = ["due", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "language"], name="one_job_per_item_language")]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.language}"


class SegmentPart(models.TextChoices):
    TITLE = "title", _("Title")
    SUMMARY = "summary", _("Summary")
    BODY = "body", _("Text")


class Segment(models.Model):
    """One sentence of the source and its translation. `block` and `tag` say where the sentence stands in the
    body (its paragraph, heading or list item), so the translated body is rebuilt in the same shape."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveIntegerField()
    part = models.CharField(max_length=8, choices=SegmentPart.choices)
    block = models.PositiveIntegerField(default=0)
    tag = models.CharField(max_length=16, default="p")
    wrap = models.CharField(max_length=8, blank=True)  # "ul" / "ol" around a list item
    source = models.TextField()
    source_hash = models.CharField(max_length=64, db_index=True)
    target = models.TextField(blank=True)
    # The source this segment had before the source changed (shown beside the new one while stale).
    old_source = models.TextField(blank=True)
    stale = models.BooleanField(default=False)
    # Where the target came from last: typed, memory (exact or fuzzy), machine translation (always labelled).
    origin = models.CharField(max_length=16, blank=True)
    comment = models.TextField(blank=True)  # the reviewer's comment when returning the job
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["job_id", "position"]
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="one_segment_per_position")]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.position}"


class MemoryUnit(models.Model):
    """A sentence and its approved translation, shared by every kind of content."""

    source_language = models.CharField(max_length=16)
    target_language = models.CharField(max_length=16)
    source = models.TextField()
    target = models.TextField()
    source_hash = models.CharField(max_length=64)
    target_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=32, blank=True)  # the item kind it came from (context)
    topic = models.CharField(max_length=64, blank=True)  # a topic code (context)
    origin = models.CharField(max_length=32, blank=True)  # "job:<id>", "tmx"
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["source_language", "target_language", "source_hash"])]
        constraints = [models.UniqueConstraint(fields=["source_language", "target_language", "source_hash",
                                                       "target_hash"], name="one_memory_unit_per_pair")]

    def __str__(self) -> str:
        return f"{self.source_language}→{self.target_language}: {self.source[:40]}"


class TermStatus(models.TextChoices):
    PREFERRED = "preferred", _("Preferred")
    DO_NOT_TRANSLATE = "do_not_translate", _("Do not translate")
    FORBIDDEN = "forbidden", _("Forbidden")


class Term(models.Model):
    """A glossary entry for one language pair: the source term and how it is (or is not) rendered."""

    source_language = models.CharField(max_length=16)
    target_language = models.CharField(max_length=16)
    source = models.CharField(max_length=200)
    target = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=TermStatus.choices, default=TermStatus.PREFERRED)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source_language", "target_language", "source"]
        constraints = [models.UniqueConstraint(fields=["source_language", "target_language", "source", "target"],
                                               name="one_term_per_pair")]

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.status})"
