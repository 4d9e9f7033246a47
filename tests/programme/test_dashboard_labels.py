"""The dashboard's chart data: each bar carries its own agency's name (wrapped at word boundaries, never cut),
and a year whose reports are not yet due is no point rather than 0 %."""

from __future__ import annotations

import json
import re

from django.test import Client
from django.utils import timezone

from .conftest import PW


def test_each_bar_is_labelled_with_its_own_agency_and_future_years_are_not_zero(pw: PW) -> None:
    client = Client()
    client.force_login(pw.manager)
    page = client.get(f"/plans/{pw.plan.pk}/dashboard/").content.decode()
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page,
                                re.DOTALL).group(1))
    agency = data["agency"]
    names = [" ".join(lines) for lines in agency["labels"]]
    tasks = list(pw.plan.tasks.select_related("lead_agency"))
    assert set(names) == {t.lead_label() or "—" for t in tasks} and len(names) == len(set(names))
    assert all(len(line) <= 32 or " " not in line for lines in agency["labels"] for line in lines)
    for values in agency["values"]:
        assert len(values) == len(names)
    # Every bar's counts add up to that agency's tasks.
    for n, name in enumerate(names):
        assert sum(values[n] for values in agency["values"]) == sum(1 for t in tasks if (t.lead_label() or "—") == name)
    today = timezone.localdate()
    periods = {str(p.year): p for p in pw.plan.periods.all()}
    for year, completeness in zip(data["reporting"]["labels"], data["reporting"]["completeness"], strict=True):
        if periods[year].due > today:
            assert completeness is None, year
