"""The shared task queue's throughput: N empty tasks taken by W `ttdn worker` processes on one PostgreSQL database.

    python bench/task_queue.py [--tasks 3000] [--workers 1,2,3] [--pg-url postgres://…/ttdn_bench_queue]

A database (dropped and created again, then `ttdn migrate`) on the server of --pg-url. For each worker count: the
workers are started and wait; the N tasks are enqueued in one transaction; the time until every one is finished
gives tasks per second, the queue's own cost per task (claim, run, record), since the task does nothing. Each task
must be taken exactly once (one worker id each). The last line is the JSON of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/ttdn_bench_queue"


if __name__ != "__main__":
    # Imported as bench.task_queue (by the workers, and by main once the environment is set): the task. Run as a
    # script, not yet: the decorator reads the settings, which must see the benchmark's database first.
    from django_tasks import task

    @task()
    def nothing(n: int) -> int:
        return n


def _admin(url: str) -> Any:
    import psycopg

    u = urlsplit(url)
    return psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, password=u.password,
                           dbname="postgres", autocommit=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--pg-url", default=os.environ.get("TTDN_BENCH_PG_URL", DEFAULT_PG_URL))
    args = parser.parse_args()
    name = urlsplit(args.pg_url).path.strip("/")
    with _admin(args.pg_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    data = Path(tempfile.mkdtemp(prefix="ttdn-bench-queue-"))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("TTDN_")}, "TTDN_DATABASE_URL": args.pg_url,
           "TTDN_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "ttdn.settings", "PYTHONPATH": str(ROOT),
           "TTDN_SECRET_KEY": "bench-only-secret-key-0123456789abcdef0123456789abcdef"}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))  # run as a script, bench/ is on the path, not the repository
    subprocess.run([sys.executable, "-m", "ttdn.cli", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    import django

    django.setup()
    from bench import task_queue
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    figures: list[dict[str, Any]] = []
    try:
        for count in [int(w) for w in args.workers.split(",")]:
            DBTaskResult.objects.all().delete()
            logs = [data / f"worker-{count}-{i}.log" for i in range(count)]
            workers = [subprocess.Popen([sys.executable, "-m", "ttdn.cli", "worker", "--interval", "1",
                                         "--sweep-interval", "0"], env=env, cwd=ROOT, stdout=log.open("w"),
                                        stderr=subprocess.STDOUT) for log in logs]
            while not all("taking tasks" in log.read_text() for log in logs):
                time.sleep(0.2)
            time.sleep(1.5)  # past each worker's random start-up pause
            with transaction.atomic():
                for n in range(args.tasks):
                    task_queue.nothing.enqueue(n)
            started = time.monotonic()
            while DBTaskResult.objects.exclude(status="SUCCESSFUL").exists():
                time.sleep(0.05)
            seconds = time.monotonic() - started
            for proc in workers:
                proc.send_signal(signal.SIGTERM)
            for proc in workers:
                proc.wait(timeout=60)
            per_worker: dict[str, int] = {}
            twice = 0
            for ids in DBTaskResult.objects.values_list("worker_ids", flat=True):
                twice += len(ids) != 1
                per_worker[ids[-1]] = per_worker.get(ids[-1], 0) + 1
            row = {"workers": count, "tasks": args.tasks, "seconds": round(seconds, 2),
                   "tasks_per_second": round(args.tasks / seconds, 1), "taken_more_than_once": twice,
                   "per_worker": sorted(per_worker.values())}
            print(json.dumps(row), flush=True)
            figures.append(row)
    finally:
        from django.db import connections

        connections.close_all()
        with _admin(args.pg_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps({"queue": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
