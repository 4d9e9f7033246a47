"""Background work for plans: the reporting reminders (run by `ttdn worker`)."""

from __future__ import annotations

from django_tasks import task

from ttdn.core.registry import periodic
from ttdn.programme import services


@task()
def send_reminders() -> int:
    return services.do_send_reminders()


# Hourly: each reminder is sent once, whenever the sweep runs.
periodic(send_reminders, every=3600)
