"""The node registry and enrolment codes, the change feed and file chunk lists (hub side); the node's own
state, its memory of removed items and its chunk index (edge side); the up-link counts on both sides."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NodeAudience(models.TextChoices):
    PUBLIC = "public", _("Public material only")
    OFFICIALS = "officials", _("Public and officials-only material")


# ------------------------------------------------------------------------------------------------ hub


class EdgeNode(models.Model):
    """A box at a border site, known by the Ed25519 public key it made at enrolment."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey("places.BorderSite", on_delete=models.PROTECT, related_name="edge_nodes")
    name = models.CharField(max_length=200)
    public_key = models.CharField(max_length=64, unique=True)  # raw Ed25519 key, hex
    enrolled_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    # Targeting beyond what the site gives (province, neighbour country): languages shipped besides
    # Vietnamese and the source language, and whether officials-only material goes there.
    languages = models.JSONField(default=list, blank=True)
    audience = models.CharField(max_length=16, choices=NodeAudience.choices, default=NodeAudience.PUBLIC)
    # Bumped on every targeting change: a node that reports an older epoch is reconciled.
    targeting_epoch = models.PositiveIntegerField(default=1)
    # What the node last told us.
    last_contact_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_applied_seq = models.BigIntegerField(default=0)
    reported_epoch = models.PositiveIntegerField(default=0)
    software_version = models.CharField(max_length=32, blank=True)
    free_disk_bytes = models.BigIntegerField(null=True, blank=True)
    # The formats it reads, {"batch": [..], "bundle": [..]}; empty until it reports them (then it reads format 1).
    formats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["site__province__name", "site__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.site})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class EnrolmentCode(models.Model):
    """A one-time code that lets one box enrol for a site. Only its SHA-256 is stored."""

    code_hash = models.CharField(max_length=64, unique=True)
    site = models.ForeignKey("places.BorderSite", on_delete=models.CASCADE, related_name="enrolment_codes")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    node = models.OneToOneField(EdgeNode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.site} until {self.expires_at:%Y-%m-%d %H:%M}"


class FeedEntry(models.Model):
    """One change of one item. `seq` comes from the database's own counter (a sequence on PostgreSQL), so
    concurrent writers never share a number; a node's cursor is the last seq it applied."""

    seq = models.BigAutoField(primary_key=True)
    item_id = models.BigIntegerField(db_index=True)
    item_uid = models.UUIDField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.item_uid}"


class FileChunks(models.Model):
    """The content-defined chunks of one stored file, computed once."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    chunks = models.JSONField(default=list)  # [[chunk sha256, length], …] in file order

    def __str__(self) -> str:
        return f"{self.sha256[:12]}: {len(self.chunks)} chunks"


class ChunkLocation(models.Model):
    """Where a chunk's bytes can be read (hub: in a stored file; node: in a file it holds)."""

    chunk_sha256 = models.CharField(max_length=64, db_index=True)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    offset = models.BigIntegerField()
    length = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["file_sha256", "offset"], name="one_chunk_per_offset")]

    def __str__(self) -> str:
        return f"{self.chunk_sha256[:12]} in {self.file_sha256[:12]}@{self.offset}"


class SeenNonce(models.Model):
    """Nonces of signed requests within the allowed clock skew, so a captured request cannot be replayed."""

    node = models.ForeignKey(EdgeNode, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "nonce"], name="nonce_once_per_node")]

    def __str__(self) -> str:
        return self.nonce


class Heartbeat(models.Model):
    """One contact from a node (over the network or by a return bundle)."""

    node = models.ForeignKey(EdgeNode, on_delete=models.CASCADE, related_name="heartbeats")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    via = models.CharField(max_length=16, default="network")
    applied_seq = models.BigIntegerField(default=0)
    software_version = models.CharField(max_length=32, blank=True)
    free_disk_bytes = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.node_id} {self.at:%Y-%m-%d %H:%M} {self.via}"


class CountKind(models.TextChoices):
    VIEW = "view", _("Page views")
    DOWNLOAD = "download", _("Downloads")


class DisplayCount(models.Model):
    """How often an item was shown or downloaded at a node on one day. Counts only: no personal data."""

    node = models.ForeignKey(EdgeNode, on_delete=models.CASCADE, related_name="display_counts")
    day = models.DateField()
    item_uid = models.UUIDField()
    kind = models.CharField(max_length=16, choices=CountKind.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "day", "item_uid", "kind"], name="one_count_per_node_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.item_uid} {self.kind}: {self.count}"


class ReturnAck(models.Model):
    """A node's acknowledgement of a bundle, read from its return bundle."""

    node = models.ForeignKey(EdgeNode, on_delete=models.CASCADE, related_name="return_acks")
    bundle_id = models.CharField(max_length=64)
    status = models.CharField(max_length=32)
    applied_seq = models.BigIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "bundle_id"], name="one_ack_per_bundle")]

    def __str__(self) -> str:
        return f"{self.bundle_id}: {self.status}"


# ----------------------------------------------------------------------------------------------- edge


class NodeState(models.Model):
    """This box's enrolment and cursor (one row). The private key is a file in the data directory."""

    hub_url = models.CharField(max_length=500)
    node_uid = models.UUIDField()
    hub_public_key = models.CharField(max_length=64)
    site_code = models.CharField(max_length=64, blank=True)
    site_name = models.CharField(max_length=200, blank=True)
    languages = models.JSONField(default=list, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)
    applied_seq = models.BigIntegerField(default=0)
    epoch = models.PositiveIntegerField(default=0)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Bytes moved today, for the optional daily budget.
    budget_day = models.DateField(null=True, blank=True)
    budget_bytes = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.site_name} → {self.hub_url}"


class GoneItem(models.Model):
    """An item removed from this node and the version it was removed at, so an older record arriving late
    (an old bundle imported out of order) cannot bring it back."""

    uid = models.UUIDField(unique=True)
    version = models.PositiveIntegerField()
    # Removed because targeting changed (not withdrawn): the hub may send the same version again.
    untargeted = models.BooleanField(default=False)
    epoch = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.uid} v{self.version}"


class LocalCount(models.Model):
    """Views and downloads at this node, per item per day, until the hub has them."""

    day = models.DateField()
    item_uid = models.UUIDField()
    kind = models.CharField(max_length=16, choices=CountKind.choices)
    count = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "item_uid", "kind"], name="one_local_count")]

    def __str__(self) -> str:
        return f"{self.day} {self.item_uid} {self.kind}: {self.count}"


class ImportedBundle(models.Model):
    """A bundle this node has seen, and what came of it (sent back in the return bundle)."""

    bundle_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=32)
    applied_seq = models.BigIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)
    acked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.bundle_id}: {self.status}"
