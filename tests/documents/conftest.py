"""Fixtures for documents: the agency records of the three seed provinces (the demo data), loaded through the
accounts service as an operator would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"
AGENCIES = Path(__file__).resolve().parents[2] / "src" / "ttdn" / "content" / "demo_data" / "agencies.json"


@pytest.fixture
def agencies(db: Any) -> Any:
    from ttdn.accounts.models import Agency
    from ttdn.accounts.services import do_import_agencies

    do_import_agencies(None, json.loads(AGENCIES.read_text(encoding="utf-8")))
    return Agency.objects.all()
