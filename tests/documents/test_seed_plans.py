"""The three seed plans, and two plans of other layouts the parser was not built on, against the structure written
by hand from their text (fixtures/*.expected.json)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ttdn.documents.plan_import import parse_plan, read_plan_file

from .conftest import FIXTURES, SEEDS

EXPECTED = sorted(FIXTURES.glob("*.expected.json"))


def _expand_timeframe(spec: Any, period: list[str] | None) -> tuple[str, str | None, str | None]:
    start, end = (period or [None, None])
    shorthand = {"P": "period", "Y": "yearly", "O": "ongoing"}
    if isinstance(spec, str):
        if spec == "P" and period is None:
            return "ongoing", None, None
        return shorthand[spec], start, end
    kind, first, last = spec
    return kind, first, last


def _who(entry: dict[str, Any]) -> str | None:
    return entry["agency"] or entry["group"]


def _check_lead(lead: dict[str, Any], expected: str | None, where: str) -> None:
    if expected is None:
        assert not lead["text"] and not _who(lead), f"{where}: expected no lead, got {lead}"
    elif expected.startswith("?"):
        assert _who(lead) is None and lead["text"].startswith(expected[1:]), f"{where}: {lead}"
    else:
        assert _who(lead) == expected, f"{where}: lead {lead} ≠ {expected}"


@pytest.mark.parametrize("fixture", EXPECTED, ids=[p.name.split(".")[0] for p in EXPECTED])
def test_plan_matches_the_structure_written_from_its_text(agencies: Any, fixture: Path) -> None:
    expected = json.loads(fixture.read_text(encoding="utf-8"))
    source = SEEDS / expected["seed"] if (SEEDS / expected["seed"]).exists() else FIXTURES / expected["seed"]
    draft = parse_plan(read_plan_file(source), agencies=agencies)
    assert set(draft) == {"plan", "sections", "tasks", "indicators", "unplaced"}
    json.dumps(draft)  # JSON-able as it is

    plan, want = draft["plan"], expected["plan"]
    for key in ("number", "symbol", "issuer", "issuer_agency", "date", "report_due", "signer"):
        assert plan[key] == want[key], key
    period = [plan["period"]["start"], plan["period"]["end"]] if plan["period"] else None
    assert period == want["period"]
    assert [[p["name"], p["start"], p["end"]] for p in plan["phases"]] == want["phases"]
    assert len(plan["legal_bases"]) == want["legal_bases"]
    assert len(plan["recipients"]) == want["recipients"]
    assert plan["title"]

    assert [s["key"] for s in draft["sections"]] == expected["sections"]

    tasks = draft["tasks"]
    assert [t["key"] for t in tasks] == [row[0] for row in expected["tasks"]]
    for task, row in zip(tasks, expected["tasks"], strict=True):
        key, section, parent, title, lead, coordinating, timeframe = row
        where = f"{expected['seed']} {key}"
        assert task["section"] == section, where
        assert task["parent"] == parent, where
        assert " ".join(task["title"].split()).startswith(title), f"{where}: {task['title'][:80]}"
        _check_lead(task["lead"], lead, where)
        found = {_who(c) for c in task["coordinating"] if _who(c)}
        assert found == set(coordinating), f"{where}: {task['coordinating']}"
        kind, start, end = _expand_timeframe(timeframe, want["period"])
        tf = task["timeframe"]
        assert (tf["kind"], tf["start"], tf["end"]) == (kind, start, end), f"{where}: {tf}"

    assert len(draft["indicators"]) == len(expected["indicators"])
    for indicator, (name, unit, targets) in zip(draft["indicators"], expected["indicators"], strict=True):
        assert indicator["name"].startswith(name), indicator["name"]
        assert indicator["unit"] == unit
        assert [[t["label"], t["start"], t["end"], t["value"]] for t in indicator["targets"]] == targets

    unplaced = [u["text"] for u in draft["unplaced"]]
    for text in expected["unplaced"]:
        assert any(text in u for u in unplaced), text
    # Every agency text the parser could not match is shown to the reviewer, never dropped.
    for task in tasks:
        for entry in [task["lead"], *task["coordinating"]]:
            if entry["text"] and not _who(entry):
                assert entry["text"] in unplaced, entry["text"]


def test_the_parser_writes_nothing(agencies: Any, django_assert_max_num_queries: Any) -> None:
    from ttdn.accounts.models import Agency
    from ttdn.core.models import AuditEntry

    before = (Agency.objects.count(), AuditEntry.objects.count())
    for seed in sorted(SEEDS.glob("*.txt")):
        parse_plan(read_plan_file(seed), agencies=agencies)
    assert (Agency.objects.count(), AuditEntry.objects.count()) == before


def test_without_agency_records_everything_stays_text() -> None:
    draft = parse_plan(read_plan_file(SEEDS / "gia-lai-plan-2509-2020.txt"))
    assert len(draft["tasks"]) == 35
    assert all(t["lead"]["agency"] is None for t in draft["tasks"])
    assert draft["tasks"][1]["lead"]["text"] == "Sở Thông tin và Truyền thông"
    assert date.fromisoformat(draft["plan"]["period"]["start"]) == date(2021, 1, 1)
