"""Background work of the desk: overdue jobs are announced once."""

from __future__ import annotations

from django_tasks import task

from ttdn.core.registry import periodic
from ttdn.translation import services


@task()
def notice_overdue_jobs() -> int:
    return services.do_notice_overdue()


periodic(notice_overdue_jobs, every=3600)
