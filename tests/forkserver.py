"""Python commands for the tests, forked from a warm parent instead of started from nothing.

`run([...], env=…)` behaves as `subprocess.run([sys.executable, …], capture_output=True, text=True)`, but the
command is forked from a server process (one per test worker) that has already imported the third-party
libraries a `ttdn` process loads — Django's modules, ninja, pydantic, PIL, … — which is about half of the CPU a
`ttdn` command spends before its own work (~0.3 s of ~0.6 s), and the suite starts a few hundred of them per pass
(nodes, hub tools, CLIs).

What the tests test stays the same: the server never configures Django, never imports the product (`ttdn`) or the
tests' own modules, and holds no connection or thread; the child takes the request's environment, working folder and
standard streams before anything of the command runs, so settings, `django.setup()` and the product's code run in it
exactly as in a fresh interpreter. A request the server could not serve that way — other interpreter options,
another PYTHONPATH or locale, anything but `-m`/`-c` — goes to `subprocess.run` as before (also everywhere with
TTDN_TEST_FORKSERVER=0).

The child's CPU (from `wait4`) is added to `forked_cpu()`, so the test timeline counts it as it counts the CPU of
processes a worker starts and reaps itself.
"""

from __future__ import annotations

import json
import locale
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Variables that decide how an interpreter starts or encodes its streams: a request must carry the server's own
# (PYTHONPATH apart: the child puts the request's own on its path, where a fresh interpreter would).
_STARTUP_PREFIXES = ("PYTHON", "LANG", "LC_")
# Imported by a `ttdn` process on PostgreSQL but not by the SQLite set-up the server records (see _warm).
_ALSO_WARM = ("psycopg", "psycopg.pq", "django.db.backends.postgresql.base")


# ------------------------------------------------------------------------------------------------- the server


def _modules_of_a_ttdn_process() -> list[str]:
    """The modules a `ttdn` process imports, in import order, recorded in a throw-away child that sets Django up
    with the product's settings on an empty data folder and loads every management command."""
    import tempfile

    read, write = os.pipe()
    data = tempfile.mkdtemp(prefix="ttdn-forkserver-")
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        code = 0
        try:
            os.close(read)
            os.environ.update({"TTDN_DATA_DIR": data, "DJANGO_SETTINGS_MODULE": "ttdn.settings",
                               "TTDN_SECRET_KEY": "forkserver-warm-up-only-0123456789abcdef0123456789abcdef"})
            import django
            from django.core.management import get_commands, load_command_class

            django.setup()
            import ttdn.cli  # noqa: F401

            for name, app in get_commands().items():
                try:
                    load_command_class(app, name)
                except Exception:  # noqa: S110 - a command that cannot load here only stays cold
                    pass
            os.write(write, json.dumps(list(sys.modules)).encode())
        except BaseException:
            code = 1
        os._exit(code)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 1 << 16):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    import shutil

    shutil.rmtree(data, ignore_errors=True)
    return list(json.loads(b"".join(chunks) or b"[]"))


def _warm() -> int:
    """Import the third-party modules of a `ttdn` process; the product's and the tests' own are left to each child."""
    import importlib

    count = 0
    for name in [*_modules_of_a_ttdn_process(), *_ALSO_WARM]:
        if name in sys.modules or name.split(".")[0] in ("ttdn", "tests", "__main__"):
            continue
        try:
            importlib.import_module(name)
            count += 1
        except Exception:  # noqa: S112 - a module that needs configured settings is imported by the child itself
            continue
    from django.apps import apps
    from django.conf import settings

    # Nothing imported may have configured Django: each child does it with its own environment.
    if settings.configured or apps.ready:
        raise RuntimeError("a warm module configured Django in the fork server")
    return count


def _exit_code(exc: SystemExit) -> int:
    """What the interpreter makes of `sys.exit(x)`."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    print(exc.code, file=sys.stderr)
    return 1


def _interpreter_path() -> list[str]:
    """The server's module path without its first entry and its PYTHONPATH: what every interpreter adds."""
    own = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return [p for p in sys.path[1:] if p not in own]


_BASE_PATH: list[str] = []


def _unique(paths: list[str]) -> list[str]:
    return list(dict.fromkeys(paths))  # site.py adds no folder twice


def _run_command(argv: list[str], cwd: str) -> int:
    import runpy
    import traceback

    # As a fresh interpreter builds it: the script's place first, then PYTHONPATH, then the rest.
    extra = [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    try:
        if argv[0] == "-m":
            sys.argv = [argv[1], *argv[2:]]  # runpy puts the module's file in argv[0], as `python -m` does
            sys.path[:] = _unique([cwd, *extra, *_BASE_PATH])
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            import types

            sys.argv = ["-c", *argv[2:]]
            sys.path[:] = _unique(["", *extra, *_BASE_PATH])
            main = types.ModuleType("__main__")
            sys.modules["__main__"] = main
            exec(compile(argv[1], "<string>", "exec"), main.__dict__)  # noqa: S102 - the tests' own code
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc)
    except KeyboardInterrupt:
        traceback.print_exc()
        code = 130
    except BaseException:
        traceback.print_exc()
        code = 1
    # As the interpreter ends: wait for the non-daemon threads, run the exit handlers, flush the streams.
    threading._shutdown()  # type: ignore[attr-defined]
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: S110 - a closed pipe: nothing more to say
            pass
    return code


def _child(request: dict[str, Any], stdio: list[int], inherited: list[int]) -> None:  # pragma: no cover
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in inherited:
            os.close(fd)
        for target, fd in enumerate(stdio):
            os.dup2(fd, target)
        for fd in set(stdio) - {0, 1, 2}:
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        code = _run_command(request["argv"], request["cwd"])
    finally:
        os._exit(code)


def serve(control_fd: int) -> None:
    """Answer requests on the control socket until the test worker closes it."""
    _BASE_PATH[:] = _interpreter_path()
    _warm()
    control = socket.socket(fileno=control_fd)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ, "control")
    selector.register(wake_read, selectors.EVENT_READ, "wake")
    children: dict[int, socket.socket] = {}
    while True:
        for key, _ in selector.select(timeout=1.0):
            if key.data == "wake":
                while True:
                    try:
                        if not os.read(wake_read, 512):
                            break
                    except BlockingIOError:
                        break
                continue
            message, fds, _flags, _addr = socket.recv_fds(control, 1 << 20, 4)
            if not message:  # the worker is gone
                return
            request = json.loads(message)
            reply = socket.socket(fileno=fds[0])
            pid = os.fork()
            if pid == 0:
                _child(request, fds[1:], [control.fileno(), wake_read, wake_write, reply.fileno()])
            for fd in fds[1:]:
                os.close(fd)
            reply.sendall(f"pid {pid}\n".encode())
            children[pid] = reply
        while children:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            reply = children.pop(pid)
            cpu = usage.ru_utime + usage.ru_stime
            try:
                reply.sendall(f"exit {os.waitstatus_to_exitcode(status)} {cpu:.6f}\n".encode())
            except OSError:
                pass
            reply.close()


# ------------------------------------------------------------------------------------------------- the client

_lock = threading.Lock()
_server: _Server | None = None
_forked_cpu = 0.0


def forked_cpu() -> float:
    """CPU seconds of the commands this process had forked by the server and saw end."""
    return _forked_cpu


class _Server:
    def __init__(self) -> None:
        self.owner = os.getpid()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("TTDN_") and k != "DJANGO_SETTINGS_MODULE"}
        self.env["PYTHONPATH"] = str(ROOT)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.control = ours
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.forkserver", str(theirs.fileno())],
                                     pass_fds=[theirs.fileno()], env=self.env, cwd=ROOT,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        theirs.close()

    def serves(self, args: Sequence[str], env: dict[str, str]) -> bool:
        if self.proc.poll() is not None or len(args) < 2 or args[0] not in ("-m", "-c"):
            return False
        keys = {k for k in (*env, *self.env) if k.startswith(_STARTUP_PREFIXES) and k != "PYTHONPATH"}
        return all(env.get(k) == self.env.get(k) for k in keys)

    def spawn(self, args: Sequence[str], env: dict[str, str], cwd: Path, stdio: list[int]) -> ForkedProcess:
        ours, theirs = socket.socketpair()
        request = json.dumps({"argv": list(args), "env": env, "cwd": str(cwd)}).encode()
        try:
            socket.send_fds(self.control, [request], [theirs.fileno(), *stdio])
        finally:
            theirs.close()
        # Read with recv, not a buffered file: the child's end may already follow its pid on the socket.
        received = b""
        while b"\n" not in received:
            chunk = ours.recv(256)
            if not chunk:
                ours.close()
                raise OSError(f"the fork server did not start {list(args)[:2]}")
            received += chunk
        line, rest = received.split(b"\n", 1)
        if not line.startswith(b"pid "):
            ours.close()
            raise OSError(f"the fork server did not start {list(args)[:2]}")
        proc = ForkedProcess(int(line.split()[1]), ours, list(args))
        proc._buffer = rest
        return proc


def _server_for(args: Sequence[str], env: dict[str, str]) -> _Server | None:
    global _server
    if os.environ.get("TTDN_TEST_FORKSERVER", "1") == "0" or not hasattr(os, "fork"):
        return None
    with _lock:
        if _server is None or _server.owner != os.getpid() or _server.proc.poll() is not None:
            _server = _Server()
        return _server if _server.serves(args, env) else None


class ForkedProcess:
    """A command forked by the server: its pid (signals reach it as any process), and its end as the server saw it."""

    def __init__(self, pid: int, reply: socket.socket, args: list[str]) -> None:
        self.pid = pid
        self.args = args
        self.returncode: int | None = None
        self._reply = reply
        self._buffer = b""

    def wait(self, timeout: float | None = None) -> int:
        global _forked_cpu
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            if b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                _word, code, cpu = line.decode().split()
                self.returncode = int(code)
                _forked_cpu += float(cpu)
                self._reply.close()
                break
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
            self._reply.settimeout(left)
            try:
                chunk = self._reply.recv(256)
            except TimeoutError:
                raise subprocess.TimeoutExpired(self.args, timeout or 0) from None
            if not chunk:  # the server died: the command's end is unknown
                self.returncode = -signal.SIGKILL
                break
            self._buffer += chunk
        return self.returncode

    def poll(self) -> int | None:
        """The command's exit code if it has ended, else None (without waiting)."""
        while self.returncode is None and b"\n" not in self._buffer:
            try:
                chunk = self._reply.recv(256, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return None
            if not chunk:
                break  # the server died: wait() says so
            self._buffer += chunk
        return self.wait() if self.returncode is None else self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _decode(data: bytes) -> str:
    # As subprocess's text mode: the locale's encoding, universal newlines.
    text = data.decode(locale.getpreferredencoding(False))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _collect(proc: ForkedProcess, out_r: int, err_r: int, in_w: int | None, pending: bytes,
             timeout: float | None) -> tuple[str, str]:
    """The command's output until it closes both streams, feeding `pending` to its stdin (closed after); after `timeout`
    seconds the command is killed and TimeoutExpired raised, as `subprocess.run` does."""
    deadline = None if timeout is None else time.monotonic() + timeout
    data = {out_r: bytearray(), err_r: bytearray()}
    selector = selectors.DefaultSelector()
    for fd in data:
        selector.register(fd, selectors.EVENT_READ)
    if in_w is not None and pending:
        os.set_blocking(in_w, False)
        selector.register(in_w, selectors.EVENT_WRITE)
    elif in_w is not None:
        os.close(in_w)
    try:
        while selector.get_map():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                proc.kill()
                proc.wait()
                raise subprocess.TimeoutExpired([sys.executable, *proc.args], timeout or 0,
                                                output=_decode(bytes(data[out_r])),
                                                stderr=_decode(bytes(data[err_r])))
            for key, _ in selector.select(left):
                fd = int(key.fd)
                if fd == in_w:
                    try:
                        pending = pending[os.write(in_w, pending[:65536]):]
                    except BrokenPipeError:
                        pending = b""
                    if not pending:
                        selector.unregister(in_w)
                        os.close(in_w)
                    continue
                chunk = os.read(fd, 1 << 16)
                if chunk:
                    data[fd] += chunk
                else:
                    selector.unregister(fd)
    finally:
        if in_w is not None and in_w in selector.get_map():  # a timeout left it open
            os.close(in_w)
        for fd in data:
            os.close(fd)
        selector.close()
    left = None if deadline is None else max(0.0, deadline - time.monotonic())
    try:
        proc.wait(left)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise
    return _decode(bytes(data[out_r])), _decode(bytes(data[err_r]))


def _spawn(server: _Server, args: Sequence[str], env: dict[str, str],
           cwd: Path | str) -> tuple[ForkedProcess, list[int]]:
    """The command forked with new pipes for its three streams; returns it and our ends (stdin, stdout, stderr)."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    in_r, in_w = os.pipe()
    try:
        proc = server.spawn(args, env, Path(cwd), [in_r, out_w, err_w])
    except BaseException:
        for fd in (in_w, out_r, err_r):
            os.close(fd)
        raise
    finally:
        for fd in (in_r, out_w, err_w):
            os.close(fd)
    return proc, [in_w, out_r, err_r]


def run(args: Sequence[str], *, env: dict[str, str], cwd: Path | str = ROOT, timeout: float | None = None,
        input: str | None = None, check: bool = False) -> subprocess.CompletedProcess[str]:
    """`subprocess.run([sys.executable, *args], capture_output=True, text=True, …)`, forked from the warm server
    where it can serve the request."""
    server = _server_for(args, env)
    if server is None:
        return subprocess.run([sys.executable, *args], env=env, cwd=cwd, timeout=timeout, input=input,
                              capture_output=True, text=True, check=check)
    proc, (in_w, out_r, err_r) = _spawn(server, args, env, cwd)
    out, err = _collect(proc, out_r, err_r, in_w, (input or "").encode(locale.getpreferredencoding(False)), timeout)
    assert proc.returncode is not None
    done = subprocess.CompletedProcess([sys.executable, *args], proc.returncode, out, err)
    if check:
        done.check_returncode()
    return done


class Popen:
    """What the tests use of `subprocess.Popen([sys.executable, *args], stdout=PIPE, stderr=PIPE, text=True)` — pid,
    returncode, poll, wait, kill, communicate — for a command forked from the warm server (stdin empty). A timeout of
    communicate kills the command, as subprocess.run does."""

    def __init__(self, proc: ForkedProcess, out_r: int, err_r: int) -> None:
        self._proc, self._out_r, self._err_r = proc, out_r, err_r
        self.pid = proc.pid
        self.args = [sys.executable, *proc.args]

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode

    def poll(self) -> int | None:
        return self._proc.poll()

    def wait(self, timeout: float | None = None) -> int:
        return self._proc.wait(timeout)

    def kill(self) -> None:
        self._proc.kill()

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        return _collect(self._proc, self._out_r, self._err_r, None, b"", timeout)


def popen(args: Sequence[str], *, env: dict[str, str], cwd: Path | str = ROOT) -> Popen | subprocess.Popen[str]:
    """A command running in the background, forked from the warm server where it can serve the request."""
    server = _server_for(args, env)
    if server is None:
        return subprocess.Popen([sys.executable, *args], env=env, cwd=cwd, text=True, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    proc, (in_w, out_r, err_r) = _spawn(server, args, env, cwd)
    os.close(in_w)
    return Popen(proc, out_r, err_r)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
