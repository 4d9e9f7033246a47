"""Administrative units with validity dates and successors, and the border sites that receive material."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The two-level structure (province → commune/ward) took effect on this day.
REFORM_2025 = dt.date(2025, 7, 1)


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province / centrally-run city")
    DISTRICT = "district", _("District (until 30/06/2025)")
    COMMUNE = "commune", _("Commune / ward / special zone")


class AdminUnit(models.Model):
    """One administrative unit as it was during [valid_from, valid_to). Old units are never rewritten."""

    # "<era>:<level>:<GSO code>", e.g. "new:c:23788" and "old:c:23788" (xã Ia Chia after and before 2025),
    # so an old and a new unit with the same number stay distinct (see places.services).
    key = models.CharField(max_length=32, unique=True)
    gso_code = models.CharField(max_length=8, db_index=True)
    level = models.CharField(max_length=16, choices=UnitLevel.choices, db_index=True)
    name = models.CharField(max_length=128)  # "Xã Ia Chia"
    short_name = models.CharField(max_length=128, db_index=True)  # "Ia Chia"
    division_type = models.CharField(max_length=48, blank=True)  # "xã", "phường", "huyện", "tỉnh"
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True, help_text="First day the unit no longer existed.")
    # Where the data package tells us which unit took an old one over.
    successors = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="predecessors")
    source = models.CharField(max_length=64, blank=True, help_text="Data package and version it came from.")

    class Meta:
        ordering = ["level", "name"]
        indexes = [models.Index(fields=["level", "short_name"])]

    def __str__(self) -> str:
        if self.valid_to:
            return f"{self.name} (→{self.valid_to:%d/%m/%Y})"
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_to is None or self.valid_to > dt.date.today()

    def province(self) -> AdminUnit:
        unit = self
        while unit.parent_id is not None and unit.level != UnitLevel.PROVINCE:
            assert unit.parent is not None
            unit = unit.parent
        return unit

    def current_successors(self) -> list[AdminUnit]:
        """Follow successor links to the units in force today."""
        seen: set[int] = set()
        frontier = [self]
        result: list[AdminUnit] = []
        while frontier:
            unit = frontier.pop()
            if unit.pk in seen:
                continue
            seen.add(unit.pk)
            if unit.is_current:
                result.append(unit)
            else:
                frontier.extend(unit.successors.all())
        return result


def current_units(on: dt.date | None = None) -> models.QuerySet[AdminUnit]:
    day = on or dt.date.today()
    return AdminUnit.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )


class Country(models.TextChoices):
    LAOS = "LA", _("Laos")
    CAMBODIA = "KH", _("Cambodia")
    CHINA = "CN", _("China")


class SiteKind(models.TextChoices):
    BORDER_POST = "border_post", _("Border-guard post")
    GATE_INTERNATIONAL = "gate_international", _("International border gate")
    GATE_MAIN = "gate_main", _("Main border gate")
    GATE_SECONDARY = "gate_secondary", _("Secondary border gate")
    AIRPORT = "airport", _("Airport")
    BORDER_COMMUNE = "border_commune", _("Border commune")


class BorderSite(models.Model):
    """A place at the border that shows, prints, plays or sends material."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=SiteKind.choices, db_index=True)
    province = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="border_sites", limit_choices_to={"level": "province"}
    )
    # The commune (current or historical) the site stands in, when known.
    admin_unit = models.ForeignKey(
        AdminUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="sites_within"
    )
    neighbour_country = models.CharField(max_length=2, choices=Country.choices, blank=True)
    # BCP 47 tags from ttdn.core.languages, in order of need.
    languages = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["province__name", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class EquipmentKind(models.TextChoices):
    SCREEN = "screen", _("Screen")
    KIOSK = "kiosk", _("Kiosk")
    EDGE_BOX = "edge_box", _("Edge box")
    LOUDSPEAKER = "loudspeaker", _("Loudspeaker")
    BILLBOARD = "billboard", _("Billboard")


class EquipmentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    WORKING = "working", _("Installed, working")
    FAULTY = "faulty", _("Installed, out of order")
    REMOVED = "removed", _("Removed")


class Equipment(models.Model):
    """A device or board installed at a border site (the roll-out the plans fund)."""

    site = models.ForeignKey(BorderSite, on_delete=models.PROTECT, related_name="equipment")
    kind = models.CharField(max_length=16, choices=EquipmentKind.choices)
    label = models.CharField(max_length=200, blank=True)
    serial = models.CharField(max_length=100, blank=True)
    installed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=EquipmentStatus.choices, default=EquipmentStatus.PLANNED)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["site__name", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.site}"
