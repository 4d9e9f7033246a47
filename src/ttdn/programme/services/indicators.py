"""Indicators: values computed from the registries or reported, targets per phase, attainment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import User
from ttdn.core import audit
from ttdn.core.errors import Conflict, PermissionDenied
from ttdn.places.models import BorderSite, EquipmentStatus, SiteKind
from ttdn.programme import permissions as perms
from ttdn.programme.models import (
    Indicator,
    IndicatorSource,
    IndicatorTarget,
    IndicatorUnit,
    IndicatorValue,
    Officer,
    Plan,
)
from ttdn.programme.services.common import check_manage, clean_text, invalid, read_number
from ttdn.programme.services.scope import plan_province_ids


def compute_source(source: str, plan: Plan) -> float | None:
    """An indicator's value from the registries of the plan's province, as they are now."""
    provinces = plan_province_ids(plan)
    if source in {IndicatorSource.OFFICERS_TRAINED_PCT, IndicatorSource.OFFICERS_TRAINED}:
        officers = Officer.objects.filter(active=True, agency__province_id__in=provinces)
        total = officers.count()
        trained = officers.filter(enrolments__completed=True).distinct().count()
        if source == IndicatorSource.OFFICERS_TRAINED:
            return float(trained)
        return round(100 * trained / total, 1) if total else None
    sites = BorderSite.objects.filter(active=True, province_id__in=provinces)
    equipped = Q(equipment__status=EquipmentStatus.WORKING)
    if source == IndicatorSource.BORDER_COMMUNES_EQUIPPED_PCT:
        communes = sites.filter(kind=SiteKind.BORDER_COMMUNE)
        total = communes.count()
        done = communes.filter(equipped).distinct().count()
        return round(100 * done / total, 1) if total else None
    if source == IndicatorSource.POSTS_EQUIPPED:
        return float(sites.filter(equipped, kind=SiteKind.BORDER_POST).distinct().count())
    if source == IndicatorSource.GATES_EQUIPPED:
        gates = [SiteKind.GATE_INTERNATIONAL, SiteKind.GATE_MAIN, SiteKind.GATE_SECONDARY]
        return float(sites.filter(equipped, kind__in=gates).distinct().count())
    if source == IndicatorSource.SITES_EQUIPPED:
        return float(sites.filter(equipped).distinct().count())
    return None


@dataclass
class Attainment:
    indicator: Indicator
    actual: float | None
    target: IndicatorTarget | None
    percent: float | None  # actual / target × 100


def current_target(indicator: Indicator, today: dt.date | None = None) -> IndicatorTarget | None:
    """The target of the phase running today; before the first phase the first, after the last the last."""
    today = today or timezone.localdate()
    targets = list(indicator.targets.all())
    if not targets:
        return None
    running = [t for t in targets if t.start <= today <= t.end]
    if running:
        return min(running, key=lambda t: (t.end - t.start, t.end))
    ended = [t for t in targets if t.end < today]
    return max(ended, key=lambda t: t.end) if ended else min(targets, key=lambda t: t.start)


def indicator_actual(indicator: Indicator) -> float | None:
    if indicator.source != IndicatorSource.REPORTED:
        return compute_source(indicator.source, indicator.plan)
    latest = indicator.values.order_by("-as_of", "-id").first()
    return latest.value if latest else None


def attainment(plan: Plan, today: dt.date | None = None) -> list[Attainment]:
    rows = []
    for indicator in plan.indicators.prefetch_related("targets").select_related("plan"):
        actual = indicator_actual(indicator)
        target = current_target(indicator, today)
        percent = None
        if actual is not None and target is not None and target.value:
            percent = round(100 * actual / target.value, 1)
        rows.append(Attainment(indicator, actual, target, percent))
    return rows


def do_record_indicator_value(actor: User, indicator: Indicator, value: float, as_of: dt.date,
                              note: str = "") -> IndicatorValue:
    plan = indicator.plan
    agency = getattr(actor, "agency", None)
    reporter = agency is not None and perms.reports_for(actor, agency) and (
        plan.reporting_agencies.filter(pk=agency.pk).exists()
    )
    if not (perms.can_manage_plan(actor, plan) or reporter):
        raise PermissionDenied(_("You may not report values for this plan."))
    if indicator.source != IndicatorSource.REPORTED:
        raise Conflict(_("This indicator is computed from the registries; it cannot be entered by hand."))
    number = read_number(value, "value")
    if number is None or number < 0 or (indicator.unit == IndicatorUnit.PERCENT and number > 100):
        raise invalid("invalid", _("Enter a valid value."), field="value")
    with transaction.atomic():
        row = IndicatorValue.objects.create(indicator=indicator, agency=agency, as_of=as_of, value=number,
                                            note=clean_text(note, "note"), reported_by=actor)
        audit.record(actor, "programme.indicator.value", row, agency_id=agency.pk if agency else None,
                     indicator=indicator.key, value=number)
    return row


def do_set_indicator_source(actor: User, indicator: Indicator, source: str) -> Indicator:
    check_manage(actor, indicator.plan)
    if source not in IndicatorSource.values:
        raise invalid("invalid", _("Unknown source of values."), field="source")
    with transaction.atomic():
        indicator.source = source
        indicator.save(update_fields=["source"])
        audit.record(actor, "programme.indicator.source", indicator, agency_id=indicator.plan.coordinating_agency_id,
                     source=source)
    return indicator
