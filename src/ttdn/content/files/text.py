"""All text taken out of PDF and Word documents, for attachments and plan imports alike, in one module:
PDFium is not thread-safe and the server runs requests in threads, so every PDFium call in the process (the
PDF probe and thumbnails too) holds `PDFIUM_LOCK`, kept here; a DOCX is only handed to python-docx after
`zips.check_zip` inflated it under the caps.

Costs are bounded: a PDF may have at most `MAX_PDF_PAGES` pages, and text extraction stops (the text is
cut) once `EXTRACT_SECONDS` have passed; the lock is taken page by page, so a long document does not make
every other upload wait behind it.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from django.utils.translation import gettext_lazy as _

from ttdn.content.files import zips
from ttdn.content.files.sniff import FileInfo, FileKind, zip_limits, zip_refusal
from ttdn.core.errors import ServiceError

__all__ = [
    "MAX_PDF_PAGES",
    "PDFIUM_LOCK",
    "Unreadable",
    "docx_text",
    "extract_text",
    "open_docx",
    "open_pdf",
    "pdf_page_texts",
]

# PDFium is not thread-safe and the server runs requests in threads: one call at a time, process-wide.
PDFIUM_LOCK = threading.RLock()
MAX_PDF_PAGES = 5_000
EXTRACT_SECONDS = 30.0


class Unreadable(Exception):
    """A document that cannot be read: `kind` is "encrypted", "too_many_pages" or "malformed"."""

    def __init__(self, kind: str, detail: str, *, pages: int = 0) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.pages = pages


@contextmanager
def open_pdf(source: Path | bytes, *, max_pages: int | None = None) -> Iterator[Any]:
    """The PdfDocument (opened and closed under the lock); callers take `PDFIUM_LOCK` around each use."""
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(source) if isinstance(source, Path) else source)
        except pdfium.PdfiumError as exc:
            if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
                raise Unreadable("encrypted", str(exc)) from exc
            raise Unreadable("malformed", str(exc)) from exc
        pages = len(pdf)
    try:
        limit = MAX_PDF_PAGES if max_pages is None else max_pages
        if pages > limit:
            raise Unreadable("too_many_pages", f"{pages} pages", pages=pages)
        yield pdf
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def pdf_page_texts(source: Path | bytes, *, bounded: bool = True, seconds: float | None = None) -> list[str]:
    """Each page's text (newlines normalised). Past the time budget the remaining pages are left out."""
    deadline = time.monotonic() + (EXTRACT_SECONDS if seconds is None else seconds)
    pages: list[str] = []
    with open_pdf(source) as pdf:
        for index in range(len(pdf)):
            if time.monotonic() > deadline:
                break
            with PDFIUM_LOCK:  # page by page: other uploads' PDFium calls run in between
                try:
                    page = pdf[index]
                    textpage = page.get_textpage()
                    try:
                        text = textpage.get_text_bounded() if bounded else textpage.get_text_range()
                    finally:
                        textpage.close()
                        page.close()
                except pdfium.PdfiumError as exc:
                    raise Unreadable("malformed", str(exc)) from exc
            pages.append(text.replace("\r\n", "\n").replace("\r", "\n"))
    return pages


def open_docx(path: Path, *, checked: bool = False, limits: zips.ZipLimits | None = None) -> Any:
    """A python-docx Document, after the archive passed `zips.check_zip` (unless the caller just did).

    Raises zips.ZipProblem for an archive over the limits, Unreadable for anything python-docx or lxml
    cannot parse (malformed XML, nesting past libxml2's depth limit, a damaged deflate stream).
    """
    import docx

    if not checked:
        zips.check_zip(path, limits or zip_limits())
    try:
        return docx.Document(str(path))
    except Exception as exc:  # python-docx and lxml raise many types (KeyError, ValueError, XMLSyntaxError…)
        raise Unreadable("malformed", f"python-docx: {type(exc).__name__}: {exc}") from exc


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_W_P = f"{_W}p"
_W_T = f"{_W}t"
_W_TXBX = f"{_W}txbxContent"
_W_BREAKS = {f"{_W}br", f"{_W}cr"}
# Paragraph/run properties hold tab-stop definitions, not text; deleted text and field codes are not
# what the reader sees.
_W_SKIP = {f"{_W}pPr", f"{_W}rPr", f"{_W}delText", f"{_W}instrText", f"{_W}del", f"{_W}moveFrom", _MC_FALLBACK}
_RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_RT_ENDNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes"


def docx_text(path: Path, *, checked: bool = False) -> str:
    """Headers, body (paragraphs, tables, text boxes in order), foot/endnotes, then footers."""
    from docx.oxml.parser import parse_xml

    document = open_docx(path, checked=checked)
    part = document.part
    body = document.element.body
    headers: list[Any] = []
    footers: list[Any] = []
    seen: set[str] = set()
    for sect_pr in body.iter(f"{_W}sectPr"):
        for ref in sect_pr:
            if ref.tag not in (f"{_W}headerReference", f"{_W}footerReference"):
                continue
            rel_id = ref.get(_R_ID)
            if not rel_id or rel_id in seen or rel_id not in part.rels:
                continue
            seen.add(rel_id)
            target = part.related_parts[rel_id]
            (headers if ref.tag == f"{_W}headerReference" else footers).append(target.element)
    notes: list[Any] = []
    for rel in part.rels.values():
        if rel.reltype in (_RT_FOOTNOTES, _RT_ENDNOTES) and not rel.is_external:
            target = rel.target_part
            notes.append(target.element if hasattr(target, "element") else parse_xml(target.blob))

    lines: list[str] = []
    for root in [*headers, body, *notes, *footers]:
        _docx_blocks(root, lines)
    return "\n".join(line for line in lines if line.strip()).strip()


def _docx_blocks(element: Any, out: list[str]) -> None:
    for child in element:
        if child.tag == _MC_FALLBACK:  # the same content as the mc:Choice next to it
            continue
        if child.tag == _W_P:
            boxes: list[Any] = []
            out.append(_docx_paragraph(child, boxes))
            for box in boxes:
                _docx_blocks(box, out)
        else:
            _docx_blocks(child, out)


def _docx_paragraph(paragraph: Any, boxes: list[Any]) -> str:
    parts: list[str] = []

    def visit(element: Any) -> None:
        for child in element:
            tag = child.tag
            if tag == _W_T:
                parts.append(child.text or "")
            elif tag == f"{_W}tab":
                parts.append("\t")
            elif tag in _W_BREAKS:
                parts.append("\n")
            elif tag == f"{_W}noBreakHyphen":
                parts.append("-")
            elif tag == _W_TXBX:
                boxes.append(child)  # a text box anchored here: its paragraphs follow this one
            elif tag not in _W_SKIP:
                visit(child)

    visit(paragraph)
    return "".join(parts)


def extract_text(path: Path, info: FileInfo) -> str:
    """The text of a PDF or DOCX, NFC-normalised; an empty string for other kinds."""
    try:
        if info.kind == FileKind.PDF:
            text = "\n\f\n".join(page.strip() for page in pdf_page_texts(path))
        elif info.kind == FileKind.DOCX:
            text = docx_text(path)
        else:
            return ""
    except zips.ZipProblem as exc:
        if exc.kind != "malformed":
            raise zip_refusal(exc, "") from exc
        raise ServiceError(
            "upload_malformed", _("The document is damaged and its text cannot be read."), sha256=info.sha256
        ) from exc
    except (Unreadable, pdfium.PdfiumError) as exc:
        # Only reachable for a file that changed or was never inspected; say so plainly.
        raise ServiceError(
            "upload_malformed", _("The document is damaged and its text cannot be read."), sha256=info.sha256
        ) from exc
    # Vietnamese typed on some systems arrives decomposed; NFC makes search and comparison work.
    return unicodedata.normalize("NFC", text)

