"""Documents out of a plan: the consolidated annual report and the phase summary (Decree 30 DOCX, one PDF
conversion), the task table and the budget as XLSX; and the reminder command."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from typing import Any

import pytest
from django.core.management import call_command
from docx import Document
from docx.shared import Mm
from openpyxl import load_workbook

from ttdn.core.errors import PermissionDenied
from ttdn.programme import exports, services
from ttdn.programme.models import Notification, ProgressReport

from .conftest import PW, at

pytestmark = pytest.mark.django_db


def _all_text(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _submit(pw: PW, user: Any, year: int, text: str, on: dt.datetime) -> ProgressReport:
    period = pw.plan.periods.get(year=year)
    report = services.do_open_report(user, period, user.agency)
    # A status only for the tasks the agency leads (a coordinator reports its part: test_lead_status.py).
    entries = {e.task_id: (text, "in_progress" if services.leads_task(e.task, report.agency) else "")
               for e in report.entries.select_related("task__plan")}
    services.do_save_report(user, report, summary=text, difficulties="Thiếu kinh phí lắp đặt.", entries=entries)
    report = services.do_submit_report(user, report)
    ProgressReport.objects.filter(pk=report.pk).update(submitted_at=on)
    return report


@pytest.fixture
def reported(pw: PW) -> PW:
    pw.plan.reporting_agencies.set([pw.world.gl_dept, pw.world.gl_bgc])
    _submit(pw, pw.reporter_bgc, 2024, "Đồn Biên phòng Ia O đã lắp màn hình thông tin.", at(2024, 11, 20))
    _submit(pw, pw.reporter_dept, 2024, "Đã cung cấp 240 tin, bài cho các đồn biên phòng.", at(2024, 12, 2))
    return pw


def test_consolidated_annual_report_docx(reported: PW) -> None:
    pw = reported
    data = exports.annual_report_docx(pw.manager, pw.plan, 2024, signer="Nguyễn Văn A", on=dt.date(2024, 12, 5))
    document = Document(io.BytesIO(data))
    section = document.sections[0]
    width, height, left = section.page_width, section.page_height, section.left_margin
    assert width is not None and height is not None and left is not None
    assert abs(width - Mm(210)) < Mm(1) and abs(height - Mm(297)) < Mm(1) and abs(left - Mm(30)) < Mm(1)
    text = _all_text(document)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "BÁO CÁO" in text and "năm 2024" in text and "2509/KH-UBND" in text
    assert "Gia Lai, ngày 05 tháng 12 năm 2024" in text
    # The coordinating agency reports, under its parent, which names the province: the agency's line drops it and
    # is broken at a word boundary ("… THỂ THAO / VÀ DU LỊCH"), as read back from the file.
    heading = [p.text for p in document.tables[0].rows[0].cells[0].paragraphs if p.text.strip()]
    assert heading[:2] == ["UBND TỈNH GIA LAI", "SỞ VĂN HÓA, THỂ THAO\nVÀ DU LỊCH"], heading
    # Each task with the submitted texts of the agencies, naming them.
    assert "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Gia Lai: Đồn Biên phòng Ia O đã lắp màn hình thông tin." in text
    assert "Đã cung cấp 240 tin, bài cho các đồn biên phòng." in text
    assert "Thiếu kinh phí lắp đặt." in text
    # Completeness: 2 of 2 submitted, 1 on time (the department sent it after 25/11).
    assert "đã gửi: 2" in text and "gửi đúng hạn: 1" in text and "tỷ lệ đúng hạn 50%" in text
    assert "Cung cấp thông tin cho các đồn biên phòng, cửa khẩu" in text
    assert "Nơi nhận:" in text and "Nguyễn Văn A" in text and "KT. GIÁM ĐỐC" in text
    # Indicator table present with the targets.
    assert "08 đồn biên phòng được trang bị màn hình thông tin" in text
    with pytest.raises(PermissionDenied):
        exports.annual_report_docx(pw.reporter_bgc, pw.plan, 2024)


def test_phase_summary_docx_and_pdf(reported: PW) -> None:
    pw = reported
    data = exports.phase_summary_docx(pw.manager, pw.plan, 0, signer="Nguyễn Văn A")
    text = _all_text(Document(io.BytesIO(data)))
    assert "giai đoạn 2020 - 2025" in text
    assert "Đồn Biên phòng Ia O đã lắp màn hình thông tin." in text
    from ttdn.documents.decree30 import docx_to_pdf, soffice_path

    if soffice_path() is None and not shutil.which("soffice"):
        pytest.fail("LibreOffice is needed to convert the report to PDF: apt-get install libreoffice-writer-nogui")
    pdf = docx_to_pdf(data)
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) >= 2
        first = document[0].get_textpage().get_text_range()
        assert "BÁO CÁO" in first and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first
        everything = "".join(document[n].get_textpage().get_text_range() for n in range(len(document)))
        assert "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Gia Lai" in everything
    finally:
        document.close()


def test_task_table_and_budget_xlsx(reported: PW) -> None:
    pw = reported
    task = pw.plan.tasks.get(key="II.1.b")
    services.do_save_budget_line(pw.reporter_bgc, pw.plan, year=2024, agency=pw.world.gl_bgc, task=task,
                                 estimate="450.000.000")
    line = services.do_save_budget_line(pw.reporter_dept, pw.plan, year=2024, agency=pw.world.gl_dept,
                                        estimate=120_000_000)
    services.do_save_budget_line(pw.manager, pw.plan, year=2024, agency=pw.world.gl_dept, estimate=120_000_000,
                                 approved=100_000_000, spent=80_000_000, line=line)
    with pytest.raises(PermissionDenied):  # an agency estimates for itself only, and does not approve
        services.do_save_budget_line(pw.reporter_bgc, pw.plan, year=2024, agency=pw.world.gl_dept, estimate=1)
    with pytest.raises(PermissionDenied):
        services.do_save_budget_line(pw.reporter_bgc, pw.plan, year=2024, agency=pw.world.gl_bgc, estimate=1,
                                     approved=1)
    book = load_workbook(io.BytesIO(exports.tasks_xlsx(pw.manager, pw.plan)))
    sheet = book[book.sheetnames[0]]
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert list(rows[0][:4]) == ["Số TT", "Mục", "Nhiệm vụ", "Cơ quan chủ trì"]
    keys = [r[0] for r in rows[1:]]
    assert keys == ["II.1.a", "II.1.b", "II.2.a"]
    assert rows[2][3] == "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Gia Lai"
    # Groups are named in Vietnamese in the document, whatever the reader's interface language.
    assert rows[1][4] == "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Gia Lai; UBND các huyện biên giới"
    budget = load_workbook(io.BytesIO(exports.budget_xlsx(pw.manager, pw.plan)))
    lines = list(budget[budget.sheetnames[0]].iter_rows(values_only=True))[1:]
    assert sorted((r[3], r[4], r[5], r[6]) for r in lines) == [
        ("Bộ Chỉ huy Bộ đội Biên phòng tỉnh Gia Lai", 450_000_000, None, None),
        ("Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai", 120_000_000, 100_000_000, 80_000_000),
    ]
    totals = list(budget[budget.sheetnames[1]].iter_rows(values_only=True))[1:]
    assert totals == [(2024, 570_000_000, 100_000_000, 80_000_000)]


def test_send_reminders_command(pw: PW) -> None:
    from django.test import TestCase

    pw.plan.reporting_agencies.set([pw.world.gl_bgc])
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_reminders", "--date", "2025-11-24", stdout=out)
        call_command("send_reminders", "--date", "2025-11-24", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("Đã gửi 1 ")
    assert out.getvalue().splitlines()[1].startswith("Đã gửi 0 ")
    assert Notification.objects.filter(user=pw.reporter_bgc).count() == 1


def test_chart_library_is_vendored_and_loads_nothing_remote() -> None:
    from pathlib import Path

    import ttdn.programme

    static = Path(ttdn.programme.__file__).parent / "static" / "programme"
    library = (static / "chart.umd.min.js").read_text(encoding="utf-8")
    assert library.startswith("/*!\n * Chart.js v4.") and "sourceMappingURL" not in library
    assert (static / "chart.LICENSE.md").exists()
    own = (static / "dashboard.js").read_text(encoding="utf-8")
    assert "http" not in own


def test_the_consolidated_report_keeps_each_agencys_words_and_the_signer_from_the_form(reported: PW) -> None:
    from django.test import Client

    from ttdn.content.models import State

    from ..conftest import advance, make_item

    pw = reported
    task = pw.plan.tasks.get(key="II.1.b")
    item = advance(pw.world, make_item(pw.world, title="Tờ gấp song ngữ Việt - Lào về cột mốc"), State.PUBLISHED)
    update = services.do_add_progress(pw.reporter_bgc, task, "Đã phát 2.000 tờ gấp.", item_uids=[str(item.uid)])
    type(update).objects.filter(pk=update.pk).update(created_at=at(2024, 6, 1))
    client = Client()
    client.force_login(pw.manager)
    # The signer and the position typed on the reporting page's form travel with the download.
    page = client.get(f"/plans/{pw.plan.pk}/reporting/").content.decode()
    assert 'name="signer"' in page and 'name="position"' in page and 'data-testid="annual-2024"' in page
    response = client.get(f"/plans/{pw.plan.pk}/annual-2024.docx",
                          {"signer": "Trần Thị B", "position": "Giám đốc"})
    assert response.status_code == 200
    text = _all_text(Document(io.BytesIO(response.content)))
    # Each agency's general results, in its own words, under their own heading.
    assert "I. KẾT QUẢ CHUNG" in text
    assert "- Bộ Chỉ huy Bộ đội Biên phòng tỉnh Gia Lai: Đồn Biên phòng Ia O đã lắp màn hình thông tin." in text
    assert "Đã cung cấp 240 tin, bài cho các đồn biên phòng." in text
    # Headings numbered once, by the plan's own numbers.
    assert "II.1. Thông tin, tuyên truyền" in text and "1. II.1." not in text
    # Evidence per task: the published material linked, with the agency that linked it.
    assert "Minh chứng: tài liệu “Tờ gấp song ngữ Việt - Lào về cột mốc” (Bộ Chỉ huy Bộ đội Biên phòng" in text
    # The head signs in person: no "KT." line.
    assert "Trần Thị B" in text and "GIÁM ĐỐC" in text and "KT. GIÁM ĐỐC" not in text
    deputy = client.get(f"/plans/{pw.plan.pk}/annual-2024.docx", {"signer": "Lê Văn C", "position": "Phó Giám đốc"})
    text = _all_text(Document(io.BytesIO(deputy.content)))
    assert "KT. GIÁM ĐỐC" in text and "PHÓ GIÁM ĐỐC" in text and "Lê Văn C" in text
