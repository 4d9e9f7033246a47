"""Importing a reviewed draft, reporting and its scoping, completeness and timeliness, indicators and reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from ttdn.core.errors import PermissionDenied, ServiceError
from ttdn.core.models import AuditEntry
from ttdn.documents.plan_draft import Draft
from ttdn.places.models import BorderSite, Equipment
from ttdn.programme import services
from ttdn.programme.models import (
    AgencyGroup,
    IndicatorSource,
    Notification,
    Plan,
    ProgressReport,
    ReportState,
    Section,
    Task,
    TaskStatus,
)

from .conftest import PW, at, draft

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------------ import


def test_import_creates_sections_tasks_indicators_with_agencies_and_groups(pw: PW) -> None:
    plan = pw.plan
    assert (plan.number, plan.symbol, plan.reference) == ("2509", "KH-UBND", "2509/KH-UBND")
    assert plan.issuing_agency == pw.world.gl_ppc
    assert plan.coordinating_agency == pw.world.gl_dept  # the importing manager's agency
    assert (plan.period_start, plan.period_end) == (dt.date(2020, 1, 1), dt.date(2030, 12, 31))
    assert [s.key for s in plan.sections.all()] == ["II", "II.1", "II.2"]
    assert Section.objects.get(plan=plan, key="II.1").parent.key == "II"  # type: ignore[union-attr]
    tasks = {t.key: t for t in plan.tasks.all()}
    assert set(tasks) == {"II.1.a", "II.1.b", "II.2.a"}
    assert tasks["II.1.a"].lead_agency == pw.world.gl_dept
    assert tasks["II.1.b"].parent == tasks["II.1.a"]
    assert tasks["II.1.b"].timeframe_kind == "by_date" and tasks["II.1.b"].end == dt.date(2021, 3, 31)
    # A yearly task runs over the plan's period.
    assert (tasks["II.1.a"].start, tasks["II.1.a"].end) == (plan.period_start, plan.period_end)
    coordinators = list(tasks["II.1.a"].coordinators.all())
    assert [(c.agency, c.group) for c in coordinators] == [
        (pw.world.gl_bgc, ""), (None, AgencyGroup.BORDER_DISTRICT_COMMITTEES)]
    # An unmatched lead stays as its text.
    assert tasks["II.2.a"].lead_agency is None and tasks["II.2.a"].lead_text == "Sở Nội vụ"
    indicators = {i.key: i for i in plan.indicators.all()}
    assert indicators["T1"].unit == "percent" and indicators["T1"].source == IndicatorSource.OFFICERS_TRAINED_PCT
    assert indicators["T2"].source == IndicatorSource.POSTS_EQUIPPED
    assert indicators["T3"].source == IndicatorSource.REPORTED
    assert [(t.label, t.value) for t in indicators["T1"].targets.all()] == [("2020 - 2025", 50), ("2026 - 2030", 100)]
    # Expected reporters: the lead and coordinating agencies, groups resolved in the plan's province.
    reporting = set(plan.reporting_agencies.all())
    assert {pw.world.gl_dept, pw.world.gl_bgc, pw.district} <= reporting
    assert pw.world.dl_dept not in reporting
    assert [p.year for p in plan.periods.all()] == list(range(2020, 2031))
    assert plan.periods.get(year=2024).due == dt.date(2024, 11, 25)
    assert AuditEntry.objects.filter(action="programme.plan.import", object_id=str(plan.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("plan"), "plan"),
        (lambda d: d["plan"].update(title=""), "plan.title"),
        (lambda d: d["plan"].update(period=None, phases=[]), "plan.period"),
        (lambda d: d["plan"]["period"].update(start="30/11/2020"), "plan.period.start"),
        (lambda d: d["tasks"][0].update(section="IX"), "tasks[0]"),
        (lambda d: d["tasks"][1].update(key="II.1.a"), "tasks[1]"),
        (lambda d: d["tasks"][2]["lead"].update(agency="no-such-agency"), "tasks[2].lead"),
        (lambda d: d["tasks"][2]["coordinating"][0].update(group="everyone"), "tasks[2].coordinating[0]"),
        (lambda d: d["tasks"][0]["timeframe"].update(kind="sometimes"), "tasks[0]"),
        (lambda d: d["indicators"][0].update(unit="kg"), "indicators[0]"),
        (lambda d: d["indicators"][0]["targets"][0].update(value="nhiều"), "indicators[0].targets[0].value"),
        (lambda d: d.update(tasks="II.1.a"), "tasks"),
        (lambda d: d.update(tasks=[]), "tasks"),
    ],
)
def test_a_malformed_draft_is_refused_with_a_clear_message_and_creates_nothing(
    pw: PW, change: Any, field: str
) -> None:
    bad = draft()
    change(bad)
    before = (Plan.objects.count(), Task.objects.count(), Section.objects.count())
    with pytest.raises(ServiceError) as caught:
        services.do_import_plan(pw.manager, bad)
    assert caught.value.status == 400
    assert caught.value.details["field"] == field
    assert str(caught.value.message)  # a sentence for a person, not empty
    assert (Plan.objects.count(), Task.objects.count(), Section.objects.count()) == before


def test_the_check_reads_the_typed_draft_into_typed_values(pw: PW) -> None:
    """The check takes the importer's `Draft` (or its JSON form, read as one) and gives typed values: dates as
    dates, agencies as records, figures as numbers; the JSON form and the typed draft check the same."""
    typed = Draft.from_json(draft())
    clean = services.check_import_plan(pw.manager, typed)
    assert isinstance(clean, services.CleanPlan)
    assert clean == services.check_import_plan(pw.manager, draft())
    assert (clean.period_start, clean.period_end) == (dt.date(2020, 1, 1), dt.date(2030, 12, 31))
    assert clean.issuing_agency == pw.world.gl_ppc and clean.date == dt.date(2020, 11, 30)
    first = clean.tasks[0]
    assert first.lead.agency == pw.world.gl_dept and first.coordinating[1].group == "border_district_committees"
    assert clean.tasks[1].end == dt.date(2021, 3, 31) and clean.tasks[1].parent == "II.1.a"
    assert [t.value for t in clean.indicators[0].targets] == [50, 100]
    assert clean.indicators[0].source == IndicatorSource.OFFICERS_TRAINED_PCT
    # A reviewer's correction in the typed draft is what the check reads.
    typed.tasks[0].title = "  Cung cấp thông tin  "
    assert services.check_import_plan(pw.manager, typed).tasks[0].title == "Cung cấp thông tin"


def test_only_plan_managers_import(pw: PW) -> None:
    with pytest.raises(PermissionDenied):
        services.do_import_plan(pw.reporter_bgc, draft())
    with pytest.raises(PermissionDenied):
        services.do_import_plan(pw.world.contributor, draft())


# ------------------------------------------------------------------------------------------ reporting


def _report(pw: PW, user: Any, year: int, text: str = "Đã cung cấp 120 tin, bài.") -> ProgressReport:
    assert user.agency is not None
    period = pw.plan.periods.get(year=year)
    report = services.do_open_report(user, period, user.agency)
    # A status only for the tasks the agency leads: a coordinator reports its part (test_lead_status.py).
    entries = {e.task_id: (text, str(TaskStatus.IN_PROGRESS) if services.leads_task(e.task, user.agency) else "")
               for e in report.entries.select_related("task__plan")}
    return services.do_save_report(user, report, summary=text, entries=entries)


def test_an_agency_writes_and_submits_only_its_own_report(pw: PW) -> None:
    report = _report(pw, pw.reporter_bgc, 2021)
    # Its tasks only: as lead, as coordinator, and through "các sở, ban, ngành".
    assert {e.task.key for e in report.entries.all()} == {"II.1.a", "II.1.b", "II.2.a"}
    assert {e.task.key for e in _report(pw, pw.reporter_dept, 2021).entries.all()} == {"II.1.a", "II.2.a"}
    # Another agency's reporter, the manager and a content contributor may not touch it.
    for other in (pw.reporter_dept, pw.reporter_dl, pw.manager, pw.world.contributor):
        with pytest.raises(PermissionDenied):
            services.do_save_report(other, report, summary="Sửa hộ")
        with pytest.raises(PermissionDenied):
            services.do_submit_report(other, report)
    # Nor open a report in its name, nor for an agency outside the plan.
    with pytest.raises(PermissionDenied):
        services.do_open_report(pw.reporter_dept, report.period, pw.world.gl_bgc)
    with pytest.raises(PermissionDenied):
        services.do_open_report(pw.reporter_dl, report.period, pw.world.dl_dept)
    report = services.do_submit_report(pw.reporter_bgc, report)
    assert report.state == ReportState.SUBMITTED and report.submitted_by == pw.reporter_bgc
    # Submitted: no longer editable; the manager may return it with a reason, and it can be fixed again.
    with pytest.raises(PermissionDenied):
        services.do_save_report(pw.reporter_bgc, report, summary="muộn")
    with pytest.raises(PermissionDenied):
        services.do_return_report(pw.reporter_dept, report, "Bổ sung số liệu")
    services.do_return_report(pw.manager, report, "Bổ sung số liệu")
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    assert Notification.objects.filter(user=pw.reporter_bgc, message__contains="Bổ sung số liệu").exists()
    services.do_save_report(pw.reporter_bgc, report, summary="Đã bổ sung số liệu.")
    services.do_submit_report(pw.reporter_bgc, report)


def test_an_empty_report_cannot_be_submitted(pw: PW) -> None:
    period = pw.plan.periods.get(year=2022)
    report = services.do_open_report(pw.reporter_bgc, period, pw.world.gl_bgc)
    with pytest.raises(ServiceError) as caught:
        services.do_submit_report(pw.reporter_bgc, report)
    assert caught.value.code == "empty_report"
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and report.submitted_at is None


def test_plan_visibility(pw: PW) -> None:
    from ttdn.programme import permissions as perms

    assert list(perms.visible_plans(pw.manager)) == [pw.plan]
    assert list(perms.visible_plans(pw.reporter_bgc)) == [pw.plan]
    assert list(perms.visible_plans(pw.reporter_dl)) == []
    assert list(perms.visible_plans(pw.world.contributor)) == []
    assert perms.can_manage_plan(pw.manager, pw.plan)
    assert not perms.can_manage_plan(pw.reporter_dept, pw.plan)


# ------------------------------------------------------------------------ completeness and timeliness


@pytest.mark.parametrize(
    ("submitted", "due", "timely_days", "on_time"),
    [
        (at(2024, 11, 25, 23), dt.date(2024, 11, 25), 0, True),  # late in the evening, local time
        (at(2024, 11, 26, 0), dt.date(2024, 11, 25), 0, False),
        (at(2024, 11, 26, 9), dt.date(2024, 11, 25), 1, True),
        (at(2024, 12, 10, 9), dt.date(2024, 11, 25), 15, True),
        (at(2024, 12, 11, 9), dt.date(2024, 11, 25), 15, False),
        (at(2024, 1, 2, 9), dt.date(2024, 11, 25), 0, True),
        (None, dt.date(2024, 11, 25), 30, False),
    ],
)
def test_on_time_rule(submitted: Any, due: dt.date, timely_days: int, on_time: bool) -> None:
    assert services.is_on_time(submitted, due, timely_days) is on_time


# Each case: per agency and year, when its report was submitted ("-" none, "d" draft only, "r" returned),
# the plan's days of grace, and the expected (expected, submitted, on time, completeness %, timeliness %).
CASES = [
    ({"dept": {2021: "2021-11-20", 2022: "2022-11-25"}, "bgc": {2021: "2021-11-30", 2022: "-"}}, 0,
     {"all": (4, 3, 2, 75.0, 50.0), "dept": (2, 2, 2, 100.0, 100.0), "bgc": (2, 1, 0, 50.0, 0.0)}),
    ({"dept": {2021: "2021-11-20", 2022: "2022-11-25"}, "bgc": {2021: "2021-11-30", 2022: "-"}}, 5,
     {"all": (4, 3, 3, 75.0, 75.0), "bgc": (2, 1, 1, 50.0, 50.0)}),
    ({"dept": {2021: "d", 2022: "r"}, "bgc": {2021: "-", 2022: "-"}}, 0,
     {"all": (4, 0, 0, 0.0, 0.0), "dept": (2, 0, 0, 0.0, 0.0)}),
    ({"dept": {2021: "2022-01-15", 2022: "2022-11-01"}, "bgc": {2021: "2021-11-25", 2022: "2022-11-26"}}, 0,
     {"all": (4, 4, 2, 100.0, 50.0)}),
]


@pytest.mark.parametrize(("submissions", "timely_days", "expected"), CASES)
def test_completeness_and_timeliness(pw: PW, submissions: dict[str, dict[int, str]], timely_days: int,
                                     expected: dict[str, tuple[int, int, int, float, float]]) -> None:
    plan = pw.plan
    plan.reporting_agencies.set([pw.world.gl_dept, pw.world.gl_bgc])
    services.do_update_plan_settings(pw.manager, plan, due_day=25, due_month=11, timely_days=timely_days)
    users = {"dept": pw.reporter_dept, "bgc": pw.reporter_bgc}
    for who, years in submissions.items():
        for year, when in years.items():
            if when == "-":
                continue
            report = _report(pw, users[who], year)
            if when in {"d", "r"}:
                if when == "r":
                    report = services.do_submit_report(users[who], report)
                    services.do_return_report(pw.manager, report, "Thiếu số liệu")
                continue
            services.do_submit_report(users[who], report)
            day = dt.date.fromisoformat(when)
            ProgressReport.objects.filter(pk=report.pk).update(submitted_at=at(day.year, day.month, day.day))
    periods = list(plan.periods.filter(year__in=[2021, 2022]))
    total, rows = services.reporting_rates(plan, periods=periods)
    by_agency = {("dept" if r.agency == pw.world.gl_dept else "bgc"): r.rates for r in rows}
    for key, (n_expected, n_submitted, n_on_time, completeness, timeliness) in expected.items():
        rates = total if key == "all" else by_agency[key]
        assert (rates.expected, rates.submitted, rates.on_time) == (n_expected, n_submitted, n_on_time), key
        assert (rates.completeness, rates.timeliness) == (completeness, timeliness), key


def test_only_periods_whose_due_date_came_are_expected(pw: PW) -> None:
    years = [p.year for p in services.expected_periods(pw.plan, today=dt.date(2022, 11, 25))]
    assert years == [2020, 2021, 2022]
    assert [p.year for p in services.expected_periods(pw.plan, today=dt.date(2022, 11, 24))] == [2020, 2021]


# ------------------------------------------------------------------------------------------ indicators


def _site(pw: PW, kind: str, code: str) -> BorderSite:
    return BorderSite.objects.create(code=code, name=code, kind=kind, province=pw.world.gia_lai)


def test_indicators_follow_the_registries(pw: PW) -> None:
    from ttdn.programme.models import Course

    today = dt.date(2024, 6, 1)

    def figures() -> dict[str, tuple[float | None, float | None]]:
        return {a.indicator.key: (a.actual, a.percent) for a in services.attainment(pw.plan, today)}

    assert figures()["T1"] == (None, None)  # no officers yet
    officers = [services.do_save_officer(pw.reporter_bgc, pw.world.gl_bgc, services.OfficerData(name=f"Cán bộ {n}"))
                for n in range(4)]
    assert figures()["T1"] == (0.0, 0.0)
    course = services.do_save_course(pw.manager, "Kỹ năng thông tin đối ngoại", "foreign_information")
    klass = services.do_save_class(pw.manager, services.ClassData(
        course_id=course.pk, title="Lớp 1", start=dt.date(2024, 5, 6), end=dt.date(2024, 5, 8), venue="Pleiku",
        capacity=30, duration_hours=24))
    for officer in officers[:2]:
        enrolment = services.do_enrol(pw.manager, klass, officer)
        services.do_set_attendance(pw.manager, enrolment, attended=True, completed=True)
    # 2 of 4 trained = 50 %, against the 2020–2025 target of 50 %: attained.
    assert figures()["T1"] == (50.0, 100.0)
    services.do_save_officer(pw.reporter_bgc, pw.world.gl_bgc, services.OfficerData(name="Cán bộ mới"))
    assert figures()["T1"] == (40.0, 80.0)  # a new officer lowers the share at once
    # After 2025 the next phase's target (100 %) applies.
    assert {a.indicator.key: a.target.label for a in services.attainment(pw.plan, dt.date(2027, 1, 1))
            if a.target}["T1"] == "2026 - 2030"

    assert figures()["T2"] == (0.0, 0.0)
    posts = [_site(pw, "border_post", f"post-{n}") for n in range(3)]
    services.do_save_equipment(pw.manager, posts[0], kind="screen", status="working", installed_on=today)
    services.do_save_equipment(pw.manager, posts[1], kind="kiosk", status="planned")
    assert figures()["T2"] == (1.0, 12.5)  # 1 of the 8 posts
    equipment = Equipment.objects.get(site=posts[1])
    services.do_save_equipment(pw.manager, posts[1], kind="kiosk", status="working", installed_on=today,
                               equipment=equipment)
    assert figures()["T2"] == (2.0, 25.0)
    services.do_save_equipment(pw.manager, posts[0], kind="screen", status="faulty", installed_on=today,
                               equipment=Equipment.objects.get(site=posts[0]))
    assert figures()["T2"] == (1.0, 12.5)  # out of order no longer counts
    assert Course.objects.count() == 1


def test_border_communes_equipped_percent(pw: PW) -> None:
    communes = [_site(pw, "border_commune", f"xa-{n}") for n in range(4)]
    assert services.compute_source(IndicatorSource.BORDER_COMMUNES_EQUIPPED_PCT, pw.plan) == 0.0
    services.do_save_equipment(pw.manager, communes[0], kind="loudspeaker", status="working",
                               installed_on=dt.date(2023, 3, 1))
    assert services.compute_source(IndicatorSource.BORDER_COMMUNES_EQUIPPED_PCT, pw.plan) == 25.0


def test_reported_indicator_values(pw: PW) -> None:
    from ttdn.programme.models import Indicator

    t3 = Indicator.objects.get(plan=pw.plan, key="T3")
    services.do_record_indicator_value(pw.reporter_dept, t3, 200, dt.date(2024, 11, 1))
    services.do_record_indicator_value(pw.manager, t3, 250, dt.date(2025, 11, 1))
    row = next(a for a in services.attainment(pw.plan, dt.date(2026, 1, 1)) if a.indicator.key == "T3")
    assert (row.actual, row.percent) == (250, 50.0)
    with pytest.raises(PermissionDenied):
        services.do_record_indicator_value(pw.reporter_dl, t3, 999, dt.date(2025, 11, 1))
    t1 = Indicator.objects.get(plan=pw.plan, key="T1")
    with pytest.raises(ServiceError):
        services.do_record_indicator_value(pw.manager, t1, 90, dt.date(2025, 11, 1))  # computed, not typed


def test_registry_scoping(pw: PW) -> None:
    with pytest.raises(PermissionDenied):
        services.do_save_officer(pw.reporter_bgc, pw.world.gl_dept, services.OfficerData(name="Người khác"))
    with pytest.raises(PermissionDenied):
        services.do_save_officer(pw.reporter_dl, pw.world.gl_bgc, services.OfficerData(name="Người khác"))
    # The plan manager keeps the officers of every agency of the province.
    services.do_save_officer(pw.manager, pw.world.gl_bgc, services.OfficerData(name="Rơ Châm H'Lan",
                                                                                languages=["jra", "vi"]))
    with pytest.raises(PermissionDenied):
        services.do_save_officer(pw.manager, pw.world.dl_dept, services.OfficerData(name="Ngoài tỉnh"))
    with pytest.raises(PermissionDenied):
        services.do_save_course(pw.reporter_bgc, "Tiếng Lào", "lao")
    dl_site = BorderSite.objects.create(code="dl-x", name="Xã Ea Súp", kind="border_commune",
                                        province=pw.world.dak_lak)
    with pytest.raises(PermissionDenied):
        services.do_save_equipment(pw.manager, dl_site, kind="screen", status="planned")


# ------------------------------------------------------------------------------------------- reminders


def test_reminders_before_and_after_the_due_date_are_sent_once(pw: PW) -> None:
    plan = pw.plan
    plan.reporting_agencies.set([pw.world.gl_dept, pw.world.gl_bgc])
    due = dt.date(2024, 11, 25)
    report = _report(pw, pw.reporter_dept, 2024)
    services.do_submit_report(pw.reporter_dept, report)  # the department is done; the command is not
    mail.outbox.clear()

    def sweep(day: dt.date) -> int:
        with pytest.MonkeyPatch.context():
            return services.do_send_reminders(day)

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sweep(due - dt.timedelta(days=20)) == 0  # too early
        assert sweep(due - dt.timedelta(days=14)) == 1
        assert sweep(due - dt.timedelta(days=13)) == 0  # the same reminder is never sent twice
        assert sweep(due - dt.timedelta(days=6)) == 1  # the 7-day one, though the sweep missed day 7
        assert sweep(due - dt.timedelta(days=1)) == 1
        assert sweep(due) == 0
        assert sweep(due + dt.timedelta(days=1)) == 1  # overdue
        assert sweep(due + dt.timedelta(days=2)) == 0
        assert sweep(due + dt.timedelta(days=4)) == 1  # every three days
        assert sweep(due + dt.timedelta(days=4)) == 0
    notes = list(Notification.objects.filter(user=pw.reporter_bgc).order_by("id"))
    assert len(notes) == 5
    assert all(n.key.startswith("reminder:") for n in notes)
    assert "2509/KH-UBND" in notes[0].message and "25/11/2024" in notes[0].message
    assert not Notification.objects.filter(user=pw.reporter_dept, key__startswith="reminder:").exists()
    assert len(mail.outbox) == 5
    assert mail.outbox[0].to == [pw.reporter_bgc.email]
    assert all(n.emailed for n in notes)
