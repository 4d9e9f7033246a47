"""The shared task queue with real `ttdn worker` processes (ttdn.core.queue):

- on PostgreSQL three workers share one database: every task is done once, and the task of a worker SIGKILLed
  mid-task is given back and done by another; on SQLite one worker runs, a second refuses to start, and the task of
  a killed worker is done by the next worker started;
- the broker down: the queue's PostgreSQL (a private instance in a temporary directory, on a free port, stopped and
  started by the test) goes away: pages answer 503 in the person's language, workers wait and go on by themselves,
  the task that was running when it went is done once it is back.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests import forkserver, refdata
from tests.sync.conftest import base_env, free_port, start_server, stop

ROOT = Path(__file__).resolve().parents[2]
STALE = 3  # seconds without a beat before a worker counts as gone (30 in production)
pytestmark = pytest.mark.slow


def _wait(what: str, done: Callable[[], Any], timeout: float = 180, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = done()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


@dataclass
class Queue:
    env: dict[str, str]
    log: Path  # the task's start/done lines
    tmp: Path
    workers: list[subprocess.Popen[str]]

    def tool(self, *args: str) -> Any:
        done = forkserver.run(["-m", "tests.ops.queuetool", *args], env=self.env, cwd=ROOT, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def enqueue(self, first: int, count: int, seconds: float, first_attempt: float = -1, priority: int = 0) -> None:
        self.tool("enqueue", str(first), str(count), str(seconds), str(self.log), str(first_attempt), str(priority))

    def report(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.tool("report")
        return result

    def lines(self) -> list[tuple[str, int, int, int]]:
        if not self.log.exists():
            return []
        found = []
        for line in self.log.read_text().splitlines():
            kind, n, pid, attempt = line.split()
            found.append((kind, int(n), int(pid), int(attempt)))
        return found

    def start_worker(self) -> subprocess.Popen[str]:
        out = (self.tmp / f"worker-{len(self.workers)}.log").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "ttdn.cli", "worker", "--interval", "0.2",
                                 "--sweep-interval", "0"], env=self.env, cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT, text=True)
        self.workers.append(proc)
        return proc

    def output(self, index: int) -> str:
        return (self.tmp / f"worker-{index}.log").read_text()

    def wait_started(self, index: int) -> None:
        _wait(f"worker {index} to start", lambda: "taking tasks" in self.output(index)
              or self.workers[index].poll() is not None)
        assert self.workers[index].poll() is None, self.output(index)[-3000:]

    def all_done(self, count: int) -> list[dict[str, Any]] | None:
        rows = self.report()
        finished = [r for r in rows if r["status"] in ("SUCCESSFUL", "FAILED")]
        return rows if len(rows) == count and len(finished) == count else None


def _queue_env(tmp: Path, database_url: str | None) -> dict[str, str]:
    env = base_env(tmp / "data", "hub")
    env["TTDN_WORKER_STALE_SECONDS"] = str(STALE)
    if database_url:
        env["TTDN_DATABASE_URL"] = database_url
    return env


@pytest.fixture
def queue_db(tmp_path: Path) -> Iterator[Queue]:
    """A fresh installation for the workers: SQLite in the SQLite pass, a new PostgreSQL database next to the run's
    own in the PostgreSQL pass."""
    url = os.environ.get("TTDN_DATABASE_URL", "")
    database = None
    if url.startswith("postgres"):
        name = f"{urlsplit(url).path.strip('/')}_queue_{uuid.uuid4().hex[:8]}"
        database = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    env = _queue_env(tmp_path, database)
    refdata.fresh_install(env)
    queue = Queue(env, tmp_path / "tasks.log", tmp_path, [])
    try:
        yield queue
    finally:
        for proc in queue.workers:
            stop(proc)
        if database:
            with refdata.pg_admin(url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(database).path.strip("/")}" WITH (FORCE)')


def test_workers_take_each_task_once_and_redo_the_task_of_a_killed_one(queue_db: Queue) -> None:
    q = queue_db
    postgres = q.env.get("TTDN_DATABASE_URL", "").startswith("postgres")
    q.start_worker()
    q.wait_started(0)
    if postgres:
        for index in (1, 2):
            q.start_worker()
            q.wait_started(index)
    else:
        # SQLite runs one worker: a second says so and stops, in both languages.
        second = q.start_worker()
        assert second.wait(timeout=120) != 0
        said = q.output(1)
        assert "SQLite chỉ chạy một worker" in said and "SQLite runs one worker" in said, said[-2000:]
        assert "Traceback" not in said
    # Task 0 takes long on its first attempt: the worker running it is killed mid-task.
    q.enqueue(0, 1, 0.05, first_attempt=600, priority=10)
    started = _wait("task 0 to start", lambda: [ln for ln in q.lines() if ln[0] == "start" and ln[1] == 0])
    victim_pid = started[0][2]
    victim = next(p for p in q.workers if p.pid == victim_pid)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    if not postgres:
        q.start_worker()  # the one worker SQLite has, started again (by systemd in production)
        q.wait_started(2)
    count = 1 + 60
    q.enqueue(1, count - 1, 0.1)
    rows = _wait("every task to finish", lambda: q.all_done(count), timeout=600, every=0.5)

    assert {r["status"] for r in rows} == {"SUCCESSFUL"}, [r for r in rows if r["status"] != "SUCCESSFUL"]
    lines = q.lines()
    done = Counter(n for kind, n, _pid, _attempt in lines if kind == "done")
    starts = Counter(n for kind, n, _pid, _attempt in lines if kind == "start")
    assert sorted(done) == list(range(count)) and set(done.values()) == {1}, done  # each done once, none lost
    # Taken once: only the killed worker's task was started twice, by another worker, on its second attempt.
    assert {n: c for n, c in starts.items() if c != 1} == {0: 2}, starts
    task0 = next(r for r in rows if r["n"] == 0)
    assert len(task0["workers"]) == 2 and task0["workers"][0] != task0["workers"][1]
    redo = next(ln for ln in lines if ln[0] == "done" and ln[1] == 0)
    assert redo[2] != victim_pid and redo[3] == 2
    doers = Counter(pid for kind, _n, pid, _attempt in lines if kind == "done")
    if postgres:
        # The two survivors shared the work.
        assert len(doers) == 2 and min(doers.values()) >= 5, doers


# ------------------------------------------------------------------------------------------------ the broker down


def _as_postgres(*command: str) -> list[str]:
    """initdb and the server refuse to run as root: as root, run them as the postgres account."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    assert found, f"PostgreSQL's {name} is not installed"
    return str(found[-1])


class PrivatePostgres:
    """A PostgreSQL instance of the test's own: a new cluster in a temporary directory, on a free loopback port,
    trust authentication. Never the system's cluster."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="ttdn-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/ttdn_queue"
        subprocess.run(_as_postgres(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                                    "-E", "UTF8", "--locale", "C.UTF-8"), check=True, capture_output=True,
                       timeout=300)
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.dir}'\n"
                       "fsync = off\nshared_buffers = 32MB\nmax_connections = 50\n")

    def ctl(self, *args: str) -> None:
        done = subprocess.run(_as_postgres(_pg_bin("pg_ctl"), "-D", str(self.data), "-w", "-t", "120",
                                           "-l", str(self.dir / "server.log"), *args),
                              capture_output=True, text=True, timeout=180, check=False)
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self) -> None:
        self.ctl("start")

    def stop(self) -> None:
        self.ctl("stop", "-m", "fast")

    def remove(self) -> None:
        subprocess.run(_as_postgres(_pg_bin("pg_ctl"), "-D", str(self.data), "stop", "-m", "immediate"),
                       capture_output=True, timeout=120, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres()
    try:
        pg.start()
        yield pg
    finally:
        pg.remove()


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Accept-Language": "vi", **headers})  # noqa: S310  (http://)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_the_broker_down_pages_answer_503_and_workers_resume_by_themselves(
        private_pg: PrivatePostgres, tmp_path: Path) -> None:
    env = _queue_env(tmp_path, private_pg.url)
    refdata.fresh_install(env)  # migrated on the private server, once for this instance
    q = Queue(env, tmp_path / "tasks.log", tmp_path, [])
    port = free_port()
    server = start_server(env, port)
    try:
        for index in (0, 1):
            q.start_worker()
            q.wait_started(index)
        page = f"http://127.0.0.1:{port}/published/"
        assert _get(page)[0] == 200
        q.enqueue(0, 4, 0.05)
        _wait("the first tasks", lambda: q.all_done(4))
        # A task that is running when the database goes away (it sleeps 4 s on its first attempt).
        q.enqueue(4, 1, 0.05, first_attempt=4)
        _wait("task 4 to start", lambda: any(ln[0] == "start" and ln[1] == 4 for ln in q.lines()))
        private_pg.stop()
        down_since = time.monotonic()

        status, headers, body = _get(page)
        assert status == 503 and headers.get("Retry-After", "").isdigit(), (status, body[:2000])
        assert "Dịch vụ tạm thời gián đoạn" in body  # the person's language (ops.unavailable); Vietnamese first
        assert "Traceback" not in body
        # An API client (its token is looked up in the database) is told the same, in JSON.
        status, headers, body = _get(f"http://127.0.0.1:{port}/api/v1/outreach/campaigns",
                                     Authorization="Bearer ttdn_" + "0" * 40)
        assert status == 503 and json.loads(body)["code"] == "database_unavailable", (status, body[:2000])
        # Enqueueing while the broker is down fails, and says why.
        refused = subprocess.run([sys.executable, "-m", "tests.ops.queuetool", "enqueue", "5", "1", "0.05",
                                  str(q.log)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
                                 check=False)
        assert refused.returncode != 0 and "OperationalError" in refused.stderr
        # The workers wait (not die) while it is down: long enough for each to notice and back off twice.
        _wait("the workers to notice", lambda: all("database unreachable" in q.output(i) for i in (0, 1)), timeout=120)
        time.sleep(max(0.0, 8 - (time.monotonic() - down_since)))
        assert [w.poll() for w in q.workers] == [None, None], [q.output(i)[-2000:] for i in (0, 1)]

        private_pg.start()
        q.enqueue(5, 20, 0.05)
        rows = _wait("every task after the outage", lambda: q.all_done(25), timeout=300, every=0.5)
        assert {r["status"] for r in rows} == {"SUCCESSFUL"}, rows
        done = Counter(n for kind, n, _pid, _attempt in q.lines() if kind == "done")
        assert sorted(done) == list(range(25)), done
        # Task 4 finished its sleep while the database was away, so its end could not be recorded: it ran again.
        # Every other task ran once.
        assert {n: c for n, c in done.items() if c != 1} in ({}, {4: 2}), done
        assert _get(page)[0] == 200
        assert [w.poll() for w in q.workers] == [None, None]
    finally:
        for proc in q.workers:
            stop(proc)
        stop(server)
