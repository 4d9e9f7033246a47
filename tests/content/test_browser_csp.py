"""The Content-Security-Policy in a real browser: the pages, htmx's live search, the editor and the API
documentation work with scripts only from our own files, and the browser reports no violation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from ttdn.content.models import State

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.browser

_WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile);
});
"""


def violations(page: Any) -> list[str]:
    return page.evaluate("window.__cspViolations || []")  # type: ignore[no-any-return]


def test_pages_work_under_the_policy_without_violations(
    browser_world: World, new_page: Callable[..., Any], live_server: Any,
) -> None:
    world = browser_world
    item = advance(world, make_item(world, title="Quy định khu vực biên giới đất liền", summary=""), State.PUBLISHED)
    draft = make_item(world, title="Bản nháp tờ gấp")

    page = new_page()
    page.add_init_script(_WATCH)
    response = page.goto(f"{live_server.url}/search/")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    page.locator("#id_q").press_sequentially("bien gioi", delay=40)  # htmx, with eval off
    expect(page.locator("[data-testid=search-results] > li")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]q=bien"))
    assert violations(page) == []
    for url in ("/", "/published/", f"/items/{item.uid}/", "/api/docs"):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], url
    expect(page.locator("#swagger-ui .info")).to_be_visible()  # Swagger UI ran from its own files

    editor = new_page(world.contributor)
    editor.add_init_script(_WATCH)
    for url in ("/my-work/", f"/items/{draft.uid}/edit/", "/items/new/"):
        editor.goto(f"{live_server.url}{url}")
        editor.wait_for_load_state("networkidle")
        assert violations(editor) == [], url
