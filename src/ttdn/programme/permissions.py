"""Who may see and do what with plans, reports and the registries. Deny by default.

A plan manager runs the plans of their own agency (the coordinating or issuing agency) — central plan managers
and operators see every plan. A plan reporter writes and submits the reports and progress of their own agency
only, for the plans their agency reports on.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ttdn.accounts.models import Agency, Role
from ttdn.accounts.permissions import has_role
from ttdn.places.models import AdminUnit
from ttdn.programme.models import Plan, ProgressReport, ReportState


def is_operator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def _agency(user: Any) -> Agency | None:
    return getattr(user, "agency", None) if getattr(user, "is_authenticated", False) else None


def is_central_manager(user: Any) -> bool:
    agency = _agency(user)
    return is_operator(user) or (has_role(user, Role.PLAN_MANAGER) and agency is not None and agency.is_central)


def is_plan_user(user: Any) -> bool:
    return is_operator(user) or has_role(user, Role.PLAN_MANAGER, Role.PLAN_REPORTER)


def can_create_plan(user: Any) -> bool:
    return is_operator(user) or (has_role(user, Role.PLAN_MANAGER) and _agency(user) is not None)


def can_register_agencies(user: Any, province_id: int) -> bool:
    """Who may register, from a plan's review, the agencies of a province the plan names: operators, central plan
    managers, and plan managers of an agency of that province."""
    if is_central_manager(user):
        return True
    agency = _agency(user)
    return can_create_plan(user) and agency is not None and agency.province_id == province_id


def can_manage_plan(user: Any, plan: Plan) -> bool:
    if is_central_manager(user):
        return True
    agency = _agency(user)
    if agency is None or not has_role(user, Role.PLAN_MANAGER):
        return False
    return agency.pk in {plan.coordinating_agency_id, plan.issuing_agency_id}


def visible_plans(user: Any) -> QuerySet[Plan]:
    if is_central_manager(user):
        return Plan.objects.all()
    agency = _agency(user)
    if agency is None or not is_plan_user(user):
        return Plan.objects.none()
    q = Q(pk__in=[])
    if has_role(user, Role.PLAN_MANAGER):
        q |= Q(coordinating_agency=agency) | Q(issuing_agency=agency)
    if has_role(user, Role.PLAN_REPORTER):
        q |= Q(reporting_agencies=agency)
    return Plan.objects.filter(q).distinct()


def can_view_plan(user: Any, plan: Plan) -> bool:
    return visible_plans(user).filter(pk=plan.pk).exists()


def reports_for(user: Any, agency: Agency) -> bool:
    """The user writes reports and progress for this agency."""
    own = _agency(user)
    return own is not None and own.pk == agency.pk and has_role(user, Role.PLAN_REPORTER)


def can_edit_report(user: Any, report: ProgressReport) -> bool:
    return report.state in {ReportState.DRAFT, ReportState.RETURNED} and reports_for(user, report.agency)


def can_view_report(user: Any, report: ProgressReport) -> bool:
    return reports_for(user, report.agency) or can_manage_plan(user, report.period.plan)


def province_family(unit_id: int | None) -> set[int]:
    """A province with the provinces it became or came from (the 2025 mergers), so registries follow it."""
    if unit_id is None:
        return set()
    ids = {unit_id}
    frontier = [unit_id]
    while frontier:
        current = frontier.pop()
        related = set(
            AdminUnit.objects.filter(Q(predecessors=current) | Q(successors=current)).values_list("pk", flat=True)
        )
        for pk in related - ids:
            ids.add(pk)
            frontier.append(pk)
    return ids


def registry_scope(user: Any) -> Q | None:
    """Agencies whose officers, training and equipment the user may see: None means every agency."""
    if is_central_manager(user):
        return None
    agency = _agency(user)
    if agency is None or not is_plan_user(user):
        return Q(pk__in=[])
    if has_role(user, Role.PLAN_MANAGER):
        return Q(province_id__in=province_family(agency.province_id)) | Q(pk=agency.pk)
    return Q(pk=agency.pk)


def agency_rows_scope(user: Any, plan: Plan | None = None) -> Q | None:
    """The one rule for rows that belong to an agency — budget lines, reporting rows, officers, enrolments and
    attendance — on pages, exports and the API alike. Whoever manages the plan (central plan managers and
    operators: every plan and registry) sees every agency's rows: None. Anyone else sees their own agency's
    rows and those of the agencies within their scope (`registry_scope`): a Q over Agency."""
    if plan is not None and can_manage_plan(user, plan):
        return None
    return registry_scope(user)


def agencies_in_view(user: Any, plan: Plan | None = None) -> QuerySet[Agency]:
    """The agencies whose rows `agency_rows_scope` lets the user see."""
    scope = agency_rows_scope(user, plan)
    return Agency.objects.all() if scope is None else Agency.objects.filter(scope)


def agency_ids_in_view(user: Any, plan: Plan | None = None) -> set[int] | None:
    """The same, as ids for rows computed in Python (reporting rates): None means every agency."""
    scope = agency_rows_scope(user, plan)
    return None if scope is None else set(Agency.objects.filter(scope).values_list("pk", flat=True))


def can_edit_registry_of(user: Any, agency: Agency) -> bool:
    """Officers of an agency: the agency itself (its reporter) or a plan manager of its province."""
    if is_central_manager(user) or reports_for(user, agency):
        return True
    own = _agency(user)
    return (
        own is not None
        and has_role(user, Role.PLAN_MANAGER)
        and (own.pk == agency.pk or agency.province_id in province_family(own.province_id))
    )


def can_manage_registries(user: Any) -> bool:
    """Courses, classes and equipment are kept by plan managers."""
    return is_operator(user) or (has_role(user, Role.PLAN_MANAGER) and _agency(user) is not None)


def manager_province_ids(user: Any) -> set[int] | None:
    if is_central_manager(user):
        return None
    agency = _agency(user)
    return province_family(agency.province_id) if agency is not None else set()
