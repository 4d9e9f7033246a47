"""Any `ttdn` command run on a database not set up for this version (a new box, a hub after an upgrade, before
`ttdn migrate`) says, in the installation's language, what to run — not a traceback from its first query; on a
database that is set up, the command's own answer is unchanged."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests import forkserver, refdata

# The tests reach the database through the commands they start, on the pass's engine.
pytestmark = pytest.mark.django_db

NOT_MIGRATED = "Cơ sở dữ liệu chưa được thiết lập cho phiên bản này: hãy chạy `ttdn migrate` trước."


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_")}
    env.update({"TTDN_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "ttdn.settings",
                "TTDN_SECRET_KEY": "test-only-secret-key-for-the-cli-0123456789abcdef"})
    return env


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A data directory, and on the PostgreSQL pass an empty database of the run's server: nothing migrated."""
    env = _env(tmp_path / "data")
    url = os.environ.get("TTDN_DATABASE_URL", "")
    name = f"ttdn_not_set_up_{uuid.uuid4().hex[:8]}"
    if url.startswith("postgres"):
        with refdata.pg_admin(url) as conn:
            conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
        env["TTDN_DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        if url.startswith("postgres"):
            with refdata.pg_admin(url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _ttdn(env: dict[str, str], *args: str) -> tuple[int, str]:
    done = forkserver.run(["-m", "ttdn.cli", *args], env=env, timeout=120)
    return done.returncode, done.stderr


@pytest.mark.parametrize("command", [["reset_totp", "nobody"], ["send_reminders"], ["changepassword", "nobody"]])
def test_a_command_on_a_database_never_set_up_says_to_migrate(empty_database: dict[str, str],
                                                             command: list[str]) -> None:
    code, stderr = _ttdn(empty_database, *command)
    assert code == 1 and "Traceback" not in stderr, stderr[-3000:]
    assert f"CommandError: {NOT_MIGRATED}" in stderr, stderr[-3000:]


def test_a_set_up_database_gets_the_commands_own_answer(empty_database: dict[str, str]) -> None:
    refdata.fresh_install(empty_database)  # what `ttdn migrate` leaves
    code, stderr = _ttdn(empty_database, "reset_totp", "nobody")
    assert code == 1 and "Traceback" not in stderr and NOT_MIGRATED not in stderr, stderr[-3000:]
    assert "nobody" in stderr, stderr[-3000:]


def test_migrate_itself_is_not_told_to_migrate(empty_database: dict[str, str]) -> None:
    code, stderr = _ttdn(empty_database, "migrate", "--plan")
    assert code == 0 and NOT_MIGRATED not in stderr, stderr[-3000:]
