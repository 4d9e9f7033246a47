"""`ttdn serve` itself (waitress in its own process): a body over the server's limit is refused before it is
read, with the API's error shape and language under /api/."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests import refdata

from ..sync.conftest import base_env, free_port, start_server, stop


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    env = base_env(tmp_path_factory.mktemp("serve"), "hub")
    refdata.fresh_install(env)  # the server's own migrate finds nothing to do (tests/refdata.py)
    # Every kind limited to 1 MB: the server's body limit is that plus room for the multipart envelope.
    env.update({f"TTDN_MAX_{kind}_MB": "1" for kind in ("PDF", "DOCX", "IMAGE", "AUDIO", "VIDEO")})
    port = free_port()
    proc = start_server(env, port)
    try:
        yield port
    finally:
        stop(proc)


def _raw(port: int, path: str, length: int, send: bool = False, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """A request that announces `length` bytes of body and sends them only when asked: over the limit the
    server answers from the headers alone."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", f"Content-Length: {length}",
             "Content-Type: application/json", *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items())]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        if send:
            sock.sendall(b" " * length)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {k.lower(): v.strip() for k, _s, v in (h.partition(":") for h in header_lines)}
    return int(status_line.split()[1]), parsed, body


def test_a_body_over_the_limit_is_a_413_in_the_api_error_shape(server: int) -> None:
    status, headers, body = _raw(server, "/api/v1/tokens", 100 * 1024 * 1024)
    assert status == 413 and headers["content-type"].startswith("application/json")
    answer: dict[str, Any] = json.loads(body)
    assert answer["code"] == "too_large" and answer["message"] == "Yêu cầu quá lớn."
    status, _headers, body = _raw(server, "/api/v1/items", 100 * 1024 * 1024, Accept_Language="en-GB,en;q=0.9")
    assert status == 413 and json.loads(body) == {"code": "too_large", "message": "The request is too large."}
    # Outside the API the server's own plain answer is fine.
    status, headers, _body = _raw(server, "/accounts/login/", 100 * 1024 * 1024)
    assert status == 413 and headers["content-type"].startswith("text/plain")
    # Below the limit the request reaches the application (here: no credentials).
    ok = _raw(server, "/api/v1/tokens", 0)
    assert ok[0] == 401 and json.loads(ok[2])["code"] == "unauthenticated"


def test_the_limit_leaves_room_for_the_largest_upload(server: int) -> None:
    # 1 MB allowed per file: a body of 1 MB plus a multipart envelope passes the server.
    status, _headers, body = _raw(server, "/api/v1/tokens", 1024 * 1024 + 4096, send=True)
    assert status == 401 and json.loads(body)["code"] == "unauthenticated"
