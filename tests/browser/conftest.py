"""Browser tests: Debian chromium driven by Playwright (sync API) against pytest-django's live server.

The world is built with real passwords, and the appraiser and publisher get a known TOTP secret so
they can pass the second factor like a person would. Tests here are marked `browser`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from ttdn.accounts.models import User

from ..conftest import PASSWORD, World, build_world

CHROMIUM = os.environ.get("TTDN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# A known second-factor secret for the test accounts (base32).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import expect, sync_playwright

    # Generous: the uploads are checked, text-extracted and thumbnailed on a possibly busy machine.
    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def browser_world(transactional_db: Any) -> World:
    from ttdn.accounts.services import do_set_totp_secret
    from ttdn.places.models import AdminUnit
    from ttdn.places.services import do_load_admin_units

    # A transactional test empties every table when it ends, administrative units included.
    if not AdminUnit.objects.exists():
        do_load_admin_units()
    world = build_world(password=PASSWORD)
    for user in (world.appraiser, world.publisher, world.agency_admin):
        do_set_totp_secret(None, user, TOTP_SECRET)
    return world


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call" and report.failed:
        item.browser_failed = True  # type: ignore[attr-defined]


@pytest.fixture
def new_page(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """new_page(user=None) → a page in a fresh Vietnamese-language context, logged in as `user`.

    When the test fails, every page it opened is saved to test-artifacts/FAILED-<test>-<n>.png."""
    contexts: list[Any] = []

    def make(user: User | None = None) -> Any:
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            log_in(page, live_server.url, user)
        return page

    yield make
    failed = getattr(request.node, "browser_failed", False)
    for n, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}-{n}-{m}.png"), full_page=True)
        context.close()


def log_in(page: Any, base: str, user: User) -> None:
    from ttdn.accounts.permissions import requires_two_factor

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    if requires_two_factor(user):
        page.wait_for_url("**/accounts/two-factor/")
        page.fill("#id_code", pyotp.TOTP(TOTP_SECRET).now())
        page.click("main form:has(#id_code) button[type=submit]")
    page.wait_for_url("**/my-work/")
