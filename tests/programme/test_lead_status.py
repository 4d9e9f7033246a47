"""Only the lead agency moves a task's status: a coordinating agency reports its own part (the lead sees it), in
a progress update or in its yearly report, and never changes the status of a task it does not lead."""

from __future__ import annotations

import pytest

from ttdn.core.errors import PermissionDenied
from ttdn.programme import services
from ttdn.programme.models import ProgressUpdate, TaskStatus

from .conftest import PW


def test_a_coordinator_reports_its_part_without_moving_the_lead_s_status(pw: PW) -> None:
    shared = pw.plan.tasks.get(key="II.1.a")  # led by the department, the border-guard command coordinates
    with pytest.raises(PermissionDenied) as refused:
        services.do_add_progress(pw.reporter_bgc, shared, "Đã phối hợp cung cấp tin", status=TaskStatus.DONE)
    assert refused.value.details.get("field") == "status"
    part = services.do_add_progress(pw.reporter_bgc, shared, "Đã phối hợp cung cấp tin")
    shared.refresh_from_db()
    assert shared.status == TaskStatus.NOT_STARTED and part.agency == pw.world.gl_bgc
    # The lead sees the coordinator's part among the task's updates, and sets the status itself.
    assert ProgressUpdate.objects.filter(task=shared, agency=pw.world.gl_bgc).exists()
    services.do_add_progress(pw.reporter_dept, shared, "Đang triển khai", status=TaskStatus.IN_PROGRESS)
    shared.refresh_from_db()
    assert shared.status == TaskStatus.IN_PROGRESS


def test_a_coordinator_s_report_sets_only_the_status_of_tasks_it_leads(pw: PW) -> None:
    period = pw.plan.periods.get(year=2021)
    report = services.do_open_report(pw.reporter_bgc, period, pw.world.gl_bgc)
    entries = {e.task.key: e.task_id for e in report.entries.select_related("task")}
    with pytest.raises(PermissionDenied):
        services.do_save_report(pw.reporter_bgc, report, summary="Kết quả chung",
                                entries={entries["II.1.a"]: ("Phần việc phối hợp", TaskStatus.DONE)})
    services.do_save_report(pw.reporter_bgc, report, summary="Kết quả chung", entries={
        entries["II.1.a"]: ("Phần việc phối hợp", ""), entries["II.1.b"]: ("Đã lắp 8 màn hình", TaskStatus.DONE)})
    services.do_submit_report(pw.reporter_bgc, report)
    statuses = dict(pw.plan.tasks.values_list("key", "status"))
    assert statuses["II.1.b"] == TaskStatus.DONE and statuses["II.1.a"] == TaskStatus.NOT_STARTED
