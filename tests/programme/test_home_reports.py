"""A reporter's home page lists the reports their agency still owes, the overdue marked, through the page itself."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from ttdn.programme import services
from ttdn.programme.models import ReportPeriod

from .conftest import PW

pytestmark = pytest.mark.django_db


def _home(user: object) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get("/", follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _rows(page: str) -> list[str]:
    return re.findall(r'data-testid="due-(\d+-\d{4})"', page)


def test_a_reporter_sees_the_reports_due_and_overdue_on_the_home_page(pw: PW) -> None:
    plan, today = pw.plan, timezone.localdate()
    # This year's period is open and due next month; last year's was due and not sent.
    ReportPeriod.objects.filter(plan=plan).delete()
    this = ReportPeriod.objects.create(plan=plan, year=today.year, start=dt.date(today.year, 1, 1),
                                       end=dt.date(today.year, 12, 31), due=today + dt.timedelta(days=30))
    last = ReportPeriod.objects.create(plan=plan, year=today.year - 1, start=dt.date(today.year - 1, 1, 1),
                                       end=dt.date(today.year - 1, 12, 31), due=today - dt.timedelta(days=300))
    ReportPeriod.objects.create(plan=plan, year=today.year + 1, start=dt.date(today.year + 1, 1, 1),
                                end=dt.date(today.year + 1, 12, 31), due=today + dt.timedelta(days=400))

    page = _home(pw.reporter_bgc)
    assert 'data-testid="section-reports-due"' in page and "Báo cáo cơ quan cần gửi" in page
    # The overdue first, then the one due; a period not begun is not owed yet.
    assert _rows(page) == [f"{plan.pk}-{last.year}", f"{plan.pk}-{this.year}"]
    assert page.count('data-testid="overdue"') == 1 and "1 quá hạn" in page
    assert last.due.strftime("%d/%m/%Y") in page and "/plans/my-reports/" in page

    # Once sent, a report leaves the list; the list goes when nothing is owed.
    report = services.do_open_report(pw.reporter_bgc, last, pw.world.gl_bgc)
    services.do_save_report(pw.reporter_bgc, report, summary="Đã lắp màn hình thông tin tại Đồn Biên phòng Ia O.")
    services.do_submit_report(pw.reporter_bgc, report)
    assert _rows(_home(pw.reporter_bgc)) == [f"{plan.pk}-{this.year}"]
    report = services.do_open_report(pw.reporter_bgc, this, pw.world.gl_bgc)
    services.do_save_report(pw.reporter_bgc, report, summary="Đã cung cấp 120 tin, bài.")
    assert _rows(_home(pw.reporter_bgc)) == [f"{plan.pk}-{this.year}"]  # opened, not yet sent: still owed
    services.do_submit_report(pw.reporter_bgc, report)
    assert 'data-testid="section-reports-due"' not in _home(pw.reporter_bgc)


def test_only_the_agencys_own_reports_and_only_for_its_reporters(pw: PW) -> None:
    plan = pw.plan
    # The plan's periods from 2020 on have all begun: the border-guard command owes them; an agency outside the
    # plan and a content contributor owe nothing here.
    owed = _rows(_home(pw.reporter_bgc))
    assert owed and all(row.startswith(f"{plan.pk}-") for row in owed)
    assert 'data-testid="section-reports-due"' not in _home(pw.reporter_dl)
    assert 'data-testid="section-reports-due"' not in _home(pw.world.contributor)
    assert 'data-testid="section-reports-due"' not in _home(pw.manager)  # a manager writes no agency report
