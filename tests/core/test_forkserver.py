"""The tests' fork server (tests/forkserver.py) runs a command as a fresh interpreter would: the same module path,
environment, arguments, streams, exit code and end (exit handlers, threads), and nothing of the product or of Django's
settings imported before the command asks for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import forkserver
from tests.forkserver import ROOT

PROBE = """
import json, os, sys
print(json.dumps({"path": sys.path, "argv": sys.argv, "cwd": os.getcwd(), "env": os.environ.get("PROBE_VALUE"),
                  "ttdn": sorted(m for m in sys.modules if m == "ttdn" or m.startswith("ttdn.")),
                  "settings": os.environ.get("DJANGO_SETTINGS_MODULE"), "encoding": sys.stdout.encoding}))
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_") and k != "DJANGO_SETTINGS_MODULE"}
    return {**env, **extra}


def _both(args: list[str], env: dict[str, str], cwd: Path = ROOT, **kw: object) -> tuple[
        subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    forked = forkserver.run(args, env=env, cwd=cwd, **kw)  # type: ignore[arg-type]
    fresh = subprocess.run([sys.executable, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120,
                           **kw)  # type: ignore[call-overload]
    return forked, fresh


def test_a_forked_command_sees_what_a_fresh_interpreter_sees(tmp_path: Path) -> None:
    before = forkserver.forked_cpu()
    for env in (_env(PROBE_VALUE="một giá trị"), _env(PROBE_VALUE="x", PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}")):
        forked, fresh = _both(["-c", PROBE, "a", "b c"], env, cwd=tmp_path)
        assert forked.returncode == fresh.returncode == 0, forked.stderr
        assert json.loads(forked.stdout) == json.loads(fresh.stdout)
        assert json.loads(forked.stdout)["ttdn"] == []  # the server holds nothing of the product
    assert forkserver.forked_cpu() > before  # the children's CPU is counted


def test_a_module_its_exit_code_its_error_and_its_input() -> None:
    env = _env()
    forked, fresh = _both(["-m", "json.tool"], env, input='{"b": 1, "a": "ư"}')
    assert (forked.returncode, forked.stdout) == (fresh.returncode, fresh.stdout) == (0, fresh.stdout)
    code = "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"
    forked, fresh = _both(["-c", code], env)
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    forked, fresh = _both(["-c", "raise ValueError('hỏng')"], env)
    assert forked.returncode == fresh.returncode == 1
    assert forked.stderr.splitlines()[-1] == fresh.stderr.splitlines()[-1] == "ValueError: hỏng"


def test_exit_handlers_and_threads_run_to_the_end_and_signals_reach_the_command() -> None:
    code = ("import atexit, threading, time\n"
            "atexit.register(lambda: print('atexit'))\n"
            "threading.Thread(target=lambda: (time.sleep(0.3), print('thread'))).start()\n")
    forked, fresh = _both(["-c", code], _env())
    assert forked.stdout == fresh.stdout == "thread\natexit\n"
    killed = forkserver.run(["-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"], env=_env())
    assert killed.returncode == -9
    with pytest.raises(subprocess.TimeoutExpired):
        forkserver.run(["-c", "import time; time.sleep(30)"], env=_env(), timeout=1)


def test_a_ttdn_command_forked_is_the_product_with_its_own_settings(tmp_path: Path) -> None:
    env = _env(TTDN_DATA_DIR=str(tmp_path), TTDN_ROLE="edge",
               TTDN_SECRET_KEY="test-only-secret-key-for-the-fork-server-0123456789abcdef")
    forked, fresh = _both(["-m", "ttdn.cli", "sync"], env)
    # An empty data folder: the same refusal, in the installation's language, from both.
    assert forked.returncode == fresh.returncode != 0
    assert (forked.stdout, forked.stderr) == (fresh.stdout, fresh.stderr)
    assert "ttdn migrate" in forked.stderr and "Traceback" not in forked.stderr


def test_a_background_command_is_polled_killed_and_read_as_subprocess_popen_is() -> None:
    code = ("import sys, time\nprint('started', flush=True)\nprint('đang chạy', file=sys.stderr, flush=True)\n"
            "time.sleep(float(sys.argv[1]))\nprint('done')\nsys.exit(4)")
    ended = forkserver.popen(["-c", code, "0.3"], env=_env())
    assert isinstance(ended, forkserver.Popen)  # forked, not started from nothing
    fresh = subprocess.Popen([sys.executable, "-c", code, "0.3"], env=_env(), text=True, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    assert ended.poll() is None and ended.returncode is None  # still running: poll does not wait
    assert ended.communicate(timeout=60) == fresh.communicate(timeout=60) == ("started\ndone\n", "đang chạy\n")
    assert ended.returncode == fresh.returncode == 4 and ended.poll() == 4

    running = forkserver.popen(["-c", code, "60"], env=_env())
    with pytest.raises(subprocess.TimeoutExpired):
        running.wait(0.2)
    os.kill(running.pid, 9)  # as the crash tests kill a sender
    assert running.wait(30) == -9
    assert running.communicate(timeout=30)[0] == "started\n"
    slow = forkserver.popen(["-c", code, "60"], env=_env())
    with pytest.raises(subprocess.TimeoutExpired):
        slow.communicate(timeout=1)  # killed at the timeout, as subprocess.run does
    assert slow.returncode == -9
