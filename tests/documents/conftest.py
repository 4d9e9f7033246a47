"""Fixtures for documents: the agency records of the three seed provinces (the demo data), loaded through the
accounts service as an operator would — once for the package, inside a transaction rolled back at the end, since
each test's own transaction nests in it as a savepoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"
AGENCIES = Path(__file__).resolve().parents[2] / "src" / "ttdn" / "content" / "demo_data" / "agencies.json"


@pytest.fixture(scope="package")
def _seed_agencies(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    from django.db import transaction

    from ttdn.accounts.services import do_import_agencies

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            do_import_agencies(None, json.loads(AGENCIES.read_text(encoding="utf-8")))
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def agencies(_seed_agencies: None, db: Any) -> Any:
    from ttdn.accounts.models import Agency

    return Agency.objects.all()
