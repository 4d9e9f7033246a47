"""The programme part of the API (thin: every write goes through ttdn.programme.services)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Router, Schema

from ttdn.accounts.api import errors, request_user
from ttdn.core.errors import NotFound, PermissionDenied
from ttdn.programme import permissions as perms
from ttdn.programme import services
from ttdn.programme.models import Plan, ProgressReport, ReportPeriod

router = Router(tags=["programme"])

# Ids are bigint keys: anything outside is refused by the schema (422), never reaches the database.
MAX_ID = 2**63 - 1
IdPath = Annotated[int, Path(..., ge=1, le=MAX_ID)]
# A report's free text: what the service allows.
REPORT_TEXT = services.TEXT_MAX


class PlanOut(Schema):
    id: int
    reference: str
    number: str
    symbol: str
    title: str
    date: dt.date | None
    issuing_agency: str | None
    coordinating_agency: str | None
    period_start: dt.date
    period_end: dt.date
    phases: list[dict[str, Any]]
    report_due: str  # "25/11"
    timely_days: int


class PartyOut(Schema):
    agency: str | None
    group: str
    text: str


class TaskOut(Schema):
    id: int
    key: str
    section: str | None
    parent: str | None
    title: str
    lead: PartyOut
    coordinating: list[PartyOut]
    timeframe_kind: str
    timeframe_text: str
    start: dt.date | None
    end: dt.date | None
    status: str


class PlanDetailOut(PlanOut):
    sections: list[dict[str, Any]]
    tasks: list[TaskOut]


class IndicatorOut(Schema):
    key: str
    name: str
    unit: str
    source: str
    target_label: str | None
    target: float | None
    actual: float | None
    attainment_percent: float | None


class RatesOut(Schema):
    expected: int
    submitted: int
    on_time: int
    completeness: float | None
    timeliness: float | None


class AgencyRatesOut(RatesOut):
    agency: str
    by_year: dict[str, str]


class ReportingOut(Schema):
    plan: RatesOut
    agencies: list[AgencyRatesOut]


class EntryOut(Schema):
    task_id: int
    task_key: str
    text: str
    status: str


class ReportOut(Schema):
    id: int
    plan_id: int
    year: int
    due: dt.date
    agency: str
    state: str
    summary: str
    difficulties: str
    proposals: str
    submitted_at: dt.datetime | None
    on_time: bool | None
    entries: list[EntryOut]


class EntryIn(Schema):
    task_id: int = Field(..., ge=1, le=MAX_ID)
    text: str = Field("", max_length=REPORT_TEXT)
    status: str = Field("", max_length=16)


class ReportIn(Schema):
    summary: str = Field("", max_length=REPORT_TEXT)
    difficulties: str = Field("", max_length=REPORT_TEXT)
    proposals: str = Field("", max_length=REPORT_TEXT)
    entries: list[EntryIn] = Field([], max_length=2000)


class OpenReportIn(Schema):
    plan_id: int = Field(..., ge=1, le=MAX_ID)
    year: int = Field(..., ge=1900, le=2200)


def _plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk, "reference": plan.reference, "number": plan.number, "symbol": plan.symbol, "title": plan.title,
        "date": plan.date, "issuing_agency": plan.issuing_agency.code if plan.issuing_agency else None,
        "coordinating_agency": plan.coordinating_agency.code if plan.coordinating_agency else None,
        "period_start": plan.period_start, "period_end": plan.period_end, "phases": plan.phases,
        "report_due": f"{plan.report_due_day:02d}/{plan.report_due_month:02d}", "timely_days": plan.timely_days,
    }


def _plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = perms.visible_plans(request_user(request)).filter(pk=plan_id).select_related(
        "issuing_agency", "coordinating_agency").first()
    if plan is None:
        raise NotFound(_("No such plan."))
    return plan


def _report_out(report: ProgressReport) -> dict[str, Any]:
    period = report.period
    return {
        "id": report.pk, "plan_id": period.plan_id, "year": period.year, "due": period.due,
        "agency": report.agency.code, "state": report.state, "summary": report.summary,
        "difficulties": report.difficulties, "proposals": report.proposals, "submitted_at": report.submitted_at,
        "on_time": services.is_on_time(report.submitted_at, period.due, period.plan.timely_days)
        if report.submitted_at else None,
        "entries": [{"task_id": e.task_id, "task_key": e.task.key, "text": e.text, "status": e.status}
                    for e in report.entries.select_related("task")],
    }


def _report(request: HttpRequest, report_id: int) -> ProgressReport:
    report = ProgressReport.objects.select_related("period__plan", "agency").filter(pk=report_id).first()
    if report is None or not perms.can_view_report(request_user(request), report):
        raise NotFound(_("No such report."))
    return report


@router.get("/reports", response={200: list[ReportOut], **errors(401)}, summary="My agency's reports")
def my_reports(request: HttpRequest) -> list[dict[str, Any]]:
    user = request_user(request)
    agency = getattr(user, "agency", None)
    if agency is None or not perms.reports_for(user, agency):
        return []
    reports = ProgressReport.objects.filter(agency=agency).select_related("period__plan", "agency")
    return [_report_out(r) for r in reports]


@router.post("/reports", response={200: ReportOut, **errors(400, 401, 403, 404, 422)},
             summary="Open (or get) my agency's report for a plan's year")
def open_report(request: HttpRequest, payload: OpenReportIn) -> dict[str, Any]:
    user = request_user(request)
    period = ReportPeriod.objects.filter(plan_id=payload.plan_id, year=payload.year).select_related("plan").first()
    if period is None or not perms.can_view_plan(user, period.plan):
        raise NotFound(_("No such reporting period."))
    agency = getattr(user, "agency", None)
    if agency is None:
        raise PermissionDenied(_("You may only write your own agency's reports."))
    return _report_out(services.do_open_report(user, period, agency))


@router.get("/reports/{report_id}", response={200: ReportOut, **errors(401, 404, 422)}, summary="One report")
def get_report(request: HttpRequest, report_id: IdPath) -> dict[str, Any]:
    return _report_out(_report(request, report_id))


@router.put("/reports/{report_id}", response={200: ReportOut, **errors(400, 401, 403, 404, 422)},
            summary="Save a report (draft or returned)")
def save_report(request: HttpRequest, report_id: IdPath, payload: ReportIn) -> dict[str, Any]:
    report = _report(request, report_id)
    entries = {e.task_id: (e.text, e.status) for e in payload.entries}
    report = services.do_save_report(request_user(request), report, summary=payload.summary,
                                     difficulties=payload.difficulties, proposals=payload.proposals, entries=entries)
    return _report_out(report)


@router.post("/reports/{report_id}/submit", response={200: ReportOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Submit a report")
def submit_report(request: HttpRequest, report_id: IdPath) -> dict[str, Any]:
    report = services.do_submit_report(request_user(request), _report(request, report_id))
    return _report_out(report)


@router.get("", response={200: list[PlanOut], **errors(401)}, summary="Plans I may see")
def list_plans(request: HttpRequest) -> list[dict[str, Any]]:
    plans = perms.visible_plans(request_user(request)).select_related("issuing_agency", "coordinating_agency")
    return [_plan_out(p) for p in plans]


def _party(agency: Any, group: str, text: str) -> dict[str, Any]:
    return {"agency": agency.code if agency else None, "group": group, "text": text}


@router.get("/{plan_id}", response={200: PlanDetailOut, **errors(401, 404, 422)}, summary="A plan with its tasks")
def get_plan(request: HttpRequest, plan_id: IdPath) -> dict[str, Any]:
    plan = _plan(request, plan_id)
    tasks = plan.tasks.select_related("section", "parent", "lead_agency", "plan").prefetch_related(
        "coordinators__agency")
    return {
        **_plan_out(plan),
        "sections": [{"key": s.key, "title": s.title, "parent": s.parent.key if s.parent else None}
                     for s in plan.sections.select_related("parent")],
        "tasks": [{
            "id": t.pk, "key": t.key, "section": t.section.key if t.section else None,
            "parent": t.parent.key if t.parent else None, "title": t.title,
            "lead": _party(t.lead_agency, t.lead_group, t.lead_text),
            "coordinating": [_party(c.agency, c.group, c.text) for c in t.coordinators.all()],
            "timeframe_kind": t.timeframe_kind, "timeframe_text": t.timeframe_text, "start": t.start, "end": t.end,
            "status": t.effective_status(),
        } for t in tasks],
    }


@router.get("/{plan_id}/indicators", response={200: list[IndicatorOut], **errors(401, 404, 422)},
            summary="Indicators with their current target, actual value and attainment")
def get_indicators(request: HttpRequest, plan_id: IdPath) -> list[dict[str, Any]]:
    plan = _plan(request, plan_id)
    return [{
        "key": a.indicator.key, "name": a.indicator.name, "unit": a.indicator.unit, "source": a.indicator.source,
        "target_label": a.target.label if a.target else None, "target": a.target.value if a.target else None,
        "actual": a.actual, "attainment_percent": a.percent,
    } for a in services.attainment(plan)]


def _rates(rates: services.Rates) -> dict[str, Any]:
    return {"expected": rates.expected, "submitted": rates.submitted, "on_time": rates.on_time,
            "completeness": rates.completeness, "timeliness": rates.timeliness}


@router.get("/{plan_id}/reporting", response={200: ReportingOut, **errors(401, 403, 404, 422)},
            summary="Reporting completeness and timeliness, for the plan and per agency")
def get_reporting(request: HttpRequest, plan_id: IdPath) -> dict[str, Any]:
    plan = _plan(request, plan_id)
    total, rows = services.reporting_rates(plan)
    user = request_user(request)
    shown = perms.agency_ids_in_view(user, plan)
    if shown is not None:
        # The plan's figure, and the rows of the agencies in the user's scope only.
        rows = [r for r in rows if r.agency.pk in shown]
    return {"plan": _rates(total), "agencies": [
        {**_rates(r.rates), "agency": r.agency.code, "by_year": {str(k): v for k, v in r.by_year.items()}}
        for r in rows]}
