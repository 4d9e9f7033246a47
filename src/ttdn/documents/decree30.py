"""Reports as DOCX in the format of Decree 30/2020/NĐ-CP (administrative documents), and PDF through LibreOffice.

The layout follows the decree's appendix I: A4, margins 20/20/30/15 mm, Times New Roman, the agency and the
national title side by side in a borderless table, the motto with a rule under it, the italic place-and-date
line, page numbers centred at the top from page 2, and "Nơi nhận" beside the signature block.
"""

from __future__ import annotations

import io
import itertools
import os
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from ttdn.core.errors import ServiceError

FONT = "Times New Roman"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
# Text width on A4 with 30 mm + 15 mm margins.
TEXT_WIDTH_MM = 165.0
HEADER_LEFT_MM = 62.0
SOFFICE_TIMEOUT = float(os.environ.get("TTDN_SOFFICE_TIMEOUT", "120"))


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False
    level: int = 0  # 1..3 are headings "I.", "1.", "a)"; 0 is body text


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths_mm: list[float] | None = None


@dataclass
class Signature:
    authority: str  # "KT. CHỦ TỊCH" (may hold two lines: "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH")
    position: str  # "PHÓ CHỦ TỊCH"
    name: str  # "Nguyễn Văn A"


@dataclass
class OfficialDocument:
    agency: str
    parent_agency: str
    number: str | None
    symbol: str  # "BC-STTTT"; the number is left as a dotted blank when None
    place: str
    date: date
    kind_title: str  # "BÁO CÁO"
    title: str  # "Kết quả thực hiện …"
    body: list[Paragraph | Table] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signature: Signature = field(default_factory=lambda: Signature("", "", ""))


# Widths of Times New Roman Bold capitals in thousandths of an em (its AFM metrics); a marked letter is as wide
# as its base letter. Used to break the agency's name in the header where Word would, but at a chosen word.
_CAPS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944,
                                               722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667),
                 strict=True))
_NARROW = {" ": 250, ",": 250, ".": 250, "-": 333, "(": 333, ")": 333, "&": 833}
# Word pairs that are one word (the two syllables of a compound, or a level and its name's first syllable): a line
# never breaks between them when another break fits.
_TOGETHER = {"ỦY BAN", "NHÂN DÂN", "VĂN HÓA", "THỂ THAO", "DU LỊCH", "THÔNG TIN", "TRUYỀN THÔNG", "BỘ ĐỘI",
             "BIÊN PHÒNG", "CHỈ HUY", "QUÂN SỰ", "NGOẠI VỤ", "NỘI VỤ", "CÔNG AN", "TUYÊN GIÁO", "DÂN VẬN",
             "TỈNH ỦY", "KHOA HỌC", "CÔNG NGHỆ", "GIÁO DỤC", "ĐÀO TẠO", "TÀI CHÍNH", "KẾ HOẠCH", "ĐẦU TƯ",
             "PHÁT THANH", "TRUYỀN HÌNH", "XÚC TIẾN", "HỮU NGHỊ", "LIÊN HIỆP", "TỔ CHỨC", "CÁC TỔ", "MẶT TRẬN",
             "TỔ QUỐC", "VIỆT NAM"}
# A word that needs the name after it on its line ("TỈNH / GIA LAI" is never right).
_LEADS_NAME = {"TỈNH", "HUYỆN", "XÃ", "PHƯỜNG", "THÀNH", "SỞ", "BAN", "BỘ", "ĐÀI", "BÁO", "ĐỒN", "CỤC", "PHÒNG"}
# Cell margins of the header table (Word's default 1.9 mm a side).
_CELL_MARGINS_MM = 3.8


def _width_mm(text: str, size: float) -> float:
    units = 0
    for char in text.upper():
        base = unicodedata.normalize("NFD", char)[:1].replace("Đ", "D")
        units += _CAPS.get(base, _NARROW.get(base, 500))
    return units / 1000 * size * 25.4 / 72


def heading_lines(text: str, width_mm: float = HEADER_LEFT_MM - _CELL_MARGINS_MM, size: float = 13) -> list[str]:
    """An agency's name in capitals broken into the fewest lines that fit the header's column, each break at a
    word boundary chosen as an official writes it: before "VÀ" first ("SỞ VĂN HÓA, THỂ THAO / VÀ DU LỊCH"),
    then after a comma; never inside a compound ("THỂ / THAO"), after "VÀ", or between a level and its name
    ("TỈNH / GIA LAI") when another break fits; the most even lines among equals."""
    words = text.split()
    if not words or _width_mm(" ".join(words), size) <= width_mm:
        return [" ".join(words)] if words else []

    def cost(at: int) -> int:  # of a break before words[at]
        before, after = words[at - 1].upper(), words[at].upper()
        if after == "VÀ":
            return 0
        if before.endswith(","):
            return 1
        if before == "VÀ" or before in _LEADS_NAME or f"{before.rstrip(',')} {after}" in _TOGETHER:
            return 8
        return 3

    for count in range(2, min(len(words), 5) + 1):
        best: tuple[float, list[str]] | None = None
        for breaks in itertools.combinations(range(1, len(words)), count - 1):
            edges = [0, *breaks, len(words)]
            lines = [" ".join(words[a:b]) for a, b in itertools.pairwise(edges)]
            widths = [_width_mm(line, size) for line in lines]
            if max(widths) > width_mm:
                continue
            score = sum(cost(at) for at in breaks) + (max(widths) - min(widths)) / width_mm
            if best is None or score < best[0]:
                best = (score, lines)
        if best is not None:
            return best[1]
    return [" ".join(words)]  # a single word wider than the column: Word breaks it as it must


def date_line(place: str, day: date) -> str:
    """"Gia Lai, ngày 05 tháng 02 năm 2026": a leading zero for days under 10 and for months 1 and 2 only."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def number_line(number: str | None, symbol: str) -> str:
    """"Số: 05/BC-STTTT": numbers under 10 get a leading zero; no number yet leaves a dotted blank."""
    if number is None or not str(number).strip():
        return f"Số: ……/{symbol}"
    text = str(number).strip()
    if text.isdigit() and int(text) < 10:
        text = f"{int(text):02d}"
    return f"Số: {text}/{symbol}"


def recipient_lines(recipients: list[str]) -> list[str]:
    """Each recipient "- …;", the filing line last as "- Lưu: VT, …." (added when the caller gave none)."""
    names = [r.strip().lstrip("-–").strip().rstrip(";.,").strip() for r in recipients]
    names = [n for n in names if n]
    keep = [n for n in names if not n.lower().startswith("lưu")]
    filing = next((n for n in names if n.lower().startswith("lưu")), "Lưu: VT")
    return [f"- {n};" for n in keep] + [f"- {filing}."]


# ------------------------------------------------------------------------------------------------ low level


def _set_run_font(run: object, size: float | None = None, bold: bool | None = None,
                  italic: bool | None = None) -> None:
    font = run.font  # type: ignore[attr-defined]
    font.name = FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    _rfonts(run._element.get_or_add_rPr())  # type: ignore[attr-defined]


def _rfonts(rpr: object) -> None:
    """Word picks the font per script: set all four slots, or Vietnamese letters may fall back elsewhere."""
    fonts = rpr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)  # type: ignore[attr-defined]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _para(container: object, text: str = "", *, size: float = 14, bold: bool = False, italic: bool = False,
          align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.CENTER, before: float = 0, after: float = 0,
          first_line_mm: float | None = None, line: float | None = None,
          reuse: DocxParagraph | None = None) -> DocxParagraph:
    paragraph: DocxParagraph = reuse if reuse is not None else container.add_paragraph()  # type: ignore[attr-defined]
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line
    if first_line_mm is not None:
        fmt.first_line_indent = Mm(first_line_mm)
    if text:
        run = paragraph.add_run(text)
        _set_run_font(run, size, bold, italic)
    return paragraph


def _rule(container: object, *, left_mm: float, right_mm: float, reuse: DocxParagraph | None = None) -> None:
    """A solid rule: an empty, tiny paragraph whose bottom border runs between its indents."""
    paragraph = _para(container, "", reuse=reuse)
    _set_run_font(paragraph.add_run(""), 2)
    paragraph.paragraph_format.line_spacing = Pt(4)
    paragraph.paragraph_format.space_before = Pt(3)
    fmt = paragraph.paragraph_format
    fmt.left_indent = Mm(left_mm)
    fmt.right_indent = Mm(right_mm)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    ppr.append(borders)


def _no_borders(table: DocxTable) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _cell_widths(table: DocxTable, widths_mm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)
    for column, width in zip(table.columns, widths_mm, strict=False):
        column.width = Mm(width)


def _cell_para(cell: _Cell, text: str, used: list[bool], **kw: Any) -> DocxParagraph:
    """A new cell holds one empty paragraph: fill it first, so no blank line appears on top."""
    if not used[0]:
        used[0] = True
        return _para(cell, text, reuse=cell.paragraphs[0], **kw)
    return _para(cell, text, **kw)


def _lines(paragraph: DocxParagraph, lines: list[str], *, size: float, bold: bool) -> None:
    """Lines of one paragraph, each after a line break (so the rule under it stays one paragraph below)."""
    for n, line in enumerate(lines):
        run = paragraph.add_run()
        if n:
            run.add_break()
        run.add_text(line)
        _set_run_font(run, size, bold)


def _page_number_header(section: object) -> None:
    """Page numbers centred in the top margin, 13 pt, from page 2 on (the first page has its own, empty header)."""
    section.different_first_page_header_footer = True  # type: ignore[attr-defined]
    header = section.header  # type: ignore[attr-defined]
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    _set_run_font(run, 13)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._element.append(element)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            placeholder = OxmlElement("w:t")
            placeholder.text = text
            run._element.append(placeholder)
    first = section.first_page_header  # type: ignore[attr-defined]
    first.is_linked_to_previous = False


def _styles(document: object) -> None:
    normal = document.styles["Normal"]  # type: ignore[attr-defined]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    _rfonts(normal.element.get_or_add_rPr())
    # Languages: Vietnamese text, so spell checkers and hyphenation treat it as such.
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    rpr.append(lang)
    # The document defaults too, for text that escapes the Normal style (tables, headers).
    defaults = document.styles.element.find(qn("w:docDefaults"))  # type: ignore[attr-defined]
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            inner = rpr_default.find(qn("w:rPr"))
            if inner is not None:
                _rfonts(inner)


# ------------------------------------------------------------------------------------------------ the parts


def _header(document: object, doc: OfficialDocument) -> None:
    table = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    right_mm = TEXT_WIDTH_MM - HEADER_LEFT_MM + 10  # the header may reach into the margins a little
    _cell_widths(table, [HEADER_LEFT_MM, right_mm])
    left, right = table.rows[0].cells
    used = [False]
    if doc.parent_agency:
        _lines(_cell_para(left, "", used), heading_lines(doc.parent_agency.upper()), size=13, bold=False)
    _lines(_cell_para(left, "", used), heading_lines(doc.agency.upper()), size=13, bold=True)
    # The short rule under the agency's name: about a third of the column, centred.
    _rule(left, left_mm=HEADER_LEFT_MM / 3, right_mm=HEADER_LEFT_MM / 3)
    _cell_para(left, number_line(doc.number, doc.symbol), used, size=13, before=6)
    used = [False]
    _cell_para(right, NATIONAL_TITLE, used, size=12, bold=True)
    _cell_para(right, MOTTO, used, size=13, bold=True)
    # The rule under the motto is as long as the motto (≈ 62 mm at 13 pt bold).
    side = max((right_mm - 62) / 2, 0)
    _rule(right, left_mm=side, right_mm=side)
    _cell_para(right, date_line(doc.place, doc.date), used, size=14, italic=True, before=6)


def _title(document: object, doc: OfficialDocument) -> None:
    _para(document, doc.kind_title.upper(), size=14, bold=True, before=18)
    _para(document, doc.title, size=14, bold=True)
    # The short rule under the summary line (trích yếu), a third of the line.
    _rule(document, left_mm=TEXT_WIDTH_MM / 2.6, right_mm=TEXT_WIDTH_MM / 2.6)
    _para(document, "", size=6, after=6)


def _body(document: object, body: list[Paragraph | Table]) -> None:
    for block in body:
        if isinstance(block, Table):
            _table(document, block)
            continue
        heading = block.level in (1, 2, 3)
        _para(
            document, block.text, size=14,
            bold=block.bold or block.level in (1, 2), italic=block.italic or block.level == 3,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_mm=10, before=6, after=0, line=1.15 if not heading else None,
        )


def _table(document: object, block: Table) -> None:
    columns = max([len(block.headers)] + [len(r) for r in block.rows]) if (block.headers or block.rows) else 0
    if columns == 0:
        return
    table = document.add_table(rows=0, cols=columns)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = block.widths_mm or [TEXT_WIDTH_MM / columns] * columns
    rows = ([block.headers] if block.headers else []) + block.rows
    for index, values in enumerate(rows):
        cells = table.add_row().cells
        for column in range(columns):
            value = values[column] if column < len(values) else ""
            paragraph = cells[column].paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if index == 0 and block.headers else None
            run = paragraph.add_run(str(value))
            _set_run_font(run, 13, bold=bool(index == 0 and block.headers))
    _cell_widths(table, widths)
    if block.headers:
        # Repeat the header row on every page the table spans.
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
    _para(document, "", size=6)


def _closing(document: object, doc: OfficialDocument) -> None:
    _para(document, "", size=6, after=6)
    table = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    _no_borders(table)
    _cell_widths(table, [TEXT_WIDTH_MM / 2, TEXT_WIDTH_MM / 2])
    left, right = table.rows[0].cells
    used = [False]
    _cell_para(left, "Nơi nhận:", used, size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in recipient_lines(doc.recipients):
        _para(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    used = [False]
    for line in [part.strip() for part in doc.signature.authority.splitlines() if part.strip()]:
        _cell_para(right, line.upper(), used, size=14, bold=True)
    if doc.signature.position:
        _cell_para(right, doc.signature.position.upper(), used, size=14, bold=True)
    for _blank in range(4):  # room for the signature and the seal
        _para(right, "", size=14)
    if doc.signature.name:
        _cell_para(right, doc.signature.name, used, size=14, bold=True)


def write_docx(doc: OfficialDocument) -> bytes:
    """The document as DOCX bytes."""
    document = Document()
    _styles(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    _page_number_header(section)
    # A new document starts with one empty paragraph; the header table goes before it.
    _header(document, doc)
    _title(document, doc)
    _body(document, doc.body)
    _closing(document, doc)
    first = document.paragraphs[0]
    if not first.text:
        first._p.getparent().remove(first._p)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------ PDF


def soffice_path() -> str | None:
    configured = os.environ.get("TTDN_SOFFICE")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


# Fonts with Times New Roman's metrics, which LibreOffice puts in its place when it is not installed.
TIMES_METRIC_FAMILIES = frozenset({"Times New Roman", "Liberation Serif", "Tinos"})
# Every letter of Vietnamese: the Latin-1 ones, ă đ ĩ ũ ơ ư and the block of letters with two marks (U+1EA0–U+1EF9).
VIETNAMESE_CHARSET = ("c0-c3 c8-ca cc-cd d2-d5 d9-da dd e0-e3 e8-ea ec-ed f2-f5 f9-fa fd 102-103 110-111 128-129 "
                      "168-169 1a0-1a1 1af-1b0 1ea0-1ef9")


def pdf_font_problem() -> str | None:
    """Why the PDFs this server makes would not show Vietnamese properly, or None when they will.

    LibreOffice takes a letter its font lacks from another font; the PDF then shows it in the wrong shape and its text
    layer breaks ("UBND T NH GIA LAI Ỉ"). Debian's fonts-liberation 1.07 lacks the letters with two marks."""
    if soffice_path() is None:
        return str(_("PDF conversion needs LibreOffice (soffice), which is not installed on this server."))
    fc_list = shutil.which("fc-list")
    families: set[str] = set()
    if fc_list is not None:
        try:
            listed = subprocess.run([fc_list, "--format", "%{family}\n", f":charset={VIETNAMESE_CHARSET}"],  # noqa: S603
                                    capture_output=True, text=True, timeout=30, check=False).stdout
        except (OSError, subprocess.TimeoutExpired):
            listed = ""
        families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    if families & TIMES_METRIC_FAMILIES:
        return None
    return str(_("PDF documents need a font with Times New Roman's metrics and every Vietnamese letter (Debian's "
                 "fonts-liberation2, or Times New Roman); without it letters such as Ỉ, Ở, Ể come from another font "
                 "and the PDF's text breaks."))


def docx_to_pdf(docx: bytes) -> bytes:
    """Convert with LibreOffice headless, in a private profile so parallel conversions do not collide."""
    binary = soffice_path()
    if binary is None:
        raise ServiceError("documents.no_soffice", _(
            "PDF conversion needs LibreOffice (soffice), which is not installed on this server."))
    with tempfile.TemporaryDirectory(prefix="ttdn-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.docx"
        source.write_bytes(docx)
        profile = (work / "profile").as_uri()
        command = [binary, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(work), str(source)]
        try:
            subprocess.run(command, capture_output=True, timeout=SOFFICE_TIMEOUT, check=False,  # noqa: S603
                           env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired as exc:
            raise ServiceError("documents.pdf_timeout", _(
                "LibreOffice did not finish the PDF in time.")) from exc
        target = work / "document.pdf"
        if not target.exists() or target.stat().st_size == 0:
            raise ServiceError("documents.pdf_failed", _("LibreOffice could not convert the document to PDF."))
        return target.read_bytes()
