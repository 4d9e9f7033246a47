"""The portal's own records: CAP alerts (the emergency class of an item) and the webhooks pushing changes out."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# ------------------------------------------------------------------------------------------------ CAP 1.2


class CapStatus(models.TextChoices):
    ACTUAL = "Actual", pgettext_lazy("CAP status", "Actual")
    EXERCISE = "Exercise", pgettext_lazy("CAP status", "Exercise (drill)")
    TEST = "Test", pgettext_lazy("CAP status", "Test")


class MsgType(models.TextChoices):
    ALERT = "Alert", pgettext_lazy("CAP message type", "Alert")
    UPDATE = "Update", pgettext_lazy("CAP message type", "Update")
    CANCEL = "Cancel", pgettext_lazy("CAP message type", "Cancel")


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", pgettext_lazy("CAP urgency", "Immediate")
    EXPECTED = "Expected", pgettext_lazy("CAP urgency", "Expected")
    FUTURE = "Future", pgettext_lazy("CAP urgency", "Future")
    PAST = "Past", pgettext_lazy("CAP urgency", "Past")
    UNKNOWN = "Unknown", pgettext_lazy("CAP urgency", "Unknown")


class Severity(models.TextChoices):
    EXTREME = "Extreme", pgettext_lazy("CAP severity", "Extreme")
    SEVERE = "Severe", pgettext_lazy("CAP severity", "Severe")
    MODERATE = "Moderate", pgettext_lazy("CAP severity", "Moderate")
    MINOR = "Minor", pgettext_lazy("CAP severity", "Minor")
    UNKNOWN = "Unknown", pgettext_lazy("CAP severity", "Unknown")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", pgettext_lazy("CAP certainty", "Observed")
    LIKELY = "Likely", pgettext_lazy("CAP certainty", "Likely")
    POSSIBLE = "Possible", pgettext_lazy("CAP certainty", "Possible")
    UNLIKELY = "Unlikely", pgettext_lazy("CAP certainty", "Unlikely")
    UNKNOWN = "Unknown", pgettext_lazy("CAP certainty", "Unknown")


class Category(models.TextChoices):
    GEO = "Geo", pgettext_lazy("CAP category", "Geophysical")
    MET = "Met", pgettext_lazy("CAP category", "Weather")
    SAFETY = "Safety", pgettext_lazy("CAP category", "Public safety")
    SECURITY = "Security", pgettext_lazy("CAP category", "Security")
    RESCUE = "Rescue", pgettext_lazy("CAP category", "Rescue")
    FIRE = "Fire", pgettext_lazy("CAP category", "Fire")
    HEALTH = "Health", pgettext_lazy("CAP category", "Health and epidemic")
    ENV = "Env", pgettext_lazy("CAP category", "Environment")
    TRANSPORT = "Transport", pgettext_lazy("CAP category", "Transport")
    INFRA = "Infra", pgettext_lazy("CAP category", "Infrastructure")
    CBRNE = "CBRNE", pgettext_lazy("CAP category", "Chemical, biological, nuclear")
    OTHER = "Other", pgettext_lazy("CAP category", "Other")


class Alert(models.Model):
    """An item of the emergency class: it is also a CAP alert, with these parameters, until cancelled."""

    item = models.OneToOneField("content.Item", on_delete=models.CASCADE, related_name="cap_alert")
    status = models.CharField(max_length=16, choices=CapStatus.choices, default=CapStatus.ACTUAL)
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.SAFETY)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.EXPECTED)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.MODERATE)
    certainty = models.CharField(max_length=16, choices=Certainty.choices, default=Certainty.LIKELY)
    event = models.JSONField(default=dict, blank=True)  # language → the event's name ("Lũ quét")
    instruction = models.JSONField(default=dict, blank=True)  # language → what people should do
    expires = models.DateTimeField(null=True, blank=True)
    # The communes (and wards) the alert is for, each a CAP <area> with its GSO geocode; none: the item's provinces.
    communes = models.ManyToManyField("places.AdminUnit", blank=True, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the alert came in from another system's CAP message (its sender and identifier).
    source_sender = models.CharField(max_length=255, blank=True)
    source_identifier = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["source_sender", "source_identifier"], condition=~models.Q(source_identifier=""),
            name="one_import_per_cap_message")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.status} {self.severity}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None and (self.expires is None or self.expires > timezone.now())


class CapMessage(models.Model):
    """One CAP message as sent: its signed document never changes (an Update or Cancel is a new message)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="messages")
    identifier = models.CharField(max_length=128, unique=True)
    sender = models.CharField(max_length=255)
    sent = models.DateTimeField()
    msg_type = models.CharField(max_length=8, choices=MsgType.choices)
    languages = models.JSONField(default=list)  # the <info> blocks it carries
    document = models.BinaryField()  # the signed CAP 1.2 XML

    class Meta:
        ordering = ["sent", "id"]

    def __str__(self) -> str:
        return f"{self.msg_type} {self.identifier}"


class CapSender(models.Model):
    """Another system whose CAP alerts the hub takes in: its CAP sender, its certificate, where they land."""

    sender = models.CharField(max_length=255, unique=True)  # the <sender> its messages carry
    name = models.CharField(max_length=200)
    # The X.509 certificate (PEM) its messages are signed with: an unsigned or wrongly signed message is refused.
    certificate = models.TextField()
    # The contributor account the imported items are filed under (its agency owns them).
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Where its Atom index of CAP messages is polled by the worker (empty: it posts its messages itself).
    feed_url = models.URLField(max_length=500, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)
    poll_error = models.CharField(max_length=500, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


# ------------------------------------------------------------------------------------------------ webhooks


class WebhookEvent(models.TextChoices):
    PUBLISHED = "published", _("Published")
    UPDATED = "updated", _("Updated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Subscriber(models.Model):
    """A receiving system of an agency (a provincial portal, a grassroots information system) and its filters."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="webhook_subscribers")
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128)  # the HMAC key; shown once to the administrator
    languages = models.JSONField(default=list, blank=True)  # empty lists mean "any"
    topics = models.JSONField(default=list, blank=True)
    provinces = models.JSONField(default=list, blank=True)  # GSO codes
    kinds = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Given up")


class Delivery(models.Model):
    """One event for one subscriber, and every attempt made to deliver it (the log a receiver can check)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=16, choices=WebhookEvent.choices)
    item_uid = models.UUIDField()
    payload = models.BinaryField()  # the exact bytes signed and sent
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING,
                             db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    log = models.JSONField(default=list, blank=True)  # [{"at", "status", "error", "ms"}] per attempt

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subscriber_id} {self.event} {self.item_uid} {self.state}"
