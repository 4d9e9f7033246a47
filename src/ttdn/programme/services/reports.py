"""Agencies' progress reports per period, completeness and timeliness, reminders and notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Agency, Role, User
from ttdn.core import audit
from ttdn.core.errors import Conflict, PermissionDenied
from ttdn.programme import permissions as perms
from ttdn.programme.models import (
    STORED_TASK_STATUSES,
    Notification,
    Plan,
    ProgressReport,
    ReportEntry,
    ReportPeriod,
    ReportState,
    Task,
)
from ttdn.programme.services.common import check_manage, clean_text, invalid
from ttdn.programme.services.scope import leads_task, tasks_of_agency

# Reminders: these many days before the due date, then every OVERDUE_EVERY days after it, at most OVERDUE_MAX times.
REMIND_BEFORE = (14, 7, 1)
OVERDUE_EVERY = 3
OVERDUE_MAX = 10


@dataclass
class AgencyReport:
    """One report an agency owes: the plan, the period, the report if it was opened, and whether it is late (not
    submitted and past its due date)."""

    plan: Plan
    period: ReportPeriod
    report: ProgressReport | None
    late: bool

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.state == ReportState.SUBMITTED


def agency_reports(actor: User, today: dt.date | None = None) -> list[AgencyReport]:
    """The reports the actor's agency owes on every plan it reports on, for the periods begun, newest first; empty
    for someone who does not report for an agency."""
    agency = getattr(actor, "agency", None)
    if agency is None or not perms.reports_for(actor, agency):
        return []
    today = today or timezone.localdate()
    reports = {r.period_id: r for r in ProgressReport.objects.filter(agency=agency)}
    rows = []
    for period in ReportPeriod.objects.filter(plan__reporting_agencies=agency, start__lte=today).select_related(
            "plan").distinct():
        report = reports.get(period.pk)
        late = (report is None or report.state != ReportState.SUBMITTED) and period.due < today
        rows.append(AgencyReport(period.plan, period, report, late))
    rows.sort(key=lambda r: (-r.period.year, r.plan.pk))
    return rows


def reports_due(actor: User, today: dt.date | None = None) -> list[AgencyReport]:
    """What the actor's agency still has to send: its reports not submitted, the overdue first, then by due date
    (the home page lists them)."""
    rows = [row for row in agency_reports(actor, today) if not row.submitted]
    rows.sort(key=lambda r: (not r.late, r.period.due, r.plan.pk))
    return rows


def check_open_report(actor: User, period: ReportPeriod, agency: Agency) -> None:
    if not perms.reports_for(actor, agency):
        raise PermissionDenied(_("You may only write your own agency's reports."))
    if not period.plan.reporting_agencies.filter(pk=agency.pk).exists():
        raise PermissionDenied(_("Your agency does not report on this plan."))


def do_open_report(actor: User, period: ReportPeriod, agency: Agency) -> ProgressReport:
    """The agency's report for a period, created as a draft with one entry per task it has a part in."""
    check_open_report(actor, period, agency)
    with transaction.atomic():
        report, created = ProgressReport.objects.get_or_create(period=period, agency=agency)
        if created:
            for task in tasks_of_agency(period.plan, agency):
                ReportEntry.objects.create(report=report, task=task, status=task.status)
            audit.record(actor, "programme.report.open", report, agency_id=agency.pk, year=period.year)
    return report


def do_save_report(actor: User, report: ProgressReport, *, summary: str, difficulties: str = "",
                   proposals: str = "", entries: dict[int, tuple[str, str]] | None = None) -> ProgressReport:
    if not perms.can_edit_report(actor, report):
        raise PermissionDenied(_("You may not change this report."))
    clean_entries: dict[int, tuple[str, str]] = {}
    allowed = set(report.entries.values_list("task_id", flat=True))
    for task_id, (text, status) in (entries or {}).items():
        if task_id not in allowed:
            raise invalid("invalid", _("This task is not in your agency's report."), field="entries")
        if status and status not in dict(STORED_TASK_STATUSES):
            raise invalid("invalid", _("Choose a status."), field=f"status_{task_id}")
        if status and not leads_task(Task.objects.select_related("plan").get(pk=task_id), report.agency):
            raise PermissionDenied(_("Only the lead agency sets this task's status; report your agency's part "
                                     "without a status."), field=f"status_{task_id}")
        clean_entries[task_id] = (clean_text(text, f"entry_{task_id}"), status)
    with transaction.atomic():
        report.summary = clean_text(summary, "summary")
        report.difficulties = clean_text(difficulties, "difficulties")
        report.proposals = clean_text(proposals, "proposals")
        report.updated_at = timezone.now()
        report.save()
        for task_id, (text, status) in clean_entries.items():
            ReportEntry.objects.filter(report=report, task_id=task_id).update(text=text, status=status)
        audit.record(actor, "programme.report.save", report, agency_id=report.agency_id)
    return report


def do_submit_report(actor: User, report: ProgressReport) -> ProgressReport:
    if not perms.can_edit_report(actor, report):
        raise PermissionDenied(_("You may not submit this report."))
    if not report.summary.strip() and not report.entries.exclude(text="").exists():
        raise invalid("empty_report", _("Write the results before submitting the report."), field="summary")
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if report.state == ReportState.SUBMITTED:
            raise Conflict(_("This report has already been submitted."))
        report.state = ReportState.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = actor
        report.return_reason = ""
        report.save()
        for entry in report.entries.exclude(status="").select_related("task__plan"):
            if leads_task(entry.task, report.agency):  # a coordinator's part never moves the lead's status
                Task.objects.filter(pk=entry.task_id).update(status=entry.status)
        audit.record(actor, "programme.report.submit", report, agency_id=report.agency_id,
                     year=report.period.year, on_time=is_on_time(report.submitted_at, report.period.due,
                                                                 report.period.plan.timely_days))
    return report


def do_return_report(actor: User, report: ProgressReport, reason: str) -> ProgressReport:
    check_manage(actor, report.period.plan)
    why = clean_text(reason, "reason", required=True)
    if report.state != ReportState.SUBMITTED:
        raise Conflict(_("Only a submitted report can be returned."))
    with transaction.atomic():
        report.state = ReportState.RETURNED
        report.return_reason = why
        report.save()
        audit.record(actor, "programme.report.return", report, agency_id=report.agency_id, reason=why)
        for user in _reporters_of(report.agency):
            _notify(user, f"returned:{report.pk}:{report.updated_at.timestamp():.0f}:{timezone.now().timestamp():.0f}",
                    str(_("Your report for %(plan)s, %(year)s was returned: %(reason)s")
                        % {"plan": report.period.plan.reference, "year": report.period.year, "reason": why}),
                    link=f"/plans/reports/{report.pk}/")
    return report


# ----------------------------------------------------------------------------------- completeness


def is_on_time(submitted_at: dt.datetime | None, due: dt.date, timely_days: int = 0) -> bool:
    """On time: submitted on or before the due date plus the plan's days of grace (local calendar day)."""
    if submitted_at is None:
        return False
    return timezone.localdate(submitted_at) <= due + dt.timedelta(days=timely_days)


@dataclass
class Rates:
    expected: int = 0
    submitted: int = 0
    on_time: int = 0

    @property
    def completeness(self) -> float | None:
        return round(100 * self.submitted / self.expected, 1) if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None

    def add(self, submitted_at: dt.datetime | None, due: dt.date, timely_days: int) -> None:
        self.expected += 1
        if submitted_at is not None:
            self.submitted += 1
            self.on_time += is_on_time(submitted_at, due, timely_days)


def expected_periods(plan: Plan, today: dt.date | None = None) -> list[ReportPeriod]:
    """The periods that count: those whose due date has come (DHIS2 counts only periods that have ended)."""
    today = today or timezone.localdate()
    return list(plan.periods.filter(due__lte=today))


@dataclass
class AgencyRates:
    agency: Agency
    rates: Rates
    by_year: dict[int, str] = field(default_factory=dict)  # year → "on_time" | "late" | "missing" | state


def reporting_rates(plan: Plan, *, periods: Sequence[ReportPeriod] | None = None,
                    today: dt.date | None = None) -> tuple[Rates, list[AgencyRates]]:
    """Completeness and timeliness of a plan (all agencies) and per agency, over the given periods."""
    periods = list(periods) if periods is not None else expected_periods(plan, today)
    agencies = list(plan.reporting_agencies.all().order_by("name"))
    reports = {
        (r.period_id, r.agency_id): r
        for r in ProgressReport.objects.filter(period__in=periods)
    }
    total = Rates()
    rows = []
    for agency in agencies:
        rates = Rates()
        row = AgencyRates(agency, rates)
        for period in periods:
            report = reports.get((period.pk, agency.pk))
            submitted = report.submitted_at if report and report.state == ReportState.SUBMITTED else None
            rates.add(submitted, period.due, plan.timely_days)
            total.add(submitted, period.due, plan.timely_days)
            if submitted is not None:
                row.by_year[period.year] = "on_time" if is_on_time(submitted, period.due, plan.timely_days) else "late"
            else:
                row.by_year[period.year] = report.state if report else "missing"
        rows.append(row)
    return total, rows


def _reporters_of(agency: Agency) -> list[User]:
    users = list(User.objects.filter(agency=agency, is_active=True, role_grants__role=Role.PLAN_REPORTER).distinct())
    return users or list(
        User.objects.filter(agency=agency, is_active=True, role_grants__role=Role.AGENCY_ADMIN).distinct()
    )


def _notify(user: User, key: str, message: str, link: str = "") -> Notification | None:
    """Create the notification unless this user already has one with this key; e-mail it if they have an address."""
    note, created = Notification.objects.get_or_create(user=user, key=key[:200],
                                                       defaults={"message": message, "link": link})
    if not created:
        return None
    if user.email:
        # Sent after the row is committed, so a rolled-back sweep never mails a reminder it did not keep.
        def mail(note_id: int = note.pk, address: str = user.email) -> None:
            send_mail("[TTĐN] " + message[:120], message + (f"\n\n{link}" if link else ""),
                      settings.DEFAULT_FROM_EMAIL, [address])
            Notification.objects.filter(pk=note_id).update(emailed=True)

        transaction.on_commit(mail)
    return note


def reminder_stage(due: dt.date, today: dt.date) -> str | None:
    """Which reminder is due today: "before-14", "before-7", "before-1", "after-1", "after-4", … or None.

    A stage is named by its threshold, so a sweep that missed a day still sends it, and only once.
    """
    days_left = (due - today).days
    if days_left >= 0:
        for before in sorted(REMIND_BEFORE):
            if days_left <= before:
                return f"before-{before}"
        return None
    late = -days_left
    n = (late - 1) // OVERDUE_EVERY
    if n >= OVERDUE_MAX:
        return None
    return f"after-{1 + n * OVERDUE_EVERY}"


def do_send_reminders(today: dt.date | None = None) -> int:
    """Remind each agency that has not submitted this period's report; never the same reminder twice."""
    from django.utils import translation

    today = today or timezone.localdate()
    sent = 0
    window_end = today + dt.timedelta(days=max(REMIND_BEFORE))
    window_start = today - dt.timedelta(days=OVERDUE_EVERY * OVERDUE_MAX)
    periods = ReportPeriod.objects.filter(due__gte=window_start, due__lte=window_end).select_related("plan")
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        for period in periods:
            stage = reminder_stage(period.due, today)
            if stage is None:
                continue
            done = set(period.reports.filter(state=ReportState.SUBMITTED).values_list("agency_id", flat=True))
            for agency in period.plan.reporting_agencies.exclude(pk__in=done):
                if stage.startswith("before"):
                    message = _("Reminder: the %(year)s report on plan %(plan)s is due on %(due)s.")
                else:
                    message = _("Overdue: the %(year)s report on plan %(plan)s was due on %(due)s and has not been "
                                "submitted.")
                text = str(message) % {"year": period.year, "plan": period.plan.reference or period.plan.title[:60],
                                       "due": period.due.strftime("%d/%m/%Y")}
                reached = 0
                for user in _reporters_of(agency):
                    if _notify(user, f"reminder:{period.pk}:{agency.pk}:{stage}", text, link="/plans/my-reports/"):
                        reached += 1
                if reached:
                    sent += reached
                    audit.record(None, "programme.report.remind", period, agency_id=agency.pk, stage=stage,
                                 users=reached)
    return sent


def do_mark_read(actor: User, ids: Iterable[int] | None = None) -> int:
    with transaction.atomic():
        qs = Notification.objects.filter(user=actor, read_at__isnull=True)
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        return qs.update(read_at=timezone.now())
