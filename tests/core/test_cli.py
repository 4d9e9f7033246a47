"""The `ttdn` command: the production server on a fresh data directory, and the expiry sweep it runs."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.db import OperationalError
from django.utils import timezone

from ttdn.content.models import Item, State

from ..conftest import World, advance, make_item


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_runs_on_a_fresh_data_directory(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_")}
    env.update({"TTDN_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "ttdn.settings"})
    proc = subprocess.Popen([sys.executable, "-m", "ttdn.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as response:  # noqa: S310
                    page = response.read().decode()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "ttdn serve did not answer"
                time.sleep(0.5)
        assert '<html lang="vi"' in page and "Đăng nhập" in page
        with urllib.request.urlopen(f"{base}/static/ttdn/css/ttdn.css", timeout=5) as response:  # noqa: S310
            assert response.status == 200 and b"--font" in response.read()
        # serve gathered the static files first: pages name hashed, compressed copies cached for years.
        hashed = re.search(r'href="(/static/ttdn/css/ttdn\.[0-9a-f]{12}\.css)"', page)
        assert hashed, page
        request = urllib.request.Request(base + hashed.group(1), headers={"Accept-Encoding": "gzip"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            assert response.headers["Content-Encoding"] == "gzip"
            assert "immutable" in response.headers["Cache-Control"]
        # Secret key generated once and kept, readable by the owner only.
        key = tmp_path / "data" / "secret_key"
        assert key.exists() and (key.stat().st_mode & 0o077) == 0
        assert (tmp_path / "data" / "ttdn.sqlite3").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _state_of(pk: int) -> str | None:
    """The item's state, or None while the sweep's transaction holds the table: the test database is SQLite's
    shared-cache memory database, where a reader meets a writer's table lock at once instead of waiting."""
    try:
        return str(Item.objects.get(pk=pk).state)
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return None


def test_serve_expiry_sweep_ends_validity_windows(live_world: World) -> None:
    from ttdn.cli import _start_expiry_sweep

    # Long enough to publish it first on a busy machine (four services, each a transaction).
    item = make_item(live_world, valid_until=timezone.now() + dt.timedelta(seconds=10))
    advance(live_world, item, State.PUBLISHED)
    stop = _start_expiry_sweep(0.3)
    try:
        deadline = time.monotonic() + 60
        while _state_of(item.pk) != State.EXPIRED:
            assert time.monotonic() < deadline, "the sweep did not expire the item"
            time.sleep(0.3)
    finally:
        stop.set()
