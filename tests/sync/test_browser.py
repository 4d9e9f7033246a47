"""In a real browser: an item withdrawn on the hub is gone from the node's LAN pages after the next sync."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import Hub, Node, free_port, start_server, stop

CHROMIUM = os.environ.get("TTDN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN")
    try:
        yield context.new_page()
    finally:
        context.close()


def test_withdrawn_item_disappears_from_the_node_ui(hub: Hub, make_node: Any, page: Any) -> None:
    node: Node = make_node("xa-ia-o")
    node.sync()
    uid = hub.corpus["public"][-1]  # published last: first on the list of published material
    assert uid in node.items()
    port = free_port()
    server = start_server(node.env, port)
    try:
        base = f"http://127.0.0.1:{port}"
        page.goto(f"{base}/published/")
        link = page.locator(f"a[href='/items/{uid}/']")
        assert link.count() == 1
        link.first.click()
        page.wait_for_url(f"**/items/{uid}/")
        assert "Tài liệu biên giới số" in page.locator("h1").inner_text()
        # No editing on a node: no edit or workflow buttons, and a write is refused.
        assert page.locator(f"a[href='/items/{uid}/edit/']").count() == 0

        hub.tool("withdraw", uid)
        summary = node.sync()
        assert summary["tombstones"] == 1
        # The view above was counted on the node and reported up with this sync (a number, no person).
        assert next(n for n in hub.tool("nodes") if n["uid"] == node.uid)["views"] >= 1

        response = page.goto(f"{base}/items/{uid}/")
        assert response is not None and (response.status == 404 or "/accounts/login/" in page.url)
        page.goto(f"{base}/published/")
        assert page.locator(f"a[href='/items/{uid}/']").count() == 0
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "FAILED-sync-withdrawn.png"), full_page=True)
        raise
    finally:
        stop(server)
