"""Shared fixtures: the administrative units loaded once per test database, and a small world of
agencies and users (one per role) built through the services layer, as the product builds them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Agency, Role, User
from ttdn.content import services as content
from ttdn.content.models import Item, State
from ttdn.places.models import AdminUnit

from . import refdata

PASSWORD = "Biên-giới-2026!"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """On PostgreSQL each worker's test database is a copy of a template holding the migrated schema and the
    reference data, built once per run (tests/refdata.py); on SQLite each worker's in-memory database is a copy of
    the run's fresh installation."""
    from django.db import connections

    db = connections["default"].settings_dict
    if db["ENGINE"] == "django.db.backends.postgresql":
        url = os.environ["TTDN_DATABASE_URL"]
        db["TEST"]["TEMPLATE"] = refdata.pg_template(url)
    elif db["ENGINE"] == "django.db.backends.sqlite3":
        _copy_instead_of_migrating()


def _copy_instead_of_migrating() -> None:
    """SQLite: the worker's in-memory test database becomes a copy of the run's fresh installation (what this
    version's `ttdn migrate` made on an empty directory, tests/refdata.py) instead of being migrated again (~5 s of
    CPU per worker). Django's test database creation calls `migrate`; that one call copies instead, once."""
    import sqlite3

    from django.core import management
    from django.db import connections

    for_real = management.call_command  # what `create_test_db` imports when it runs

    def call_command(name: str, *args: Any, **options: Any) -> Any:
        management.call_command = for_real  # once: a later `migrate` in a test is a real one
        if name != "migrate":
            return for_real(name, *args, **options)
        connection = connections[options.get("database", "default")]
        connection.ensure_connection()
        with sqlite3.connect(refdata.sqlite_install()) as installed:
            installed.backup(connection.connection)
        return None

    management.call_command = call_command


def _check_foreign_keys_only_after_writes() -> None:
    """Django's TestCase checks every foreign key of the database when a test ends: on SQLite `PRAGMA
    foreign_key_check` over all tables, ~4.5 ms with the administrative units in them, for each of some 5,000 tests.
    A test that changed no row cannot have broken a key, and SQLite counts the rows a connection changed (its own
    statements' and their triggers'): the check still runs after any test that wrote."""
    from django.db import connections
    from django.test import testcases

    setup = testcases.TestCase._fixture_setup.__func__  # type: ignore[attr-defined]
    should_check = testcases.TestCase._should_check_constraints

    def _fixture_setup(cls: Any) -> None:
        setup(cls)
        for alias in cls._databases_names():
            connection = connections[alias]
            if connection.vendor == "sqlite" and connection.connection is not None:
                connection.ttdn_changes_at_setup = connection.connection.total_changes

    def _should_check_constraints(self: Any, connection: Any) -> bool:
        if (connection.vendor == "sqlite" and connection.connection is not None
                and getattr(connection, "ttdn_changes_at_setup", None) == connection.connection.total_changes):
            return False
        return bool(should_check(self, connection))

    testcases.TestCase._fixture_setup = classmethod(_fixture_setup)  # type: ignore[method-assign,assignment]
    testcases.TestCase._should_check_constraints = _should_check_constraints  # type: ignore[method-assign]


_check_foreign_keys_only_after_writes()


def _flush_keeps_unchanged_reference_data() -> None:
    """A transactional test ends with Django's `flush` of every table, and the reference data is copied back
    before the next test (`pytest_runtest_teardown` below): the administrative units, unless the test changed them,
    are left in place instead (tests/refdata.py, KEPT_ACROSS_FLUSH) — 1.2 s of CPU a transactional test on
    PostgreSQL."""
    from django.core.management.commands import flush

    def sql_flush(style: Any, connection: Any, reset_sequences: bool = True, allow_cascade: bool = False) -> Any:
        kept = refdata.tables_kept_by_flush(connection)
        tables = [t for t in connection.introspection.django_table_names(only_existing=True, include_views=False)
                  if t not in kept]
        return connection.ops.sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)

    flush.sql_flush = sql_flush  # type: ignore[assignment]


_flush_keeps_unchanged_reference_data()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    # The administrative units are copied from the run's reference dump (tests/refdata.py), not loaded again.
    from django.db import connection

    with django_db_blocker.unblock():
        refdata.ensure_loaded()
        refdata.note_kept_tables(connection)
    yield


# ------------------------------------------------------------------------------------ the run's shape
# Slow tests (real processes, browsers, LibreOffice, the demo and gold corpora) run first, so that the
# workers finish together instead of one ending the run alone on a browser test; tests sharing a costly
# fixture (the sync hub, the demo hub, the gold corpus) stay on one worker (XDIST_GROUPS).
# `--db-only` (the PostgreSQL pass) keeps only the tests that touch a database: the others ran on SQLite.

# Fixtures that make a test slow wherever it is; modules slow as a whole carry `pytestmark = pytest.mark.slow`.
SLOW_FIXTURES = {"browser", "new_page", "live_server", "live_world", "transactional_db", "hub", "make_node",
                 "built_demo", "gold", "data_dir"}
# Fixtures that reach a database other than through pytest-django (processes given TTDN_DATABASE_URL).
DATABASE_FIXTURES = {"django_db_setup", "hub", "queue_db"}
# Fixtures starting PostgreSQL servers of their own (tests/ops): whatever database the pass uses, a test using one
# is the same test, so scripts/run-tests.sh runs it in the PostgreSQL pass only (--without-own-postgresql).
OWN_POSTGRESQL_FIXTURES = {"pg_pair", "private_pg"}
# Costly fixtures built once per worker (session) or module: the modules using them stay on one worker
# (the scheduler below; a test using one from a module not listed here fails to collect).
SHARED_FIXTURES = {"hub", "built_demo", "gold", "data_dir"}
XDIST_GROUPS = {
    "tests/sync/test_network.py": "sync-hub",
    "tests/sync/test_browser.py": "sync-hub",
    "tests/sync/test_chunk_access.py": "sync-hub",
    "tests/sync/test_mixed_versions.py": "sync-hub",
    "tests/sync/test_node_recovery.py": "sync-hub",
    "tests/sync/test_translation.py": "sync-hub",
    "tests/points/test_hub_emergency.py": "points-hub",
    "tests/points/test_playlist_sync.py": "points-hub",
    "tests/content/test_demo.py": "demo",
    "tests/search/test_gold.py": "search-gold",
    "tests/documents/test_cli.py": "documents-cli",
    # The fuzzed operations share what they aim at (built once per worker that runs them).
    "tests/api/test_schemathesis.py": "api-fuzz",
    # collectstatic (compressing the fonts, ~8 s of CPU) once for the module, not once per worker it reaches.
    "tests/core/test_static_serving.py": "static",
    # One private PostgreSQL primary and replica per worker (tests/ops/conftest.py pg_pair).
    "tests/ops/test_replica.py": "pg-pair",
    "tests/ops/test_database_restart.py": "pg-pair",
}


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist's `load`, except that the modules of a group go to one worker (each other test goes alone to
    whichever worker is free): xdist's own `loadgroup` does not work with pytest 9, which ignores the group
    it writes into the test's id. The groups go first (the largest first), then the tests in their order."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return XDIST_GROUPS.get(nodeid.split("::", 1)[0], nodeid)

    return GroupScheduling(config, log)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db-only", action="store_true",
                     help="run only the tests that touch a database (the PostgreSQL pass of scripts/run-tests.sh)")
    parser.addoption("--without-own-postgresql", action="store_true",
                     help="leave out the tests that start PostgreSQL servers of their own: they are the same in "
                          "either pass, and scripts/run-tests.sh runs them in the PostgreSQL pass")


def _touches_database(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    fixtures = DATABASE_FIXTURES | OWN_POSTGRESQL_FIXTURES
    return bool(names & fixtures) or item.get_closest_marker("django_db") is not None


def pytest_itemcollected(item: pytest.Item) -> None:
    names = set(getattr(item, "fixturenames", ()))
    if names & SLOW_FIXTURES:
        item.add_marker(pytest.mark.slow)
    if names & OWN_POSTGRESQL_FIXTURES:
        item.add_marker(pytest.mark.own_postgresql)
    # (By name and scope: a module may have a function-scoped fixture of the same name.)
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    shared = sorted(n for n in names & SHARED_FIXTURES if definitions.get(n) and definitions[n][-1].scope != "function")
    if shared and item.nodeid.split("::", 1)[0] not in XDIST_GROUPS:
        raise pytest.UsageError(f"{item.nodeid} uses {shared}: add its module to XDIST_GROUPS in "
                                "tests/conftest.py, so that it is built once")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--db-only"):
        kept = [item for item in items if _touches_database(item)]
        config.hook.pytest_deselected(items=[item for item in items if not _touches_database(item)])
        items[:] = kept
    if config.getoption("--without-own-postgresql"):
        own = [item for item in items if item.get_closest_marker("own_postgresql")]
        config.hook.pytest_deselected(items=own)
        items[:] = [item for item in items if not item.get_closest_marker("own_postgresql")]
    # Stable: within each half pytest-django's order (plain database tests before transactional ones) holds.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# TTDN_TEST_TIMELINE=DIR: each worker writes when each of its tests started and ended (setup to teardown) and the
# CPU it took (with the processes it started, once reaped: a server a module fixture starts counts where it ends), one
# file per worker, for bench/suite/timeline.py to show how the workers were loaded and which tests end a pass.
_TIMELINE = os.environ.get("TTDN_TEST_TIMELINE", "")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    if not _TIMELINE:
        yield
        return
    import time

    from tests import forkserver

    def cpu() -> float:  # this worker's CPU and that of the processes it started (or had forked) and saw end
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system + forkserver.forked_cpu()

    started, cpu_started = time.time(), cpu()
    yield
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(Path(_TIMELINE) / f"{worker}.tsv", "a") as f:
        f.write(f"{started:.3f}\t{time.time():.3f}\t{cpu() - cpu_started:.2f}\t{item.nodeid}\n")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A transactional test empties every table when it ends: put the reference data back at once, so
    that any test may follow it (the slow, mostly transactional, tests run first)."""
    yield
    if nextitem is None:
        return  # the last test: the session's teardown has dropped the test database
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    if names & {"transactional_db", "live_server"} or (marker is not None and marker.kwargs.get("transaction")):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            refdata.restore()


@pytest.fixture(autouse=True)
def _new_portal_generation() -> None:
    """The portal keeps a feed's freshness and an item page's visibility for a few seconds within a generation
    that every change to an item bumps; a test's rolled-back items bump nothing, so each test starts a new one
    (else a test could be served what the test before it saw)."""
    from ttdn.portal.queries import new_generation

    new_generation()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Every test client comes from 127.0.0.1: each test starts with full buckets on the anonymous endpoints."""
    from ttdn.portal.ratelimit import cap_import

    cap_import.reset()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the product's default language. A request through the test client activates
    the language its cookie or Accept-Language asks for in this thread, and Django leaves it active
    after the response (the next request sets its own), so a later test in the same worker would
    otherwise read lazily translated text in another language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class World:
    central: Agency
    gl_ppc: Agency
    gl_dept: Agency
    gl_bgc: Agency
    dl_dept: Agency
    gia_lai: AdminUnit
    dak_lak: AdminUnit
    contributor: User
    contributor_dl: User
    appraiser: User
    publisher: User
    translator_lo: User
    agency_admin: User
    reader: User
    operator: User

    def users(self) -> dict[str, User]:
        return {
            "contributor": self.contributor,
            "contributor_dl": self.contributor_dl,
            "appraiser": self.appraiser,
            "publisher": self.publisher,
            "translator_lo": self.translator_lo,
            "agency_admin": self.agency_admin,
            "reader": self.reader,
        }


def _agency(code: str, name: str, kind: str, **kw: Any) -> Agency:
    return accounts.do_save_agency(None, accounts.AgencyData(code=code, name=name, kind=kind, **kw))


def _user(username: str, agency: Agency, *grants: tuple[str, str], password: str | None = None) -> User:
    user = accounts.do_create_user(None, username, password, agency=agency, full_name=username.title())
    for role, lang in grants:
        accounts.do_grant_role(None, user, role, lang)
    return user


def province(name: str) -> AdminUnit:
    return AdminUnit.objects.get(level="province", short_name=name, valid_to__isnull=True)


def build_world(password: str | None = None) -> World:
    gia_lai, dak_lak = province("Gia Lai"), province("Đắk Lắk")
    central = _agency("central", "Cục Thông tin cơ sở và Thông tin đối ngoại", "central_office", is_central=True)
    gl_ppc = _agency("gl-ppc", "UBND tỉnh Gia Lai", "provincial_pc", province_id=gia_lai.pk)
    gl_dept = _agency("gl-svhttdl", "Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai", "department", parent=gl_ppc,
                      province_id=gia_lai.pk)
    gl_bgc = _agency("gl-bchbdbp", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Gia Lai", "border_guard_command",
                     parent=gl_ppc, province_id=gia_lai.pk)
    dl_dept = _agency("dl-svhttdl", "Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Lắk", "department",
                      province_id=dak_lak.pk)
    operator = accounts.do_create_user(None, "operator", password, agency=central, is_superuser=True)
    return World(
        central=central, gl_ppc=gl_ppc, gl_dept=gl_dept, gl_bgc=gl_bgc, dl_dept=dl_dept,
        gia_lai=gia_lai, dak_lak=dak_lak,
        contributor=_user("contributor", gl_dept, (Role.CONTRIBUTOR, ""), password=password),
        contributor_dl=_user("contributor_dl", dl_dept, (Role.CONTRIBUTOR, ""), password=password),
        appraiser=_user("appraiser", central, (Role.APPRAISER, ""), password=password),
        publisher=_user("publisher", central, (Role.PUBLISHER, ""), password=password),
        translator_lo=_user("translator_lo", central, (Role.TRANSLATOR, "lo"), password=password),
        agency_admin=_user("agency_admin", gl_dept, (Role.AGENCY_ADMIN, ""), password=password),
        reader=_user("reader", gl_bgc, (Role.READER, ""), password=password),
        operator=operator,
    )


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


def make_item(world: World, *, title: str = "Tờ gấp về quy chế khu vực biên giới", audience: str = "public",
              author: User | None = None, **kw: Any) -> Item:
    data = content.ItemData(
        kind=kw.pop("kind", "leaflet"),
        title=title,
        summary=kw.pop("summary", "Những điều cần biết khi vào khu vực biên giới."),
        body=kw.pop("body", "<p>Mang theo giấy tờ tùy thân khi vào vành đai biên giới.</p>"),
        audience=audience,
        no_state_secrets=True,
        target_provinces=[world.gia_lai.pk],
        **kw,
    )
    return content.do_create_item(author or world.contributor, data)


# The path through the workflow, and who takes each step.
PATH: list[tuple[str, str, str]] = [
    (State.DRAFT, "submit", "contributor"),
    (State.SUBMITTED, "start_appraisal", "appraiser"),
    (State.IN_APPRAISAL, "approve", "appraiser"),
    (State.APPROVED, "publish", "publisher"),
]


def coming_monday(hour: int) -> Any:
    """A Monday at `hour` local time, two to three weeks ahead: schedule tests publish material now and look at
    that day, so a fixed date would turn into the past (and its validity windows would close) as time goes on."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    today = timezone.localdate()
    monday = today + timedelta(days=14 + (7 - today.weekday()) % 7)
    return timezone.make_aware(datetime(monday.year, monday.month, monday.day, hour, 0))


def take_step(actor: Any, item: Item, action: str, reason: str = "") -> None:
    """One workflow step as people take it: approving and returning with the appraisal opinion (every
    criterion passed; a return's reason as its comment), the other steps on their own."""
    from ttdn.content.permissions import APPRAISAL_ACTIONS
    from ttdn.editorial import services as editorial

    if action in APPRAISAL_ACTIONS:
        checks: dict[int, tuple[bool | None, str]] = {c.pk: (True, "") for c in editorial.asked_criteria()}
        editorial.do_appraise(actor, item, editorial.OpinionData(action, checks, comment=reason))
    else:
        content.do_transition(actor, item, action, reason=reason)


def opinion_marks(passed: bool = True, **failed: str) -> dict[str, str]:
    """The appraisal form's fields: every criterion asked passed, except those named (code=note) failed."""
    from ttdn.editorial.models import Criterion

    data: dict[str, str] = {}
    for c in Criterion.objects.filter(active=True):
        if c.code in failed:
            data[f"criterion_{c.pk}"] = "fail"
            data[f"note_{c.pk}"] = failed[c.code]
        else:
            data[f"criterion_{c.pk}"] = "pass" if passed else "fail"
    return data


def advance(world: World, item: Item, target: str) -> Item:
    """Walk an item along the workflow to `target` through the services, as people would."""
    actors = world.users()
    detours = {
        State.RETURNED: (State.IN_APPRAISAL, "return", "appraiser"),
        State.REJECTED: (State.IN_APPRAISAL, "reject", "appraiser"),
        State.WITHDRAWN: (State.PUBLISHED, "withdraw", "publisher"),
        State.ARCHIVED: (State.PUBLISHED, "archive", "publisher"),
    }
    for state, action, who in PATH:
        if item.state == target:
            return item
        if target in detours and item.state == detours[target][0]:
            break
        if item.state != state:
            continue  # already past this step
        take_step(actors[who], item, action)
    if item.state != target:
        if target == State.EXPIRED:
            from datetime import timedelta

            from django.utils import timezone

            content.do_expire_due(timezone.now() + timedelta(days=365 * 50)) if item.valid_until else None
            item.refresh_from_db()
            assert item.state == target, "give the item a valid_until to expire it"
            return item
        _state, action, who = detours[target]
        take_step(actors[who], item, action, reason="Lý do kiểm thử")
    assert item.state == target
    return item


def restore_reference_data() -> None:
    """What migrations and the run's set-up put in the database (the administrative units, the data
    migrations' rows such as the appraisal checklist), put back after a transactional test emptied every
    table: the run's reference dump copied into the tables that are empty (tests/refdata.py)."""
    refdata.restore()


@pytest.fixture
def live_world(transactional_db: Any) -> World:
    """A world committed for real, for tests whose code runs in other threads or processes."""
    restore_reference_data()  # a no-op unless a transactional test before this one emptied the tables
    return build_world()


# ------------------------------------------------------------------------------------------- browser
# Debian chromium driven by Playwright (sync API) against pytest-django's live server. One browser per
# test process, shared by every app's browser tests (a second sync Playwright in the same process fails).
# The world is built with real passwords, and the appraiser and publisher get a known TOTP secret so
# they can pass the second factor like a person would.

CHROMIUM = os.environ.get("TTDN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
# A known second-factor secret for the test accounts (base32).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (scripts/run-tests.sh installs it)")
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
    # browser steps are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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

    restore_reference_data()  # a no-op unless a transactional test before this one emptied the tables
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
