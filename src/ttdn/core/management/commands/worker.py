"""`ttdn worker`: runs background tasks and enqueues the periodic ones (expiry sweep)."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django_tasks.base import Task


def _periodic(interval: float, stop: threading.Event) -> None:
    from django_tasks_db.models import DBTaskResult

    from ttdn.content.tasks import collect_orphan_blobs, expire_due_items
    from ttdn.editorial.tasks import publish_due_items
    from ttdn.ops.tasks import scheduled_backup
    from ttdn.programme.tasks import send_reminders
    from ttdn.search.tasks import rebuild_impact_index

    # (task, every how many sweeps): scheduled publication and expiry each sweep, the stored-file clean-up
    # every few hours, the plans' reporting reminders hourly (each reminder is sent once, whenever the sweep
    # runs), the search impact index every ten minutes (rebuilt only once enough material changed), a backup
    # daily (when TTDN_BACKUP_DIR is set).
    schedule: list[tuple[Task[Any, Any], int]] = [
        (publish_due_items, 1), (expire_due_items, 1), (collect_orphan_blobs, max(1, int(6 * 3600 / interval))),
        (send_reminders, max(1, int(3600 / interval))), (rebuild_impact_index, max(1, int(600 / interval))),
        (scheduled_backup, max(1, int(86400 / interval)))]
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
