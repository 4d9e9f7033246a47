"""The shared task queue: django-tasks' database backend, read by one or several `ttdn worker` processes.

- Each task is taken once: a worker locks the next ready row (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so
  workers never wait for each other) and marks it running in the same transaction. On SQLite the whole database is
  locked for that instant instead: run one worker there (`ttdn worker` refuses a second, see `single_worker_lock`).
- A worker killed mid-task (SIGKILL, power cut, lost machine) leaves its task "running". Every worker beats every
  `BEAT_SECONDS` (`WorkerBeat`); a task whose worker has not beaten for `STALE_SECONDS` is put back in the queue
  (`reclaim_abandoned`), at most `MAX_ATTEMPTS` times in all, then marked failed as `WorkerLost`. Our tasks are
  sweeps that look at the state again (publish what is due, send what is not sent), so running one again after a
  half-done attempt is safe; that is why they are retried rather than failed at once.
- The database away (restarted, network cut): the worker waits with a doubling pause (`backoff`) and goes on when
  it answers again; a task it had taken when the connection dropped is put back (`requeue_own`).
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connection, transaction
from django.utils import timezone

logger = logging.getLogger("ttdn.queue")

STALE_SECONDS = float(os.environ.get("TTDN_WORKER_STALE_SECONDS", "30"))
BEAT_SECONDS = max(0.5, STALE_SECONDS / 6)
MAX_ATTEMPTS = 3
UNKNOWN_WORKER_FACTOR = 20  # a task of a worker with no beat at all is taken back after 20 × the stale time
BACKOFF_MAX_SECONDS = 30.0


class WorkerLost(Exception):
    """The worker running a task stopped beating before the task finished, too many times over."""


def database_unavailable(exc: BaseException) -> bool:
    """True if `exc` says the database cannot be reached now (down, restarting, the link cut), as opposed to a
    mistake in a statement. Such errors pass: the answer is to wait and try again."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    if isinstance(exc, InterfaceError):
        return True  # "connection already closed" and the like
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None)
    if cause is not None and type(cause).__module__.startswith("psycopg"):
        # No state: the client could not connect or lost the link. 08: connection exceptions; 57P0x: the server
        # is shutting down or restarting; 53300: too many connections.
        return state is None or state.startswith("08") or state.startswith("57P0") or state == "53300"
    text = str(exc).lower()
    return "is locked" in text or "unable to open database" in text


def brief(exc: BaseException) -> str:
    """The error on one line, for the log."""
    return " ".join(str(exc).split())[:200]


def worker_id() -> str:
    """A name unique to this process and readable in the task list: host, pid and a random tail."""
    import secrets

    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"[:64]


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


@contextmanager
def single_worker_lock() -> Iterator[IO[str] | None]:
    """On SQLite: hold DATA_DIR/worker.lock for the worker's life, or raise RuntimeError when another worker holds
    it. SQLite takes one writer at a time, so a second worker only waits on the first's locks."""
    if not is_sqlite():
        yield None
        return
    path = Path(settings.DATA_DIR) / "worker.lock"
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(
                "Một worker khác đang chạy trên cơ sở dữ liệu SQLite này; SQLite chỉ chạy một worker "
                "(dùng PostgreSQL để chạy nhiều worker). / Another worker is already running on this SQLite "
                "database; SQLite runs one worker (use PostgreSQL for several)."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield handle
    finally:
        handle.close()


def beat(worker: str, started_at: datetime) -> None:
    from ttdn.core.models import WorkerBeat

    WorkerBeat.objects.update_or_create(
        worker_id=worker,
        defaults={"host": socket.gethostname()[:255], "pid": os.getpid(), "started_at": started_at,
                  "beat_at": timezone.now()},
    )


def forget(worker: str) -> None:
    from ttdn.core.models import WorkerBeat

    WorkerBeat.objects.filter(worker_id=worker).delete()


def _give_back(result: Any, reason: str) -> str:
    """Put a running task back in the queue, or fail it once it has been tried `MAX_ATTEMPTS` times."""
    from django_tasks_db.compat import TaskResultStatus

    attempts = len(result.worker_ids)
    if attempts >= MAX_ATTEMPTS:
        result.status = TaskResultStatus.FAILED
        result.finished_at = timezone.now()
        result.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
        result.traceback = f"{WorkerLost.__qualname__}: {reason} (attempt {attempts} of {MAX_ATTEMPTS})\n"
        result.return_value = None
        result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback", "return_value"])
        logger.error("task %s (%s) failed: %s, attempt %d of %d", result.id, result.task_path, reason, attempts,
                     MAX_ATTEMPTS)
        return "failed"
    result.status = TaskResultStatus.READY
    result.save(update_fields=["status"])
    logger.warning("task %s (%s) back in the queue: %s, attempt %d of %d", result.id, result.task_path, reason,
                   attempts, MAX_ATTEMPTS)
    return "requeued"


def reclaim_abandoned(now: datetime | None = None) -> dict[str, int]:
    """Give back every running task whose worker has stopped beating. Call it only from a worker that has itself
    been beating for `STALE_SECONDS` (after an outage every beat is old, the living workers' too)."""
    from django_tasks_db.models import DBTaskResult

    from ttdn.core.models import WorkerBeat

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=STALE_SECONDS)
    counts = {"requeued": 0, "failed": 0}
    with transaction.atomic():
        beats = dict(WorkerBeat.objects.values_list("worker_id", "beat_at"))
        # A worker that never beat: killed before its first beat, or a worker of a release without beats still
        # running during a rolling upgrade. The latter's task may be long under way: wait much longer for it.
        unknown_cutoff = now - timedelta(seconds=STALE_SECONDS * UNKNOWN_WORKER_FACTOR)
        # SKIP LOCKED: two workers reclaiming at once each take a different task, neither waits.
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True).order_by("started_at")
        for result in running:
            owner = result.worker_ids[-1] if result.worker_ids else ""
            last_beat = beats.get(owner)
            started = result.started_at or now
            if last_beat is not None and (last_beat >= cutoff or started >= cutoff):
                continue  # a worker that beats, or a task claimed so lately its worker's beat may not be in yet
            if last_beat is None and started >= unknown_cutoff:
                continue
            counts[_give_back(result, f"worker {owner or '?'} stopped beating")] += 1
        # Beats of workers gone for good are of no further use.
        WorkerBeat.objects.filter(beat_at__lt=now - timedelta(seconds=STALE_SECONDS * 20)).delete()
    return counts


def requeue_own(worker: str) -> int:
    """After this worker lost the database mid-task: put back what it had marked running (it runs one task at a
    time, so none of them is still going)."""
    from django_tasks_db.models import DBTaskResult

    given = 0
    with transaction.atomic():
        for result in DBTaskResult.objects.running().select_for_update():
            if result.worker_ids and result.worker_ids[-1] == worker:
                _give_back(result, "the database went away during the task")
                given += 1
    return given


def wait_for_database(stop: Callable[[], bool] = lambda: False, first: float = 1.0) -> float:
    """Block until the database answers, pausing 1, 2, 4 … up to `BACKOFF_MAX_SECONDS` between tries. Returns the
    seconds waited."""
    started = time.monotonic()
    pause = first
    while not stop():
        close_old_connections()
        try:
            connection.close()
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return time.monotonic() - started
        except DatabaseError as exc:
            if not database_unavailable(exc):
                raise
            logger.warning("database unreachable (%s); trying again in %.0f s", brief(exc), pause)
        time.sleep(pause)
        pause = min(pause * 2, BACKOFF_MAX_SECONDS)
    return time.monotonic() - started
