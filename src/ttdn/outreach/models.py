"""Operators, subscribers, the do-not-contact list, campaigns and the record of every message.

A message row exists before anything is offered to an SMSC (exactly once: see `sending`). Its states:

    pending ──claim──▶ claimed ──submit_sm_resp──▶ submitted ──receipt──▶ delivered / failed
       ▲                  │ (the sender died or the response never came)
       └──grace passed── uncertain ──receipt from the number──▶ submitted / delivered
    claimed by a run that died ──its journal has the SMSC's ids──▶ submitted ──query_sm──▶ delivered / failed
                               ──its journal shows it never left──▶ pending
    pending ──rules──▶ skipped (do-not-contact, too old to send)
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Operator(models.Model):
    """A telecom operator's SMSC account: where to bind, how fast it lets us send, what a segment costs."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    host = models.CharField(max_length=255, blank=True)
    port = models.PositiveIntegerField(default=2775)
    system_id = models.CharField(max_length=16, blank=True)
    password = models.CharField(max_length=9, blank=True)  # SMPP 3.4 allows 8 characters (+ NUL)
    window = models.PositiveSmallIntegerField(default=10)
    per_second = models.FloatField(default=0, help_text="Throughput limit agreed with the operator (0: none).")
    price_per_segment = models.DecimalField(max_digits=10, decimal_places=2, default=0)  # VND
    # How long a message whose submit went unanswered waits for a receipt before it is offered again (from the
    # bind, and from each receipt for a message of its time: see sending._still_coming).
    reconcile_grace_seconds = models.PositiveIntegerField(default=1800)
    last_error = models.TextField(blank=True)
    last_bound_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Subscriber(models.Model):
    """An opted-in number with its commune, language and operator (imported or looked up, never guessed)."""

    number = models.CharField(max_length=15, unique=True)  # 84XXXXXXXXX
    operator = models.ForeignKey(Operator, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="subscribers")
    commune = models.ForeignKey("places.AdminUnit", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    language = models.CharField(max_length=16, default="vi")
    opted_in_at = models.DateTimeField(default=timezone.now)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)  # the import it came from

    class Meta:
        indexes = [models.Index(fields=["commune", "language"])]

    def __str__(self) -> str:
        return self.number


class DoNotContact(models.Model):
    """A number that receives nothing, whatever list it is on. Always wins."""

    number = models.CharField(max_length=15, unique=True)
    reason = models.CharField(max_length=200, blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    def __str__(self) -> str:
        return self.number


class CampaignState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign", "Draft")
    AWAITING_APPROVAL = "awaiting", _("Awaiting approval")
    APPROVED = "approved", pgettext_lazy("campaign", "Approved")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class CampaignKind(models.TextChoices):
    SMS = "sms", _("SMS to listed subscribers")
    AREA = "area", _("Area broadcast order to the operators")


class Campaign(models.Model):
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    # An area broadcast is run by the operators on their own subscribers in the communes (cell-broadcast style):
    # we send them the order and enter back what they report.
    kind = models.CharField(max_length=8, choices=CampaignKind.choices, default=CampaignKind.SMS)
    title = models.CharField(max_length=200)
    item = models.ForeignKey("content.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sender_name = models.CharField(max_length=11)  # the brandname the subscriber sees
    segment_limit = models.PositiveSmallIntegerField(default=3)
    no_accents = models.BooleanField(default=False)
    communes = models.ManyToManyField("places.AdminUnit", blank=True, related_name="+")
    start_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    quiet_start = models.TimeField(default=time(22, 0))
    quiet_end = models.TimeField(default=time(7, 0))  # equal to quiet_start: no quiet hours
    cap = models.PositiveSmallIntegerField(default=3)
    state = models.CharField(max_length=16, choices=CampaignState.choices, default=CampaignState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class CampaignText(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=16)
    text = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "language"], name="outreach_one_text_per_lang")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.language}"


class VoiceSource(models.TextChoices):
    SYNTHESIZED = "tts", _("Read by the offline speech engine")
    RECORDED = "recorded", _("Recorded")


class VoiceClip(models.Model):
    """The audio of a campaign's message in one language: synthesized here, or a recording that replaces it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="voice_clips")
    language = models.CharField(max_length=16)
    source = models.CharField(max_length=16, choices=VoiceSource.choices)
    asset = models.ForeignKey("content.Asset", on_delete=models.PROTECT, related_name="+")  # MP3/OGG/M4A
    engine = models.CharField(max_length=64, blank=True)  # "espeak-ng vi 150 wpm"
    text = models.TextField(blank=True)  # what was read (a recording: empty)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "language"], name="outreach_one_voice_per_lang")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.language}:{self.source}"


class AreaResult(models.Model):
    """What an operator reports back for an area broadcast order, per commune."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="area_results")
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey("places.AdminUnit", on_delete=models.PROTECT, related_name="+")
    subscribers = models.PositiveIntegerField(default=0)  # reached by the broadcast
    delivered = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=14, decimal_places=0, default=0)  # VND
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "operator", "commune"],
                                               name="outreach_one_area_result")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.operator_id}:{self.commune_id}"


class MessageState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("message", "Pending")
    CLAIMED = "claimed", _("Being sent")
    UNCERTAIN = "uncertain", _("Awaiting confirmation")
    SUBMITTED = "submitted", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


OPEN_STATES = (MessageState.PENDING, MessageState.CLAIMED, MessageState.UNCERTAIN)


class Message(models.Model):
    """One recipient's message in one campaign: recorded before it is offered, offered at most once."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="messages")
    number = models.CharField(max_length=15)
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="messages")
    language = models.CharField(max_length=16)
    commune = models.ForeignKey("places.AdminUnit", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    segments = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=16, choices=MessageState.choices, default=MessageState.PENDING)
    reason = models.CharField(max_length=32, blank=True)  # why skipped / deferred / failed
    not_before = models.DateTimeField(null=True, blank=True)  # deferred by quiet hours or the cap
    claim = models.CharField(max_length=32, blank=True)  # the sender run that holds it
    claimed_at = models.DateTimeField(null=True, blank=True)
    uncertain_since = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    parts_accepted = models.PositiveSmallIntegerField(default=0)
    parts_delivered = models.PositiveSmallIntegerField(default=0)
    parts_failed = models.PositiveSmallIntegerField(default=0)
    error_code = models.IntegerField(null=True, blank=True)
    reconciled = models.BooleanField(default=False)  # its fate was learnt after a crash (journal or receipt)
    offers = models.PositiveSmallIntegerField(default=0)  # times it was handed to an SMSC session

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="outreach_one_message_per_number")]
        indexes = [models.Index(fields=["operator", "state"]), models.Index(fields=["number", "submitted_at"]),
                   models.Index(fields=["campaign", "state"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}→{self.number}"


class SmscId(models.Model):
    """An id an SMSC gave one part, under every form it may be quoted in again (see smpp.id_keys)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="smsc_ids")
    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="+")
    part = models.PositiveSmallIntegerField(default=1)
    key = models.CharField(max_length=80)

    class Meta:
        indexes = [models.Index(fields=["operator", "key"])]

    def __str__(self) -> str:
        return self.key
