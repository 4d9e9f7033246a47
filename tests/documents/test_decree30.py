"""The Decree 30/2020/NĐ-CP report: opened with python-docx and inspected, then converted with LibreOffice and
looked at (page count, A4, text, the fonts embedded, page 1 rendered to test-artifacts/)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.utils import translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from ttdn.core.errors import ServiceError
from ttdn.documents.decree30 import (
    OfficialDocument,
    Paragraph,
    Signature,
    Table,
    date_line,
    docx_to_pdf,
    heading_lines,
    number_line,
    pdf_font_problem,
    recipient_lines,
    write_docx,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BODY = ("Trong năm 2025, Sở Thông tin và Truyền thông đã phối hợp với Bộ Chỉ huy Bộ đội Biên phòng tỉnh tổ chức 02 "
        "lớp bồi dưỡng nghiệp vụ thông tin đối ngoại cho 80 cán bộ các xã biên giới; cung cấp tài liệu bằng tiếng "
        "Việt, tiếng Jrai, tiếng Lào và tiếng Khmer cho 08 đồn biên phòng và cửa khẩu quốc tế Lệ Thanh.")


def _document(number: str | None = None, day: date = date(2026, 2, 5)) -> OfficialDocument:
    body: list[Paragraph | Table] = [
        Paragraph("I. KẾT QUẢ THỰC HIỆN", level=1),
        Paragraph("1. Công tác thông tin, tuyên truyền", level=2),
        *[Paragraph(BODY) for _ in range(9)],
        Paragraph("a) Kết quả cụ thể", level=3),
        Table(["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Kết quả"],
              [["1", "Tuyên truyền Quyết định số 1191/QĐ-TTg", "Ban Tuyên giáo Tỉnh ủy", "Hoàn thành"],
               ["2", "Lớp bồi dưỡng tiếng Lào", "Sở Nội vụ", "Đang thực hiện"]], [12, 70, 45, 38]),
        Paragraph("II. PHƯƠNG HƯỚNG NĂM 2026", level=1),
        Paragraph(BODY),
    ]
    return OfficialDocument(
        agency="Sở Văn hóa, Thể thao và Du lịch", parent_agency="UBND tỉnh Gia Lai", number=number,
        symbol="BC-SVHTTDL", place="Gia Lai", date=day, kind_title="Báo cáo",
        title="Kết quả thực hiện Kế hoạch số 2509/KH-UBND năm 2025", body=body,
        recipients=["Bộ Văn hóa, Thể thao và Du lịch (b/c)", "- Thường trực Tỉnh ủy;", "Lưu: VT, KGVX"],
        signature=Signature("KT. CHỦ TỊCH", "Phó Chủ tịch", "Nguyễn Văn An"),
    )


def test_agency_names_break_at_words_as_officials_write_them() -> None:
    assert heading_lines("SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH") == ["SỞ VĂN HÓA, THỂ THAO", "VÀ DU LỊCH"]
    assert heading_lines("SỞ THÔNG TIN VÀ TRUYỀN THÔNG") == ["SỞ THÔNG TIN", "VÀ TRUYỀN THÔNG"]
    assert heading_lines("ỦY BAN NHÂN DÂN TỈNH GIA LAI") == ["ỦY BAN NHÂN DÂN", "TỈNH GIA LAI"]
    assert heading_lines("BỘ CHỈ HUY BỘ ĐỘI BIÊN PHÒNG TỈNH") == ["BỘ CHỈ HUY BỘ ĐỘI", "BIÊN PHÒNG TỈNH"]
    # What fits stays on one line; every line fits the header's column.
    assert heading_lines("UBND TỈNH GIA LAI") == ["UBND TỈNH GIA LAI"]
    assert heading_lines("SỞ NGOẠI VỤ") == ["SỞ NGOẠI VỤ"]
    for name in ("CỤC THÔNG TIN CƠ SỞ VÀ THÔNG TIN ĐỐI NGOẠI", "BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY"):
        lines = heading_lines(name)
        assert " ".join(lines) == name and 2 <= len(lines) <= 3
        assert not any(line.endswith((" VÀ", " TỈNH")) for line in lines)


def _runs(paragraph: Any) -> list[Any]:
    return [r for r in paragraph.runs if r.text.strip()]


def _size(paragraph: Any) -> float:
    sizes = {r.font.size.pt for r in _runs(paragraph)}
    assert len(sizes) == 1, paragraph.text
    return sizes.pop()


def _bold(paragraph: Any) -> bool:
    return all(r.font.bold for r in _runs(paragraph))


def _italic(paragraph: Any) -> bool:
    return all(r.font.italic for r in _runs(paragraph))


def _texts(cell: Any) -> list[Any]:
    return [p for p in cell.paragraphs if p.text.strip()]


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 2, 5), "Gia Lai, ngày 05 tháng 02 năm 2026"),
    (date(2026, 3, 5), "Gia Lai, ngày 05 tháng 3 năm 2026"),
    (date(2026, 1, 10), "Gia Lai, ngày 10 tháng 01 năm 2026"),
    (date(2026, 11, 25), "Gia Lai, ngày 25 tháng 11 năm 2026"),
    (date(2026, 12, 9), "Gia Lai, ngày 09 tháng 12 năm 2026"),
])
def test_date_line_leading_zeros(day: date, expected: str) -> None:
    assert date_line("Gia Lai", day) == expected


def test_number_and_recipient_lines() -> None:
    assert number_line(None, "BC-STTTT") == "Số: ……/BC-STTTT"
    assert number_line("5", "BC-STTTT") == "Số: 05/BC-STTTT"
    assert number_line("123", "BC-UBND") == "Số: 123/BC-UBND"
    assert recipient_lines(["A", "- B;", "Lưu: VT, NC."]) == ["- A;", "- B;", "- Lưu: VT, NC."]
    assert recipient_lines(["Sở Tài chính"]) == ["- Sở Tài chính;", "- Lưu: VT."]


def test_the_docx_follows_decree_30() -> None:
    document = Document(io.BytesIO(write_docx(_document(number="7"))))
    section = document.sections[0]
    # Word keeps lengths in twentieths of a point: compare in millimetres.
    measured = [section.page_width, section.page_height, section.top_margin, section.bottom_margin,
                section.left_margin, section.right_margin]
    assert [round(length.mm, 1) for length in measured] == [210, 297, 20, 20, 30, 15]
    # Page numbers: centred in the header from page 2; page 1 has its own empty header.
    assert section.different_first_page_header_footer
    header = section.header.paragraphs[0]
    assert header.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" in "".join(t.text or "" for t in header._p.iter(qn("w:instrText")))
    assert header.runs[0].font.size == Pt(13)
    assert not "".join(p.text for p in section.first_page_header.paragraphs).strip()

    # Times New Roman for every script slot of every run, and in the Normal style.
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    for run_fonts in document.element.body.iter(qn("w:rFonts")):
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            assert run_fonts.get(qn(slot)) == "Times New Roman"

    head = document.tables[0]
    left, right = head.rows[0].cells
    parent, agency, number = _texts(left)
    assert (parent.text, _size(parent), _bold(parent)) == ("UBND TỈNH GIA LAI", 13, False)
    # The agency's name on two lines, broken at the word an official breaks it at (a line break in one paragraph).
    assert (agency.text, _size(agency), _bold(agency)) == ("SỞ VĂN HÓA, THỂ THAO\nVÀ DU LỊCH", 13, True)
    assert len(agency._p.findall(".//" + qn("w:br"))) == 1
    assert (number.text, _size(number)) == ("Số: 07/BC-SVHTTDL", 13)
    national, motto, dated = _texts(right)
    assert (national.text, _size(national), _bold(national)) == ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, True)
    assert (motto.text, _size(motto), _bold(motto)) == ("Độc lập - Tự do - Hạnh phúc", 13, True)
    # A solid rule under the motto, and a short one under the agency's name.
    for cell, after in ((right, motto), (left, agency)):
        paragraphs = cell.paragraphs
        rule = paragraphs[[p._p for p in paragraphs].index(after._p) + 1]
        bottom = rule._p.find(qn("w:pPr")).find(qn("w:pBdr")).find(qn("w:bottom"))
        assert bottom.get(qn("w:val")) == "single"
    assert (dated.text, _size(dated), _italic(dated)) == ("Gia Lai, ngày 05 tháng 02 năm 2026", 14, True)
    # The header table has no borders.
    borders = head._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}

    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    kind, title = paragraphs[0], paragraphs[1]
    assert (kind.text, _size(kind), _bold(kind), kind.alignment) == ("BÁO CÁO", 14, True, WD_ALIGN_PARAGRAPH.CENTER)
    assert title.text.startswith("Kết quả thực hiện") and _bold(title)
    body = next(p for p in paragraphs if p.text == BODY)
    assert (body.alignment, _size(body), _bold(body)) == (WD_ALIGN_PARAGRAPH.JUSTIFY, 14, False)
    assert body.paragraph_format.first_line_indent > 0
    heading = next(p for p in paragraphs if p.text.startswith("I. "))
    assert _bold(heading)

    data_table = document.tables[1]
    assert [c.text for c in data_table.rows[0].cells] == ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Kết quả"]
    assert _bold(data_table.rows[0].cells[1].paragraphs[0])
    assert data_table.rows[2].cells[2].text == "Sở Nội vụ"

    closing = document.tables[-1]
    left, right = closing.rows[0].cells
    heading, *recipients = _texts(left)
    assert (heading.text, _size(heading), _bold(heading), _italic(heading)) == ("Nơi nhận:", 12, True, True)
    assert [r.text for r in recipients] == [
        "- Bộ Văn hóa, Thể thao và Du lịch (b/c);", "- Thường trực Tỉnh ủy;", "- Lưu: VT, KGVX."]
    assert {_size(r) for r in recipients} == {11}
    authority, position, name = _texts(right)
    assert (authority.text, _size(authority), _bold(authority)) == ("KT. CHỦ TỊCH", 14, True)
    assert (position.text, _size(position), _bold(position)) == ("PHÓ CHỦ TỊCH", 14, True)
    assert (name.text, _size(name), _bold(name)) == ("Nguyễn Văn An", 14, True)
    # Room for the signature and seal between the title and the name.
    cells = right.paragraphs
    assert [p._p for p in cells].index(name._p) - [p._p for p in cells].index(position._p) >= 4


def test_without_a_number_the_line_is_left_for_the_clerk() -> None:
    document = Document(io.BytesIO(write_docx(_document(number=None))))
    left = document.tables[0].rows[0].cells[0]
    assert "Số: ……/BC-SVHTTDL" in [p.text for p in left.paragraphs]


def test_the_pdf_looks_like_an_official_document() -> None:
    pdf_bytes = docx_to_pdf(write_docx(_document(number="12")))
    assert pdf_bytes.startswith(b"%PDF")
    # Times New Roman or its metric twin Liberation Serif is what LibreOffice embedded.
    assert b"LiberationSerif" in pdf_bytes or b"TimesNewRoman" in pdf_bytes
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        assert len(pdf) >= 2
        for index in range(len(pdf)):
            width, height = pdf[index].get_size()
            assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1  # A4 in points
        pages = []
        for index in range(len(pdf)):
            textpage = pdf[index].get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
        first = pages[0]
        for text in ("UBND TỈNH GIA LAI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Số: 12/BC-SVHTTDL", "Gia Lai, ngày 05 tháng 02 năm 2026", "BÁO CÁO"):
            assert text in first, text
        assert not first.lstrip().startswith("1")  # no page number on page 1
        assert pages[1].lstrip().startswith("2")  # page 2 is numbered at the top
        last = pages[-1]
        for text in ("Nơi nhận:", "- Lưu: VT, KGVX.", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn An"):
            assert text in last, text
        # Letters with two marks stay whole in the text layer (a fallback font splits "TỈNH" into "T NH … Ỉ").
        for word in ("TỈNH", "Thông tin", "Độc lập", "đối ngoại", "bồi dưỡng", "Biên phòng"):
            assert any(word in page for page in pages), word
        ARTIFACTS.mkdir(exist_ok=True)
        image = pdf[0].render(scale=1.5).to_pil()
        image.save(ARTIFACTS / "documents-decree30-page1.png")
        # Ink on the page: the header, title and body are drawn, not a blank page.
        assert image.convert("L").getextrema()[0] < 50
    finally:
        pdf.close()


def test_every_font_in_the_pdf_has_times_new_romans_metrics() -> None:
    """No letter may come from a fallback font: that is how a machine without a full Vietnamese Times-metric font
    (Debian's fonts-liberation 1.07) breaks the PDFs users download."""
    pdf_bytes = docx_to_pdf(write_docx(_document(number="12")))
    names = {m.group(1).decode() for m in re.finditer(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([^\s/\[\]<>()]+)", pdf_bytes)}
    assert names, "the PDF names no fonts"
    assert all(name.startswith(("LiberationSerif", "TimesNewRoman", "Tinos")) for name in names), names


def test_the_server_says_when_pdfs_lack_a_vietnamese_times_font(tmp_path: Path) -> None:
    assert pdf_font_problem() is None  # the quick-start commands install fonts-liberation2
    # A fontconfig that sees only DejaVu and the old Liberation 1.07, as on a machine without fonts-liberation2.
    conf = tmp_path / "fonts.conf"
    old_fonts = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")
    dirs = "".join(f"<dir>{d}</dir>" for d in old_fonts if Path(d).is_dir())
    conf.write_text(f'<?xml version="1.0"?><fontconfig>{dirs}<cachedir>{tmp_path}/cache</cachedir></fontconfig>')
    probe = ("import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'tests.settings'; django.setup();"
             "from django.utils import translation; translation.activate('vi');"
             "from ttdn.documents.decree30 import pdf_font_problem; print(pdf_font_problem())")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True,
                         env={**os.environ, "FONTCONFIG_FILE": str(conf)}, cwd=Path(__file__).resolve().parents[2])
    assert "fonts-liberation2" in out.stdout and "Times New Roman" in out.stdout, out.stdout + out.stderr
    # And `ttdn check --deploy` lists it among what a production set-up lacks.
    check = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--settings", "tests.settings"],
                           capture_output=True, text=True, timeout=120, check=False,
                           env={**os.environ, "FONTCONFIG_FILE": str(conf)}, cwd=Path(__file__).resolve().parents[2])
    assert "documents.W001" in check.stdout + check.stderr


def test_a_missing_libreoffice_is_said_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTDN_SOFFICE", "/nonexistent/soffice")
    with translation.override("vi"):
        with pytest.raises(ServiceError) as caught:
            docx_to_pdf(write_docx(_document()))
        # The message is translated when read: read it in Vietnamese, whatever an earlier test in this worker
        # left active (it failed once, read in English after the block).
        message = str(caught.value.message)
    assert caught.value.code == "documents.no_soffice"
    assert "LibreOffice" in message and "chưa cài" in message
