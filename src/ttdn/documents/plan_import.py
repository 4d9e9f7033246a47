"""Plans in: a TXT, DOCX or PDF plan → text → a draft (sections, tasks with lead and coordinating agencies and
timeframes, indicators with targets per phase) for a person to review. Nothing here writes to the database.

The parser reads the numbering officials use (I., A., 1., 1.1., a), "-", "+"), decides what each part is from
its heading ("Mục tiêu cụ thể" → targets; "Nhiệm vụ", "Giải pháp", "Nội dung" → tasks; "Tổ chức thực hiện" →
duties listed per agency; "Phụ lục" → a table of tasks by agency) and keeps every line it could not place in
`unplaced`, so nothing is dropped silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Agency
from ttdn.core.errors import ServiceError

from .agency_match import AgencyMatch, AgencyMatcher, fold, tokens
from .plan_draft import (
    Draft,
    DraftHead,
    DraftIndicator,
    DraftSection,
    DraftTarget,
    DraftTask,
    DraftTimeframe,
    EquipmentProposal,
    Party,
    Period,
    Phase,
    Proposal,
    ProposedPlace,
    TrainingProposal,
    Unplaced,
)
from .timeframes import Timeframe, looks_like_timeframe, parse_timeframe

MAX_BYTES = 20 * 1024 * 1024
MAX_CHARS = 1_000_000

# ------------------------------------------------------------------------------------------------ reading


def _refuse(code: str, message: Any, **details: Any) -> ServiceError:
    return ServiceError(f"documents.{code}", message, **details)


def _decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with BOM or detectably without), else Windows-1258."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    sample = data[:4096]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without a byte-order mark: every other byte of Latin text is zero.
        even_zeros = sample[0::2].count(0)
        return data.decode("utf-16-be" if even_zeros > sample[1::2].count(0) else "utf-16-le")
    if b"\x00" in sample:
        raise _refuse("not_text", _("This file is not text (it contains binary data)."))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise _refuse("not_text", _("The text's encoding could not be recognised; save it as UTF-8.")) from exc


def _docx_text(path: Path) -> str:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from ttdn.content.files import zips
    from ttdn.content.files.text import Unreadable, open_docx

    try:
        document = open_docx(path)
    except zips.ZipProblem as exc:
        if exc.is_bomb:
            raise _refuse("too_large", _("This DOCX file would expand to more than is allowed when opened "
                                         "(it looks like a decompression bomb).")) from exc
        if exc.kind == "encrypted":
            raise _refuse("encrypted", _("This DOCX file is protected by a password; remove the protection "
                                         "and upload it again.")) from exc
        raise _refuse("corrupt", _("This DOCX file is damaged or not a Word document.")) from exc
    except Unreadable as exc:
        raise _refuse("corrupt", _("This DOCX file is damaged or not a Word document.")) from exc
    lines: list[str] = []
    titled = False
    try:
        for block in document.element.body.iterchildren():
            tag = block.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(block, document).text)
                titled = titled or bool(_TITLE_WORDS.match(lines[-1].strip()))
            elif tag == "tbl" and not titled:
                # The Decree 30 header: issuer and number on the left, national title and place-and-date on the
                # right, in a table above the title. Each cell's paragraphs are lines of the header.
                seen_cells: set[int] = set()
                for row in Table(block, document).rows:
                    for cell in row.cells:
                        if id(cell._tc) not in seen_cells:
                            seen_cells.add(id(cell._tc))
                            lines.extend(paragraph.text for paragraph in cell.paragraphs)
            elif tag == "tbl":
                lines.append("")
                for row in Table(block, document).rows:
                    cells: list[str] = []
                    seen: set[int] = set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:  # a merged cell repeats across the columns it spans
                            continue
                        seen.add(id(cell._tc))
                        cells.append(" ".join(cell.text.split()))
                    # Each row on one line, cells separated by " | ": the parser reads it as a table row.
                    lines.append(" | ".join(c.replace("|", "/") for c in cells))
                lines.append("")
    except (ValueError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # python-docx's table model fails on grids it cannot lay out (rows wider than the grid, say).
        raise _refuse("corrupt", _("This DOCX file is damaged or not a Word document.")) from exc
    return "\n".join(lines)


def _pdf_text(path: Path) -> str:
    from ttdn.content.files.text import Unreadable, pdf_page_texts

    try:
        page_texts = pdf_page_texts(path, bounded=False)
    except Unreadable as exc:
        if exc.kind == "encrypted":
            raise _refuse("encrypted", _("This PDF is protected by a password; remove the protection and "
                                         "upload it again.")) from exc
        if exc.kind == "too_many_pages":
            raise _refuse("too_large", _("This PDF has too many pages (%(pages)s) for a plan.")
                          % {"pages": exc.pages}) from exc
        raise _refuse("corrupt", _("This PDF file is damaged or not a PDF.")) from exc
    pages: list[str] = []
    for index, text in enumerate(page_texts):
        lines = [line.rstrip() for line in text.split("\n")]
        # A page number alone on the page's first or last line is not part of the plan.
        while lines and not lines[-1].strip():
            lines.pop()
        if lines and lines[-1].strip().isdigit():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if lines and lines[0].strip().isdigit() and index > 0:
            lines.pop(0)
        pages.append("\n".join(lines))
    text = "\n".join(pages)
    if len(re.sub(r"\s", "", text)) < 40:
        raise _refuse("scanned_pdf", _("This PDF has no text layer (it looks scanned). Upload the DOCX, or a "
                                        "PDF with text."))
    return text


def read_plan_file(path: Path, filename: str | None = None) -> str:
    """The text of a plan in TXT, DOCX or PDF. Refuses, with a message in the user's language, files that are
    empty, too large, binary with a text name, encrypted, scanned without text, or not a plan at all."""
    name = (filename or path.name or "").lower()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _refuse("unreadable", _("The file could not be read.")) from exc
    if size == 0:
        raise _refuse("empty", _("The file is empty."))
    if size > MAX_BYTES:
        raise _refuse("too_large", _("The file is too large (%(size)s MB); plans are at most %(max)s MB.")
                      % {"size": round(size / 1048576, 1), "max": MAX_BYTES // 1048576})
    data = path.read_bytes()
    suffix = Path(name).suffix
    if data.startswith(b"%PDF"):
        kind = "pdf"
    elif data.startswith(b"PK\x03\x04"):
        kind = "docx"
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse("unsupported_format", _("Old Word (.doc) files are not read; save the plan as DOCX or PDF."))
    elif suffix in {".pdf", ".docx"}:
        raise _refuse("corrupt", _("The file's content does not match its name (%(name)s).") % {"name": name})
    else:
        kind = "txt"
    if kind == "txt" and suffix not in {"", ".txt", ".text", ".md"}:
        raise _refuse("unsupported_format", _("Plans are read from TXT, DOCX or PDF files."))
    if kind == "pdf":
        text = _pdf_text(path)
    elif kind == "docx":
        text = _docx_text(path)
    else:
        text = _decode_text(data)
        controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\n\r\t\f")
        if controls > max(8, len(text[:20000]) // 100):
            raise _refuse("not_text", _("This file is not text (it contains binary data)."))
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise _refuse("empty", _("The file has no text."))
    if len(text) > MAX_CHARS:
        raise _refuse("too_large", _("The text is too long for a plan (%(chars)s characters).")
                      % {"chars": len(text)})
    folded = fold(text[:200000])
    if not re.search(r"ke hoach|nhiem vu|chu tri|de an|chuong trinh", folded) or not re.search(
            r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", text.lower()):
        raise _refuse("not_a_plan", _("This does not look like a plan: no tasks, lead agencies or "
                                      "'Kế hoạch' were found in the Vietnamese text."))
    return text


# ------------------------------------------------------------------------------------------------ lines

ROMAN_VALUES = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
                "XI": 11, "XII": 12, "XIII": 13, "XIV": 14, "XV": 15, "XVI": 16, "XVII": 17, "XVIII": 18,
                "XIX": 19, "XX": 20}
RANKS = {"roman": 0, "cap": 1, "num": 2, "dec": 3, "let": 4, "bullet": 5, "plus": 6}

_ROMAN = re.compile(r"^(?P<n>[IVXl]{1,5})\s*[.:)]\s*(?P<t>.*)$")
_CAP = re.compile(r"^(?P<n>[A-ZĐ])\s*[.)]\s+(?P<t>.+)$")
_DEC = re.compile(r"^(?P<n>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?P<t>.+)$")
_NUM = re.compile(r"^(?P<n>\d{1,2})\s*[.)]\s*(?P<t>.*)$")
_LET = re.compile(r"^(?P<n>[a-zđ])\s*[).]\s+(?P<t>.+)$")
_BULLET = re.compile(r"^[-–—•·*●○▪]\s*(?P<t>.+)$")
_PLUS = re.compile(r"^\+\s*(?P<t>.+)$")
_ATTRS: list[tuple[str, re.Pattern[str]]] = [
    ("coord", re.compile(r"^(?:[-–+]\s*)?(?:(?:cơ quan|đơn vị)\s+)?phối hợp(?:\s+thực hiện)?\s*:\s*(?P<t>.*)$",
                         re.IGNORECASE)),
    ("lead", re.compile(r"^(?:[-–+]\s*)?(?:(?:cơ quan|đơn vị)\s+)?(?:chủ trì|thực hiện|chịu trách nhiệm)"
                        r"(?:\s+thực hiện)?\s*:\s*(?P<t>.*)$", re.IGNORECASE)),
    ("time", re.compile(r"^(?:[-–+]\s*)?(?:thời gian|thời hạn|tiến độ)(?:\s+(?:thực hiện|hoàn thành))?\s*:\s*"
                        r"(?P<t>.*)$", re.IGNORECASE)),
    ("note", re.compile(r"^(?:[-–+]\s*)?(?:kinh phí|sản phẩm|kết quả(?: đầu ra)?|ghi chú)\s*:\s*(?P<t>.*)$",
                        re.IGNORECASE)),
]
_TITLE_WORDS = re.compile(r"^(KẾ HOẠCH|CHƯƠNG TRÌNH(?: HÀNH ĐỘNG)?|ĐỀ ÁN)\s*$")
_LOWER_START = re.compile(r"^[a-zàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]")
_AGENCY_HEAD = re.compile(r"^(?:Đề nghị\s+)?(?:Sở|Ban|Bộ|Công an|Báo|Đài|UBND|Ủy ban|Uỷ ban|Trung tâm|Liên hiệp|Hội|"
                          r"Văn phòng|Cục|Tỉnh đoàn|Tỉnh|Các|Đồn|Phòng|Thường trực|Viettel|VNPT)\b")


_MARKER = re.compile(r"^(?:[IVXL]{1,5}\s*[.:)]|[A-ZĐ]\s*[.)]\s|\d{1,2}(?:\.\d{1,2})*\s*[.)]|\d{1,2}\.\d|"
                     r"[a-zđ]\s*[).]\s|[-–—•·*●○▪+]\s*\S|\(?\d{1,2}\)\s)")
_PAGE_NUMBER = re.compile(r"^(?:[-–]\s*\d{1,3}\s*[-–]|trang\s+\d{1,3}(?:\s*(?:/|trên)\s*\d{1,3})?|"
                          r"\d{1,3}\s*/\s*\d{1,3})$", re.IGNORECASE)
# A line ending on one of these words cannot end a sentence: the next line carries on ("Sở Thông tin và" /
# "Truyền thông", "… phối hợp với" / "Sở Ngoại vụ").
_OPEN_END = re.compile(r"(?:^|\s)(?:và|của|với|các|tại|cho|về|trong|theo|từ|đến|hoặc|những|là|được|thuộc|do|"
                       r"Sở|Ban|Phòng|Bộ|Đài|Trung tâm|Ủy ban|UBND|tỉnh|huyện|xã|số|ngày|tháng|năm)$|^Số\s*:?$")
# In text written a paragraph a line, only these ends say for sure that the line goes on.
_OPEN_END_STRICT = re.compile(r"\s(?:và|của|với|các|tại|cho|về|hoặc|những|Sở|Ban|Phòng|Đài)$|^Số\s*:?$")
_PARAGRAPH_START = re.compile(r"^(?:Căn cứ|Thực hiện|Trên đây|Nơi nhận|KẾ HOẠCH|TM\.|KT\.|CHỦ TỊCH|GIÁM ĐỐC|"
                              r"PHỤ LỤC|Phụ lục)\b")


def _wrap_width(lines: list[str]) -> int | None:
    """The width a PDF or a copied text was broken at, if it was: long lines end near one length, and several
    of them stop mid-sentence with the next line going on in lower case."""
    long_lines = sorted(len(line) for line in lines if len(line) >= 30 and " | " not in line)
    if len(long_lines) < 6:
        return None
    width = long_lines[int(len(long_lines) * 0.9)]
    if width > 130:
        return None
    carried = sum(1 for line, after in pairwise(lines)
                  if len(line) >= 0.6 * width and not re.search(r"[.;:!?]$", line) and not _MARKER.match(after)
                  and not _PARAGRAPH_START.match(after) and not looks_like_timeframe(after))
    return width if carried >= 3 else None


def rebuild_paragraphs(text: str) -> str:
    """Paragraphs as the author wrote them, from text as it comes out of a PDF: lines broken every ~80
    characters with blank lines between them, running page headers and footers, page numbers, words split by a
    hyphen, names and numbers broken over two lines ("Sở Thông tin và" / "Truyền thông", "Số:" / "09/KH-UBND").
    Text written one paragraph a line comes back as it was."""
    raw = [" ".join(line.replace("\u00a0", " ").split()) for line in text.replace("\f", "\n").split("\n")]
    width = _wrap_width([line for line in raw if line])
    lines: list[str] = []
    if width:
        # Running headers and footers: the same short line (page numbers aside) on three pages or more.
        shapes = Counter(re.sub(r"\d+", "#", line) for line in raw if line and len(line) <= 100)
        for line in raw:
            shape = re.sub(r"\d+", "#", line)
            if not line or _PAGE_NUMBER.match(line) or re.fullmatch(r"\d{1,3}", line):
                continue
            if shapes[shape] >= 3 and not _MARKER.match(line) and not looks_like_timeframe(line):
                continue
            lines.append(line)
    else:
        lines = [line for line in raw if not _PAGE_NUMBER.match(line)]
    out: list[str] = []
    blank_before = False
    for line in lines:
        if not line:
            blank_before = True
            continue
        prev = out[-1] if out else ""
        joinable = bool(prev) and " | " not in prev and " | " not in line and not _MARKER.match(line) \
            and not _PARAGRAPH_START.match(line) and not _TITLE_WORDS.match(line)
        if joinable and re.search(r"\w-$", prev) and _LOWER_START.match(line):
            out[-1] = prev[:-1] + line  # a word split by a hyphen
        elif joinable and (width or not blank_before) and not (prev.isupper() and not line.isupper()) and (
                (_OPEN_END if width else _OPEN_END_STRICT).search(prev) or (width and prev.endswith((" -", " –")))):
            out[-1] = f"{prev} {line}"
        elif joinable and width and len(prev) >= 0.6 * width and not re.search(r"[.;:!?]$|\./\.$", prev) \
                and not (prev.isupper() != line.isupper() and len(line) < 60):
            out[-1] = f"{prev} {line}"
        else:
            if blank_before and not width and out:
                out.append("")
            out.append(line)
        blank_before = False
    return "\n".join(out)


def _clean_lines(text: str) -> list[str]:
    """Lines with markdown emphasis and stray spaces removed; a line starting in lower case continues the one
    before it (PDF and web copies break paragraphs)."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = raw.replace("\u00a0", " ").replace("\t", " ").replace("**", "").replace("__", "")
        line = " ".join(line.split())
        if not line:
            continue
        if out and _LOWER_START.match(line) and not out[-1].endswith(":") and " | " not in line \
                and not _LET.match(line) and " | " not in out[-1]:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _roman(value: str) -> int | None:
    return ROMAN_VALUES.get(value.replace("l", "I"))


@dataclass
class Node:
    kind: str  # roman cap num dec let bullet plus para attr table root
    label: str
    text: str
    attr: str = ""
    children: list[Node] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)  # for a table: its " | " lines


def _classify(line: str, last_roman: int) -> tuple[str, str, str, str]:
    """(kind, label, text, attr) of one body line."""
    for attr, pattern in _ATTRS:
        match = pattern.match(line)
        if match:
            return "attr", "", match.group("t").strip(), attr
    match = _ROMAN.match(line)
    if match and _roman(match.group("n")) and (match.group("t") or len(match.group("n")) > 1):
        value = _roman(match.group("n")) or 0
        cap = _CAP.match(line)
        # A single I, V or X is a roman numeral only where the numbering expects it; otherwise a letter.
        if not (cap and len(match.group("n")) == 1 and value != last_roman + 1):
            return "roman", str(value), match.group("t").strip(), ""
    for kind, pattern in (("cap", _CAP), ("dec", _DEC), ("num", _NUM), ("let", _LET)):
        match = pattern.match(line)
        if match and match.group("t").strip():
            return kind, match.group("n"), match.group("t").strip(), ""
    for kind, pattern in (("bullet", _BULLET), ("plus", _PLUS)):
        match = pattern.match(line)
        if match:
            return kind, "", match.group("t").strip(), ""
    return "para", "", line, ""


def _tree(lines: list[str]) -> Node:
    root = Node("root", "", "")
    stack: list[Node] = [root]
    last_roman = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        if " | " in line:
            table = Node("table", "", "")
            while index < len(lines) and " | " in lines[index]:
                table.rows.append(lines[index])
                index += 1
            _holder(stack).children.append(table)
            continue
        kind, label, text, attr = _classify(line, last_roman)
        index += 1
        if kind == "roman":
            last_roman = int(label)
        if kind in RANKS:
            rank = RANKS[kind]
            while len(stack) > 1 and RANKS.get(stack[-1].kind, -1) >= rank:
                stack.pop()
            node = Node(kind, label, text)
            stack[-1].children.append(node)
            stack.append(node)
        else:
            _holder(stack).children.append(Node(kind, label, text, attr))
    return root


def _holder(stack: list[Node]) -> Node:
    """Paragraphs and attribute lines belong to the innermost heading or numbered item, not to a bullet."""
    for node in reversed(stack):
        if node.kind not in ("bullet", "plus"):
            return node
    return stack[0]


# ------------------------------------------------------------------------------------------------ parsing


def _context(title: str, strong_only: bool) -> str | None:
    f = fold(title)
    if re.search(r"muc tieu cu the|chi tieu", f):
        return "targets"
    if re.search(r"muc tieu chung|muc dich|yeu cau|quan diem", f) and len(f) < 80:
        return "narrative"
    if re.search(r"^kinh phi|thoi gian thuc hien", f):
        return "narrative"
    if strong_only:
        return None
    if re.search(r"to chuc thuc hien|trach nhiem|phan cong", f):
        return "duties"
    if re.search(r"nhiem vu|giai phap|noi dung|hoat dong", f):
        return "tasks"
    if re.search(r"muc tieu|tinh hinh|ket qua|can cu|kinh phi", f):
        return "narrative"
    return None


def _strip_title(text: str) -> str:
    return text.strip().rstrip(":").strip()


_PHOI_HOP = re.compile(
    r"[Pp]hối hợp(?: chặt chẽ)?(?: với)?\s+(?P<who>.+?)(?=\s+(?:tổ chức|trong|thực hiện|xây dựng|triển khai|cung cấp|"
    r"hướng dẫn|chỉ đạo|đề xuất|tham mưu|cân đối|sản xuất|khảo sát|quản lý|tuyên truyền|đưa|để|nhằm|kiểm tra|"
    r"theo dõi|rà soát|biên soạn|định hướng|giới thiệu|cử|mở|bồi dưỡng|tập huấn|xuất bản|thông tin|đấu tranh|"
    r"phát hiện|duy trì|đẩy mạnh|nâng cao|tăng cường)\b|[;.:]|$)"
)
_SPLIT_LIST = re.compile(
    r"\s*;\s*|,\s+(?=(?:Sở|Ban|Bộ|Công an|Báo|Đài|UBND|Ủy ban|Uỷ ban|Trung tâm|Liên hiệp|Hội|Văn phòng|Cục|"
    r"Tỉnh đoàn|Thường trực|Đồn|Các|các cơ quan|Viettel|VNPT)\b)|\s+và\s+(?=(?:các|Các|Sở|Ban|Bộ|UBND|Ủy ban|"
    r"Công an|Báo|Đài|Trung tâm|Liên hiệp)\b)"
)
_LEADING_TIME = re.compile(
    r"^((?:định kỳ\s+)?h[aằà]ng (?:năm|quý|tháng)|thường xuyên|định kỳ(?: h[aằà]ng (?:quý|tháng|năm))?|"
    r"trong (?:quý [ivx1-4]+(?:/| năm )\d{4}|năm \d{4})|quý [ivx1-4]+(?:/| năm )\d{4}|năm \d{4})\b",
    re.IGNORECASE,
)


# A deadline or month closing a sentence: "… báo cáo UBND tỉnh trước ngày 15/12/2019.", "… trong tháng 12/2021."
_TRAILING_TIME = re.compile(
    r"\b((?:hoàn thành\s+)?(?:trước|chậm nhất|trong)\s+(?:ngày\s+\d{1,2}[/.]\d{1,2}[/.](?:19|20)\d{2}|"
    r"tháng\s+\d{1,2}\s*(?:/|năm)\s*(?:19|20)\d{2}|quý\s+[IVX1-4]+\s*(?:/|năm)\s*(?:19|20)\d{2}))\s*[.;]?\s*$",
    re.IGNORECASE)
# "… (Sở TT&TT chủ trì, phối hợp Sở Ngoại vụ; thời gian: Quý III/2021)" at the end of a task.
_INLINE = re.compile(r"\s*\((?P<inner>[^()]*\b(?:chủ trì|phối hợp|thời gian|thời hạn|hoàn thành|thực hiện)\b[^()]*)\)"
                     r"\s*[.;:]?\s*$", re.IGNORECASE)
_INLINE_LEAD = re.compile(r"^(?:giao\s+)?(?P<who>.+?)\s+chủ trì(?:\s*,?\s*phối hợp(?:\s+với)?\s+(?P<with>.+))?$",
                          re.IGNORECASE)
_INLINE_COORD = re.compile(r"^phối hợp(?:\s+với)?\s*:?\s+(?P<with>.+)$", re.IGNORECASE)


# A sentence that points to where the tasks are ("Các nhiệm vụ cụ thể được giao tại bảng dưới đây", "(Chi tiết tại
# Phụ lục kèm theo)") describes its section; it is no task.
_POINTER = re.compile(r"^\(?\s*(?:chi tiết|các nhiệm vụ|nhiệm vụ|nội dung|danh mục|các hoạt động)\b.{0,60}?"
                      r"\b(?:tại|theo|trong|ở|như)\s+(?:bảng|phụ lục|biểu|danh mục)", re.IGNORECASE)
# Duties every plan gives in "Tổ chức thực hiện" without assigning work: the standing body that follows the plan,
# "căn cứ chức năng, nhiệm vụ …", "theo dõi, đôn đốc …".
_GENERAL_DUTY = re.compile(r"(?:^|\s)(?:là )?(?:cơ quan|đơn vị) thường trực|\blà đầu mối theo dõi|"
                           r"\bcăn cứ (?:vào )?chức năng", re.IGNORECASE)
# The issuing department's own divisions ("Phòng Thông tin - Báo chí - Xuất bản", "Văn phòng Sở"): in a
# department's plan they lead tasks as the department.
_DIVISION = re.compile(r"^(?:Phòng\s+\S|Văn phòng Sở\b|Thanh tra Sở\b|Chi cục\s)", re.IGNORECASE)
# Bullets that describe the task above them rather than being tasks of their own.
_DETAIL = re.compile(r"^(?P<label>Nội dung(?: tập huấn| bồi dưỡng| tuyên truyền| chương trình)?|"
                     r"Đối tượng(?: tham gia)?|"
                     r"Thành phần(?: tham dự)?|Số lớp|Số lượng(?: học viên)?|Quy mô|Thời gian(?: tổ chức| dự kiến)|"
                     r"Địa điểm(?: tổ chức)?|Kinh phí(?: thực hiện)?|Hình thức(?: tổ chức)?|Giảng viên|Báo cáo viên|"
                     r"Sản phẩm|Yêu cầu|Mục đích)\s*:\s*(?P<t>.*)$", re.IGNORECASE)
# "Sở Thông tin và Truyền thông chủ trì, phối hợp với … tổ chức thực hiện; thời gian: Quý III/2021."
_LEAD_SENTENCE = re.compile(r"^(?P<who>.+?)\s+chủ trì(?:\s*,?\s*phối hợp(?:\s+với)?\s+(?P<with>.+?))?"
                            r"(?:\s+(?:tổ chức\s+)?(?:triển khai\s+)?thực hiện)?\s*$", re.IGNORECASE)
_TRAINING = re.compile(r"tập huấn|bồi dưỡng|lớp\s", re.IGNORECASE)
# What a place named after a task's equipment is, by the word before its name (a `places.SiteKind` value); a
# border gate not said to be international is taken as a main gate, which the reviewer can change.
_SITE_WORDS = {"xã": "border_commune", "cửa khẩu": "gate_main", "cửa khẩu quốc tế": "gate_international",
               "đồn biên phòng": "border_post"}
# The kind of course a training task is, from its words (a `programme.CourseKind` value); languages first, as a
# language class for information officers is a language course.
_COURSE_KINDS = [("lao", r"tiếng Lào"), ("khmer", r"tiếng Khmer|tiếng Campuchia"), ("chinese", r"tiếng (?:Trung|Hoa)"),
                 ("english", r"tiếng Anh"),
                 ("ethnic_language", r"tiếng (?:dân tộc|Jrai|Gia Rai|Bahnar|Ba Na|Ê Đê|Mông|H'Mông|Thái|Tày|Nùng|Dao)"),
                 ("foreign_information", r"thông tin đối ngoại|TTĐN")]
_EQUIPMENT = {"billboard": r"pano|biển|bảng tin|áp phích|cụm tuyên truyền", "screen": r"màn hình|màn led|bảng điện tử|"
              r"bảng tin điện tử", "loudspeaker": r"loa|truyền thanh"}


def split_agency_list(text: str) -> list[str]:
    """"Các sở, ban, ngành; Bộ Chỉ huy Bộ đội Biên phòng tỉnh, Bộ Chỉ huy Quân sự tỉnh; UBND cấp huyện và các
    cơ quan, đơn vị liên quan" → its five parts. Commas inside names ("Sở Văn hóa, Thể thao và Du lịch",
    "UBND các huyện, thị xã, thành phố") stay."""
    text = re.sub(r"\((?:gọi chung|sau đây gọi)[^)]*\)", " ", text, flags=re.IGNORECASE)
    parts = [p.strip(" .,;:") for p in _SPLIT_LIST.split(text)]
    return [" ".join(p.split()) for p in parts if p and p.strip(" .,;:")]


class _Parser:
    def __init__(self, text: str, agencies: QuerySet[Agency] | None):
        self.lines = _clean_lines(rebuild_paragraphs(text))
        self.plan = DraftHead()
        self.sections: list[DraftSection] = []
        self.tasks: list[DraftTask] = []
        self.indicators: list[DraftIndicator] = []
        self.unplaced: list[Unplaced] = []
        self.agencies = agencies
        self.matcher: AgencyMatcher | None = None
        self.period: tuple[date, date] | None = None
        self.plan_date: date | None = None

    # ---------------------------------------------------------------- helpers

    def is_division(self, text: str) -> bool:
        """A division of the issuing department ("Phòng …", "Văn phòng Sở"), in a department's own plan."""
        issuer = self.plan.issuer or ""
        return bool(text) and issuer.startswith("Sở ") and _DIVISION.match(text.strip()) is not None

    def unplace(self, text: str, reason: str, *, task: str | None = None) -> None:
        self.unplaced.append(Unplaced(text, reason, task))

    def match(self, text: str) -> AgencyMatch:
        if self.matcher is None:
            return AgencyMatch(text=text)
        return self.matcher.match(text)

    def agencies_in(self, text: str, where: str, *, report: bool = True) -> list[AgencyMatch]:
        """The agencies and groups a list names; unmatched parts kept as text (and reported as unplaced)."""
        found: list[AgencyMatch] = []
        seen: set[tuple[str | None, str | None]] = set()
        for part in split_agency_list(text):
            m = self.match(part)
            key = (m.agency, m.group)
            if m.matched and key in seen:
                continue
            seen.add(key)
            found.append(m)
            if not m.matched and report and not self.is_division(part):
                self.unplace(part, "agency not recognised", task=where)
        return found

    def coordinators_in(self, text: str) -> list[AgencyMatch]:
        """Agencies a task says to work with ("phối hợp với các sở, ban, ngành, UBND cấp huyện …"): only the ones
        recognised; the sentence itself stays in the task's title."""
        found: list[AgencyMatch] = []
        for match in _PHOI_HOP.finditer(text):
            for part in split_agency_list(match.group("who")):
                m = self.match(part)
                if m.matched and all((m.agency, m.group) != (f.agency, f.group) for f in found):
                    found.append(m)
        return found

    def leading(self, text: str) -> list[AgencyMatch]:
        if self.matcher is None:
            return []
        found, _rest = self.matcher.leading(text)
        return found

    def timeframe(self, text: str, where: str) -> Timeframe:
        tf = parse_timeframe(text, period=self.period, plan_date=self.plan_date)
        if not tf.understood:
            self.unplace(text, "timeframe not understood", task=where)
        return tf

    def default_timeframe(self, title: str, where: str) -> Timeframe:
        match = _LEADING_TIME.match(title) or _TRAILING_TIME.search(title)
        if match:
            return self.timeframe(match.group(1), where)
        return parse_timeframe("", period=self.period, plan_date=self.plan_date)

    def add_section(self, key: str, title: str, parent: str | None, description: list[str] | None = None) -> str:
        if any(s.key == key for s in self.sections):
            n = 2
            while any(s.key == f"{key}~{n}" for s in self.sections):
                n += 1
            key = f"{key}~{n}"
        self.sections.append(DraftSection(key=key, title=_strip_title(title), parent=parent,
                                          description="\n".join(description or [])))
        return key

    def add_task(self, key: str, section: str | None, title: str, *, parent: str | None = None,
                 description: str = "", leads: list[AgencyMatch] | None = None,
                 coordinating: list[AgencyMatch] | None = None, timeframe: Timeframe | None = None) -> str:
        if any(t.key == key for t in self.tasks):
            n = 2
            while any(t.key == f"{key}~{n}" for t in self.tasks):
                n += 1
            key = f"{key}~{n}"
        title, inline = self.inline(title, key)
        if "lead" in inline:
            leads = self.agencies_in(inline["lead"], key)
        if "coord" in inline:
            coordinating = self.agencies_in(inline["coord"], key)
        if "time" in inline:
            timeframe = self.timeframe(inline["time"], key)
        leads = leads or []
        lead = _party(leads[0]) if leads else Party()
        if not (lead.agency or lead.group) and self.is_division(lead.text):
            lead = Party(text=lead.text, agency=self.plan.issuer_agency, group=lead.group, division=lead.text)
        coord = [_party(m, co_lead=True) for m in leads[1:]]
        for m in coordinating or []:
            if all((m.agency, m.group) != (c.agency, c.group) or not m.matched for c in coord) and (
                    not m.matched or (m.agency, m.group) != (lead.agency, lead.group)):
                coord.append(_party(m))
        tf = timeframe or parse_timeframe("", period=self.period, plan_date=self.plan_date)
        self.tasks.append(DraftTask(
            key=key, section=section, parent=parent, title=_strip_title(re.sub(r"^[-–+•]\s*", "", title)),
            description=description.strip(), lead=lead, coordinating=coord, timeframe=_draft_timeframe(tf),
        ))
        self.propose(self.tasks[-1], {})
        return key

    def inline(self, title: str, key: str) -> tuple[str, dict[str, str]]:
        """Lead, coordinating agencies and timeframe written in parentheses at the end of a task."""
        match = _INLINE.search(title)
        if not match:
            return title, {}
        found: dict[str, str] = {}
        for part in re.split(r"\s*;\s*", match.group("inner")):
            part = part.strip(" .,")
            attr = next(((name, m) for name, pattern in _ATTRS if (m := pattern.match(part))), None)
            if attr and attr[0] in ("lead", "coord", "time"):
                found[attr[0]] = attr[1].group("t").strip()
            elif (lead := _INLINE_LEAD.match(part)) is not None:
                found["lead"] = lead.group("who")
                if lead.group("with"):
                    found["coord"] = lead.group("with")
            elif (coord := _INLINE_COORD.match(part)) is not None:
                found["coord"] = coord.group("with")
            elif looks_like_timeframe(part):
                found["time"] = part
        if not found:
            return title, {}
        return title[:match.start()].rstrip(" ,;"), found

    # ---------------------------------------------------------------- regions

    def run(self) -> Draft:
        lines = self.lines
        title_at = next((i for i, line in enumerate(lines) if _TITLE_WORDS.match(line)), None)
        preamble = lines[:title_at] if title_at is not None else []
        rest = lines[title_at + 1:] if title_at is not None else lines
        self.read_preamble(preamble)
        rest = self.read_title(rest)
        body, tail = self.split_tail(rest)
        body = self.read_intro(body)
        self.setup_matcher()
        self.find_period(body + tail)
        tree = _tree(body)
        self.walk(tree, None, "narrative", "")
        self.read_tail(tail)
        self.finish()
        return Draft(plan=self.plan, sections=self.sections, tasks=self.tasks, indicators=self.indicators,
                     unplaced=self.unplaced)

    def read_preamble(self, lines: list[str]) -> None:
        """The header as Decree 30 lays it out: the issuing agency (its parent above it), "Số: …/KH-…", the
        national title and the place-and-date line, in two columns that a PDF or a table may put on shared
        lines ("UBND TỈNH X CỘNG HÒA …", "Số: 19/KH-SVHTTDL Tuyên Quang, ngày …")."""
        issuer_parts: list[str] = []
        for raw in lines:
            line = " ".join(_NATIONAL.sub(" ", raw).split()).strip(" -–_|")
            if not line:
                continue
            number = re.search(r"\bSố\s*:?\s*(\d+)\s*/\s*([\w\-Đđ]+)", line)
            if number:
                self.plan.number, self.plan.symbol = number.group(1), number.group(2)
                line = (line[:number.start()] + " " + line[number.end():]).strip()
            dated = re.search(r",\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", line)
            if dated:
                self.set_date(int(dated.group(3)), int(dated.group(2)), int(dated.group(1)))
                continue  # what is left before it is the place
            if not line or (number and not line.strip(" -–")):
                continue
            if line.isupper() and _ISSUER_LINE.match(line):
                issuer_parts.append(line)
            elif line.isupper() and issuer_parts and not number:
                issuer_parts[-1] = f"{issuer_parts[-1]} {line}"  # a name the column was too narrow for
            elif re.match(r"^-+$", line):
                continue
            else:
                self.unplace(line, "before the plan's title")
        issuer = _issuer_from(issuer_parts)
        if issuer:
            self.plan.issuer = issuer

    def set_date(self, year: int, month: int, day: int) -> None:
        try:
            self.plan_date = date(year, month, day)
        except ValueError:
            return
        self.plan.date = self.plan_date.isoformat()

    def read_title(self, lines: list[str]) -> list[str]:
        title: list[str] = []
        index = 0
        while index < len(lines) and len(title) < 3:
            line = lines[index]
            basis = re.match(r"^(Căn cứ|Thực hiện|Triển khai thực hiện|Để|Nhằm|Theo)\b", line)
            if (title and basis) or _ROMAN.match(line) or re.search(r"(ban hành|xây dựng) Kế hoạch", line):
                break
            title.append(line)
            index += 1
            if len(" ".join(title)) > 60:
                break
        self.plan.title = " ".join(title)
        return lines[index:]

    def read_intro(self, lines: list[str]) -> list[str]:
        index = 0
        while index < len(lines) and not _ROMAN.match(lines[index]) and not _TITLE_WORDS.match(lines[index]):
            line = lines[index]
            issuer = re.search(r"((?:Ủy|Uỷ) ban nhân dân|UBND)\s+(tỉnh|thành phố|huyện|thị xã)\s+(.+?)\s+"
                               r"(?:ban hành|xây dựng)", line)
            if issuer and not self.plan.issuer:
                self.plan.issuer = f"Ủy ban nhân dân {issuer.group(2)} {issuer.group(3).strip(' ,')}"
            basis = re.split(r";\s*(?=(?:Ủy|Uỷ) ban nhân dân|UBND)", line)[0]
            if re.match(r"^(Căn cứ|Thực hiện|Theo)\b", basis):
                self.plan.legal_bases.append(basis.rstrip(";. "))
            elif not issuer:
                self.unplace(line, "introduction")
            index += 1
        return lines[index:]

    def split_tail(self, lines: list[str]) -> tuple[list[str], list[str]]:
        """The body ends at the closing sentence ("Trên đây là …"), "Nơi nhận:" or the appendix."""
        for index, line in enumerate(lines):
            f = fold(line)
            if f.startswith(("tren day la", "noi nhan", "phu luc")) or re.match(r"^no[i1] nhan\s*:", f):
                return lines[:index], lines[index:]
        return lines, []

    def setup_matcher(self) -> None:
        if self.agencies is None:
            return
        from .agency_match import matcher_for

        everything = " ".join(self.lines[:400])
        province = self.guess_province(everything)
        if province is not None:
            self.plan.province = province.short_name
        self.matcher = matcher_for(self.agencies, province_key=province.key if province else None,
                                   on=self.plan_date)
        if self.plan.issuer:
            m = self.matcher.match(self.plan.issuer)
            self.plan.issuer_agency = m.agency

    def guess_province(self, text: str) -> Any:
        from .agency_match import resolve_province

        assert self.agencies is not None
        candidates: Counter[str] = Counter()
        issuer = self.plan.issuer or ""
        named = re.search(r"tỉnh\s+([A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*){0,2})", issuer)
        if named:
            candidates[named.group(1)] += 100
        for match in re.finditer(r"(?:tỉnh|TỈNH)\s+([A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*){0,2})", text):
            candidates[match.group(1)] += 1
        for name, _count in candidates.most_common(5):
            province = resolve_province(name.title() if name.isupper() else name)
            if province is not None:
                return province
        return None

    def find_period(self, lines: list[str]) -> None:
        for line in lines:
            match = re.search(r"Thời gian thực hiện\s*:\s*(.+)$", line, flags=re.IGNORECASE)
            if match:
                tf = parse_timeframe(match.group(1))
                # Only whole years: a task's "Thời gian thực hiện: Quý II/2023" is not the plan's period.
                if tf.start and tf.end and (tf.start.month, tf.start.day, tf.end.month, tf.end.day) == (1, 1, 12, 31):
                    self.set_period(tf.start, tf.end)
                    return
        span = re.search(r"(?:giai đoạn|GIAI ĐOẠN)\s*((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})", self.plan.title)
        if span:
            self.set_period(date(int(span.group(1)), 1, 1), date(int(span.group(2)), 12, 31))
            return
        one_year = re.search(r"\b(?:năm|NĂM)\s+((?:19|20)\d{2})\s*$", self.plan.title)
        if one_year:  # "Kế hoạch … năm 2023"
            year = int(one_year.group(1))
            self.set_period(date(year, 1, 1), date(year, 12, 31))

    def set_period(self, start: date, end: date) -> None:
        self.period = (start, end)
        self.plan.period = Period(start.isoformat(), end.isoformat())

    # ---------------------------------------------------------------- the body

    def walk(self, node: Node, section: str | None, context: str, prefix: str) -> None:
        """Visit the children of a heading (or the root) in `context`."""
        description: list[str] = []
        for child in node.children:
            if child.kind in ("roman", "cap"):
                key = f"{prefix}.{child.label}" if prefix and child.kind == "cap" else child.label
                if child.kind == "roman":
                    key = _to_roman(int(child.label))
                    parent = None
                else:
                    parent = section
                ctx = _context(child.text, strong_only=False) or context
                new = self.add_section(key, child.text, parent)
                self.walk(child, new, ctx, new)
            elif child.kind in ("num", "dec", "let") and context in ("narrative", "targets"):
                self.walk_narrative_item(child, section, context, prefix)
            elif child.kind in ("num", "dec", "let") and context == "tasks":
                self.walk_task_item(child, section, prefix)
            elif child.kind in ("num", "dec", "let") and context == "duties":
                self.walk_duty_item(child, section, prefix)
            elif child.kind == "table":
                self.walk_table(child.rows, section, prefix)
            elif context == "targets" and child.kind in ("bullet", "para", "plus"):
                self.targets_from(child.text, None)
                for grandchild in child.children:
                    self.targets_from(grandchild.text, None)
            elif context in ("tasks", "duties") and child.kind in ("bullet", "para") and (
                    _POINTER.match(child.text) or re.match(r"^\(.*\)$", child.text)
                    or (context == "duties" and _GENERAL_DUTY.search(child.text))):
                description.append(_flatten(child))
            elif context in ("tasks", "duties") and child.kind in ("bullet", "para") and section is not None:
                # Tasks written straight under a heading, without numbers.
                self.task_from_sentence(child, section, prefix, len([t for t in self.tasks
                                                                     if t.section == section]) + 1)
            elif child.kind == "attr":
                description.append(child.text)
                if child.attr == "time" and not self.period:
                    tf = parse_timeframe(child.text)
                    if tf.start and tf.end:
                        self.set_period(tf.start, tf.end)
            else:
                description.append(_flatten(child))
        if description:
            self.describe(section, description)

    def describe(self, section: str | None, lines: list[str]) -> None:
        target = next((s for s in self.sections if s.key == section), None)
        if target is None:
            for line in lines:
                self.unplace(line, "outside any section")
            return
        joined = "\n".join(lines)
        target.description = f"{target.description}\n{joined}".strip()

    @staticmethod
    def label(node: Node) -> str:
        """"1.2" under section "II.1" is "II.1.2": a decimal label repeats its parent's number."""
        return node.label.rsplit(".", 1)[-1] if node.kind == "dec" else node.label

    def walk_narrative_item(self, node: Node, section: str | None, context: str, prefix: str) -> None:
        ctx = _context(node.text, strong_only=True)
        if context == "targets" and ctx is None:
            phase = self.phase_from(node.text)
            if phase is not None:
                for child in node.children:
                    self.targets_from(_flatten(child), phase)
                return
            if not node.children or re.search(r"\d", node.text):
                self.targets_from(node.text, None)
                for child in node.children:
                    self.targets_from(_flatten(child), None)
                return
        title, _sep, inline = node.text.partition(":") if len(node.text) > 80 or ":" in node.text[:-1] else (
            node.text, "", "")
        key = self.add_section(f"{prefix}.{self.label(node)}" if prefix else node.label, title, section)
        if inline.strip():
            self.describe(key, [inline.strip()])
            self.period_from_line(node.text)
        self.walk(node, key, ctx or context, key)

    def period_from_line(self, text: str) -> None:
        if self.period is None and re.search(r"thời gian thực hiện", text, re.IGNORECASE):
            tf = parse_timeframe(text.partition(":")[2])
            if tf.start and tf.end:
                self.set_period(tf.start, tf.end)

    def walk_task_item(self, node: Node, section: str | None, prefix: str) -> None:
        key = f"{prefix}.{self.label(node)}" if prefix else node.label
        strong = _context(node.text, strong_only=True)
        has_items = any(c.kind in ("dec", "let") for c in node.children)
        if strong or has_items:
            new = self.add_section(key, node.text, section)
            self.walk(node, new, strong or "tasks", new)
            return
        attrs = {c.attr: c.text for c in node.children if c.kind == "attr"}
        details: dict[str, str] = {}
        children: list[Node] = []
        for child in node.children:
            detail = _DETAIL.match(child.text) if child.kind in ("bullet", "plus", "para") else None
            said = self.lead_sentence(child.text) if child.kind in ("bullet", "para") and not detail else None
            if detail:
                details[detail.group("label").lower()] = detail.group("t").strip().rstrip(".;")
            elif said:
                for name, value in said.items():
                    attrs.setdefault(name, value)
            else:
                children.append(child)
        when = next((v for k, v in details.items() if k.startswith("thời gian")), None)
        if "time" not in attrs and when:
            attrs["time"] = when
        leads = self.agencies_in(attrs["lead"], key) if attrs.get("lead") else []
        coordinating = self.agencies_in(attrs["coord"], key) if attrs.get("coord") else []
        title = node.text
        description: list[str] = [f"{label[:1].upper()}{label[1:]}: {value}" for label, value in details.items()]
        items: list[Node] = []
        for child in children:
            if child.kind in ("bullet", "plus") or (items and child.kind == "para"):
                items.append(child)
            elif child.kind == "para":
                description.append(child.text)
            elif child.kind == "attr" and child.attr == "note":
                description.append(child.text)
            elif child.kind == "table":
                self.walk_table(child.rows, section, key)
        if not leads:
            leads = self.leading(title) or (self.leading(description[0]) if description and not items else [])
        if not coordinating and not attrs.get("coord"):
            coordinating = self.coordinators_in(" ".join([title, *description]))
        if attrs.get("time"):
            timeframe = self.timeframe(attrs["time"], key)
        else:
            timeframe = self.default_timeframe(description[0] if description else title, key)
        task = self.add_task(key, section, title, description="\n".join(description), leads=leads,
                             coordinating=coordinating, timeframe=timeframe)
        self.propose(self.tasks[-1], details)
        previous: list[AgencyMatch] = leads
        for n, item in enumerate(items, start=1):
            text = _flatten(item)
            # A paragraph after a bullet carries on the bullet's subject ("Các cơ quan báo chí … ; Khai thác …").
            sub_leads = self.leading(text) or (previous if item.kind == "para" else leads)
            previous = sub_leads
            sub_coord = coordinating if attrs.get("coord") else (self.coordinators_in(text) or coordinating)
            self.add_task(f"{task}.{n}", section, text, parent=task, leads=sub_leads, coordinating=sub_coord,
                          timeframe=self.timeframe(attrs["time"], task) if attrs.get("time")
                          else self.default_timeframe(text, task) if _LEADING_TIME.match(text) else timeframe)

    def lead_sentence(self, text: str) -> dict[str, str] | None:
        """Who leads a task when a sentence under it says so ("Sở TT&TT chủ trì, phối hợp với … thực hiện;
        thời gian: Quý III/2021"); None for any other sentence."""
        parts = [p.strip(" .") for p in re.split(r"\s*;\s*", text.strip()) if p.strip(" .")]
        said = _LEAD_SENTENCE.match(parts[0]) if parts else None
        if said is None or not (self.leading(said.group("who")) or _AGENCY_HEAD.match(said.group("who"))):
            return None
        found = {"lead": said.group("who")}
        if said.group("with"):
            found["coord"] = said.group("with")
        for part in parts[1:]:
            attr = next(((name, m) for name, pattern in _ATTRS if (m := pattern.match(part))), None)
            if attr and attr[0] in ("coord", "time"):
                found[attr[0]] = attr[1].group("t").strip()
            elif looks_like_timeframe(part):
                found["time"] = part
            else:
                return None
        return found

    def propose(self, task: DraftTask, details: dict[str, str]) -> None:
        """What a task asks for that the registries keep, for the reviewer to accept: a training class (course,
        number of classes, participants, month, venue) or equipment at the border sites it names."""
        proposals: list[Proposal] = []
        title = task.title
        if _TRAINING.search(title) and details:
            classes = re.search(r"(\d+)", details.get("số lớp", ""))
            each = re.search(r"mỗi lớp\s+(\d+)", details.get("số lớp", ""), re.IGNORECASE)
            start = task.timeframe.start
            proposals.append(TrainingProposal(
                course=title, classes=int(classes.group(1)) if classes else 1,
                participants=details.get("đối tượng") or details.get("đối tượng tham gia") or "",
                month=start[:7] if start and task.timeframe.kind in ("period", "quarter") else None,
                venue=details.get("địa điểm") or details.get("địa điểm tổ chức") or "",
                capacity=int(each.group(1)) if each else None,
                course_kind=next((kind for kind, pattern in _COURSE_KINDS if re.search(
                    pattern, " ".join([title, details.get("nội dung tập huấn", "")]), re.IGNORECASE)), ""),
            ))
        if re.search(r"\b(xây dựng|lắp đặt|lắp|trang bị|đầu tư)\b", title, re.IGNORECASE):
            kind = next((k for k, pattern in _EQUIPMENT.items() if re.search(pattern, title, re.IGNORECASE)), None)
            places = re.findall(r"(xã|cửa khẩu(?: quốc tế)?|đồn biên phòng)\s+((?:[A-ZĐÀ-Ỹ][\w'’À-ỹ]*\s*){1,3})",
                                title)
            if kind:
                proposals.append(EquipmentProposal(equipment=kind, places=[
                    ProposedPlace(name=" ".join(name.split()), kind=_SITE_WORDS[word]) for word, name in places]))
        if proposals:
            task.proposals = proposals

    def walk_duty_item(self, node: Node, section: str | None, prefix: str) -> None:
        key = f"{prefix}.{self.label(node)}" if prefix else node.label
        heading = _strip_title(re.sub(r"^Đề nghị\s+", "", node.text))
        found, rest = (self.matcher.leading(heading) if self.matcher else ([], heading))
        # "Sở Ngoại vụ có trách nhiệm:", "… thực hiện các nhiệm vụ sau:" still only name who.
        rest = re.sub(r"^(?:có|chịu)?\s*(?:trách nhiệm|nhiệm vụ)(?:\s+(?:thực hiện\s+)?(?:các nhiệm vụ\s+)?sau)?$|"
                      r"^(?:thực hiện|có)\s+các nhiệm vụ(?:\s+sau)?$", "", rest.strip(), flags=re.IGNORECASE)
        rest_words = [t for t in tokens(rest) if t.isalnum() and t not in {"lien", "quan", "co", "khac"}]
        parts = split_agency_list(heading)
        is_heading = bool(found and not rest_words) or (
            not found and (len(heading.split()) <= 14 or all(_AGENCY_HEAD.match(p) for p in parts))
            and _AGENCY_HEAD.match(node.text) is not None
            and not re.search(r"\b(chủ trì|thực hiện|(?<!các )tổ chức|triển khai|xây dựng)\b", heading))
        if not is_heading and _GENERAL_DUTY.search(node.text) and not any(
                c.kind in ("bullet", "plus", "let", "num", "dec") for c in node.children):
            self.describe(section, [_flatten(node)])
            return
        if not is_heading:
            # "1. Sở TT&TT chủ trì tổ chức …": the item is itself a task.
            self.task_from_sentence(node, section, prefix, int(node.label) if node.label.isdigit() else 0, key=key)
            return
        leads = found if found else self.agencies_in(heading, key)
        new = self.add_section(key, node.text, section)
        n = 0
        for child in node.children:
            if child.kind in ("bullet", "para", "plus", "let", "num", "dec"):
                if child.kind == "plus" and n:
                    last = self.tasks[-1]
                    last.description = f"{last.description}\n{child.text}".strip()
                    continue
                n += 1
                text = _flatten(child)
                if re.match(r"^\(.*\)$", text) or _POINTER.match(text) or _GENERAL_DUTY.search(text):
                    self.describe(new, [text])
                    n -= 1
                    continue
                self.add_task(f"{new}.{n}", new, text, leads=self.leading(text) or leads,
                              coordinating=self.coordinators_in(text),
                              timeframe=self.default_timeframe(text, f"{new}.{n}"))
            elif child.kind == "attr":
                self.describe(new, [child.text])
            elif child.kind == "table":
                self.walk_table(child.rows, new, new)

    def task_from_sentence(self, node: Node, section: str | None, prefix: str, number: int,
                           key: str | None = None) -> None:
        text = _flatten(node) if node.kind in ("bullet", "para") else node.text
        task_key = key or f"{prefix}.{number}"
        leads = self.leading(text)
        task = self.add_task(task_key, section, text, leads=leads, coordinating=self.coordinators_in(text),
                             timeframe=self.default_timeframe(text, task_key))
        if node.kind not in ("bullet", "para"):
            for n, child in enumerate([c for c in node.children if c.kind != "attr"], start=1):
                sub = _flatten(child)
                self.add_task(f"{task}.{n}", section, sub, parent=task, leads=self.leading(sub) or leads,
                              coordinating=self.coordinators_in(sub), timeframe=self.default_timeframe(sub, task))

    # ---------------------------------------------------------------- targets

    def phase_from(self, text: str) -> Phase | None:
        span = re.search(r"((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})", text)
        if not span or len(text) > 60:
            return None
        name = f"{span.group(1)} - {span.group(2)}"
        phase = Phase(name, f"{span.group(1)}-01-01", f"{span.group(2)}-12-31")
        if all(p.name != name for p in self.plan.phases):
            self.plan.phases.append(phase)
        return phase

    def targets_from(self, text: str, phase: Phase | None) -> None:
        """"08 đồn biên phòng; 50% các xã, huyện biên giới; cửa khẩu … được đầu tư trang thiết bị …" → one
        target per figure, each named with the sentence's shared predicate."""
        text = text.strip().rstrip(".;")
        if not text:
            return
        clauses = [c.strip() for c in re.split(r";\s*", text) if c.strip()]
        predicate = ""
        last = clauses[-1]
        shared = re.search(r"\s(được|có|đạt|sử dụng|tham gia)\s", last)
        if shared:
            predicate = last[shared.start():].strip()
        for clause in clauses:
            figure = re.match(r"^(?:phấn đấu|đạt|bảo đảm|đảm bảo|có|trên|ít nhất|tối thiểu)?\s*(\d+(?:[.,]\d+)?)\s*"
                              r"(%|phần trăm)?\s*(.+)$", clause, flags=re.IGNORECASE)
            if not figure:
                reached = re.search(r"đạt\s+(?:tỷ lệ\s+)?(\d+(?:[.,]\d+)?)\s*%", clause)
                if reached:
                    figure_value, unit, subject = reached.group(1), "percent", clause[:reached.start()].strip()
                else:
                    self.unplace(clause, "target without a figure")
                    continue
            else:
                figure_value = figure.group(1)
                unit = "percent" if figure.group(2) else "count"
                subject = figure.group(3).strip()
            value = float(figure_value.replace(",", "."))
            name = subject
            if predicate and predicate not in subject:
                name = f"{subject} {predicate}"
            name = re.sub(r"^các\s+", "", name.strip(), flags=re.IGNORECASE)
            name = name[:1].upper() + name[1:]
            baseline = None
            base = re.search(r"từ\s+(\d+(?:[.,]\d+)?)\s*%?.*?lên\s+(\d+(?:[.,]\d+)?)", clause)
            if base:
                baseline = float(base.group(1).replace(",", "."))
                value = float(base.group(2).replace(",", "."))
            target = self.target_span(clause, phase)
            target.value = int(value) if value.is_integer() else value
            self.add_indicator(name, unit, baseline, clause, target)

    def target_span(self, clause: str, phase: Phase | None) -> DraftTarget:
        span = re.search(r"((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})", clause)
        if span:
            return DraftTarget(f"{span.group(1)} - {span.group(2)}", f"{span.group(1)}-01-01",
                               f"{span.group(2)}-12-31")
        by = re.search(r"(?:đến|năm|trước)\s+(?:năm\s+)?((?:19|20)\d{2})", clause)
        if by and not phase:
            start = self.plan.period.start if self.plan.period else None
            return DraftTarget(by.group(1), start, f"{by.group(1)}-12-31")
        if phase:
            return DraftTarget(phase.name, phase.start, phase.end)
        if self.plan.period:
            period = self.plan.period
            first, last = (period.start or "")[:4], (period.end or "")[:4]
            return DraftTarget(first if first == last else f"{first} - {last}", period.start, period.end)
        return DraftTarget()

    def add_indicator(self, name: str, unit: str, baseline: float | None, text: str, target: DraftTarget) -> None:
        key = " ".join(w for w in fold(name).split() if w not in {"cac", "va"})
        for indicator in self.indicators:
            if indicator.match_key == key and indicator.unit == unit:
                indicator.targets.append(target)
                indicator.text = f"{indicator.text}\n{text}"
                return
        self.indicators.append(DraftIndicator(key=f"I{len(self.indicators) + 1}", name=name, unit=unit,
                                              baseline=baseline, text=text, targets=[target], match_key=key))

    # ---------------------------------------------------------------- tables

    def walk_table(self, rows: list[str], section: str | None, prefix: str) -> None:
        """Rows "TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian" → tasks; a row with only a
        roman number and a name opens a group of tasks (a section, and the lead when the name is an agency)."""
        table_rows = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
        roles: list[str] = []
        body = table_rows
        for index, row in enumerate(table_rows[:3]):
            detected = [_column_role(c) or "" for c in row]
            if sum(1 for r in detected if r) >= 2:
                roles, body = detected, table_rows[index + 1:]
                break
        if not roles:
            roles = ["tt", "title", "lead", "coord", "time"][: max(len(r) for r in table_rows)]
        base = prefix or "T"
        current_section = section
        group_leads: list[AgencyMatch] = []
        count = 0
        for row in body:
            cells = {role: row[i] for i, role in enumerate(roles) if role and i < len(row) and row[i]}
            filled = [c for c in row if c]
            if not filled:
                continue
            number = cells.get("tt", "")
            if (_roman(number) or re.match(r"^[A-Z]$", number)) and len(filled) <= 2:
                name = cells.get("title") or next((c for c in row if c and c != number), number)
                current_section = self.add_section(f"{base}.{_to_roman(_roman(number) or 0) or number}", name,
                                                   section)
                m = self.match(name)
                group_leads = [m] if m.matched else []
                count = 0
                continue
            title = cells.get("title") or next((c for c in row if c and c != number), "")
            if not title:
                self.unplace(" | ".join(row), "table row without a task")
                continue
            count += 1
            key = f"{current_section or base}.{count}"
            leads = self.agencies_in(cells["lead"], key) if cells.get("lead") else group_leads
            coordinating = self.agencies_in(cells["coord"], key) if cells.get("coord") else self.coordinators_in(
                title)
            timeframe = self.timeframe(cells["time"], key) if cells.get("time") else None
            notes = [cells[r] for r in ("note", "product") if cells.get(r)]
            self.add_task(key, current_section, title, description="\n".join(notes), leads=leads,
                          coordinating=coordinating, timeframe=timeframe)

    # ---------------------------------------------------------------- after the body

    def read_tail(self, lines: list[str]) -> None:
        index = 0
        state = "closing"
        appendix: list[str] = []
        signature: list[str] = []
        while index < len(lines):
            line = lines[index]
            f = fold(line)
            index += 1
            if state == "appendix":
                appendix.append(line)
                continue
            if f.startswith("phu luc"):
                state = "appendix"
                appendix.append(line)
                continue
            if f.startswith("tren day la"):
                self.plan.closing = line
                due = re.search(r"trước\s+(?:ngày\s+)?(\d{1,2})\s*(?:tháng\s*|/)\s*(\d{1,2})", line, re.IGNORECASE)
                if due:
                    self.plan.report_due = f"{int(due.group(2)):02d}-{int(due.group(1)):02d}"
                continue
            if re.match(r"^no[i1] nhan\s*:?", f):
                state = "recipients"
                continue
            if state == "recipients" and re.match(r"^[-–]\s*", line):
                self.plan.recipients.append(line.lstrip("-– ").rstrip(";."))
                continue
            if re.match(r"^(TM|KT|TL|TUQ|Q)\s*\.|^(PHÓ\s+)?(CHỦ TỊCH|GIÁM ĐỐC|TRƯỞNG BAN)\b", line):
                state = "signature"
                signature.append(line)
                continue
            if state == "signature" and re.match(r"^[A-ZĐÀ-Ỹ][\w'’À-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\w'’À-ỹ]*){1,4}$", line) \
                    and not line.isupper():
                self.plan.signer = line
                state = "after"
                continue
            self.unplace(line, "after the plan's body")
        self.plan.signature = " / ".join(signature) or None
        if appendix:
            self.read_appendix(appendix)

    def read_appendix(self, lines: list[str]) -> None:
        title = [lines[0]]
        index = 1
        while index < len(lines) and len(title) < 3 and not _column_role(lines[index]) and " | " not in lines[index]:
            line = lines[index]
            issued = re.search(r"Kế hoạch số\s*:?\s*(\d+)\s*/\s*([\w\-Đđ]+)(?:\s+ngày\s+(\d{1,2})/(\d{1,2})/(\d{4}))?",
                               line)
            if issued:
                if not self.plan.number:
                    self.plan.number, self.plan.symbol = issued.group(1), issued.group(2)
                if issued.group(5) and not self.plan.date:
                    self.set_date(int(issued.group(5)), int(issued.group(4)), int(issued.group(3)))
            title.append(line)
            index += 1
        number = len([s for s in self.sections if s.key.startswith("PL")]) + 1
        section = self.add_section("PL" if number == 1 else f"PL{number}", " ".join(title[1:2]) or title[0], None,
                                   title[2:])
        rest = lines[index:]
        if any(" | " in line for line in rest):
            self.walk_table([line for line in rest if " | " in line], section, section)
            for line in rest:
                if " | " not in line:
                    self.unplace(line, "in the appendix, outside its table")
            return
        self.read_linear_table(rest, section)

    def read_linear_table(self, lines: list[str], section: str) -> None:
        """A table copied from a web page or a PDF: one cell per line. Header cells first ("TT", "Tên nhiệm vụ cụ
        thể", "Thời gian thực hiện"), then groups ("I", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG") and rows ("1.", task,
        timeframe)."""
        roles: list[str] = []
        index = 0
        while index < len(lines) and _column_role(lines[index]):
            roles.append(_column_role(lines[index]) or "")
            index += 1
        fields = [r for r in roles if r not in ("tt", "")] or ["title", "time"]
        group: str | None = None
        leads: list[AgencyMatch] = []
        row: dict[str, str] | None = None
        count = 0
        expect_group_name = False
        group_label = ""

        def flush() -> None:
            nonlocal row, count
            if row is None:
                return
            if not row.get("title"):
                self.unplace(" ".join(row.values()), "table row without a task")
                row = None
                return
            count += 1
            key = f"{group or section}.{count}"
            row_leads = self.agencies_in(row["lead"], key) if row.get("lead") else leads
            coordinating = self.agencies_in(row["coord"], key) if row.get("coord") else self.coordinators_in(
                row["title"])
            timeframe = self.timeframe(row["time"], key) if row.get("time") else None
            self.add_task(key, group or section, row["title"], description=row.get("note", ""), leads=row_leads,
                          coordinating=coordinating, timeframe=timeframe)
            row = None

        for line in lines[index:]:
            bare = line.strip()
            if expect_group_name:
                group = self.add_section(f"{section}.{group_label}", bare, section)
                m = self.match(bare.title() if bare.isupper() else bare)
                leads = [m]
                if not m.matched:
                    self.unplace(bare, "agency not recognised", task=group)
                count = 0
                expect_group_name = False
                continue
            roman = re.fullmatch(r"[IVXl]{1,5}\.?", bare)
            if roman and _roman(bare.rstrip(".")):
                flush()
                group_label = _to_roman(_roman(bare.rstrip(".")) or 0)
                expect_group_name = True
                continue
            if re.fullmatch(r"\d{1,3}\.?", bare) and group is not None and int(bare.rstrip(".")) <= count + 2:
                flush()
                row = {}
                continue
            if row is None and group is not None and count == 0 and not looks_like_timeframe(bare):
                row = {}  # a group with one task and no number
            if row is not None:
                missing = [f for f in fields if f not in row]
                if "time" in missing and looks_like_timeframe(bare) and row.get("title"):
                    row["time"] = bare
                    continue
                if missing and not (missing[0] == "time" and not looks_like_timeframe(bare)):
                    row[missing[0]] = bare
                    continue
                if re.match(r"^\(.*\)$", bare):
                    row["note"] = f"{row.get('note', '')} {bare}".strip()
                    continue
                if not missing:
                    flush()
                    if re.match(r"^\(.*\)$", bare) and self.tasks:
                        last = self.tasks[-1]
                        last.description = f"{last.description}\n{bare}".strip()
                        continue
                elif "title" in row:
                    row["title"] = f"{row['title']} {bare}"
                    continue
            if re.match(r"^\(.*\)$", bare) and self.tasks and self.tasks[-1].section == (group or section):
                last = self.tasks[-1]
                last.description = f"{last.description}\n{bare}".strip()
                continue
            self.unplace(bare, "in the appendix, outside its table")
        flush()

    def finish(self) -> None:
        if not self.plan.symbol and re.search(r"ủy ban nhân dân|uỷ ban nhân dân", (self.plan.issuer or "")
                                                  .lower()):
            self.plan.symbol = "KH-UBND"
        if self.plan.period is None and self.plan.phases:
            self.set_period(date.fromisoformat(self.plan.phases[0].start or ""),
                            date.fromisoformat(self.plan.phases[-1].end or ""))
        for key in ("number", "date", "title"):
            if not getattr(self.plan, key):
                self.unplace("", f"plan {key} not found in the text")


def _column_role(text: str) -> str | None:
    f = fold(text).strip(" .:")
    if f in {"tt", "stt", "so tt"}:
        return "tt"
    if re.fullmatch(r"(ten )?(noi dung|nhiem vu|hoat dong)( cu the| cong viec| nhiem vu| thuc hien)?|ten nhiem vu.*|"
                    r"noi dung.*", f) and len(f) < 40:
        return "title"
    if re.fullmatch(r"(co quan|don vi)?\s*(chu tri|thuc hien)( thuc hien)?|co quan chu tri.*|don vi chu tri.*", f):
        return "lead"
    if re.fullmatch(r"(co quan|don vi)?\s*phoi hop( thuc hien)?", f):
        return "coord"
    if re.fullmatch(r"(thoi gian|thoi han|tien do)( thuc hien| hoan thanh)?", f):
        return "time"
    if re.fullmatch(r"(san pham|ket qua)( dau ra| du kien)?", f):
        return "product"
    if f in {"ghi chu", "kinh phi"}:
        return "note"
    return None


def _flatten(node: Node) -> str:
    parts = [node.text] + [_flatten(child) for child in node.children]
    return "\n".join(p for p in parts if p)


def _to_roman(value: int) -> str:
    for name, number in ROMAN_VALUES.items():
        if number == value:
            return name
    return str(value)


_NATIONAL = re.compile(r"CỘNG H[ÒO]A XÃ HỘI CHỦ NGHĨA(?: VIỆT NAM)?|^VIỆT NAM$|"
                       r"Độc lập\s*[-–]\s*Tự do\s*[-–]\s*Hạnh phúc", re.IGNORECASE)
_ISSUER_LINE = re.compile(r"^(?:(?:ỦY|UỶ) BAN NHÂN DÂN|UBND|(?:TỈNH|HUYỆN|THÀNH PHỐ|XÃ|PHƯỜNG) [A-ZĐÀ-Ỹ ]+|SỞ |"
                          r"TỈNH ỦY|TỈNH UỶ|BAN |BỘ CHỈ HUY|CÔNG AN TỈNH|ĐẢNG BỘ)")


def _capitalised_name(text: str) -> str:
    """"VĂN HÓA, THỂ THAO VÀ DU LỊCH" → "Văn hóa, Thể thao và Du lịch": each part of a compound name capitalised."""
    parts = re.split(r"(,\s*|\s+và\s+)", text.lower())
    return "".join(part if index % 2 else part[:1].upper() + part[1:] for index, part in enumerate(parts))


def _issuer_from(parts: list[str]) -> str | None:
    """The issuing agency from the header's upper-case lines: "ỦY BAN NHÂN DÂN" + "TỈNH GIA LAI", or a department
    or board under its parent ("UBND TỈNH GIA LAI" + "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH" → "Sở Văn hóa, Thể thao
    và Du lịch tỉnh Gia Lai", "TỈNH ỦY LÀO CAI" + "BAN TUYÊN GIÁO VÀ DÂN VẬN")."""
    if not parts:
        return None
    unit = parts[-1]
    joined = " | ".join(parts[:-1] if re.match(r"^(SỞ|BAN)\s", unit) and len(parts) > 1 else parts)
    place = re.search(r"\bTỈNH\s+(?!ỦY|UỶ)([A-ZĐÀ-Ỹ]+(?:\s+[A-ZĐÀ-Ỹ]+){0,2})", joined)
    party = re.search(r"\bTỈNH (?:ỦY|UỶ)\s+([A-ZĐÀ-Ỹ]+(?:\s+[A-ZĐÀ-Ỹ]+){0,2})", joined)
    named = place or party
    province = " ".join(w.capitalize() for w in named.group(1).split()) if named else ""
    if re.match(r"^(SỞ|BAN)\s", unit):
        head, _sp, name = unit.partition(" ")
        text = f"{head.capitalize()} {_capitalised_name(name)}"
        if head == "BAN" and party:
            return f"{text} Tỉnh ủy {province}"
        return f"{text} tỉnh {province}" if province else text
    if len(parts) == 1 and not re.search(r"\b(TỈNH|HUYỆN|THÀNH PHỐ|XÃ)\b", unit):
        return None
    return _sentence_case_issuer(" ".join(parts).replace("UBND", "ỦY BAN NHÂN DÂN"))


def _sentence_case_issuer(text: str) -> str:
    """"ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK" → "Ủy ban nhân dân tỉnh Đắk Lắk"."""
    words = text.split()
    out: list[str] = []
    place = False
    for word in words:
        lower = word.lower()
        if place:
            out.append(lower[:1].upper() + lower[1:])
        else:
            out.append(lower)
        if lower in {"tỉnh", "huyện", "xã", "phố"}:
            place = True
    result = " ".join(out).replace("uỷ", "ủy")
    return result[:1].upper() + result[1:]


def _party(match: AgencyMatch, *, co_lead: bool = False) -> Party:
    return Party(text=match.text, agency=match.agency, group=match.group, co_lead=co_lead)


def _draft_timeframe(tf: Timeframe) -> DraftTimeframe:
    return DraftTimeframe(kind=tf.kind, start=tf.start.isoformat() if tf.start else None,
                          end=tf.end.isoformat() if tf.end else None, text=tf.text, due=tf.due,
                          understood=tf.understood)


def read_draft(text: str, *, agencies: QuerySet[Agency] | None = None) -> Draft:
    """The draft of a plan for a person to review (see the module docstring). Reads agencies; writes nothing."""
    if not text or not text.strip():
        raise _refuse("empty", _("The file has no text."))
    return _Parser(unicodedata.normalize("NFC", text), agencies).run()


def parse_plan(text: str, *, agencies: QuerySet[Agency] | None = None) -> dict[str, Any]:
    """`read_draft` in its JSON form: what a `PlanDraft` keeps and `ttdn import-plan --format json` prints."""
    return read_draft(text, agencies=agencies).to_json()


def rematch_draft(draft: Draft, agencies: QuerySet[Agency]) -> Draft:
    """A draft matched again after agencies were registered (from the review screen): the issuer, every lead
    and coordinating party still without an agency or group, the issuer's divisions; the names now matched leave
    the unplaced list. What the reviewer chose stays as chosen. Reads agencies; writes nothing but the draft."""
    from .agency_match import matcher_for

    plan = draft.plan
    try:
        on = date.fromisoformat(plan.date) if plan.date else None
    except ValueError:
        on = None
    matcher = matcher_for(agencies, province_key=plan.province or None, on=on)
    if not plan.issuer_agency and plan.issuer:
        plan.issuer_agency = matcher.match(plan.issuer).agency
    matched: set[str] = set()
    for task in draft.tasks:
        for party in [task.lead, *task.coordinating]:
            if party.matched or not party.text:
                continue
            if party.division:
                party.agency = plan.issuer_agency
            else:
                m = matcher.match(party.text)
                party.agency, party.group = m.agency, m.group
            if party.matched:
                matched.add(party.text)
    draft.unplaced = [u for u in draft.unplaced if not (u.reason == "agency not recognised" and u.text in matched)]
    return draft


def match_sites(draft: Draft) -> Draft:
    """The places a draft proposes equipment for, matched to the border sites of its province (by name, marks
    and case aside, and by kind where the plan says it); a place already matched stays. Reads sites; writes
    nothing but the draft."""
    from ttdn.places.models import BorderSite
    from ttdn.places.services import fold as fold_name

    from .agency_match import resolve_province

    province = resolve_province(draft.plan.province) if draft.plan.province else None
    if province is None:
        return draft
    def family(kind: str) -> str:  # a gate the plan does not call international may be any gate
        return "gate" if kind.startswith("gate_") else kind

    def names(site: BorderSite) -> set[str]:
        bare = re.sub(r"^(?i:xã|cửa khẩu(?: quốc tế| chính| phụ)?|đồn biên phòng)\s+", "", site.name)
        unit = [site.admin_unit.short_name] if site.admin_unit is not None else []
        return {fold_name(n) for n in [site.name, bare, *unit]}

    sites = [(s, names(s)) for s in BorderSite.objects.filter(province=province, active=True)
             .select_related("admin_unit")]
    for task in draft.tasks:
        for proposal in task.proposals:
            if not isinstance(proposal, EquipmentProposal):
                continue
            for place in proposal.places:
                if place.site is not None:
                    continue
                wanted = fold_name(place.name)
                found = [s for s, known in sites
                         if (not place.kind or family(s.kind) == family(place.kind)) and wanted in known]
                if len(found) == 1:  # two sites of one name: the reviewer picks, nothing is guessed
                    place.site = found[0].code
    return draft


def missing_agencies(draft: Draft) -> list[str]:
    """The names a draft gives agencies that are not registered (`Draft.missing_agencies`)."""
    return draft.missing_agencies()
