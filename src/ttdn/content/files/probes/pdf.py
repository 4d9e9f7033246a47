"""The PDF probe: opened by PDFium (under the lock `text` holds), refused when encrypted, too long, cut off or
carrying active content (scripts, launch actions, embedded files), wherever those objects are stored."""

from __future__ import annotations

import logging
import mmap
import re
import zlib
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from django.utils.translation import gettext_lazy as _

from ttdn.content.files import text
from ttdn.content.files.sniff import _PDF, FileInfo, FileKind, _encrypted, _err, _Gate, _info, _Malformed

logger = logging.getLogger(__name__)


def probe_pdf(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    gate(FileKind.PDF, _PDF.what)
    # PDFium quietly repairs cut-off files; a complete PDF ends with %%EOF (Acrobat looks in the
    # last kilobyte, we allow some trailing junk).
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - 2048))
        if b"%%EOF" not in fh.read():
            raise _Malformed("no %%EOF at the end")
    active: set[str] = set()
    try:
        with text.open_pdf(path) as pdf, text.PDFIUM_LOCK:
            pages = len(pdf)
            if pages < 1:
                raise _Malformed("no pages")
            # What PDFium finds through the name trees, wherever the objects are stored.
            if pdfium_c.FPDFDoc_GetJavaScriptActionCount(pdf.raw) > 0:
                active.add("JavaScript")
            if pdfium_c.FPDFDoc_GetAttachmentCount(pdf.raw) > 0:
                active.add("EmbeddedFiles")
            page = pdf[0]
            try:
                width, height = page.get_size()
            finally:
                page.close()
    except text.Unreadable as exc:
        if exc.kind == "encrypted":
            raise _encrypted(name) from exc
        if exc.kind == "too_many_pages":
            raise _err(
                "upload_too_many_pages",
                _("“{name}” has {pages} pages; PDF documents may have at most {limit}."),
                name=name,
                pages=exc.pages,
                limit=text.MAX_PDF_PAGES,
            ) from exc
        raise _Malformed(str(exc)) from exc
    except pdfium.PdfiumError as exc:
        raise _Malformed(str(exc)) from exc
    active |= _pdf_active_content(path)
    if active:
        logger.info("PDF %r refused for active content: %s", name, sorted(active))
        raise _err(
            "upload_active_content",
            _(
                "“{name}” contains active content (scripts, actions that start programs, or embedded "
                "files), which could harm the computers of those who open it. Print or export it to PDF "
                "again without it and upload that."
            ),
            name=name,
        )
    if width <= 0 or height <= 0:
        raise _Malformed("empty first page")
    return _info(FileKind.PDF, "application/pdf", ".pdf", page_count=pages)


# Names whose presence makes a PDF active: scripts, launching programs, embedded files, Flash/3D.
_PDF_ACTIVE = frozenset({b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia"})
# The active names as written, and any name spelled with #xx escapes (/J#61vaScript is /JavaScript), which
# honest PDFs hardly ever use: only those are decoded, so a PDF of 200,000 pages is scanned in a blink.
_PDF_NAME = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia"
    rb"|(?:[A-Za-z]|#[0-9A-Fa-f]{2}){0,40}#[0-9A-Fa-f]{2}(?:[A-Za-z]|#[0-9A-Fa-f]{2}){0,40})(?![A-Za-z0-9#])"
)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_OBJSTM = re.compile(rb"/Type\s*/ObjStm")
MAX_PDF_OBJSTM_BYTES = 64 * 1024 * 1024  # inflated object streams looked into, per file


def _pdf_active_names(data: bytes | mmap.mmap) -> set[str]:
    found: set[str] = set()
    for match in _PDF_NAME.finditer(data):
        name = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name in _PDF_ACTIVE:
            found.add(name.decode())
    return found


def _pdf_active_content(path: Path) -> set[str]:
    """Active names in the file's objects: the plain ones and those inside compressed object streams.

    Page content is never inflated (it cannot carry actions); only object streams, which hold dictionaries.
    The file is mapped, not read: a 100 MB PDF costs page cache, not memory.
    """
    budget = MAX_PDF_OBJSTM_BYTES
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        found = _pdf_active_names(data)
        for match in _PDF_OBJSTM.finditer(data):
            start = data.find(b"stream", match.end())
            end = data.find(b"endstream", start)
            if start < 0 or end < 0:
                continue
            start += len(b"stream")
            start += 2 if data[start : start + 2] == b"\r\n" else 1
            try:
                # max_length: an object stream that is a deflate bomb costs at most the budget.
                plain = zlib.decompressobj().decompress(data[start:end], budget + 1)
            except zlib.error:
                continue
            budget -= len(plain)
            if budget < 0:
                found.add("oversized object streams")
                break
            found |= _pdf_active_names(plain)
    return found


