"""The offline API docs page in a real browser: Swagger UI starts and lists the operations."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_render_the_operations_without_console_errors(new_page: Any, live_server: Any) -> None:
    page = new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live_server.url}/api/docs")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/items").first).to_be_visible()
    assert operations.count() > 10
    assert problems == []
