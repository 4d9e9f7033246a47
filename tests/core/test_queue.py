"""The shared queue's rules inside one process (ttdn.core.queue; real worker processes: tests/ops/test_queue.py):
the database decides when a periodic task is due, so several workers enqueue each run once between them; a task
whose worker stopped beating is given back, then failed after three attempts; what counts as "the database is
away"."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, OperationalError, connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ttdn.content.tasks import expire_due_items
from ttdn.core import queue
from ttdn.core.management.commands.worker import _enqueue_due
from ttdn.core.models import WorkerBeat

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _running(worker_ids: list[str], started_ago: float) -> Any:
    return DBTaskResult.objects.create(
        status="RUNNING", args_kwargs={"args": [], "kwargs": {}}, task_path="ttdn.content.tasks.expire_due_items",
        backend_name="default", run_after=timezone.now(), worker_ids=worker_ids,
        started_at=timezone.now() - timedelta(seconds=started_ago))


def _beat(worker: str, ago: float) -> None:
    now = timezone.now()
    WorkerBeat.objects.create(worker_id=worker, host="h", pid=1, started_at=now - timedelta(hours=1),
                              beat_at=now - timedelta(seconds=ago))


@pytest.mark.django_db
def test_a_periodic_run_is_enqueued_once_whatever_the_number_of_workers() -> None:
    with override_settings(TASKS=DB_TASKS):
        # Three workers' sweeps at the same moment: one run between them.
        assert [_enqueue_due(expire_due_items, 3600) for _worker in range(3)] == [True, False, False]
        run = DBTaskResult.objects.get(task_path=expire_due_items.module_path)
        run.status = "SUCCESSFUL"
        run.save()
        assert not _enqueue_due(expire_due_items, 3600)  # done, but less than an hour ago
        DBTaskResult.objects.filter(pk=run.pk).update(enqueued_at=timezone.now() - timedelta(hours=2))
        assert _enqueue_due(expire_due_items, 3600)
        assert DBTaskResult.objects.filter(task_path=expire_due_items.module_path).count() == 2


@pytest.mark.django_db
def test_the_task_of_a_worker_that_stopped_beating_is_given_back_then_failed() -> None:
    stale = queue.STALE_SECONDS
    _beat("alive", ago=1)
    _beat("gone", ago=stale * 3)
    kept = _running(["alive"], started_ago=stale * 3)
    given_back = _running(["gone"], started_ago=stale * 3)
    # A worker with no beat at all (killed before its first, or an older release's during an upgrade): much later.
    unknown = _running(["never-beat"], started_ago=stale * (queue.UNKNOWN_WORKER_FACTOR + 1))
    unknown_lately = _running(["never-beat-either"], started_ago=stale * 3)
    just_taken = _running(["gone"], started_ago=0)  # its worker's beat may not be in yet
    worn_out = _running(["gone", "gone-too", "gone"], started_ago=stale * 3)

    assert queue.reclaim_abandoned() == {"requeued": 2, "failed": 1}

    status = {r.pk: r.status for r in DBTaskResult.objects.all()}
    assert [status[r.pk] for r in (kept, just_taken, unknown_lately)] == ["RUNNING"] * 3
    assert status[given_back.pk] == "READY" and status[unknown.pk] == "READY"
    failed = DBTaskResult.objects.get(pk=worn_out.pk)
    assert failed.status == "FAILED" and failed.exception_class_path == "ttdn.core.queue.WorkerLost"
    assert "attempt 3 of 3" in failed.traceback and failed.finished_at is not None


@pytest.mark.django_db
def test_a_worker_that_lost_the_database_gives_back_only_its_own_task() -> None:
    mine = _running(["me"], started_ago=1)
    other = _running(["someone"], started_ago=1)
    assert queue.requeue_own("me") == 1
    assert DBTaskResult.objects.get(pk=mine.pk).status == "READY"
    assert DBTaskResult.objects.get(pk=other.pk).status == "RUNNING"


@pytest.mark.django_db
def test_a_mistake_in_a_statement_is_not_the_database_being_away() -> None:
    with pytest.raises(DatabaseError) as mistake, connection.cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM core_workerbeat")
    assert not queue.database_unavailable(mistake.value)
    assert not queue.database_unavailable(ValueError("x"))
    locked = OperationalError("database is locked")
    locked.__cause__ = sqlite3.OperationalError("database is locked")
    assert queue.database_unavailable(locked)
