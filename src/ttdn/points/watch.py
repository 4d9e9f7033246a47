"""On a node: the wake poll. Every few seconds one small signed request asks the hub for the digest of this
node's bulletins; when it changes (an emergency published, cancelled, narrowed), a sync pass runs at once, so an
emergency reaches the node's screens within seconds instead of at the next scheduled sync."""

from __future__ import annotations

import http.client
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ttdn.sync.node import apply
from ttdn.sync.node.client import run_sync
from ttdn.sync.transport import keys

WAKE_PATH = "/points/hub/wake"


class WakeClient:
    """One kept-alive connection to the hub for the wake poll (reopened after a drop)."""

    def __init__(self, timeout: float = 10) -> None:
        state = apply.state()
        parts = urlsplit(state.hub_url)
        self.scheme, self.host = parts.scheme, parts.hostname or ""
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.path = parts.path.rstrip("/") + WAKE_PATH
        self.node_uid = str(state.node_uid)
        self.key = keys.node_key()
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def digest(self) -> str:
        """The hub's digest of this node's bulletins; raises OSError/HTTPException when the link is down and
        ValueError when the hub refuses (the message says why)."""
        stamp, nonce = f"{time.time():.3f}", secrets.token_hex(16)
        headers = {"X-Ttdn-Node": self.node_uid, "X-Ttdn-Time": stamp, "X-Ttdn-Nonce": nonce,
                   "X-Ttdn-Signature": keys.sign(self.key, keys.request_message("GET", self.path, stamp, nonce, b""))}
        if self._conn is None:
            cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            self._conn = cls(self.host, self.port, timeout=self.timeout)
        try:
            self._conn.request("GET", self.path, headers=headers)
            response = self._conn.getresponse()
            data = response.read(64 * 1024)
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        try:
            body: Any = json.loads(data)
        except ValueError:
            body = {}
        if response.status != 200 or not isinstance(body, dict) or not isinstance(body.get("digest"), str):
            message = body.get("message", "") if isinstance(body, dict) else ""
            raise ValueError(f"{response.status} {message}".strip())
        return str(body["digest"])


@dataclass
class Watcher:
    """The loop's state: the last digest a completed sync pass answered to."""

    client: WakeClient
    sync: Callable[[], Any] = field(default=run_sync)
    known: str | None = None

    def step(self) -> dict[str, Any] | None:
        """One poll; a sync pass (its summary returned) when the digest moved. A failed pass keeps the old
        digest, so the next poll tries again."""
        digest = self.client.digest()
        if digest == self.known:
            return None
        summary = self.sync()
        result: dict[str, Any] = summary.as_dict() if hasattr(summary, "as_dict") else {"status": "ok"}
        if result.get("status") == "ok":
            self.known = digest
        result["woken"] = True
        return result
