"""Reading an opt-in subscriber list (CSV or XLSX) with bounded memory and time, row by row.

The file comes in through `content.ingest.stage_upload` (size cap), an XLSX is opened only after
`content.files.zips` inflated every member under the caps, and at most MAX_ROWS rows are read. Each row is checked on
its own: a bad row is reported (row number, what was there, why — in the user's language) and the others go on.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from ttdn.core import languages
from ttdn.core.errors import ServiceError

MAX_ROWS = 200_000
MAX_CELL = 200
MAX_REPORTED = 1_000  # rejected rows listed (all are counted)

# Header words (compared without accents, spaces or case) → field.
HEADERS = {
    "number": {"sodienthoai", "sdt", "sodt", "dienthoai", "so", "sothuebao", "number", "phone", "msisdn", "mobile"},
    "operator": {"nhamang", "mang", "operator", "carrier", "network"},
    "commune": {"xa", "maxa", "xaphuong", "commune", "communecode", "ward"},
    "language": {"ngonngu", "language", "lang"},
}


def fold(text: str) -> str:
    """Lower case, no accents (đ→d), letters and digits only: how header words and names are compared."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text.lower() if ch.isalnum() and not unicodedata.combining(ch))


@dataclass
class Rejected:
    row: int
    value: str
    reason: str


@dataclass
class Sheet:
    columns: dict[str, int]  # field → column index
    rows: Iterator[tuple[int, list[str]]]  # (row number as the person sees it, cells)


@dataclass
class ImportReport:
    accepted: int = 0
    created: int = 0
    updated: int = 0
    do_not_contact: int = 0
    rejected_count: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def reject(self, row: int, value: str, reason: Any) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REPORTED:
            self.rejected.append(Rejected(row, value[:MAX_CELL], str(reason)))


def _bad_file(name: str, why: Any) -> ServiceError:
    return ServiceError("bad_list", _("“%(name)s” cannot be read as a subscriber list: %(why)s")
                        % {"name": name, "why": why})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a spreadsheet cell: 912345678.0
    return str(value).strip()[:MAX_CELL]


def _columns(header: list[str], name: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, title in enumerate(header):
        key = fold(title)
        for field_name, words in HEADERS.items():
            if key in words and field_name not in found:
                found[field_name] = i
    if "number" not in found:
        raise _bad_file(name, _("no column of phone numbers (a header such as “Số điện thoại” or “SĐT”)."))
    return found


def read_csv(path: Path, name: str) -> Sheet:
    raw = path.open("rb")
    head = raw.read(4)
    raw.seek(0)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    try:
        sample = text.read(8192)
    except UnicodeDecodeError:
        raw.close()
        raise _bad_file(name, _("it is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")) from None
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text, dialect)
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError):
        header = None
    if not header:
        raw.close()
        raise _bad_file(name, _("the file is empty."))
    columns = _columns(header, name)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for n, row in enumerate(reader, start=2):
                if n - 1 > MAX_ROWS:
                    raise _bad_file(name, _("more than %(max)d rows; split the list.") % {"max": MAX_ROWS})
                yield n, [_cell(c) for c in row]
        except UnicodeDecodeError:
            raise _bad_file(name, _("it is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")) from None
        except csv.Error as exc:
            raise _bad_file(name, exc) from None
        finally:
            raw.close()

    return Sheet(columns, rows())


def read_xlsx(path: Path, name: str) -> Sheet:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from ttdn.content.files import sniff, zips

    try:
        zips.check_zip(path, sniff.zip_limits())
        # A file object: the staged copy has no extension for openpyxl to go by.
        book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except zips.ZipProblem as exc:
        raise sniff.zip_refusal(exc, name) from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise _bad_file(name, _("it is not a readable Excel workbook (.xlsx).")) from exc
    sheet = book.worksheets[0] if book.worksheets else None
    if sheet is None:
        book.close()
        raise _bad_file(name, _("the workbook has no sheet."))
    values = sheet.iter_rows(values_only=True)
    header = next(values, None)
    if not header:
        book.close()
        raise _bad_file(name, _("the file is empty."))
    columns = _columns([_cell(c) for c in header], name)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for n, row in enumerate(values, start=2):
                if n - 1 > MAX_ROWS:
                    raise _bad_file(name, _("more than %(max)d rows; split the list.") % {"max": MAX_ROWS})
                yield n, [_cell(c) for c in row]
        finally:
            book.close()

    return Sheet(columns, rows())


def read_sheet(path: Path, name: str) -> Sheet:
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK\x03\x04"):
        return read_xlsx(path, name)
    if name.lower().endswith((".xlsx", ".xls")):
        raise _bad_file(name, _("it is not a readable Excel workbook (.xlsx)."))
    return read_csv(path, name)


def language_of(value: str) -> str | None:
    if not value:
        return "vi"
    tag = languages.canonical_tag(value.strip())
    if tag:
        return tag
    wanted = fold(value)
    for lang in languages.LANGUAGES:
        if wanted in (fold(lang.name("vi")), fold(lang.name("en")), fold(lang.name("vi")).removeprefix("tieng")):
            return lang.tag
    return None
