"""Background work for plans: the reporting reminders (run by `ttdn worker`)."""

from __future__ import annotations

from django_tasks import task

from ttdn.programme import services


@task()
def send_reminders() -> int:
    return services.do_send_reminders()
