"""In a real browser, in Vietnamese: an agency's reporter writes and submits its annual report; the plan manager
of the coordinating department sees it in the reporting table and downloads the consolidated DOCX."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from playwright.sync_api import expect

from ttdn.programme.models import ProgressReport, ReportState

from ..conftest import PASSWORD, World
from .conftest import build_pw

pytestmark = pytest.mark.browser

RESULT = "Đã lắp màn hình thông tin tại Đồn Biên phòng Ia O và Ia Chia; phát 1.200 tờ gấp song ngữ."


def test_agency_submits_and_department_downloads_consolidated_docx(
    browser_world: World, new_page: Callable[..., Any], live_server: Any, tmp_path: Path
) -> None:
    pw = build_pw(browser_world, password=PASSWORD)
    base = live_server.url
    year = 2021

    reporter = new_page(pw.reporter_bgc)
    reporter.goto(f"{base}/plans/my-reports/")
    expect(reporter.locator("html")).to_have_attribute("lang", "vi")
    reporter.click(f"[data-testid=start-{year}]")
    expect(reporter.locator("[data-testid=report-state]")).to_have_attribute("data-state", "draft")
    reporter.fill("#id_summary", "Tổng hợp kết quả năm 2021 của Bộ Chỉ huy Bộ đội Biên phòng tỉnh.")
    task = pw.plan.tasks.get(key="II.1.b")
    reporter.fill(f"#entry_{task.pk}", RESULT)
    reporter.select_option(f"#status_{task.pk}", "done")
    reporter.click("[data-testid=submit-report]")
    expect(reporter.locator("[data-testid=report-state]")).to_have_attribute("data-state", "submitted")
    report = ProgressReport.objects.get(period__plan=pw.plan, period__year=year, agency=pw.world.gl_bgc)
    assert report.state == ReportState.SUBMITTED

    manager = new_page(pw.manager)
    manager.goto(f"{base}/plans/{pw.plan.pk}/reporting/")
    row = manager.locator(f"[data-agency={pw.world.gl_bgc.code}]")
    expect(row.locator(".rep-on_time, .rep-late")).to_have_count(1)
    with manager.expect_download() as info:
        manager.click(f"[data-testid=annual-{year}]")
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    document = Document(io.BytesIO(target.read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for r in table.rows for cell in r.cells)
    assert "BÁO CÁO" in text
    assert f"Bộ Chỉ huy Bộ đội Biên phòng tỉnh Gia Lai: {RESULT}" in text

    # The dashboard draws its charts with the vendored Chart.js, offline.
    manager.goto(f"{base}/plans/{pw.plan.pk}/dashboard/")
    manager.wait_for_function("() => window.Chart && ['chart-status', 'chart-agency', 'chart-attainment', "
                              "'chart-reporting'].every((id) => window.Chart.getChart(id))")
    assert manager.evaluate("window.Chart.version").startswith("4.")

    # The reporter may not download the consolidated report.
    reporter.goto(f"{base}/plans/{pw.plan.pk}/annual-{year}.docx")
    expect(reporter.locator("[data-testid=forbidden]")).to_be_visible()
