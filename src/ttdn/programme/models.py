"""Data of the plans: plans, sections, tasks, indicators, reports, officers, training and budget."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyGroup(models.TextChoices):
    """The groups of agencies plans name instead of one agency ("UBND cấp huyện", "các sở, ban, ngành")."""

    PROVINCIAL_DEPARTMENTS = "provincial_departments", _("Các sở, ban, ngành")
    DISTRICT_COMMITTEES = "district_committees", _("UBND các huyện, thị xã, thành phố")
    COMMUNE_COMMITTEES = "commune_committees", _("UBND cấp xã")
    BORDER_DISTRICT_COMMITTEES = "border_district_committees", _("UBND các huyện biên giới")
    BORDER_COMMUNE_COMMITTEES = "border_commune_committees", _("UBND các xã biên giới")
    MASS_ORGANISATIONS = "mass_organisations", _("Ủy ban MTTQ và các tổ chức chính trị - xã hội")
    PRESS_AGENCIES = "press_agencies", _("Các cơ quan báo chí")
    ALL_AGENCIES = "all_agencies", _("Tất cả các cơ quan, đơn vị")
