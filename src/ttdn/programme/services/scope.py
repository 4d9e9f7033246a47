"""Who has a part in a plan: its province, the agencies a group stands for, the agencies of a task, the lead,
the reporting periods. Read by every other sub-domain."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from ttdn.accounts.models import Agency, AgencyKind
from ttdn.places.models import BorderSite
from ttdn.programme import permissions as perms
from ttdn.programme.models import AgencyGroup, Plan, ReportPeriod, Task

# Which kinds of agency each group of a plan stands for.
_DEPARTMENT_KINDS = {
    AgencyKind.DEPARTMENT, AgencyKind.BORDER_GUARD_COMMAND, AgencyKind.MILITARY_COMMAND, AgencyKind.POLICE,
    AgencyKind.TOURISM_CENTRE,
}
GROUP_KINDS: dict[str, set[str]] = {
    AgencyGroup.PROVINCIAL_DEPARTMENTS: set(_DEPARTMENT_KINDS),
    AgencyGroup.DISTRICT_COMMITTEES: {AgencyKind.DISTRICT_PC},
    AgencyGroup.COMMUNE_COMMITTEES: {AgencyKind.COMMUNE_PC},
    AgencyGroup.BORDER_DISTRICT_COMMITTEES: {AgencyKind.DISTRICT_PC},
    AgencyGroup.BORDER_COMMUNE_COMMITTEES: {AgencyKind.COMMUNE_PC},
    AgencyGroup.MASS_ORGANISATIONS: {AgencyKind.FRIENDSHIP_UNION},
    AgencyGroup.PRESS_AGENCIES: {AgencyKind.NEWSPAPER, AgencyKind.RADIO_TV},
    AgencyGroup.ALL_AGENCIES: set(_DEPARTMENT_KINDS) | {
        AgencyKind.DISTRICT_PC, AgencyKind.COMMUNE_PC, AgencyKind.FRIENDSHIP_UNION, AgencyKind.NEWSPAPER,
        AgencyKind.RADIO_TV,
    },
}


def plan_province_ids(plan: Plan) -> set[int]:
    for agency in (plan.coordinating_agency, plan.issuing_agency):
        if agency is not None and agency.province_id:
            return perms.province_family(agency.province_id)
    return set()


def valid_on(day: dt.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def group_members(plan: Plan, group: str) -> QuerySet[Agency]:
    """The agencies a group stands for in this plan: its province, as the agencies were when the plan began."""
    kinds = GROUP_KINDS.get(group, set())
    qs = Agency.objects.filter(kind__in=kinds, province_id__in=plan_province_ids(plan))
    on_start = qs.filter(valid_on(plan.period_start))
    qs = on_start if on_start.exists() else qs.filter(valid_on(timezone.localdate()))
    if group in {AgencyGroup.BORDER_DISTRICT_COMMITTEES, AgencyGroup.BORDER_COMMUNE_COMMITTEES}:
        communes = BorderSite.objects.exclude(admin_unit=None).values_list("admin_unit_id", "admin_unit__parent_id")
        units = {pk for pair in communes for pk in pair if pk}
        border = qs.filter(admin_unit_id__in=units)
        qs = border if border.exists() else qs
    return qs


def task_agency_ids(task: Task) -> set[int]:
    """Every agency with a part in a task: the lead and the coordinators, groups resolved."""
    ids: set[int] = set()
    if task.lead_agency_id:
        ids.add(task.lead_agency_id)
    if task.lead_group:
        ids.update(group_members(task.plan, task.lead_group).values_list("pk", flat=True))
    for coordinator in task.coordinators.all():
        if coordinator.agency_id:
            ids.add(coordinator.agency_id)
        if coordinator.group:
            ids.update(group_members(task.plan, coordinator.group).values_list("pk", flat=True))
    return ids


def leads_task(task: Task, agency: Agency) -> bool:
    """Whether `agency` leads `task` (itself, or as one of the group leading it): only the lead sets its status;
    a coordinating agency reports its own part, which the lead sees."""
    if task.lead_agency_id is not None:
        return task.lead_agency_id == agency.pk
    return bool(task.lead_group) and group_members(task.plan, task.lead_group).filter(pk=agency.pk).exists()


def tasks_of_agency(plan: Plan, agency: Agency) -> list[Task]:
    tasks = plan.tasks.select_related("plan").prefetch_related("coordinators")
    return [task for task in tasks if agency.pk in task_agency_ids(task)]


def ensure_periods(plan: Plan) -> None:
    """One reporting period per calendar year of the plan, due on the plan's due day."""
    for year in range(plan.period_start.year, plan.period_end.year + 1):
        start = max(dt.date(year, 1, 1), plan.period_start)
        end = min(dt.date(year, 12, 31), plan.period_end)
        ReportPeriod.objects.update_or_create(
            plan=plan, year=year, defaults={"start": start, "end": end, "due": plan.due_date(year)}
        )
    plan.periods.exclude(year__gte=plan.period_start.year, year__lte=plan.period_end.year).filter(
        reports__isnull=True
    ).delete()


def reporting_agency_ids(plan: Plan) -> set[int]:
    ids: set[int] = set()
    for task in plan.tasks.select_related("plan").prefetch_related("coordinators"):
        ids |= task_agency_ids(task)
    return ids


def plan_agencies(plan: Plan) -> QuerySet[Agency]:
    """The agencies a task of this plan may name: the current agencies of the plan's province (merged provinces
    included) and those the plan already names; a plan with no province (a central one) may name any agency."""
    provinces = plan_province_ids(plan)
    if not provinces:
        return Agency.objects.all()
    named = {pk for pk in (plan.coordinating_agency_id, plan.issuing_agency_id) if pk}
    # Agencies dissolved in a merger are not offered for new work, but those the plan names stay valid.
    return Agency.objects.filter(
        (Q(province_id__in=provinces) & valid_on(timezone.localdate())) | Q(pk__in=named)
        | Q(pk__in=plan.reporting_agencies.values("pk"))
    ).distinct()
