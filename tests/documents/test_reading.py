"""Reading plans from TXT, DOCX and PDF, and refusing what is not a readable plan, clearly and in Vietnamese."""

from __future__ import annotations

import io
import os
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from docx import Document
from docx.shared import Mm, Pt
from PIL import Image, ImageDraw

from ttdn.core.errors import ServiceError
from ttdn.documents.decree30 import docx_to_pdf, soffice_path
from ttdn.documents.plan_import import MAX_BYTES, parse_plan, read_plan_file

from .conftest import FIXTURES, SEEDS

DISTRICT = FIXTURES / "duc-co-district-plan-2023.txt"
TABLE_PLAN = FIXTURES / "thanh-hoa-table-plan-2022.txt"


def _docx_from_text(text: str, *, small: bool = False) -> bytes:
    """A Word file as an official would type the plan: one paragraph per line, the " | " rows as a real table."""
    document = Document()
    if small:  # wide pages and small type, so PDF lines do not wrap where the plan's lines do not
        section = document.sections[0]
        section.page_width, section.page_height = Mm(420), Mm(297)
        section.left_margin = section.right_margin = Mm(10)
        document.styles["Normal"].font.size = Pt(8)
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            table = document.add_table(rows=0, cols=max(len(r) for r in rows))
            for values in rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, values, strict=False):
                    cell.text = value
            rows.clear()

    for line in text.splitlines():
        if " | " in line:
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        flush()
        document.add_paragraph(line)
    flush()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _summary(draft: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(t["key"], t["lead"]["agency"] or t["lead"]["group"] or t["lead"]["text"],
             sorted(c["agency"] or c["group"] or c["text"] for c in t["coordinating"]),
             t["timeframe"]["kind"], t["timeframe"]["start"], t["timeframe"]["end"]) for t in draft["tasks"]]


def _refusal(path: Path, filename: str | None = None) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        read_plan_file(path, filename)
    return caught.value


# ------------------------------------------------------------------------------------------------ formats


def test_docx_with_a_table_reads_as_the_text_does(agencies: Any, tmp_path: Path) -> None:
    text = TABLE_PLAN.read_text(encoding="utf-8")
    path = tmp_path / "ke-hoach.docx"
    path.write_bytes(_docx_from_text(text))
    from_docx = read_plan_file(path)
    assert "Sản xuất chuyên mục phát thanh bằng tiếng Thái, tiếng Mông | Đài PT-TH tỉnh" in from_docx
    assert _summary(parse_plan(from_docx, agencies=agencies)) == _summary(parse_plan(text, agencies=agencies))


def test_pdf_with_text_reads_as_the_text_does(agencies: Any, tmp_path: Path) -> None:
    assert soffice_path(), "LibreOffice (soffice) is needed: it is in scripts/run-tests.sh's apt list"
    text = DISTRICT.read_text(encoding="utf-8")
    path = tmp_path / "ke-hoach.pdf"
    path.write_bytes(docx_to_pdf(_docx_from_text(text, small=True)))
    from_pdf = read_plan_file(path)
    draft = parse_plan(from_pdf, agencies=agencies)
    assert _summary(draft) == _summary(parse_plan(text, agencies=agencies))
    assert draft["plan"]["number"] == "45" and draft["plan"]["signer"] == "Rơ Châm H'Lan"


def _cp1258(text: str) -> bytes:
    """Windows-1258 as old Vietnamese Word files use it: letters with ^, ˘ and the horn precomposed, tone marks
    as separate combining characters."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out:
            out[-1] += ch
        else:
            out.append(ch)
    clusters = []
    for cluster in out:
        base, marks = cluster[0], cluster[1:]
        vowel = "".join(m for m in marks if m in "\u0302\u0306\u031b")
        tones = "".join(m for m in marks if m not in vowel)
        clusters.append(unicodedata.normalize("NFC", base + vowel) + tones)
    out = clusters
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "cp1258"])
def test_text_in_other_encodings(tmp_path: Path, encoding: str) -> None:
    text = (SEEDS / "thanh-hoa-plan-1191.txt").read_text(encoding="utf-8")
    path = tmp_path / "plan.txt"
    path.write_bytes(_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    read = read_plan_file(path)
    assert "Sở Thông tin và Truyền thông chỉ đạo các doanh nghiệp viễn thông" in read
    # "Căn cứ chức năng, nhiệm vụ …" is a general duty, not a task.
    assert len(parse_plan(read)["tasks"]) == len(parse_plan(text)["tasks"]) == 20


def test_a_file_named_otherwise_is_read_by_its_content(tmp_path: Path) -> None:
    path = tmp_path / "upload-1234"
    path.write_bytes(_docx_from_text(TABLE_PLAN.read_text(encoding="utf-8")))
    assert "KẾ HOẠCH" in read_plan_file(path, filename="Kế hoạch 55.docx")


# ------------------------------------------------------------------------------------------------ refusals


def test_empty_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert _refusal(empty).code == "documents.empty"
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n\t\n  ", encoding="utf-8")
    assert _refusal(blank).code == "documents.empty"
    with pytest.raises(ServiceError) as caught:
        parse_plan("   ")
    assert caught.value.code == "documents.empty"


def test_binary_with_a_text_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ke-hoach.txt"
    path.write_bytes(os.urandom(8192) + b"\x00\x00\x00")
    assert _refusal(path).code == "documents.not_text"
    png = tmp_path / "scan.txt"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buffer, "PNG")
    png.write_bytes(buffer.getvalue())
    assert _refusal(png).code == "documents.not_text"


def test_scanned_pdf_without_text_is_refused(tmp_path: Path) -> None:
    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    for y in range(200, 1500, 40):  # lines of "text" that are only pixels
        draw.rectangle((150, y, 1090, y + 12), fill="black")
    path = tmp_path / "scan.pdf"
    image.save(path, "PDF", resolution=150)
    with translation.override("vi"):
        error = _refusal(path)
        assert "quét" in str(error.message)
    assert error.code == "documents.scanned_pdf"


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    binary = soffice_path()
    assert binary, "LibreOffice (soffice) is needed: it is in scripts/run-tests.sh's apt list"
    source = tmp_path / "plan.docx"
    source.write_bytes(_docx_from_text("KẾ HOẠCH\nCơ quan chủ trì: Sở Ngoại vụ"))
    export = ('pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
              '"DocumentOpenPassword":{"type":"string","value":"bi-mat"}}')
    subprocess.run([binary, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", export, "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    with translation.override("vi"):
        error = _refusal(tmp_path / "plan.pdf")
        assert "mật khẩu" in str(error.message)
    assert error.code == "documents.encrypted"


def test_a_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: nothing is written or read
    with translation.override("vi"):
        error = _refusal(path)
        assert "quá lớn" in str(error.message)
    assert error.code == "documents.too_large"


def test_text_that_is_not_a_plan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Shopping list: rice, fish sauce, coffee.\nCall the garage on Monday.\n", encoding="utf-8")
    with translation.override("vi"):
        error = _refusal(path)
        assert "kế hoạch" in str(error.message).lower()
    assert error.code == "documents.not_a_plan"
    with translation.override("en"):
        assert "plan" in str(_refusal(path).message)


@pytest.mark.parametrize(("name", "content", "code"), [
    ("plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "documents.unsupported_format"),
    ("plan.docx", "KẾ HOẠCH nhiệm vụ".encode(), "documents.corrupt"),
    ("plan.docx", b"PK\x03\x04" + b"broken zip" * 50, "documents.corrupt"),
    ("plan.pdf", b"%PDF-1.7\n garbage that is no PDF", "documents.corrupt"),
    ("plan.xlsx", "KẾ HOẠCH nhiệm vụ chủ trì".encode(), "documents.unsupported_format"),
])
def test_damaged_or_unsupported_files_are_refused(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert _refusal(path).code == code
