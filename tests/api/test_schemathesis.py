"""Property-based conformance: schemathesis generates requests for EVERY operation of /api/openapi.json and
checks that nothing answers 5xx and that every answer is documented (status, content type, body schema).

The calls go through the real WSGI application with the token of a user who holds several roles (and,
separately, with no credentials). Path parameters are mostly pointed at real items in every workflow
state, real languages, files and tokens, so the fuzzed bodies reach the services rather than a 404.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from PIL import Image
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Role
from ttdn.content import services as content
from ttdn.content.models import State

from ..conftest import World, advance, build_world, make_item

application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = int(os.environ.get("TTDN_FUZZ_EXAMPLES", "25"))


@dataclass
class Targets:
    secret: str
    token_id: int
    item_uids: list[str] = field(default_factory=list)
    shas: list[str] = field(default_factory=list)
    token_ids: list[int] = field(default_factory=list)
    # Hypothesis reseeds the global `random` for every example; this one runs on, seeded per operation.
    rng: random.Random = field(default_factory=random.Random)


def _png() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (8, 8), os.urandom(8 * 8 * 3)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def keep_db_connection() -> Iterator[None]:
    """The WSGI handler closes "old" connections around each request; inside the test's transaction that
    would drop it. Django's own test client disconnects these receivers the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="class")
def subjects(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Targets]:
    """What the fuzzed requests aim at, built once for all operations (each operation's test used to build it
    again: a third of the module's time) in a transaction rolled back after them; each test runs in a savepoint of
    it, so what one test's requests change is undone before the next. (Class-scoped: the stateful test below builds
    a world of its own.)"""
    from ttdn.core.transactions import bulk_load

    with django_db_blocker.unblock():
        loading = bulk_load()
        loading.__enter__()
        try:
            yield _build_subjects(build_world())
        finally:
            transaction.set_rollback(True)
            loading.__exit__(None, None, None)


@pytest.fixture
def targets(subjects: Targets, keep_db_connection: None, request: pytest.FixtureRequest) -> Targets:
    return dataclasses.replace(subjects, rng=random.Random(request.node.name))


def _build_subjects(world: World) -> Targets:
    # One user holding most roles: writes, appraises, publishes and translates into Lao.
    multi = accounts.do_create_user(None, "multi", None, agency=world.central, full_name="Nhiều vai")
    for role, lang in ((Role.CONTRIBUTOR, ""), (Role.APPRAISER, ""), (Role.PUBLISHER, ""), (Role.TRANSLATOR, "lo")):
        accounts.do_grant_role(None, multi, role, lang)
    token, secret = accounts.do_create_token(multi, multi, "schemathesis")
    found = Targets(secret=secret, token_id=token.pk)
    for n in range(3):
        found.token_ids.append(accounts.do_create_token(multi, multi, f"spare {n}")[0].pk)

    content.do_save_topic(None, "bien-gioi", "Biên giới", "Border")
    states = [State.DRAFT, State.SUBMITTED, State.IN_APPRAISAL, State.APPROVED, State.PUBLISHED, State.WITHDRAWN]
    for state in states:
        item = make_item(world, title=f"Mẫu {state}")
        png = SimpleUploadedFile("anh.png", _png())
        source = item.variants.get()
        attachment = content.do_attach_upload(world.contributor, source, png)
        found.shas.append(attachment.asset.sha256)
        advance(world, item, state)
        if state in (State.APPROVED, State.PUBLISHED):
            content.do_save_variant(world.translator_lo, item, "lo", "ຫົວຂໍ້", "", "<p>ລາວ</p>")
        found.item_uids.append(str(item.uid))
    own = content.do_create_item(multi, content.ItemData(kind="sms", title="Tin nhắn", body="Chú ý",
                                                          no_state_secrets=True))
    found.item_uids.append(str(own.uid))
    found.shas.append(hashlib.sha256(b"never uploaded").hexdigest())
    return found


def _aim(case: schemathesis.Case, found: Targets) -> None:
    """Point most generated path parameters at things that exist; leave some as generated. Make some
    generated item bodies pass the checks that random data never passes (known topics and provinces,
    the no-state-secret declaration), so the services' write paths are exercised too."""
    rng = found.rng
    params = case.path_parameters
    if params:
        if "uid" in params and rng.random() < 0.85:
            params["uid"] = rng.choice(found.item_uids)
        if "lang" in params and rng.random() < 0.8:
            params["lang"] = rng.choice(["vi", "lo", "en", "km"])
        if "sha256" in params and rng.random() < 0.8:
            params["sha256"] = rng.choice(found.shas)
        if "token_id" in params and (rng.random() < 0.8 or params["token_id"] == found.token_id):
            # Never the token the run authenticates with: revoking it would end the run's coverage.
            params["token_id"] = rng.choice(found.token_ids)
    _aim_body(case, rng)


def _aim_body(case: schemathesis.Case, rng: random.Random, chance: float = 0.5) -> None:
    body = case.body
    if case.operation.label in {"POST /api/v1/items", "PATCH /api/v1/items/{uid}"} and isinstance(body, dict):
        if rng.random() < chance:
            body["topics"] = rng.choice([[], ["bien-gioi"]])
            body["target_provinces"] = []
            body["no_state_secrets"] = True
            body["classification"] = "public"
            if "language" in body:
                body["language"] = "vi"


def _log(case: schemathesis.Case, response: schemathesis.Response) -> None:
    """TTDN_FUZZ_LOG=path: one line per call (operation, status, URL, start of body), to see what was reached."""
    path = os.environ.get("TTDN_FUZZ_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            line = (case.operation.label, str(response.status_code), response.request.url, repr(response.text[:150]))
            fh.write("\t".join(line) + "\n")


@pytest.mark.django_db
def test_a_plan_id_beyond_64_bits_is_refused_in_the_api_shape(world: World) -> None:
    """Issue 13 (6): it was a 500 (OverflowError); the schema bounds ids now."""
    from .conftest import ApiClient, token_for

    response = ApiClient(token_for(world.contributor)).post("/api/v1/plans/reports",
                                                            {"plan_id": 10**20, "year": 2025})
    assert response.status_code == 422


FUZZ_SETTINGS = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


class TestOperations:
    # One test per operation for both callers: schemathesis builds an operation's test (its coverage cases among
    # it) at collection, in every worker of the run, and builds it once for the two parametrizations.
    @pytest.mark.django_db
    @pytest.mark.parametrize("caller", ["with_token", "anonymous"])
    @schema.parametrize()
    @FUZZ_SETTINGS
    def test_api(self, case: schemathesis.Case, targets: Targets, caller: str) -> None:
        _aim(case, targets)
        response = case.call(
            headers={"Authorization": f"Bearer {targets.secret}"} if caller == "with_token" else None)
        _log(case, response)
        case.validate_response(response, checks=CHECKS)


# ---------------------------------------------------------------------------------------------- stateful
# Chains of calls along the links schemathesis infers from the schema (POST /items → GET/PATCH/transitions of
# that uid, GET /plans → /plans/{id}, reports …), each call made with the token of one of several roles (or
# none), picked per call, so one role's creations are tried by the others. Besides the conformance checks,
# no answer may show a draft (or returned) item of another agency than the caller's.

STATEFUL_ROLES = ("contributor", "contributor_dl", "appraiser", "publisher", "translator_lo", "agency_admin",
                  "reader", "plan_manager", "reporter", "operator", "anonymous")
PRIVATE_STATES = {State.DRAFT, State.RETURNED}


@dataclass
class Callers:
    secrets: dict[str, str]
    agencies: dict[str, int | None]
    token_ids: set[int]


@pytest.fixture
def callers(world: World, keep_db_connection: None) -> Callers:
    from ..programme.conftest import build_pw

    pw = build_pw(world)
    users = {**world.users(), "operator": world.operator, "plan_manager": pw.manager, "reporter": pw.reporter_dept}
    content.do_save_topic(None, "bien-gioi", "Biên giới", "Border")
    # Drafts of two agencies, in two provinces, that the others must never be shown.
    for author in (world.contributor, world.contributor_dl):
        content.do_create_item(author, content.ItemData(
            kind="article", title=f"Bản nháp của {author.agency}", summary="Nháp", body="<p>Nháp biên giới</p>",
            no_state_secrets=True, topics=["bien-gioi"]))
    advance(world, make_item(world, title="Tin đã đăng về biên giới"), State.PUBLISHED)
    tokens = {name: accounts.do_create_token(user, user, "stateful") for name, user in users.items()}
    return Callers(
        secrets={name: secret for name, (_token, secret) in tokens.items()},
        agencies={name: user.agency_id for name, user in users.items()},
        token_ids={token.pk for token, _secret in tokens.values()},
    )


def _items_in(body: object) -> Iterator[str]:
    """The uid of every item an answer shows (lists, details, search hits)."""
    if isinstance(body, dict):
        if isinstance(body.get("uid"), str) and "state" in body:
            yield body["uid"]
        for value in body.values():
            yield from _items_in(value)
    elif isinstance(body, list):
        for value in body:
            yield from _items_in(value)


def _foreign_drafts(response: schemathesis.Response, agency_id: int | None) -> list[str]:
    from ttdn.content.models import Item

    try:
        body = response.json()
    except ValueError:
        return []
    uids = set(_items_in(body))
    shown = Item.objects.filter(uid__in=[u for u in uids if len(u) == 36], state__in=PRIVATE_STATES)
    return [str(uid) for uid in shown.exclude(agency_id=agency_id).values_list("uid", flat=True)]


@pytest.mark.django_db
def test_api_stateful_with_several_roles(callers: Callers) -> None:
    from django.db import transaction

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        who = "anonymous"

        def setup(self) -> None:
            # Every scenario starts from the same data and the same choices, so Hypothesis can replay and
            # shrink a failing one.
            self.savepoint = transaction.savepoint()
            self.rng: random.Random | None = None

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)

        def before_call(self, case: schemathesis.Case) -> None:
            if self.rng is None:
                # Seeded by the scenario's first generated request (not by anything stored), so each scenario
                # has its own callers and Hypothesis replays it the same way.
                first = f"{case.operation.label}{case.body!r}{case.query!r}{case.path_parameters!r}"
                self.rng = random.Random(zlib.crc32(first.encode("utf-8", "replace")))
                self.who = self.rng.choice(STATEFUL_ROLES)
            _aim_body(case, self.rng, chance=0.85)
            params = case.path_parameters or {}
            if params.get("token_id") in callers.token_ids:
                params["token_id"] = 2**40  # revoking the run's own tokens would end its coverage

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            # Mostly the same caller as the step before (a client follows its own links), sometimes another
            # role trying the same resource; new items come mostly from contributors, who may create them.
            rng = self.rng or random.Random(0)
            if case.operation.label == "POST /api/v1/items" and rng.random() < 0.8:
                self.who = rng.choice(["contributor", "contributor_dl"])
            elif rng.random() < 0.25:
                self.who = rng.choice(STATEFUL_ROLES)
            secret = callers.secrets.get(self.who)
            return {"headers": {"Authorization": f"Bearer {secret}"}} if secret else {}

        def validate_response(self, response: schemathesis.Response, case: schemathesis.Case,
                              additional_checks: object = None, **kwargs: object) -> None:
            _log(case, response)
            case.validate_response(response, checks=CHECKS)
            leaked = _foreign_drafts(response, callers.agencies.get(self.who))
            assert not leaked, f"{case.operation.label} as {self.who} shows other agencies' drafts: {leaked}"

    Workflow.run(settings=hypothesis_settings(
        max_examples=int(os.environ.get("TTDN_FUZZ_STATEFUL_EXAMPLES", "15")),
        stateful_step_count=8,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    ))
