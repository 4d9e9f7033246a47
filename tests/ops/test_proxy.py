"""Several hub processes behind nginx (Debian's package, as the deployment guide sets it up): requests are spread
over them, and when one stops, nginx's retry on the other keeps every request answered. Two WSGI servers (waitress,
as `ttdn serve` runs) on loopback over the test database, nginx in front on its own port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import World

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _port() -> int:
    """A free port below the ephemeral range (32768–60999 here), where the other tests' servers, bound to port 0,
    never land: a stopped upstream's port must not be taken by another test's server meanwhile."""
    import random

    for _ in range(200):
        port = random.randint(20000, 32000)  # a test port, not a secret
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError("no free port between 20000 and 32000")


class Upstream:
    """One hub process: the Django application in a waitress server, counting the requests it answers."""

    def __init__(self, name: str, hits: Counter[str]) -> None:
        from django.core.wsgi import get_wsgi_application
        from waitress.server import create_server

        application = get_wsgi_application()

        def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            from django.db import connections

            hits[name] += 1
            response = application(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
                # The server's threads outlive the test: they must not keep the test database open.
                connections.close_all()

        self.port = _port()
        self.server = create_server(counted, host="127.0.0.1", port=self.port, threads=4)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop as a process going away would, without waitress's wake-up byte landing elsewhere: `server.close()`
        from this thread closes the loop's wake-up pipe while a task thread may still write its "x" to that fd
        number, by then another connection's socket (nginx relayed "xHTTP/1.0 200 OK" as an HTTP/0.9 answer).
        So the task threads are joined first, and the loop closes its own sockets and pipe, then ends."""
        from waitress import wasyncore

        if not self.thread.is_alive():
            return
        self.server.task_dispatcher.shutdown()
        self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map))
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "the upstream's loop did not end"


@pytest.fixture
def proxied(live_world: World, tmp_path: Path) -> Iterator[tuple[str, list[Upstream], Counter[str]]]:
    hits: Counter[str] = Counter()
    upstreams = [Upstream("a", hits), Upstream("b", hits)]
    (tmp_path / "logs").mkdir()
    # The port is free when chosen, but another test process may take it before nginx binds it: then nginx stops,
    # and a server answering on that port is someone else's. Start again on another port until nginx answers.
    for _attempt in range(5):
        port = _port()
        nginx = _start_nginx(tmp_path, port, upstreams)
        if nginx is not None:
            break
    else:
        pytest.fail("nginx could not bind a port in five attempts")
    url = f"http://127.0.0.1:{port}"
    hits.clear()
    try:
        yield url, upstreams, hits
    finally:
        nginx.terminate()
        nginx.wait(timeout=20)
        for upstream in upstreams:
            upstream.stop()


def _start_nginx(tmp_path: Path, port: int, upstreams: list[Upstream]) -> subprocess.Popen[str] | None:
    """nginx in front of the upstreams on `port`, once it answers as nginx; None if it could not take the port."""
    conf = tmp_path / "nginx.conf"
    servers = "\n".join(f"    server 127.0.0.1:{u.port} max_fails=1 fail_timeout=30s;" for u in upstreams)
    conf.write_text(f"""
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/logs/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;
  fastcgi_temp_path {tmp_path}/fcgi; uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;
  upstream ttdn {{
{servers}
  }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 80m;
    location / {{
      proxy_pass http://ttdn;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_connect_timeout 2s;
    }}
  }}
}}
""")
    nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if nginx.poll() is not None:
            return None  # the port was taken (nginx says so on its output)
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as answer:  # noqa: S310
                answer.read()
                if answer.headers.get("Server", "").startswith("nginx"):
                    return nginx
        except OSError:
            pass
        assert time.monotonic() < deadline, "nginx did not answer"
        time.sleep(0.2)


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
        response.read()
        return int(response.status)


def test_nginx_spreads_requests_and_rides_over_a_stopped_process(
        proxied: tuple[str, list[Upstream], Counter[str]]) -> None:
    url, upstreams, hits = proxied
    paths = ["/healthz", "/readyz", "/portal/", "/accounts/login/"]
    assert [_get(url + p) for p in paths * 5] == [200] * 20
    assert hits["a"] >= 5 and hits["b"] >= 5  # round robin: both processes served
    upstreams[0].stop()  # one hub process goes away (a restart, a crash)
    before_b = hits["b"]
    assert [_get(url + p) for p in paths * 5] == [200] * 20  # every request still answered, by the other
    assert hits["b"] - before_b == 20
