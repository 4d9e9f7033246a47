"""A fresh database of its own (a SQLite file, or a new PostgreSQL database on the PostgreSQL pass) for tests
whose sender runs as a separate `ttdn` process that is killed and started again."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests import forkserver, refdata

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Box:
    """The environment of a `ttdn` installation on this machine, for its processes."""

    env: dict[str, str]

    def ttdn(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        done = forkserver.run(["-m", "ttdn.cli", *args], env=self.env, cwd=ROOT, timeout=timeout)
        assert done.returncode == 0, done.stderr[-3000:]
        return done

    def python(self, code: str) -> Any:
        """Run `code` in the box's Django (ttdn shell) and return the JSON it prints last."""
        out = self.ttdn("shell", "-c", code).stdout.strip().splitlines()
        return json.loads(out[-1]) if out else None

    def connect(self) -> Any:
        """A plain DB-API connection to the box's database (autocommit), for a test that holds its locks."""
        url = self.env.get("TTDN_DATABASE_URL")
        if url:
            import psycopg

            return psycopg.connect(url, autocommit=True)
        import sqlite3

        return sqlite3.connect(Path(self.env["TTDN_DATA_DIR"]) / "ttdn.sqlite3", isolation_level=None, timeout=20)

    def count(self, sql: str) -> int:
        with contextlib.closing(self.connect()) as conn:
            return int(conn.execute(sql).fetchone()[0])

    def popen(self, *args: str) -> forkserver.Popen | subprocess.Popen[str]:
        return forkserver.popen(["-m", "ttdn.cli", *args], env=self.env, cwd=ROOT)

    @contextlib.contextmanager
    def running(self, *args: str) -> Iterator[forkserver.Popen | subprocess.Popen[str]]:
        """`ttdn ARGS` in the background for the block: killed if still running at its end, and always reaped."""
        proc = self.popen(*args)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


def kill_running(proc: forkserver.Popen | subprocess.Popen[str]) -> None:
    """SIGKILL a command that must still be running (the crash under test), and wait for it to die."""
    assert proc.poll() is None, proc.communicate()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)


@pytest.fixture
def box(transactional_db: Any, tmp_path: Path) -> Iterator[Box]:
    env = {k: v for k, v in os.environ.items() if k not in ("TTDN_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["TTDN_DATA_DIR"] = str(tmp_path / "box")
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        refdata.fresh_install(env)  # what `ttdn migrate` leaves, copied (tests/refdata.py)
        yield Box(env)
        return
    import psycopg

    given = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432, "user": db.get("USER") or None,
             "password": db.get("PASSWORD") or None}
    params: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    name = f"ttdn_outreach_box_{uuid.uuid4().hex[:10]}"
    user = params.get("user", "postgres")
    auth = f"{user}:{params['password']}@" if params.get("password") else f"{user}@"
    env["TTDN_DATABASE_URL"] = f"postgres://{auth}{params['host']}:{params['port']}/{name}"
    try:
        refdata.fresh_install(env)
        yield Box(env)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
