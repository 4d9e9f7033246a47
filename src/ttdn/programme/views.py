"""Pages of the plans. Thin: reads are scoped by ttdn.programme.permissions, every change goes through
ttdn.programme.services, and a refused operation is shown with its status (400/403/404/409)."""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ttdn.accounts.models import Agency
from ttdn.core.errors import ServiceError
from ttdn.core.forms import DAY_FORMAT, parse_day
from ttdn.places.models import BorderSite, Equipment
from ttdn.programme import exports, services
from ttdn.programme import permissions as perms
from ttdn.programme.forms import (
    BudgetForm,
    ClassForm,
    CourseForm,
    EnrolForm,
    EquipmentForm,
    IndicatorValueForm,
    OfficerForm,
    PlanSettingsForm,
    PlanUploadForm,
    ProgressForm,
    ReportForm,
    ReturnForm,
    TaskForm,
)
from ttdn.programme.models import (
    STORED_TASK_STATUSES,
    AgencyGroup,
    BudgetLine,
    Course,
    Indicator,
    Notification,
    Officer,
    Plan,
    PlanDraft,
    ProgressReport,
    ReportPeriod,
    ReportState,
    Task,
    TaskStatus,
    TimeframeKind,
    TrainingClass,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _forbidden(request: HttpRequest, message: Any) -> HttpResponse:
    return render(request, "programme/forbidden.html", {"message": message}, status=403)


def _status(exc: ServiceError) -> int:
    return exc.status if exc.status in {400, 403, 404, 409} else 400


def plan_user(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in, with a plan role (or an operator): everyone else is refused before anything is read."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not perms.is_plan_user(request.user):
            return _forbidden(request, _("These pages are for plan managers and plan reporters."))
        return view(request, *args, **kwargs)

    return wrapper


def with_plan(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Hand the view the plan named by `pk`, if the user may see it (404 otherwise: nothing leaks)."""

    @plan_user
    @functools.wraps(view)
    def wrapper(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = perms.visible_plans(request.user).filter(pk=pk).select_related(
            "coordinating_agency", "issuing_agency").first()
        if plan is None:
            raise Http404
        return view(request, plan, *args, **kwargs)

    return wrapper


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# ----------------------------------------------------------------------------------------------- plans


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
        "agency": {"labels": list(by_agency), "statuses": [str(TaskStatus(s).label) for s in statuses],
                   "keys": statuses, "values": [[c[s] for c in by_agency.values()] for s in statuses]},
        "attainment": {"labels": [a.indicator.name[:60] for a in attainment],
                       "values": [min(a.percent, 150) if a.percent is not None else 0 for a in attainment]},
        "reporting": {"labels": [str(y["year"]) for y in yearly],
                      "completeness": [y["completeness"] or 0 for y in yearly],
                      "timeliness": [y["timeliness"] or 0 for y in yearly]},
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
                status = _status(exc)
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


@require_safe
@with_plan
def annual_docx(request: HttpRequest, plan: Plan, year: int) -> HttpResponse:
    try:
        data = exports.annual_report_docx(request.user, plan, year, signer=request.GET.get("signer", "")[:100])  # type: ignore[arg-type]
    except ServiceError as exc:
        return _forbidden(request, exc.message) if exc.status == 403 else _not_found(exc)
    return _download(data, f"bao-cao-{plan.number or plan.pk}-{year}.docx", DOCX)


@require_safe
@with_plan
def phase_docx(request: HttpRequest, plan: Plan, phase: int) -> HttpResponse:
    try:
        data = exports.phase_summary_docx(request.user, plan, phase, signer=request.GET.get("signer", "")[:100])  # type: ignore[arg-type]
    except ServiceError as exc:
        return _forbidden(request, exc.message) if exc.status == 403 else _not_found(exc)
    return _download(data, f"tong-ket-{plan.number or plan.pk}-giai-doan-{phase + 1}.docx", DOCX)


def _not_found(exc: ServiceError) -> HttpResponse:
    raise Http404(str(exc.message))


@require_safe
@with_plan
def tasks_xlsx(request: HttpRequest, plan: Plan) -> HttpResponse:
    return _download(exports.tasks_xlsx(request.user, plan), f"nhiem-vu-{plan.number or plan.pk}.xlsx", XLSX)  # type: ignore[arg-type]


@require_safe
@with_plan
def budget_xlsx(request: HttpRequest, plan: Plan) -> HttpResponse:
    return _download(exports.budget_xlsx(request.user, plan), f"du-toan-{plan.number or plan.pk}.xlsx", XLSX)  # type: ignore[arg-type]


@require_http_methods(["GET", "POST"])
@with_plan
def task_detail(request: HttpRequest, plan: Plan, task_pk: int) -> HttpResponse:
    task = get_object_or_404(plan.tasks.select_related("lead_agency", "section", "parent", "plan"), pk=task_pk)
    form = ProgressForm()
    status = 200
    if request.method == "POST":
        form = ProgressForm(request.POST, request.FILES)
        if form.is_valid():
            uids = [u.strip() for u in form.cleaned_data["items"].split() if u.strip()]
            try:
                services.do_add_progress_upload(
                    request.user, task, form.cleaned_data["text"], status=form.cleaned_data["status"],  # type: ignore[arg-type]
                    uploads=request.FILES.getlist("evidence"), item_uids=uids)
                messages.success(request, _("The progress was recorded."))
                return redirect("programme:task_detail", pk=plan.pk, task_pk=task.pk)
            except ServiceError as exc:
                form.add_error("evidence" if exc.details.get("field") is None else None, str(exc.message))
                status = _status(exc)
        else:
            status = 400
    can_add = True
    try:
        services.check_add_progress(request.user, task)  # type: ignore[arg-type]
    except ServiceError:
        can_add = False
    updates = task.updates.select_related("agency", "author").prefetch_related("evidence__asset", "items__variants")
    return render(request, "programme/task_detail.html", {
        "plan": plan, "task": task, "form": form, "can_add": can_add, "updates": updates,
        "status_label": TaskStatus(task.effective_status()).label,
        "coordinators": [c.label() for c in task.coordinators.select_related("agency")],
        "children": task.children.all(), "manager": perms.can_manage_plan(request.user, plan),
    }, status=status)


@require_http_methods(["GET", "POST"])
@with_plan
def task_edit(request: HttpRequest, plan: Plan, task_pk: int | None = None) -> HttpResponse:
    """Add a task to the plan (no `task_pk`) or correct one. Only the plan's managers get the form at all."""
    try:
        services.check_manage(request.user, plan)  # type: ignore[arg-type]
    except ServiceError as exc:
        return _forbidden(request, exc.message)
    task: Task | None = None
    if task_pk is not None:
        task = get_object_or_404(plan.tasks.select_related("section", "parent", "lead_agency"), pk=task_pk)
    form = TaskForm(plan=plan, task=task)
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST, plan=plan, task=task)
        if form.is_valid():
            try:
                saved = services.do_save_task(request.user, plan, form.task_data(), task)  # type: ignore[arg-type]
                messages.success(request, _("The task was saved.") if task else _("The task was added."))
                url = reverse("programme:task_detail", kwargs={"pk": plan.pk, "task_pk": saved.pk})
                if request.headers.get("HX-Request"):
                    return HttpResponse(status=204, headers={"HX-Redirect": url})
                return redirect(url)
            except ServiceError as exc:
                _form_error(form, exc)
                status = _status(exc)
        else:
            status = 400
    context = {"plan": plan, "task": task, "form": form}
    if request.headers.get("HX-Request"):
        # htmx swaps only 2xx answers: the form comes back whole, with its errors, in place.
        return render(request, "programme/_task_form.html", context)
    return render(request, "programme/task_form.html", context, status=status)


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
                status = _status(exc)
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


# --------------------------------------------------------------------------------------------- import


@require_http_methods(["GET", "POST"])
@plan_user
def plan_import(request: HttpRequest) -> HttpResponse:
    if not perms.can_create_plan(request.user):
        return _forbidden(request, _("Only plan managers may create plans."))
    form = PlanUploadForm()
    status = 200
    if request.method == "POST":
        form = PlanUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                draft = services.do_read_plan_upload(request.user, form.cleaned_data["file"])  # type: ignore[arg-type]
                return redirect("programme:draft_review", pk=draft.pk)
            except ServiceError as exc:
                form.add_error("file", str(exc.message))
                status = _status(exc)
        else:
            status = 400
    return render(request, "programme/plan_import.html", {"form": form}, status=status)


def _apply_review(data: dict[str, Any], post: Any) -> dict[str, Any]:
    """The reviewer's corrections (titles, agency matches, groups) written back into the draft."""
    plan = data.setdefault("plan", {})
    for key in ("number", "symbol", "title"):
        if f"plan_{key}" in post:
            plan[key] = post.get(f"plan_{key}", "").strip()
    for key in ("start", "end"):
        if f"period_{key}" in post:
            plan.setdefault("period", {})
            if not isinstance(plan["period"], dict):
                plan["period"] = {}
            # Typed as dd/mm/yyyy; the draft keeps ISO dates (what the plan reader wrote). Unreadable text is
            # kept as typed, so the import refuses it with its message.
            typed = (post.get(f"period_{key}") or "").strip()
            day = parse_day(typed)
            plan["period"][key] = day.isoformat() if day else (typed or None)
    if "plan_issuer_agency" in post:
        plan["issuer_agency"] = post.get("plan_issuer_agency") or None
    for n, task in enumerate(data.get("tasks") or []):
        if not isinstance(task, dict):
            continue
        if f"task_{n}_title" in post:
            task["title"] = post.get(f"task_{n}_title", "").strip()
        if f"task_{n}_lead" in post:
            choice = post.get(f"task_{n}_lead", "")
            lead: dict[str, Any] = task["lead"] if isinstance(task.get("lead"), dict) else {"text": ""}
            lead["agency"], lead["group"] = None, None
            if choice.startswith("agency:"):
                lead["agency"] = choice.removeprefix("agency:")
            elif choice.startswith("group:"):
                lead["group"] = choice.removeprefix("group:")
            task["lead"] = lead
        if post.get(f"task_{n}_drop"):
            task["_drop"] = True
    data["tasks"] = [t for t in data.get("tasks") or [] if not (isinstance(t, dict) and t.get("_drop"))]
    dropped = {t.get("key") for t in data["tasks"]}
    for task in data["tasks"]:
        if isinstance(task, dict) and task.get("parent") and task["parent"] not in dropped:
            task["parent"] = None
    return data


@require_http_methods(["GET", "POST"])
@plan_user
def draft_review(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_object_or_404(PlanDraft, pk=pk)
    try:
        services.check_draft(request.user, draft)  # type: ignore[arg-type]
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.info(request, str(exc.message))
        return redirect("programme:plan_detail", pk=draft.plan_id) if draft.plan_id else redirect("programme:plans")
    error = None
    status = 200
    if request.method == "POST":
        data = _apply_review(json.loads(json.dumps(draft.data)), request.POST)
        services.do_update_draft(request.user, draft, data)  # type: ignore[arg-type]
        if request.POST.get("confirm"):
            try:
                plan = services.do_confirm_draft(request.user, draft)  # type: ignore[arg-type]
                messages.success(request, _("The plan was created."))
                return redirect("programme:plan_detail", pk=plan.pk)
            except ServiceError as exc:
                error = exc.message
                status = _status(exc)
    data = draft.data
    agencies = Agency.objects.order_by("name")
    tasks = []
    for n, task in enumerate(data.get("tasks") or []):
        if not isinstance(task, dict):
            continue
        lead: dict[str, Any] = task["lead"] if isinstance(task.get("lead"), dict) else {}
        current = (f"agency:{lead['agency']}" if lead.get("agency") else
                   f"group:{lead['group']}" if lead.get("group") else "")
        tasks.append({"n": n, "task": task, "lead": lead, "current": current,
                      "coordinating": [c for c in task.get("coordinating") or [] if isinstance(c, dict)],
                      "timeframe": task.get("timeframe") if isinstance(task.get("timeframe"), dict) else {}})
    plan = data.get("plan") if isinstance(data.get("plan"), dict) else {}
    period = dict(plan.get("period")) if isinstance(plan.get("period"), dict) else {}
    for key in ("start", "end"):  # shown as dd/mm/yyyy
        day = parse_day(period.get(key)) if isinstance(period.get(key), str) else None
        if day:
            period[key] = day.strftime(DAY_FORMAT)
    return render(request, "programme/draft_review.html", {
        "draft": draft, "plan": plan, "period": period, "tasks": tasks, "agencies": agencies,
        "groups": AgencyGroup.choices, "sections": data.get("sections") or [],
        "indicators": data.get("indicators") or [], "unplaced": data.get("unplaced") or [], "error": error,
        "timeframe_kinds": dict(TimeframeKind.choices),
    }, status=status)


# -------------------------------------------------------------------------------------------- reports


@require_safe
@plan_user
def my_reports(request: HttpRequest) -> HttpResponse:
    agency = request.user.agency  # type: ignore[union-attr]
    rows: list[dict[str, Any]] = []
    if agency is not None and perms.reports_for(request.user, agency):
        today = timezone.localdate()
        reports = {r.period_id: r for r in ProgressReport.objects.filter(agency=agency)}
        for plan in Plan.objects.filter(reporting_agencies=agency).distinct():
            for period in plan.periods.all():
                if period.start > today:
                    continue
                report = reports.get(period.pk)
                rows.append({"plan": plan, "period": period, "report": report,
                             "late": (report is None or report.state != ReportState.SUBMITTED) and period.due < today})
    rows.sort(key=lambda r: (-r["period"].year, r["plan"].pk))
    return render(request, "programme/my_reports.html", {"rows": rows, "agency": agency})


@require_POST
@plan_user
def open_report(request: HttpRequest, period_pk: int) -> HttpResponse:
    period = get_object_or_404(ReportPeriod.objects.select_related("plan"), pk=period_pk)
    agency = request.user.agency  # type: ignore[union-attr]
    if agency is None:
        return _forbidden(request, _("You may only write your own agency's reports."))
    try:
        report = services.do_open_report(request.user, period, agency)  # type: ignore[arg-type]
    except ServiceError as exc:
        return _forbidden(request, exc.message)
    return redirect("programme:report", pk=report.pk)


@require_http_methods(["GET", "POST"])
@plan_user
def report(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ProgressReport.objects.select_related("period__plan", "agency"), pk=pk)
    if not perms.can_view_report(request.user, report):
        raise Http404
    editable = perms.can_edit_report(request.user, report)
    entries = list(report.entries.select_related("task"))
    form = ReportForm(initial={"summary": report.summary, "difficulties": report.difficulties,
                               "proposals": report.proposals})
    status = 200
    if request.method == "POST":
        if not editable:
            return _forbidden(request, _("You may not change this report."))
        form = ReportForm(request.POST)
        if form.is_valid():
            values = {e.task_id: (request.POST.get(f"entry_{e.task_id}", ""),
                                  request.POST.get(f"status_{e.task_id}", "")) for e in entries}
            try:
                report = services.do_save_report(request.user, report, entries=values, **form.cleaned_data)  # type: ignore[arg-type]
                if request.POST.get("submit"):
                    services.do_submit_report(request.user, report)  # type: ignore[arg-type]
                    messages.success(request, _("The report was submitted."))
                else:
                    messages.success(request, _("The report was saved."))
                return redirect("programme:report", pk=report.pk)
            except ServiceError as exc:
                form.add_error(exc.details.get("field") if exc.details.get("field") in form.fields else None,
                               str(exc.message))
                status = _status(exc)
                entries = list(report.entries.select_related("task"))
        else:
            status = 400
    return render(request, "programme/report.html", {
        "report": report, "plan": report.period.plan, "entries": entries, "form": form, "editable": editable,
        "statuses": STORED_TASK_STATUSES, "return_form": ReturnForm(),
        "can_return": perms.can_manage_plan(request.user, report.period.plan)
        and report.state == ReportState.SUBMITTED,
        "on_time": services.is_on_time(report.submitted_at, report.period.due, report.period.plan.timely_days),
    }, status=status)


@require_POST
@plan_user
def return_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ProgressReport.objects.select_related("period__plan", "agency"), pk=pk)
    if not perms.can_view_report(request.user, report):
        raise Http404
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("invalid", _("Give the reason for returning the report."))
        services.do_return_report(request.user, report, form.cleaned_data["reason"])  # type: ignore[arg-type]
        messages.success(request, _("The report was returned to the agency."))
    except ServiceError as exc:
        if exc.status == 403:
            return _forbidden(request, exc.message)
        messages.error(request, str(exc.message))
    return redirect("programme:report", pk=report.pk)


@require_http_methods(["GET", "POST"])
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.do_mark_read(request.user)  # type: ignore[arg-type]
        return redirect("programme:notifications")
    notes = Notification.objects.filter(user_id=request.user.pk or 0)[:200]
    return render(request, "programme/notifications.html", {"notes": notes})


# ----------------------------------------------------------------------------------------- registries


def _scoped_agencies(request: HttpRequest) -> Any:
    return perms.agencies_in_view(request.user).order_by("name")


def _form_error(form: forms.Form, exc: ServiceError) -> None:
    name = exc.details.get("field")
    form.add_error(name if name in form.fields else None, str(exc.message))


@require_http_methods(["GET", "POST"])
@plan_user
def officers(request: HttpRequest) -> HttpResponse:
    agencies = _scoped_agencies(request)
    form = OfficerForm(agencies=agencies, initial={"agency": getattr(request.user, "agency_id", None)})
    status = 200
    if request.method == "POST":
        form = OfficerForm(request.POST, agencies=agencies)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_save_officer(request.user, data["agency"], services.OfficerData(  # type: ignore[arg-type]
                    name=data["name"], position=data["position"],
                    languages=[t for t in data["languages"].replace(",", " ").split() if t],
                    phone=data["phone"], email=data["email"]))
                messages.success(request, _("The officer was added."))
                return redirect("programme:officers")
            except ServiceError as exc:
                _form_error(form, exc)
                status = _status(exc)
        else:
            status = 400
    rows = Officer.objects.filter(agency__in=agencies).select_related("agency").prefetch_related(
        "enrolments__training_class")
    return render(request, "programme/officers.html", {"officers": rows, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@plan_user
def training(request: HttpRequest) -> HttpResponse:
    course_form, class_form = CourseForm(prefix="course"), ClassForm(prefix="class")
    class_form.fields["course"].widget.choices = [(c.pk, c.name) for c in Course.objects.all()]  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST":
        try:
            if "course-name" in request.POST:
                course_form = CourseForm(request.POST, prefix="course")
                if not course_form.is_valid():
                    raise ServiceError("invalid", _("Check the course's fields."))
                d = course_form.cleaned_data
                services.do_save_course(request.user, d["name"], d["kind"], d["language"])  # type: ignore[arg-type]
            else:
                class_form = ClassForm(request.POST, prefix="class")
                class_form.fields["course"].widget.choices = [(c.pk, c.name) for c in Course.objects.all()]  # type: ignore[attr-defined]
                if not class_form.is_valid():
                    raise ServiceError("invalid", _("Check the class's fields."))
                d = class_form.cleaned_data
                try:
                    services.do_save_class(request.user, services.ClassData(  # type: ignore[arg-type]
                        course_id=d["course"], title=d["title"], start=d["start"], end=d["end"], venue=d["venue"],
                        capacity=d["capacity"], duration_hours=d["duration_hours"]))
                except ServiceError as exc:
                    _form_error(class_form, exc)
                    raise
            messages.success(request, _("Saved."))
            return redirect("programme:training")
        except ServiceError as exc:
            messages.error(request, str(exc.message))
            status = _status(exc)
    classes = TrainingClass.objects.select_related("course", "organiser").prefetch_related("enrolments")
    scope = perms.manager_province_ids(request.user)
    if scope is not None:
        classes = classes.filter(Q(organiser__province_id__in=scope) | Q(organiser=request.user.agency))  # type: ignore[union-attr]
    return render(request, "programme/training.html", {
        "courses": Course.objects.all(), "classes": classes, "course_form": course_form, "class_form": class_form,
        "can_manage": perms.can_manage_registries(request.user),
    }, status=status)


@require_http_methods(["GET", "POST"])
@plan_user
def training_class(request: HttpRequest, pk: int) -> HttpResponse:
    klass = get_object_or_404(TrainingClass.objects.select_related("course", "organiser"), pk=pk)
    officers_qs = Officer.objects.filter(agency__in=_scoped_agencies(request), active=True).exclude(
        enrolments__training_class=klass)
    form = EnrolForm(officers=officers_qs)
    if request.method == "POST":
        try:
            if "enrolment" in request.POST:
                raw = request.POST["enrolment"]
                enrolment = get_object_or_404(klass.enrolments.filter(officer__agency__in=_scoped_agencies(request)),
                                              pk=int(raw) if raw.isdigit() and len(raw) < 19 else 0)
                services.do_set_attendance(request.user, enrolment, attended=bool(request.POST.get("attended")),  # type: ignore[arg-type]
                                           completed=bool(request.POST.get("completed")))
            else:
                form = EnrolForm(request.POST, officers=officers_qs)
                if not form.is_valid():
                    raise ServiceError("invalid", _("Choose an officer."))
                services.do_enrol(request.user, klass, form.cleaned_data["officer"])  # type: ignore[arg-type]
            messages.success(request, _("Saved."))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("programme:training_class", pk=klass.pk)
    return render(request, "programme/training_class.html", {
        "klass": klass, "form": form,
        # Officers and attendance of the agencies in the user's scope only, as on the officers page.
        "enrolments": klass.enrolments.filter(officer__agency__in=_scoped_agencies(request)).select_related(
            "officer__agency"),
        "can_manage": perms.can_manage_registries(request.user),
    })


@require_http_methods(["GET", "POST"])
@plan_user
def equipment(request: HttpRequest) -> HttpResponse:
    scope = perms.manager_province_ids(request.user)
    sites = BorderSite.objects.filter(active=True) if scope is None else BorderSite.objects.filter(
        active=True, province_id__in=scope)
    form = EquipmentForm(sites=sites)
    status = 200
    if request.method == "POST":
        form = EquipmentForm(request.POST, sites=sites)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.do_save_equipment(request.user, d["site"], kind=d["kind"], status=d["status"],  # type: ignore[arg-type]
                                           installed_on=d["installed_on"], label=d["label"])
                messages.success(request, _("Saved."))
                return redirect("programme:equipment")
            except ServiceError as exc:
                _form_error(form, exc)
                status = _status(exc)
        else:
            status = 400
    rows = Equipment.objects.filter(site__in=sites).select_related("site")
    return render(request, "programme/equipment.html", {
        "rows": rows, "form": form, "can_manage": perms.can_manage_registries(request.user),
        "sites_total": sites.count(),
    }, status=status)

