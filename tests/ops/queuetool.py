"""A task for the shared-queue tests, and a small command run in the workers' environment (their database, the
real database task backend, not the tests' immediate one):

    python -m tests.ops.queuetool enqueue FIRST COUNT SECONDS LOG [FIRST_ATTEMPT_SECONDS [PRIORITY]]
    python -m tests.ops.queuetool report          # one JSON line: every task's number, status and workers

The task writes "start N PID ATTEMPT" and "done N PID ATTEMPT" lines to LOG (appends of one short line each, whole
even with several processes writing)."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from django_tasks import TaskContext, task


def _line(log: str, text: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{text}\n".encode())
    finally:
        os.close(fd)


@task(takes_context=True)
def record(context: TaskContext, n: int, seconds: float, log: str, first_attempt_seconds: float = -1) -> int:
    attempt = context.attempt
    _line(log, f"start {n} {os.getpid()} {attempt}")
    time.sleep(first_attempt_seconds if attempt == 1 and first_attempt_seconds >= 0 else seconds)
    _line(log, f"done {n} {os.getpid()} {attempt}")
    return n


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
    import django

    django.setup()
    # Run as `-m`, this module is __main__: the workers must find the task under its own name.
    from tests.ops import queuetool

    if argv[0] == "enqueue":
        first, count, seconds, log = int(argv[1]), int(argv[2]), float(argv[3]), argv[4]
        first_attempt = float(argv[5]) if len(argv) > 5 else -1.0
        priority = int(argv[6]) if len(argv) > 6 else 0
        for n in range(first, first + count):
            queuetool.record.using(priority=priority).enqueue(n, seconds, log, first_attempt)
        print(json.dumps({"enqueued": count}))
        return 0
    if argv[0] == "report":
        from django_tasks_db.models import DBTaskResult

        rows: list[dict[str, Any]] = [
            {"n": r.args_kwargs["args"][0], "status": r.status, "workers": r.worker_ids,
             "error": r.exception_class_path}
            for r in DBTaskResult.objects.filter(task_path="tests.ops.queuetool.record")
        ]
        print(json.dumps(rows))
        return 0
    raise SystemExit(f"unknown command {argv[0]!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
