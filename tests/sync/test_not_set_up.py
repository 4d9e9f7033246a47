"""A border box whose database was never set up (or not for this version): the node's commands say what to run,
in the installation's language, instead of a traceback from their first query."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sync.conftest import base_env, run


@pytest.mark.parametrize("command", [["sync"], ["edge", "enroll", "http://127.0.0.1:9", "ABCDE-FGHIJ"]])
def test_a_node_command_on_a_box_never_set_up_says_to_migrate(tmp_path: Path, command: list[str]) -> None:
    done = run(base_env(tmp_path, "edge"), "-m", "ttdn.cli", *command, check=False)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "chưa được thiết lập cho phiên bản này" in done.stderr and "ttdn migrate" in done.stderr, done.stderr


def test_a_set_up_box_is_not_told_to_migrate(tmp_path: Path) -> None:
    from tests import refdata

    env = base_env(tmp_path, "edge")
    refdata.fresh_install(env)
    done = run(env, "-m", "ttdn.cli", "sync", check=False)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "ttdn edge enroll" in done.stderr and "ttdn migrate" not in done.stderr, done.stderr
