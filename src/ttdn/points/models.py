"""Devices paired with the node, their playlist rules, bulletin classes and what they played."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DeviceKind(models.TextChoices):
    SCREEN = "screen", _("Screen")
    KIOSK = "kiosk", _("Touch kiosk")
    SPEAKER = "speaker", _("Loudspeaker player")


class Orientation(models.TextChoices):
    LANDSCAPE = "landscape", _("Landscape 1920×1080")
    PORTRAIT = "portrait", _("Portrait 1080×1920")


class Device(models.Model):
    """A screen, kiosk or loudspeaker player. Unpaired while only its code is known; the token is its key."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # how the hub knows it
    name = models.CharField(max_length=200, blank=True)
    group = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=16, choices=DeviceKind.choices, default=DeviceKind.SCREEN)
    orientation = models.CharField(max_length=16, choices=Orientation.choices, default=Orientation.LANDSCAPE)
    # Shown on the device until an officer enters it; cleared once paired.
    pairing_code = models.CharField(max_length=8, blank=True, db_index=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)  # SHA-256 of the device's bearer token
    created_at = models.DateTimeField(default=timezone.now)
    paired_at = models.DateTimeField(null=True, blank=True)
    paired_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Items shown whatever the rules say (uids, in order), still only if the node may show them.
    pinned = models.JSONField(default=list, blank=True)
    # Last heartbeat.
    last_seen_at = models.DateTimeField(null=True, blank=True)
    showing_uid = models.CharField(max_length=36, blank=True)
    showing_language = models.CharField(max_length=16, blank=True)
    showing_since = models.DateTimeField(null=True, blank=True)
    volume = models.PositiveSmallIntegerField(null=True, blank=True)
    player_version = models.CharField(max_length=32, blank=True)
    silent_after_seconds = models.PositiveIntegerField(default=180)

    class Meta:
        ordering = ["group", "name", "id"]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"

    @property
    def is_paired(self) -> bool:
        return self.paired_at is not None and self.revoked_at is None


class PlaylistRule(models.Model):
    """Which material a device shows, and when: empty lists mean "any"; hours are [from, to) in local time."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="rules")
    topics = models.JSONField(default=list, blank=True)  # topic codes
    kinds = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    weekdays = models.JSONField(default=list, blank=True)  # 0 = Monday … 6 = Sunday
    hour_from = models.PositiveSmallIntegerField(default=0)
    hour_to = models.PositiveSmallIntegerField(default=24)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.device_id}: {self.topics or '*'} {self.kinds or '*'}"


class BulletinClass(models.TextChoices):
    NORMAL = "normal", pgettext_lazy("bulletin class", "Normal")
    PRIORITY = "priority", pgettext_lazy("bulletin class", "Priority")
    EMERGENCY = "emergency", pgettext_lazy("bulletin class", "Emergency")


class Bulletin(models.Model):
    """The class of an item at this node (keyed by item uid: the item itself is the hub's). Absent = normal."""

    item_uid = models.UUIDField(unique=True)
    bulletin_class = models.CharField(max_length=16, choices=BulletinClass.choices, default=BulletinClass.NORMAL)
    until = models.DateTimeField(null=True, blank=True)  # besides the item's own validity
    cancelled_at = models.DateTimeField(null=True, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.item_uid} {self.bulletin_class}"


class PlayCount(models.Model):
    """Proof of play, aggregated: per device, day, item and language — nothing about people."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="plays")
    day = models.DateField()
    item_uid = models.UUIDField()
    language = models.CharField(max_length=16)
    plays = models.PositiveIntegerField(default=0)
    seconds = models.PositiveIntegerField(default=0)
    sent_plays = models.PositiveIntegerField(default=0)  # what the hub already has
    sent_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "day", "item_uid", "language"],
                                               name="one_play_count")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.day} {self.item_uid} [{self.language}]: {self.plays}"


# ------------------------------------------------------------------------------------------------ hub side


class SiteDevice(models.Model):
    """On the hub: a device of a node, as its last report described it."""

    node = models.ForeignKey("sync.EdgeNode", on_delete=models.CASCADE, related_name="point_devices")
    device_uid = models.UUIDField()
    name = models.CharField(max_length=200, blank=True)
    group = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=16, choices=DeviceKind.choices, default=DeviceKind.SCREEN)
    revoked = models.BooleanField(default=False)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    showing_uid = models.CharField(max_length=36, blank=True)
    showing_language = models.CharField(max_length=16, blank=True)
    showing_since = models.DateTimeField(null=True, blank=True)
    volume = models.PositiveSmallIntegerField(null=True, blank=True)
    player_version = models.CharField(max_length=32, blank=True)
    silent_after_seconds = models.PositiveIntegerField(default=180)
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["node", "device_uid"], name="one_site_device")]

    def __str__(self) -> str:
        return self.name or str(self.device_uid)


class SitePlayCount(models.Model):
    """On the hub: plays per node, device, day, item and language (absolute values: resending is harmless)."""

    node = models.ForeignKey("sync.EdgeNode", on_delete=models.CASCADE, related_name="point_plays")
    device_uid = models.UUIDField()
    day = models.DateField()
    item_uid = models.UUIDField()
    language = models.CharField(max_length=16)
    plays = models.PositiveIntegerField(default=0)
    seconds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "device_uid", "day", "item_uid", "language"],
                                               name="one_site_play_count")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.device_uid} {self.day} {self.item_uid} [{self.language}]: {self.plays}"
