"""A plan's pages: the list, its tasks, the dashboard, reporting, budget, and its documents."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ttdn.accounts.models import Agency
from ttdn.core.errors import ServiceError
from ttdn.programme import exports, services
from ttdn.programme import permissions as perms
from ttdn.programme.forms import BudgetForm, IndicatorValueForm, PlanSettingsForm
from ttdn.programme.models import BudgetLine, Indicator, Notification, Plan, ProgressReport, TaskStatus
from ttdn.programme.views.common import DOCX, XLSX, download, error_status, forbidden, plan_user, with_plan


@require_safe
@plan_user
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = perms.visible_plans(request.user).select_related("coordinating_agency", "issuing_agency")
    unread = Notification.objects.filter(user_id=request.user.pk or 0, read_at__isnull=True).count()
    return render(request, "programme/plan_list.html", {
        "plans": plans, "can_create": perms.can_create_plan(request.user), "unread": unread,
    })


def _task_rows(request: HttpRequest, plan: Plan) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    status = request.GET.get("status", "")
    agency_id = request.GET.get("agency", "")
    today = timezone.localdate()
    tasks = list(plan.tasks.select_related("section", "lead_agency", "plan").prefetch_related("coordinators__agency"))
    depth: dict[int, int] = {}
    for task in tasks:
        depth[task.pk] = depth.get(task.parent_id, -1) + 1 if task.parent_id else 0
    rows = []
    for task in tasks:
        effective = task.effective_status(today)
        if status and effective != status:
            continue
        if agency_id and agency_id.isdigit() and int(agency_id) not in services.task_agency_ids(task):
            continue
        rows.append({"task": task, "status": effective, "depth": depth[task.pk],
                     "status_label": TaskStatus(effective).label,
                     "coordinators": [c.label() for c in task.coordinators.all()]})
    filters = {"status": status, "agency": agency_id}
    return rows, filters


@require_safe
@with_plan
def plan_detail(request: HttpRequest, plan: Plan) -> HttpResponse:
    rows, filters = _task_rows(request, plan)
    context = {
        "plan": plan, "rows": rows, "filters": filters, "statuses": TaskStatus.choices,
        "agencies": plan.reporting_agencies.order_by("name"),
        "manager": perms.can_manage_plan(request.user, plan),
        "sections": {s.pk: s for s in plan.sections.all()},
    }
    if request.headers.get("HX-Request"):
        return render(request, "programme/_task_rows.html", context)
    return render(request, "programme/plan_detail.html", context)


def _wrap_words(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [text]


@require_safe
@with_plan
def dashboard(request: HttpRequest, plan: Plan) -> HttpResponse:
    today = timezone.localdate()
    tasks = list(plan.tasks.select_related("lead_agency", "plan"))
    by_status = Counter(t.effective_status(today) for t in tasks)
    by_agency: dict[str, Counter[str]] = {}
    for task in tasks:
        by_agency.setdefault(task.lead_label() or "—", Counter())[task.effective_status(today)] += 1
    overdue = [t for t in tasks if t.effective_status(today) == TaskStatus.OVERDUE]
    attainment = services.attainment(plan, today)
    periods = list(plan.periods.all())
    yearly = []
    for period in periods:
        total, _rows = services.reporting_rates(plan, periods=[period])
        yearly.append({"year": period.year, "completeness": total.completeness, "timeliness": total.timeliness,
                       "due": period.due, "expected": total.expected, "submitted": total.submitted})
    overall, agency_rows = services.reporting_rates(plan, today=today)
    statuses = [s for s, _label in TaskStatus.choices]
    charts = {
        "status": {"labels": [str(TaskStatus(s).label) for s in statuses], "values": [by_status[s] for s in statuses],
                   "keys": statuses},
        # Each bar its own agency's name, wrapped at word boundaries (Chart.js draws a list as lines).
        "agency": {"labels": [_wrap_words(name, 32) for name in by_agency],
                   "statuses": [str(TaskStatus(s).label) for s in statuses],
                   "keys": statuses, "values": [[c[s] for c in by_agency.values()] for s in statuses]},
        "attainment": {"labels": [a.indicator.name[:60] for a in attainment],
                       "values": [min(a.percent, 150) if a.percent is not None else 0 for a in attainment]},
        "reporting": {"labels": [str(y["year"]) for y in yearly],
                      # A year whose reports are not yet due is not a 0 %: no point is drawn.
                      "completeness": [y["completeness"] if period.due <= today else None
                                       for y, period in zip(yearly, periods, strict=True)],
                      "timeliness": [y["timeliness"] if period.due <= today else None
                                     for y, period in zip(yearly, periods, strict=True)]},
    }
    return render(request, "programme/dashboard.html", {
        "plan": plan, "by_status": [(TaskStatus(s).label, by_status[s], s) for s in statuses],
        "overdue": overdue, "attainment": attainment, "yearly": yearly, "overall": overall,
        "agency_rows": agency_rows, "charts": charts, "total_tasks": len(tasks),
        "manager": perms.can_manage_plan(request.user, plan),
    })


@require_http_methods(["GET", "POST"])
@with_plan
def reporting(request: HttpRequest, plan: Plan) -> HttpResponse:
    manager = perms.can_manage_plan(request.user, plan)
    settings_form = PlanSettingsForm(initial={"report_due_day": plan.report_due_day,
                                              "report_due_month": plan.report_due_month,
                                              "timely_days": plan.timely_days})
    status = 200
    if request.method == "POST":
        settings_form = PlanSettingsForm(request.POST)
        if settings_form.is_valid():
            try:
                services.do_update_plan_settings(
                    request.user, plan, due_day=settings_form.cleaned_data["report_due_day"],  # type: ignore[arg-type]
                    due_month=settings_form.cleaned_data["report_due_month"],
                    timely_days=settings_form.cleaned_data["timely_days"])
                messages.success(request, _("The reporting settings were saved."))
                return redirect("programme:reporting", pk=plan.pk)
            except ServiceError as exc:
                settings_form.add_error(None, str(exc.message))
                status = error_status(exc)
        else:
            status = 400
    periods = list(plan.periods.all())
    overall, rows = services.reporting_rates(plan)
    shown = perms.agency_ids_in_view(request.user, plan)
    if shown is not None:  # the plan's figure, and the rows of the agencies in the user's scope only
        rows = [row for row in rows if row.agency.pk in shown]
    reports = {}
    if manager:
        reports = {(r.period.year, r.agency_id): r for r in
                   ProgressReport.objects.filter(period__plan=plan).select_related("period")}
    table = []
    for row in rows:
        cells = []
        for period in periods:
            mark = row.by_year.get(period.year, "")
            cells.append({"year": period.year, "mark": mark, "report": reports.get((period.year, row.agency.pk))})
        table.append({"agency": row.agency, "rates": row.rates, "cells": cells})
    return render(request, "programme/reporting.html", {
        "plan": plan, "periods": periods, "table": table, "overall": overall, "manager": manager,
        "settings_form": settings_form, "phases": list(enumerate(plan.phases or [])),
    }, status=status)


def _signed_docx(request: HttpRequest, build: Any, filename: str) -> HttpResponse:
    """A report document signed as the query string asks (the reporting page's signer form)."""
    try:
        data = build(request.user, signer=request.GET.get("signer", "")[:100],
                     position=request.GET.get("position", "")[:100])
    except ServiceError as exc:
        return forbidden(request, exc.message) if exc.status == 403 else _not_found(exc)
    return download(data, filename, DOCX)


@require_safe
@with_plan
def annual_docx(request: HttpRequest, plan: Plan, year: int) -> HttpResponse:
    return _signed_docx(request, lambda user, **sign: exports.annual_report_docx(user, plan, year, **sign),
                        f"bao-cao-{plan.number or plan.pk}-{year}.docx")


@require_safe
@with_plan
def phase_docx(request: HttpRequest, plan: Plan, phase: int) -> HttpResponse:
    return _signed_docx(request, lambda user, **sign: exports.phase_summary_docx(user, plan, phase, **sign),
                        f"tong-ket-{plan.number or plan.pk}-giai-doan-{phase + 1}.docx")


def _not_found(exc: ServiceError) -> HttpResponse:
    raise Http404(str(exc.message))


@require_safe
@with_plan
def tasks_xlsx(request: HttpRequest, plan: Plan) -> HttpResponse:
    return download(exports.tasks_xlsx(request.user, plan), f"nhiem-vu-{plan.number or plan.pk}.xlsx", XLSX)  # type: ignore[arg-type]


@require_safe
@with_plan
def budget_xlsx(request: HttpRequest, plan: Plan) -> HttpResponse:
    return download(exports.budget_xlsx(request.user, plan), f"du-toan-{plan.number or plan.pk}.xlsx", XLSX)  # type: ignore[arg-type]


@require_POST
@with_plan
def indicator_value(request: HttpRequest, plan: Plan, indicator_pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator, pk=indicator_pk, plan=plan)
    form = IndicatorValueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid value and date."))
        return redirect("programme:dashboard", pk=plan.pk)
    try:
        services.do_record_indicator_value(request.user, indicator, form.cleaned_data["value"],  # type: ignore[arg-type]
                                           form.cleaned_data["as_of"])
        messages.success(request, _("The value was recorded."))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("programme:dashboard", pk=plan.pk)


@require_http_methods(["GET", "POST"])
@with_plan
def budget(request: HttpRequest, plan: Plan) -> HttpResponse:
    manager = perms.can_manage_plan(request.user, plan)
    own = Agency.objects.filter(pk=getattr(request.user, "agency_id", None) or 0)
    agencies = plan.reporting_agencies.order_by("name") if manager else own
    form = BudgetForm(agencies=agencies, initial={"year": timezone.localdate().year})
    status = 200
    if request.method == "POST":
        form = BudgetForm(request.POST, agencies=agencies)
        if form.is_valid():
            data = form.cleaned_data
            task = plan.tasks.filter(pk=data["task"]).first() if data.get("task") else None
            try:
                services.do_save_budget_line(request.user, plan, year=data["year"], agency=data["agency"],  # type: ignore[arg-type]
                                             estimate=data["estimate"], task=task, approved=data["approved"],
                                             spent=data["spent"], note=data["note"])
                messages.success(request, _("The budget line was saved."))
                return redirect("programme:budget", pk=plan.pk)
            except ServiceError as exc:
                form.add_error(exc.details.get("field") if exc.details.get("field") in form.fields else None,
                               str(exc.message))
                status = error_status(exc)
        else:
            status = 400
    lines = BudgetLine.objects.filter(plan=plan, agency__in=perms.agencies_in_view(request.user, plan)).select_related(
        "task", "agency")
    totals = {"estimate": sum(line.estimate for line in lines),
              "approved": sum(line.approved or 0 for line in lines), "spent": sum(line.spent or 0 for line in lines)}
    return render(request, "programme/budget.html", {
        "plan": plan, "lines": lines, "form": form, "tasks": plan.tasks.all(), "manager": manager, "totals": totals,
        "can_add": manager or perms.reports_for(request.user, request.user.agency) if request.user.agency else manager,  # type: ignore[union-attr]
    }, status=status)
