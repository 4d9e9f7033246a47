"""Agencies, users, role grants, TOTP devices, login throttles and API tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    CENTRAL_OFFICE = "central_office", _("Central foreign-information office")
    MINISTRY = "ministry", _("Ministry")
    PROVINCIAL_PC = "provincial_pc", _("Provincial People's Committee")
    DEPARTMENT = "department", _("Provincial department")
    BORDER_GUARD_COMMAND = "border_guard_command", _("Provincial Border Guard Command")
    BORDER_POST = "border_post", _("Border-guard post")
    MILITARY_COMMAND = "military_command", _("Provincial Military Command")
    POLICE = "police", _("Provincial Police")
    NEWSPAPER = "newspaper", _("Provincial newspaper")
    RADIO_TV = "radio_tv", _("Provincial radio and television")
    TOURISM_CENTRE = "tourism_centre", _("Investment, trade and tourism promotion centre")
    FRIENDSHIP_UNION = "friendship_union", _("Union of Friendship Organisations")
    DISTRICT_PC = "district_pc", _("District People's Committee")
    COMMUNE_PC = "commune_pc", _("Commune People's Committee")
    # The Party committee's own bodies ("Ban Tuyên giáo và Dân vận Tỉnh ủy"): not State agencies, yet plans give
    # them tasks to lead and report on.
    PARTY_BODY = "party_body", _("Party committee body")
    OTHER = "other", _("Other agency")


class Agency(models.Model):
    """An agency as it was during [valid_from, valid_to); reorganisations add successors, never rename."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    name_en = models.CharField(max_length=255, blank=True)
    # The abbreviation used in document symbols ("UBND", "STTTT", "BCHBĐBP").
    abbreviation = models.CharField(max_length=32, blank=True)
    kind = models.CharField(max_length=32, choices=AgencyKind.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    province = models.ForeignKey(
        "places.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="agencies"
    )
    # The unit a district or commune people's committee governs.
    admin_unit = models.ForeignKey(
        "places.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="governing_agencies"
    )
    # Central agencies appraise, translate and publish for everyone.
    is_central = models.BooleanField(default=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_to is None or self.valid_to > dt.date.today()


class Role(models.TextChoices):
    CONTRIBUTOR = "contributor", _("Contributor")
    APPRAISER = "appraiser", _("Appraiser / editor")
    TRANSLATOR = "translator", _("Translator")
    PUBLISHER = "publisher", _("Publisher")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    READER = "reader", _("Reader")
    # Runs a plan: creates plans and tasks, consolidates the agencies' reports, downloads the documents.
    PLAN_MANAGER = "plan_manager", _("Plan manager")
    # Writes and submits its own agency's progress on a plan.
    PLAN_REPORTER = "plan_reporter", _("Plan reporter")


# Roles that act for the whole country and so must belong to a central agency.
CENTRAL_ROLES = frozenset({Role.APPRAISER, Role.TRANSLATOR, Role.PUBLISHER})
# Roles whose holders must log in with a second factor.
TWO_FACTOR_ROLES = frozenset({Role.APPRAISER, Role.PUBLISHER, Role.AGENCY_ADMIN})


class User(AbstractUser):
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    full_name = models.CharField(max_length=200, blank=True)
    position = models.CharField(max_length=200, blank=True)
    preferred_language = models.CharField(max_length=8, default="vi")

    def __str__(self) -> str:
        return self.full_name or self.username

    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    # For translators: the BCP 47 tag they translate into. Empty for other roles.
    language = models.CharField(max_length=16, blank=True)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role", "language"], name="unique_role_grant")]

    def __str__(self) -> str:
        return f"{self.user} {self.role}{':' + self.language if self.language else ''}"


class TOTPDevice(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    # The last accepted time step, so a code cannot be replayed.
    last_counter = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"TOTP for {self.user}"


class LoginThrottle(models.Model):
    """Failed logins per account name; a name is locked for a while after too many."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.username}: {self.failures}"


class ApiToken(models.Model):
    """A machine credential. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
