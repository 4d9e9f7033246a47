"""Agencies' reports: my reports, a report (write, submit, return), notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ttdn.core.errors import ServiceError
from ttdn.programme import permissions as perms
from ttdn.programme import services
from ttdn.programme.forms import ReportForm, ReturnForm
from ttdn.programme.models import STORED_TASK_STATUSES, Notification, ProgressReport, ReportPeriod, ReportState
from ttdn.programme.views.common import error_status, forbidden, plan_user


@require_safe
@plan_user
def my_reports(request: HttpRequest) -> HttpResponse:
    return render(request, "programme/my_reports.html", {
        "rows": services.agency_reports(request.user), "agency": request.user.agency,  # type: ignore[arg-type, union-attr]
    })


@require_POST
@plan_user
def open_report(request: HttpRequest, period_pk: int) -> HttpResponse:
    period = get_object_or_404(ReportPeriod.objects.select_related("plan"), pk=period_pk)
    agency = request.user.agency  # type: ignore[union-attr]
    if agency is None:
        return forbidden(request, _("You may only write your own agency's reports."))
    try:
        report = services.do_open_report(request.user, period, agency)  # type: ignore[arg-type]
    except ServiceError as exc:
        return forbidden(request, exc.message)
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
            return forbidden(request, _("You may not change this report."))
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
                status = error_status(exc)
                entries = list(report.entries.select_related("task"))
        else:
            status = 400
    for entry in entries:  # a coordinator reports its part; the status is the lead's (services.leads_task)
        entry.leads = services.leads_task(entry.task, report.agency)  # type: ignore[attr-defined]
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
            return forbidden(request, exc.message)
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
