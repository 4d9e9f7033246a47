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
    # A kiosk goes back to its start screen after this long untouched, forgetting the last visitor.
    idle_seconds = models.PositiveIntegerField(default=90)
    # The playlist (rules, pinned items, loudspeaker slots): each officer's change counts one revision; the hub
    # edits against the revision it was last told of, so a later local change means both changed it.
    playlist_revision = models.PositiveIntegerField(default=0)
    hub_playlist_at = models.DateTimeField(null=True, blank=True)  # the hub's version last applied (its time)

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
    # Set at the hub (its change time, to apply each hub decision once and never an older one over a newer);
    # null when the node's officer set it.
    hub_changed_at = models.DateTimeField(null=True, blank=True)
    repeat = models.PositiveSmallIntegerField(default=3)  # plays in a row of an emergency on a loudspeaker

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


class HubBulletin(models.Model):
    """On the hub: the class a publisher gave an item for the sites (all that receive it, or those named).
    It travels with every batch to the nodes that receive the item, and fast (the wake poll) when urgent."""

    item = models.OneToOneField("content.Item", on_delete=models.CASCADE, related_name="hub_bulletin")
    bulletin_class = models.CharField(max_length=16, choices=BulletinClass.choices, default=BulletinClass.NORMAL)
    until = models.DateTimeField(null=True, blank=True)
    repeat = models.PositiveSmallIntegerField(default=3)
    sites = models.ManyToManyField("places.BorderSite", blank=True, related_name="+")  # none = every site
    cancelled_at = models.DateTimeField(null=True, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.bulletin_class}"



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
    # Its playlist as the node last reported it, the node's revision of it, the hub version applied there, and
    # when the hub's version last replaced the officer's own changes.
    playlist = models.JSONField(null=True, blank=True)
    playlist_revision = models.PositiveIntegerField(default=0)
    hub_playlist_at = models.DateTimeField(null=True, blank=True)
    playlist_conflict_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["node", "device_uid"], name="one_site_device")]

    def __str__(self) -> str:
        return self.name or str(self.device_uid)


class HubPlaylist(models.Model):
    """On the hub: a site device's playlist as edited at the hub (the whole document), travelling in every batch
    to the device's node. `base_revision` is the node's revision the editor started from: a node whose officer
    changed the playlist since then has a conflict, and the hub's version wins there."""

    device = models.OneToOneField(SiteDevice, on_delete=models.CASCADE, related_name="hub_playlist")
    document = models.JSONField(default=dict)
    base_revision = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")

    def __str__(self) -> str:
        return f"{self.device_id} @ {self.changed_at:%Y-%m-%d %H:%M}"


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


# ------------------------------------------------------------------------------------------------ loudspeakers


class SpeakerSlot(models.Model):
    """A daily slot of a loudspeaker player: at `at` (local time), on its weekdays, the audio items (pinned, then
    those of its topics) in each of its languages in turn (e.g. Vietnamese then Jarai), at its volume."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="slots")
    at = models.TimeField()
    weekdays = models.JSONField(default=list, blank=True)  # 0 = Monday … 6 = Sunday; empty = every day
    languages = models.JSONField(default=list)  # in the order they are played
    topics = models.JSONField(default=list, blank=True)  # audio items of these topics (empty: only the pinned)
    items = models.JSONField(default=list, blank=True)  # pinned item uids, in order
    volume = models.PositiveSmallIntegerField(default=70)
    max_minutes = models.PositiveSmallIntegerField(default=30)  # the slot stops adding items past this length

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.device_id} {self.at:%H:%M} {'/'.join(self.languages)}"


class PlayLog(models.Model):
    """One play on a loudspeaker (what, in which language, when, how long, at what volume): proof of play.
    Nothing about people; kept LOG_DAYS days (the aggregated PlayCount stays)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="log")
    started_at = models.DateTimeField(db_index=True)
    item_uid = models.UUIDField()
    language = models.CharField(max_length=16)
    seconds = models.PositiveIntegerField(default=0)
    volume = models.PositiveSmallIntegerField(null=True, blank=True)
    slot = models.ForeignKey(SpeakerSlot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    emergency = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.device_id} {self.started_at:%Y-%m-%d %H:%M} {self.item_uid} [{self.language}]"


class PlaylistConflict(models.Model):
    """On the node: the hub's version of a playlist replaced the officer's own changes (both changed it). The
    officer is told on the devices page, with what they had, until they mark it seen."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="conflicts")
    at = models.DateTimeField(default=timezone.now)
    hub_changed_at = models.DateTimeField()
    officer_version = models.JSONField(default=dict)
    hub_version = models.JSONField(default=dict)
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.device_id} {self.at:%Y-%m-%d %H:%M}"
