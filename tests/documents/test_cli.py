"""`ttdn import-plan` as people run it: a real process on a fresh data directory, JSON on stdout, nothing written;
bad input ends with a clear message and a non-zero exit code; --save hands the reviewed draft to the plans service."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests import forkserver

from .conftest import FIXTURES, SEEDS

SEED_FILES = sorted(SEEDS.glob("*.txt"))


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "TTDN_DATABASE_URL"}}
    env.update({"TTDN_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "ttdn.settings"})
    return env


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh installation: the embedded SQLite database as `ttdn migrate` leaves it (copied, tests/refdata.py)."""
    from tests import refdata

    path = tmp_path_factory.mktemp("ttdn-cli")
    refdata.fresh_install(_env(path))
    yield path


def _row_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def test_json_for_each_seed_and_nothing_written(data_dir: Path) -> None:
    database = data_dir / "ttdn.sqlite3"
    before = _row_counts(database)
    # The three plans at once: separate processes, as three people would run them.
    procs = [subprocess.Popen([sys.executable, "-m", "ttdn.cli", "import-plan", str(seed), "--format", "json"],
                              env=_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for seed in SEED_FILES]
    for seed, proc in zip(SEED_FILES, procs, strict=True):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        draft = json.loads(out)
        assert {"plan", "tasks", "indicators", "unplaced"} <= set(draft)
        assert {"number", "symbol", "issuer", "date", "title", "period"} <= set(draft["plan"])
        assert draft["tasks"], seed.name
        for task in draft["tasks"]:
            assert {"title", "section", "lead", "coordinating", "timeframe"} <= set(task)
            assert task["timeframe"]["kind"] in {"yearly", "period", "quarter", "by_date", "ongoing"}
            for key in ("start", "end"):
                value = task["timeframe"][key]
                assert value is None or (len(value) == 10 and value[4] == "-" and value[7] == "-")
        for indicator in draft["indicators"]:
            assert {"name", "unit", "targets"} <= set(indicator)
    assert _row_counts(database) == before


def test_text_review_and_bad_input(data_dir: Path, tmp_path: Path) -> None:
    seed = SEEDS / "dak-lak-plan-11165-2018.txt"
    review = forkserver.run(["-m", "ttdn.cli", "import-plan", str(seed)], env=_env(data_dir), timeout=300)
    assert review.returncode == 0, review.stderr
    assert "KẾ HOẠCH 11165/KH-UBND" in review.stdout and "Chưa xếp được" in review.stdout
    assert "118 nhiệm vụ" in review.stdout

    binary = tmp_path / "ke-hoach.txt"
    binary.write_bytes(os.urandom(4096) + b"\x00")
    bad = forkserver.run(["-m", "ttdn.cli", "import-plan", str(binary), "--format", "json"], env=_env(data_dir),
                         timeout=300)
    assert bad.returncode != 0
    assert bad.stdout == ""
    assert "ke-hoach.txt" in bad.stderr and "không phải văn bản" in bad.stderr


def test_a_data_directory_never_migrated_is_told_what_to_run(tmp_path: Path) -> None:
    seed = SEEDS / "gia-lai-plan-2509-2020.txt"
    fresh = tmp_path / "never-migrated"
    fresh.mkdir()
    run = forkserver.run(["-m", "ttdn.cli", "import-plan", str(seed)], env=_env(fresh), timeout=300)
    assert run.returncode != 0 and run.stdout == ""
    assert "ttdn migrate" in run.stderr and "Traceback" not in run.stderr
    assert "chưa được thiết lập" in run.stderr  # in the user's language (Vietnamese by default)


def test_save_creates_the_plan_through_the_plans_service(agencies: Any) -> None:
    from ttdn.accounts import services as accounts
    from ttdn.accounts.models import Agency, Role
    from ttdn.programme.models import Plan, Task

    manager = accounts.do_create_user(None, "quanly", None, agency=Agency.objects.get(code="gl-stttt"))
    accounts.do_grant_role(None, manager, Role.PLAN_MANAGER, "")
    with pytest.raises(CommandError):
        call_command("import_plan", str(SEEDS / "gia-lai-plan-2509-2020.txt"), "--save")
    call_command("import_plan", str(SEEDS / "gia-lai-plan-2509-2020.txt"), "--save", "--user", "quanly",
                 "--format", "json", stdout=StringIO(), stderr=StringIO())
    plan = Plan.objects.get()
    assert Task.objects.filter(plan=plan).count() == 35
    assert Task.objects.filter(plan=plan, key="II.B.2").get().lead_agency.code == "gl-stttt"


def test_province_option_limits_the_agencies(agencies: Any) -> None:
    out = StringIO()
    call_command("import_plan", str(FIXTURES / "thanh-hoa-table-plan-2022.txt"), "--format", "json",
                 "--province", "Thanh Hóa", stdout=out)
    draft = json.loads(out.getvalue())
    assert draft["tasks"][0]["lead"]["agency"] == "th-ptth"
    with pytest.raises(CommandError):
        call_command("import_plan", str(FIXTURES / "thanh-hoa-table-plan-2022.txt"), "--province", "Atlantis")
