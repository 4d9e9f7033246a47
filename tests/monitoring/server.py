"""A real HTTP server on loopback for the monitoring tests: routes of status, headers and body, slow drips,
and a record of every request (path and headers), so politeness and conditional GET can be checked."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0  # seconds between bytes: a slow host
    handler: Callable[[BaseHTTPRequestHandler], Route] | None = None


@dataclass
class Site:
    base: str
    routes: dict[str, Route]
    hits: list[tuple[str, dict[str, str]]]

    def count(self, path: str) -> int:
        return sum(1 for p, _h in self.hits if p == path)


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[Site]:
    hits: list[tuple[str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            hits.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = routes.get(self.path) or routes.get(self.path.split("?")[0])
            if route is None:
                route = Route(b"not found", 404)
            if route.handler is not None:
                route = route.handler(self)
            self.send_response(route.status)
            headers = {"Content-Type": "text/html; charset=utf-8", **route.headers}
            if not route.drip:
                headers.setdefault("Content-Length", str(len(route.body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            try:
                if route.drip:
                    for i in range(len(route.body)):
                        self.wfile.write(route.body[i:i + 1])
                        self.wfile.flush()
                        time.sleep(route.drip)
                else:
                    self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", routes, hits)
    finally:
        server.shutdown()
        server.server_close()
