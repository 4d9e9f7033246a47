"""Tables as XLSX, opened again with openpyxl."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from ttdn.documents.xlsx import Sheet, write_xlsx


def test_xlsx_is_readable_and_formatted() -> None:
    tasks = Sheet(
        "Nhiệm vụ", ["Mã", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Tiến độ (%)"],
        [["II.B.1", "Tuyên truyền Quyết định số 1191/QĐ-TTg cho cán bộ các xã biên giới", "Ban Tuyên giáo Tỉnh ủy",
          date(2026, 11, 25), 40],
         ["II.B.2", "Ấn phẩm song ngữ Việt – Jrai (ƀ, ĕ, ŏ)", "Sở Văn hóa, Thể thao và Du lịch", None, 12.5],
         ["II.B.3", "=HYPERLINK(\"http://x\")", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", None, 0]],
        widths=[10, 60, 35, 12, 12],
    )
    budget = Sheet("Kinh phí: 2026/2027 [dự toán]", ["Năm", "Dự toán"], [[2026, 150_000_000], [2027, 0]])
    again = Sheet("Nhiệm vụ", ["x"], [["y"]])
    workbook = load_workbook(io.BytesIO(write_xlsx([tasks, budget, again])))
    assert workbook.sheetnames == ["Nhiệm vụ", "Kinh phí  2026 2027  dự toán", "Nhiệm vụ (2)"]

    ws = workbook["Nhiệm vụ"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == tasks.headers
    assert all(c.font.bold for c in ws[1])
    assert ws["B3"].value == "Ấn phẩm song ngữ Việt – Jrai (ƀ, ĕ, ŏ)"
    assert ws["C2"].value == "Ban Tuyên giáo Tỉnh ủy"
    assert ws["D2"].value.date() == date(2026, 11, 25) and ws["D2"].number_format == "DD/MM/YYYY"
    assert ws["E3"].value == 12.5
    assert ws["B2"].alignment.wrap_text
    assert ws.column_dimensions["B"].width == 60
    # Text that looks like a formula stays text.
    assert ws["B4"].data_type == "s" and ws["B4"].value.startswith("'=")

    ws2 = workbook.worksheets[1]
    assert ws2["B2"].value == 150_000_000
    assert 8 <= ws2.column_dimensions["A"].width <= 60


def test_an_empty_workbook_still_opens() -> None:
    workbook = load_workbook(io.BytesIO(write_xlsx([])))
    assert len(workbook.sheetnames) == 1
