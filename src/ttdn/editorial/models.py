"""The appraisal checklist, the opinions recorded against it, and scheduled publications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Criterion(models.Model):
    """One point of the appraisal checklist, configured by the central office (the operator, in the admin)."""

    code = models.SlugField(max_length=64, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=300, verbose_name=_("name (Vietnamese)"))
    name_en = models.CharField(max_length=300, blank=True, verbose_name=_("name (English)"))
    guidance = models.TextField(blank=True, verbose_name=_("what to check"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))
    # Retired criteria stay for the opinions that used them but are no longer asked.
    active = models.BooleanField(default=True, verbose_name=_("asked"))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("appraisal criterion")
        verbose_name_plural = _("appraisal criteria")

    def __str__(self) -> str:
        return self.name

    def label(self, ui_language: str = "vi") -> str:
        return self.name_en if ui_language.startswith("en") and self.name_en else self.name


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned for changes")


class Opinion(models.Model):
    """The appraiser's opinion (ý kiến thẩm định) recorded with the approval or return it led to."""

    item = models.ForeignKey("content.Item", on_delete=models.CASCADE, related_name="opinions")
    transition = models.OneToOneField("content.Transition", on_delete=models.CASCADE, related_name="opinion")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    appraiser = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    appraiser_name = models.CharField(max_length=200)  # kept as signed, even if the account goes
    comment = models.TextField(blank=True)
    # The title of the material when appraised, for the printed opinion.
    title = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.decision} {self.created_at:%Y-%m-%d}"


class OpinionCheck(models.Model):
    """One criterion of one opinion: passed or failed, with a note. The criterion's name is kept as it read."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="checks")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    criterion_name = models.CharField(max_length=300)
    criterion_name_en = models.CharField(max_length=300, blank=True)
    passed = models.BooleanField()
    note = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["opinion", "criterion"], name="criterion_once_per_opinion")]

    def __str__(self) -> str:
        return f"{self.criterion_name}: {'passed' if self.passed else 'failed'}"

    def label(self, ui_language: str = "vi") -> str:
        english = ui_language.startswith("en") and self.criterion_name_en
        return self.criterion_name_en if english else self.criterion_name


class Schedule(models.Model):
    """An approved item to be published at `publish_at` (an embargo until then: it stays unpublished)."""

    item = models.OneToOneField("content.Item", on_delete=models.CASCADE, related_name="publication_schedule")
    publish_at = models.DateTimeField(db_index=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The last time the sweep could not publish it, and why (shown to publishers; it is tried again).
    failed_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(blank=True)

    class Meta:
        ordering = ["publish_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} at {self.publish_at:%Y-%m-%d %H:%M}"
