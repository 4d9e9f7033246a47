"""`ttdn worker`: runs background tasks and enqueues the periodic ones each app registers in its `tasks.py`
(`ttdn.core.registry.periodic`: the expiry sweep, stored-file clean-up, reporting reminders, impact index)."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections


def _periodic(interval: float, stop: threading.Event) -> None:
    from django_tasks_db.models import DBTaskResult

    from ttdn.core.registry import periodic_tasks

    # (task, every how many sweeps), from what each app registered.
    schedule = [(p.task, max(1, int(p.every / interval))) for p in periodic_tasks()]
    sweep = 0
    while not stop.is_set():
        try:
            close_old_connections()
            for periodic_task, every in schedule:
                # Enqueue only when the previous run was taken, so a stopped worker does not pile them up.
                if sweep % every == 0 and not DBTaskResult.objects.ready().filter(
                    task_path=periodic_task.module_path
                ).exists():
                    periodic_task.enqueue()
        finally:
            close_old_connections()
        sweep += 1
        stop.wait(interval)


class Command(BaseCommand):
    help = "Run background tasks (django-tasks database backend) and the periodic expiry sweep."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--sweep-interval", type=float, default=60.0, help="seconds between expiry sweeps")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between queue polls")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        sweeper = threading.Thread(target=_periodic, args=(options["sweep_interval"], stop), daemon=True)
        sweeper.start()
        started = time.monotonic()
        try:
            call_command("db_worker", interval=options["interval"], queue_name="*")
        finally:
            stop.set()
            self.stdout.write(f"worker stopped after {time.monotonic() - started:.0f} s")
