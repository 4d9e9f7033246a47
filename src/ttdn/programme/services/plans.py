"""A plan's settings, its reporting agencies, and the agencies that succeed others in a reorganisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Agency, User
from ttdn.core import audit
from ttdn.programme.models import Plan, ProgressReport, ReportState, Task, TaskCoordinator, TaskStatus
from ttdn.programme.services.common import check_manage, invalid
from ttdn.programme.services.scope import ensure_periods, plan_province_ids, reporting_agency_ids


def follow_successor(sender: Any, *, actor: User | None, agency: Agency, successor: Agency, on: dt.date,
                     **kwargs: Any) -> None:
    """An agency merged into another (`accounts.services.do_set_successor`): its tasks not done, its place among
    the coordinators and the reporting agencies, and its reports not yet submitted go to the successor; what the
    plan wrote (lead_text) and the reports it submitted stay as history, and the audit says what moved."""
    open_tasks = Task.objects.filter(lead_agency=agency).exclude(status=TaskStatus.DONE)
    plan_ids = set(open_tasks.values_list("plan_id", flat=True))
    moved_tasks = open_tasks.update(lead_agency=successor)
    coordinators = TaskCoordinator.objects.filter(agency=agency).exclude(task__status=TaskStatus.DONE)
    plan_ids |= set(coordinators.values_list("task__plan_id", flat=True))
    already = set(TaskCoordinator.objects.filter(agency=successor).values_list("task_id", flat=True))
    coordinators.exclude(task_id__in=already).update(agency=successor)
    coordinators.filter(task_id__in=already).delete()  # the successor already works on it
    reports = ProgressReport.objects.filter(agency=agency).exclude(state=ReportState.SUBMITTED)
    taken = set(ProgressReport.objects.filter(agency=successor).values_list("period_id", flat=True))
    moved_reports = reports.exclude(period_id__in=taken).update(agency=successor)
    for plan in Plan.objects.filter(Q(pk__in=plan_ids) | Q(reporting_agencies=agency)).distinct():
        if plan.reporting_agencies.filter(pk=agency.pk).exists() and plan.period_end >= on:
            plan.reporting_agencies.remove(agency)
            plan.reporting_agencies.add(successor)
        audit.record(actor, "programme.plan.successor", plan, agency_id=successor.pk, replaced=agency.code,
                     successor=successor.code, on=on.isoformat(), tasks=moved_tasks, reports=moved_reports)


def follow_registry(sender: Any, *, actor: User | None, agency: Agency, **kwargs: Any) -> None:
    """An agency registered or changed (`accounts.services.agency_changed`, inside its transaction): each plan
    under way in its province whose tasks a group of agencies leads or coordinates counts it among its reporters
    when that group now includes it (a department registered later reports on "các sở, ban, ngành"'s tasks).
    No agency leaves a plan here: what it reported stays counted."""
    if agency.province_id is None:
        return
    grouped = Plan.objects.filter(period_end__gte=timezone.localdate()).filter(
        Q(tasks__lead_group__gt="") | Q(tasks__coordinators__group__gt="")).exclude(
        reporting_agencies=agency).distinct()
    for plan in grouped:
        if agency.province_id in plan_province_ids(plan) and agency.pk in reporting_agency_ids(plan):
            plan.reporting_agencies.add(agency)
            audit.record(actor, "programme.plan.reporter_added", plan, agency_id=agency.pk, agency=agency.code)


def do_update_plan_settings(actor: User, plan: Plan, *, due_day: int, due_month: int, timely_days: int,
                            coordinating_agency: Agency | None = None) -> Plan:
    check_manage(actor, plan)
    if not 1 <= due_month <= 12 or not 1 <= due_day <= 31:
        raise invalid("invalid", _("Choose a valid day and month for the reports."), field="due_day")
    if not 0 <= timely_days <= 90:
        raise invalid("invalid", _("Days of grace must be between 0 and 90."), field="timely_days")
    with transaction.atomic():
        plan.report_due_day, plan.report_due_month, plan.timely_days = due_day, due_month, timely_days
        if coordinating_agency is not None:
            plan.coordinating_agency = coordinating_agency
        plan.save()
        ensure_periods(plan)
        audit.record(actor, "programme.plan.settings", plan, agency_id=plan.coordinating_agency_id,
                     due=f"{due_day:02d}/{due_month:02d}", timely_days=timely_days)
    return plan


def do_set_reporting_agencies(actor: User, plan: Plan, agency_ids: Iterable[int]) -> Plan:
    check_manage(actor, plan)
    ids = set(agency_ids)
    if Agency.objects.filter(pk__in=ids).count() != len(ids):
        raise invalid("invalid", _("Unknown agency."), field="agencies")
    with transaction.atomic():
        plan.reporting_agencies.set(ids)
        audit.record(actor, "programme.plan.reporting_agencies", plan, agency_id=plan.coordinating_agency_id,
                     agencies=sorted(ids))
    return plan
