"""Tables as XLSX (openpyxl): a bold header row, frozen under the header, set column widths, wrapped text."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

# Excel refuses sheet titles over 31 characters or with these characters.
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
# Characters XML 1.0 cannot carry; openpyxl raises on them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_THIN = Side(style="thin", color="999999")


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list[object]]
    widths: list[float] | None = None  # in Excel character units


def _title(title: str, taken: set[str]) -> str:
    base = _BAD_TITLE.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _value(value: object) -> object:
    if value is None or isinstance(value, (int, float, Decimal, date, datetime, bool)):
        return value
    text = _ILLEGAL.sub("", str(value))
    # A leading "=" would make Excel evaluate the text as a formula.
    return "'" + text if text.startswith(("=", "+", "@")) and len(text) > 1 else text


def _width(header: str, rows: list[list[object]], column: int) -> float:
    lengths = [len(str(r[column])) for r in rows[:200] if column < len(r) and r[column] is not None]
    longest = max([len(header), *lengths])
    return float(min(max(longest + 2, 8), 60))


def write_xlsx(sheets: list[Sheet]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    taken: set[str] = set()
    for sheet in sheets or [Sheet("Sheet", [], [])]:
        ws = workbook.create_sheet(_title(sheet.title, taken))
        wrap = Alignment(wrap_text=True, vertical="top")
        if sheet.headers:
            ws.append([_value(h) for h in sheet.headers])
            for cell in ws[1]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
                cell.fill = PatternFill("solid", fgColor="DDE6F0")
                cell.border = Border(top=_THIN, bottom=_THIN, left=_THIN, right=_THIN)
            ws.freeze_panes = "A2"
        for row in sheet.rows:
            ws.append([_value(v) for v in row])
        for row_cells in ws.iter_rows(min_row=2 if sheet.headers else 1):
            for cell in row_cells:
                cell.alignment = wrap
                if isinstance(cell.value, date):
                    cell.number_format = "DD/MM/YYYY"
        columns = max([len(sheet.headers)] + [len(r) for r in sheet.rows]) if (sheet.headers or sheet.rows) else 0
        for column in range(columns):
            if sheet.widths and column < len(sheet.widths):
                width = float(sheet.widths[column])
            else:
                width = _width(sheet.headers[column] if column < len(sheet.headers) else "", sheet.rows, column)
            ws.column_dimensions[get_column_letter(column + 1)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
