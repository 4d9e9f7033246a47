"""`ttdn worker`: runs background tasks and enqueues the periodic ones each app registers in its `tasks.py`
(`ttdn.core.registry.periodic`: the expiry sweep, stored-file clean-up, reporting reminders, impact index).

Several workers may share one PostgreSQL database; on SQLite run one (a second refuses to start). How tasks are
taken once, what happens to the task of a killed worker and how the worker rides over the database being away:
`ttdn.core.queue`."""

from __future__ import annotations

import logging
import threading
import time
import zlib
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone

from ttdn.core import queue

logger = logging.getLogger("ttdn.queue")


def _enqueue_due(periodic_task: Any, every: float) -> bool:
    """Enqueue `periodic_task` unless a run of it waits or runs, or one was enqueued less than `every` seconds ago.
    The decision is the database's, not this process's, so several workers enqueue each run once between them."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One worker decides for this task at a time (the lock ends with the transaction).
            key = zlib.crc32(periodic_task.module_path.encode()) - 2**31
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x7471, key])
        runs = DBTaskResult.objects.filter(task_path=periodic_task.module_path)
        if runs.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists():
            return False  # a stopped worker (or a slow run) does not pile them up
        if every > 0 and runs.filter(enqueued_at__gt=timezone.now() - timedelta(seconds=every)).exists():
            return False
        periodic_task.enqueue()
        return True


def _periodic(interval: float, stop: threading.Event) -> None:
    from ttdn.core.registry import periodic_tasks

    schedule = [(p.task, p.every) for p in periodic_tasks()]
    while not stop.is_set():
        try:
            close_old_connections()
            for periodic_task, every in schedule:
                _enqueue_due(periodic_task, every)
        except DatabaseError as exc:
            if not queue.database_unavailable(exc):
                logger.exception("the periodic sweep failed")
            # The database is away: the next sweep tries again (the queue loop waits for it meanwhile).
        finally:
            close_old_connections()
        stop.wait(interval)


def _keep(worker: str, started_at: datetime, stop: threading.Event) -> None:
    """Beat for this worker; once it has beaten without a gap for the stale time, give back the tasks of workers
    that have stopped beating."""
    healthy_since: float | None = None
    while not stop.is_set():
        try:
            close_old_connections()
            queue.beat(worker, started_at)
            healthy_since = healthy_since if healthy_since is not None else time.monotonic()
            if time.monotonic() - healthy_since >= queue.STALE_SECONDS:
                queue.reclaim_abandoned()
        except DatabaseError as exc:
            healthy_since = None
            if not queue.database_unavailable(exc):
                logger.exception("the worker's beat failed")
        finally:
            close_old_connections()
        stop.wait(queue.BEAT_SECONDS)


class Command(BaseCommand):
    help = "Run background tasks (django-tasks database backend) and the periodic expiry sweep."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--sweep-interval", type=float, default=60.0,
                            help="seconds between sweeps that enqueue the periodic tasks (0: none from this worker)")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between queue polls")
        parser.add_argument("--worker-id", default="", help="a name unique among the workers (default: host-pid-…)")

    def handle(self, *args: Any, **options: Any) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        try:
            with queue.single_worker_lock():
                self._run(Worker, options)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None

    def _run(self, worker_class: Any, options: dict[str, Any]) -> None:
        worker = options["worker_id"] or queue.worker_id()
        started_at = timezone.now()
        stop = threading.Event()
        queue.wait_for_database()
        threads = [threading.Thread(target=_keep, args=(worker, started_at, stop), daemon=True)]
        if options["sweep_interval"] > 0:
            threads.append(threading.Thread(target=_periodic, args=(options["sweep_interval"], stop), daemon=True))
        for thread in threads:
            thread.start()
        runner = worker_class(queue_names=["*"], interval=options["interval"], batch=False, backend_name="default",
                              startup_delay=True, max_tasks=None, worker_id=worker, excluded_queue_names=[])
        runner.configure_signals()
        self.stdout.write(f"worker {worker} taking tasks ({connection.vendor})")
        self.stdout.flush()
        begun = time.monotonic()
        try:
            while True:
                try:
                    runner.run()
                    break
                except DatabaseError as exc:
                    if not queue.database_unavailable(exc):
                        raise
                    logger.warning("worker %s lost the database: %s", worker, queue.brief(exc))
                    waited = queue.wait_for_database()
                    given = queue.requeue_own(worker)
                    logger.warning("worker %s: the database answers again after %.0f s; %d task(s) given back",
                                   worker, waited, given)
        finally:
            stop.set()
            try:
                queue.forget(worker)
            except DatabaseError:
                pass  # the others will see its beat grow old
            self.stdout.write(f"worker stopped after {time.monotonic() - begun:.0f} s")
