"""Words of the plans in Vietnamese: a task "in progress" is "Đang thực hiện" (the content workflow's "In progress"
is "Đang dịch"), and the rhythms reminders follow have names of their own."""

from __future__ import annotations

from django.utils import translation

from ttdn.content.models import TranslationState
from ttdn.programme.models import RECURRING_KINDS, Task, TaskStatus, TimeframeKind


def test_in_progress_reads_as_each_workflow_means_it() -> None:
    with translation.override("vi"):
        assert str(TaskStatus.IN_PROGRESS.label) == "Đang thực hiện"
        assert dict(Task._meta.get_field("status").choices)["in_progress"] == "Đang thực hiện"
        assert str(TranslationState.IN_PROGRESS.label) != "Đang thực hiện"
        assert [str(TimeframeKind(k).label) for k in ("quarterly", "monthly")] == ["Hằng quý", "Hằng tháng"]


def test_recurring_timeframes_are_never_overdue() -> None:
    import datetime as dt

    for kind in RECURRING_KINDS:
        task = Task(timeframe_kind=kind, start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31))
        assert task.effective_status(dt.date(2024, 1, 1)) == TaskStatus.NOT_STARTED
    task = Task(timeframe_kind=TimeframeKind.QUARTER, start=dt.date(2020, 1, 1), end=dt.date(2020, 3, 31))
    assert task.effective_status(dt.date(2024, 1, 1)) == TaskStatus.OVERDUE
