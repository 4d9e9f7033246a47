"""End to end, with a hub and a node as separate processes and the node's screen in chromium: an emergency made
at the hub interrupts the screen through the node's wake poll (no sync started by hand), its cancellation at the
hub clears it, and with the link down a USB bundle carries the next one."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.sync.conftest import ROOT, Hub, Node, free_port, last_json, run, start_server, stop

pytestmark = pytest.mark.browser


def _tool(env: dict[str, str], *args: str) -> Any:
    return last_json(run(env, "-m", "tests.points.pointstool", *args).stdout)


def test_an_emergency_made_at_the_hub_interrupts_the_node_screen(hub: Hub, make_node: Any, browser: Any,
                                                                   tmp_path: Path) -> None:
    node: Node = make_node("pc-ia-chia")
    node.sync()
    port = free_port()
    server = start_server(node.env, port)
    watcher: subprocess.Popen[str] | None = None
    context = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    try:
        screen = context.new_page()
        screen.goto(f"http://127.0.0.1:{port}/points/player/")
        code = screen.locator("[data-testid=pairing-code] strong")
        code.wait_for()
        _tool(node.env, "pair", code.inner_text().strip(), "Màn hình đồn Ia Chia")
        screen.locator("#stage article.slide").wait_for(timeout=20_000)  # rotating the node's material

        watcher = subprocess.Popen([sys.executable, "-m", "ttdn.cli", "points-watch", "--every", "1"], env=node.env,
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        made = _tool(hub.env, "emergency", "Cảnh báo lũ quét Ia Chia")
        started = time.monotonic()
        box = screen.locator("#emergency:not([hidden])")
        box.wait_for(timeout=60_000)
        print(f"hub → screen: {time.monotonic() - started:.1f} s")
        assert "Cảnh báo lũ quét Ia Chia" in box.inner_text()
        assert made["uid"] in node.items()  # the node fetched the item itself in the woken pass

        _tool(hub.env, "cancel", made["uid"])
        screen.locator("#emergency").wait_for(state="hidden", timeout=60_000)

        # The link is down (no wake poll, no sync): a USB bundle carries the next emergency.
        stop(watcher)
        woken = [line for line in (watcher.stdout.read() if watcher.stdout else "").splitlines() if '"woken"' in line]
        assert len(woken) >= 2  # the emergency and its cancellation each woke a pass
        watcher = None
        second = _tool(hub.env, "emergency", "Cháy rừng gần cửa khẩu")
        usb = tmp_path / "usb"
        usb.mkdir()
        bundle = Path(hub.cli("bundle", "export", "--node", node.uid, str(usb)).stdout.strip().splitlines()[-1])
        imported = last_json(node.cli("bundle", "import", str(bundle)).stdout)
        assert imported["status"] == "applied"
        box.wait_for(timeout=30_000)
        assert "Cháy rừng gần cửa khẩu" in box.inner_text() and second["uid"] in node.items()
    except Exception:
        from ..conftest import ARTIFACTS

        ARTIFACTS.mkdir(exist_ok=True)
        for n, page in enumerate(context.pages):
            page.screenshot(path=str(ARTIFACTS / f"FAILED-points-hub-emergency-{n}.png"))
        raise
    finally:
        context.close()
        stop(watcher)
        stop(server)
