"""An agency merged into another (the 2025 reorganisation): its open tasks, its place among the coordinators and
the reporting agencies, and its reports not yet submitted follow the successor; what the plan wrote, the tasks it
finished and the reports it submitted stay as history; the audit says what moved."""

from __future__ import annotations

import datetime as dt

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Role
from ttdn.core.models import AuditEntry
from ttdn.programme import services
from ttdn.programme.models import ProgressReport, ReportState, TaskStatus

from .conftest import PW


def test_open_work_follows_the_successor_and_history_stays(pw: PW) -> None:
    old = pw.world.gl_bgc
    plan = pw.plan
    finished = services.do_save_task(pw.manager, plan, services.TaskData(
        key="II.1.c", title="Khảo sát nhu cầu thông tin tại các đồn", lead_agency_id=old.pk,
        timeframe_kind="by_date", end=dt.date(2021, 6, 30)))
    services.do_add_progress(pw.reporter_bgc, finished, "Đã khảo sát xong", status=TaskStatus.DONE)
    submitted = services.do_open_report(pw.reporter_bgc, plan.periods.get(year=2020), old)
    services.do_save_report(pw.reporter_bgc, submitted, summary="Kết quả năm 2020")
    services.do_submit_report(pw.reporter_bgc, submitted)
    draft = services.do_open_report(pw.reporter_bgc, plan.periods.get(year=2021), old)

    successor = accounts.do_save_agency(None, accounts.AgencyData(
        code="gl-bchbdbp-2025", name="Bộ Chỉ huy Bộ đội Biên phòng tỉnh Gia Lai (sau hợp nhất)",
        kind="border_guard_command", province_id=pw.world.gia_lai.pk, valid_from=dt.date(2025, 7, 1)))
    accounts.do_set_successor(pw.world.operator, old, successor, dt.date(2025, 7, 1))

    tasks = {t.key: t for t in plan.tasks.all()}
    assert tasks["II.1.b"].lead_agency == successor
    assert tasks["II.1.b"].lead_text == "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"  # the plan's words, kept
    assert tasks["II.1.c"].lead_agency == old  # finished under the old agency: history
    assert [c.agency for c in tasks["II.1.a"].coordinators.exclude(agency=None)] == [successor]
    assert set(plan.reporting_agencies.all()) >= {successor} and old not in plan.reporting_agencies.all()
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.agency, submitted.state) == (old, ReportState.SUBMITTED)
    assert draft.agency == successor
    entry = AuditEntry.objects.filter(action="programme.plan.successor").get()
    assert entry.data["replaced"] == old.code and entry.data["successor"] == successor.code

    # The successor's reporter now writes the report that was open, and is reminded of it.
    reporter = accounts.do_create_user(None, "bgc_2025", None, agency=successor, full_name="BGC",
                                       email="bgc2025@example.vn")
    accounts.do_grant_role(None, reporter, Role.PLAN_REPORTER, "")
    services.do_save_report(reporter, draft, summary="Kết quả năm 2021 (đơn vị mới)")
    assert ProgressReport.objects.get(pk=draft.pk).summary.startswith("Kết quả năm 2021")
