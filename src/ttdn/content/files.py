"""The file pipeline: recognise an upload by its content, extract its text, thumbnail it, store it once.

Nothing here touches the database. Every check looks at the bytes, never at the name the
contributor gave the file: the name is only used to catch disguised files (a JPEG called
"report.pdf") and to word the messages. Failures raise `ServiceError` with a stable code and
leave nothing behind on disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import mmap
import re
import stat
import struct
import threading
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import mutagen
import mutagen.mp3
import mutagen.mp4
import mutagen.oggopus
import mutagen.oggvorbis
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from django.conf import settings
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from ttdn.content import doctext, zips
from ttdn.content.blobs import blob_path, open_blob, store_blob, store_bytes, store_pieces
from ttdn.core.errors import ServiceError

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as LazyStr
else:
    LazyStr = Promise  # what gettext_lazy returns

logger = logging.getLogger(__name__)

__all__ = [
    "FileInfo",
    "FileKind",
    "blob_path",
    "extract_text",
    "inspect_upload",
    "make_thumbnail",
    "open_blob",
    "store_blob",
    "store_bytes",
    "store_pieces",
]


class FileKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"


@dataclass(frozen=True, slots=True)
class FileInfo:
    kind: FileKind
    mime_type: str
    extension: str  # canonical, from the content: ".pdf", ".jpg", ".m4a"…
    size: int
    sha256: str
    page_count: int | None = None
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None


# Limits that are not per-deployment settings. Module constants so tests can lower them.
MAX_IMAGE_PIXELS = 80_000_000
# PNG and WebP cannot be decoded at a reduced scale: every pixel is held while checking or thumbnailing
# them (4 bytes each). An A4 page scanned at 600 dpi is 35 MP; camera photos are JPEGs, decoded reduced.
MAX_LOSSLESS_PIXELS = 36_000_000
# Decoding is the costly part of an upload: at most this many images decode at once, process-wide.
MAX_CONCURRENT_DECODES = 2
_DECODE_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_DECODES)
# JPEGs are checked by decoding them at 1/8 scale or so: the whole entropy-coded stream is still read.
_JPEG_CHECK_SIDE = 1024
MAX_ZIP_UNCOMPRESSED = zips.MAX_TOTAL
MAX_ZIP_RATIO = zips.MAX_RATIO
# A part smaller than this may compress very well (repetitive XML) without being a threat.
ZIP_RATIO_MIN_SIZE = zips.RATIO_MIN_SIZE
MAX_ZIP_ENTRIES = zips.MAX_MEMBERS
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
MAX_CONTAINER_ELEMENTS = 100_000  # MP4 boxes / EBML elements walked before giving up
MAX_HEADER_ELEMENT_BYTES = 8 * 1024 * 1024  # WebM Info/Tracks read into memory

_HEAD_BYTES = 64 * 1024
_CHUNK = 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: old .doc/.xls, encrypted .docx
# Each prober calls the gate once it knows the kind: the name and size checks run before costly parsing.
_Gate = Callable[[FileKind, LazyStr], None]

# PDFium is not thread-safe and the server runs requests in threads: one call at a time (see doctext).
_PDFIUM_LOCK = doctext.PDFIUM_LOCK

_ACCEPTED = _(
    "Accepted files: PDF documents, Word documents (.docx), JPEG, PNG or WebP images, "
    "MP3, OGG or M4A audio, and MP4 or WebM video."
)

# How each kind is named in messages ("… not a PDF document") and in size limits.
_KIND_SINGULAR: dict[FileKind, LazyStr] = {
    FileKind.PDF: _("a PDF document"),
    FileKind.DOCX: _("a Word document"),
    FileKind.IMAGE: _("an image"),
    FileKind.AUDIO: _("an audio file"),
    FileKind.VIDEO: _("a video"),
}
_KIND_PLURAL: dict[FileKind, LazyStr] = {
    FileKind.PDF: _("PDF documents"),
    FileKind.DOCX: _("Word documents"),
    FileKind.IMAGE: _("images"),
    FileKind.AUDIO: _("audio files"),
    FileKind.VIDEO: _("videos"),
}

# What a name's extension claims. Only accepted kinds count: an unknown or unrelated extension
# (".bin", ".zip", none at all) claims nothing, and the content decides.
# MP4 and WebM containers carry sound-only files as often as videos, so they claim either.
_EXTENSION_CLAIMS: dict[str, frozenset[FileKind]] = {
    **dict.fromkeys([".pdf"], frozenset({FileKind.PDF})),
    **dict.fromkeys([".docx", ".doc", ".docm", ".dotx", ".dot", ".odt", ".rtf"], frozenset({FileKind.DOCX})),
    **dict.fromkeys(
        [".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".heic", ".heif"],
        frozenset({FileKind.IMAGE}),
    ),
    **dict.fromkeys(
        [".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".wav", ".flac", ".wma", ".amr"],
        frozenset({FileKind.AUDIO}),
    ),
    **dict.fromkeys(
        [".m4v", ".mkv", ".mov", ".avi", ".3gp", ".ogv", ".wmv", ".flv", ".mpg", ".mpeg"],
        frozenset({FileKind.VIDEO}),
    ),
    **dict.fromkeys([".mp4", ".webm"], frozenset({FileKind.VIDEO, FileKind.AUDIO})),
}


# ---------------------------------------------------------------------------------------------
# Messages


def _display_name(original_name: str) -> str:
    """The base name, without control characters and cut to a readable length, for messages."""
    base = re.split(r"[\\/]", original_name)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > 80:
        base = base[:60] + "…" + base[-19:]
    return base or "?"


def _extension(original_name: str) -> str:
    base = re.split(r"[\\/]", original_name)[-1].strip().rstrip(". ")
    return Path(base).suffix.lower() if base else ""


def _err(code: str, template: LazyStr, **params: Any) -> ServiceError:
    # Kept lazy so the message is rendered in the language of whoever reads it.
    details = {k: v for k, v in params.items() if not isinstance(v, Promise)}
    return ServiceError(code, format_lazy(template, **params), **details)


def upload_cap_bytes() -> int:
    """The largest file any kind may be: bigger uploads are not even written to the staging area in full."""
    return max(int(mb) for mb in settings.MAX_UPLOAD_MB.values()) * 1024 * 1024


def check_received_size(name: str, size: int) -> None:
    """Refuse an upload whose received size is over every kind's limit, before looking at its content."""
    cap = upload_cap_bytes()
    if size > cap:
        raise _err(
            "upload_too_large",
            _("“{name}” is {size} MB; no file may be larger than {limit} MB."),
            name=name,
            size=f"{size / (1024 * 1024):.1f}",
            limit=cap // (1024 * 1024),
        )


def _malformed(name: str, what: LazyStr) -> ServiceError:
    return _err(
        "upload_malformed",
        _(
            "“{name}” starts like {what} but is damaged or incomplete and cannot be opened. "
            "Export or download it again and retry."
        ),
        name=name,
        what=what,
    )


def _encrypted(name: str) -> ServiceError:
    return _err(
        "upload_encrypted",
        _("“{name}” is protected with a password. Save a copy without the password and upload that."),
        name=name,
    )


class _Malformed(Exception):
    """Internal: the content broke a structural rule; turned into `upload_malformed`."""

    def __init__(self, reason: str, what: LazyStr | None = None) -> None:
        super().__init__(reason)
        self.what = what  # what the file turned out to be, when known better than its first bytes


# ---------------------------------------------------------------------------------------------
# Sniffing: what the first bytes say


@dataclass(frozen=True, slots=True)
class _Format:
    key: str
    what: LazyStr  # "a JPEG image", for messages


_PDF = _Format("pdf", _("a PDF document"))
_ZIP = _Format("zip", _("a ZIP archive"))
_JPEG = _Format("jpeg", _("a JPEG image"))
_PNG = _Format("png", _("a PNG image"))
_WEBP = _Format("webp", _("a WebP image"))
_MP3 = _Format("mp3", _("an MP3 audio file"))
_OGG = _Format("ogg", _("an Ogg audio file"))
_MP4 = _Format("mp4", _("an MP4 file"))
_WEBM = _Format("webm", _("a WebM file"))

_WHAT_DOCX = _("a Word document (.docx)")
_WHAT_M4A = _("an M4A audio file")
_WHAT_MP4_VIDEO = _("an MP4 video")
_WHAT_WEBM_VIDEO = _("a WebM video")
_WHAT_WEBM_AUDIO = _("a WebM audio file")
_WHAT_EXECUTABLE = _("an executable program")

_MP4_ACCEPTED_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4A ", b"M4B ",
     b"M4V ", b"M4VH", b"M4VP", b"dash", b"mmp4", b"MSNV", b"f4v ", b"f4a "}
)  # fmt: skip
_MP4_OTHER_BRANDS: dict[bytes, LazyStr] = {
    b"qt  ": _("a QuickTime (.mov) video"),
    b"heic": _("a HEIC image"),
    b"heix": _("a HEIC image"),
    b"mif1": _("a HEIF image"),
    b"msf1": _("a HEIF image sequence"),
    b"avif": _("an AVIF image"),
    b"crx ": _("a camera RAW photo"),
}


def _sniff(head: bytes) -> _Format | LazyStr:
    """The accepted format the bytes start with, or a description of what they look like otherwise."""
    if head.startswith(b"%PDF-"):
        return _PDF
    if head.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _WEBP
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _ZIP
    if head.startswith(b"ID3") or _is_mpeg_audio_frame(head):
        return _MP3
    if head.startswith(b"OggS"):
        return _OGG
    if head[4:8] == b"ftyp":
        return _MP4
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return _WEBM
    return _describe_unsupported(head)


def _is_mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio Layer III frame header (MP3 without an ID3 tag)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0b11
    layer = (head[1] >> 1) & 0b11
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 0b11
    return version != 0b01 and layer == 0b01 and bitrate not in (0, 15) and rate != 3


def _describe_unsupported(head: bytes) -> LazyStr:
    checks: list[tuple[Callable[[bytes], bool], LazyStr]] = [
        (lambda h: h.startswith(b"MZ"), _WHAT_EXECUTABLE),
        (lambda h: h.startswith(b"\x7fELF"), _WHAT_EXECUTABLE),
        (
            lambda h: (
                h[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
                or h.startswith(b"\xca\xfe\xba\xbe")
            ),
            _WHAT_EXECUTABLE,
        ),
        (lambda h: h.startswith(_OLE_MAGIC), _("an old-format Office document (.doc, .xls or .ppt)")),
        (lambda h: h.startswith((b"GIF87a", b"GIF89a")), _("a GIF image")),
        (lambda h: h.startswith(b"BM") and h[6:10] == b"\0\0\0\0", _("a BMP image")),
        (lambda h: h.startswith((b"II*\x00", b"MM\x00*")), _("a TIFF image")),
        (lambda h: h[:4] == b"RIFF" and h[8:12] == b"WAVE", _("a WAV audio file")),
        (lambda h: h[:4] == b"RIFF" and h[8:12] == b"AVI ", _("an AVI video")),
        (lambda h: h.startswith(b"fLaC"), _("a FLAC audio file")),
        (lambda h: h.startswith(b"#!AMR"), _("an AMR voice recording")),
        (lambda h: h.startswith(b"#!"), _("a script")),
        (lambda h: h.startswith(b"0&\xb2u\x8ef\xcf\x11"), _("a Windows Media file")),
        (lambda h: h.startswith(b"FLV\x01"), _("a Flash video")),
        (lambda h: len(h) > 1 and h[0] == 0xFF and h[1] & 0xF6 == 0xF0, _("raw AAC audio")),
        (lambda h: h.startswith(b"Rar!\x1a\x07"), _("a RAR archive")),
        (lambda h: h.startswith(b"7z\xbc\xaf\x27\x1c"), _("a 7-Zip archive")),
        (lambda h: h.startswith(b"\x1f\x8b"), _("a gzip-compressed file")),
        (lambda h: h.startswith(b"{\\rtf"), _("an RTF document")),
    ]
    for test, what in checks:
        if test(head):
            return what
    return _describe_text(head)


def _describe_text(head: bytes) -> LazyStr:
    if b"\0" in head[:4096]:
        return _("a file of unknown type")
    text = head[:4096].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n").lower()
    markup = text[:1024]
    if markup.startswith(("<!doctype html", "<html", "<head", "<body", "<script", "<iframe")) or re.search(
        r"<(html|script|body|iframe)\b", markup
    ):
        return _("an HTML page")
    if "<svg" in markup:
        return _("an SVG image")
    if markup.startswith("<?xml"):
        return _("an XML file")
    return _("a plain text file")


# ---------------------------------------------------------------------------------------------
# Inspection


def inspect_upload(path: Path, original_name: str) -> FileInfo:
    """Recognise the file at `path` from its bytes and check it can be published; never writes.

    Raises ServiceError with one of: upload_empty, upload_too_large, upload_unsupported_type,
    upload_type_mismatch, upload_malformed, upload_encrypted, upload_macro, upload_bomb.
    """
    name = _display_name(original_name)
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{path} is not a regular file")
    size = st.st_size
    if size == 0:
        raise _err("upload_empty", _("“{name}” is empty (0 bytes)."), name=name)

    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    sniffed = _sniff(head)
    if head.startswith(_OLE_MAGIC) and _is_encrypted_ooxml(path):
        raise _encrypted(name)
    if not isinstance(sniffed, _Format):
        raise _err(
            "upload_unsupported_type",
            _("“{name}” looks like {what}, which cannot be uploaded. {accepted}"),
            name=name,
            what=sniffed,
            accepted=_ACCEPTED,
        )

    claimed = _EXTENSION_CLAIMS.get(_extension(original_name), frozenset())

    def gate(kind: FileKind, what: LazyStr) -> None:
        if claimed and kind not in claimed:
            raise _err(
                "upload_type_mismatch",
                _("The file is named “{name}” but its content is {actual}, not {claimed}."),
                name=name,
                actual=what,
                claimed=_KIND_SINGULAR[min(claimed)] if len(claimed) == 1 else _("a video or audio file"),
            )
        limit_mb = int(settings.MAX_UPLOAD_MB[kind.value])
        if size > limit_mb * 1024 * 1024:
            raise _err(
                "upload_too_large",
                _("“{name}” is {size} MB; {kinds} may be at most {limit} MB."),
                name=name,
                size=f"{size / (1024 * 1024):.1f}",
                kinds=_KIND_PLURAL[kind],
                limit=limit_mb,
            )

    prober = _PROBERS[sniffed.key]
    try:
        info = prober(path, head, name, gate)
    except _Malformed as exc:
        logger.info("Malformed upload %r (%s): %s", name, sniffed.key, exc)
        what = exc.what or sniffed.what
        if sniffed is _ZIP and claimed == {FileKind.DOCX}:
            what = _WHAT_DOCX  # a cut-off .docx is a broken Word document to its author, not a ZIP
        raise _malformed(name, what) from exc
    return replace(info, size=size, sha256=_sha256_file(path))


def check_claimed_kind(original_name: str, kind: FileKind, path: Path | None = None) -> None:
    """Refuse a name whose extension claims another kind than the content (known from an earlier check)."""
    claimed = _EXTENSION_CLAIMS.get(_extension(original_name), frozenset())
    if claimed and kind not in claimed:
        raise _err(
            "upload_type_mismatch",
            _("The file is named “{name}” but its content is {actual}, not {claimed}."),
            name=_display_name(original_name),
            actual=_KIND_SINGULAR[kind],
            claimed=_KIND_SINGULAR[min(claimed)] if len(claimed) == 1 else _("a video or audio file"),
        )


_EXTENSION_BY_MIME = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
    "audio/mp4": ".m4a",
    "audio/webm": ".webm",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
}
# Extensions that mean the same type as the canonical one: "photo.jpeg" keeps its name.
_SAME_EXTENSION = {".jpeg": ".jpg", ".jpe": ".jpg", ".jfif": ".jpg", ".oga": ".ogg", ".opus": ".ogg"}


def stored_name(original_name: str, mime_type: str) -> str:
    """The uploader's name with the extension of the detected type, never the one they typed."""
    extension = _EXTENSION_BY_MIME.get(mime_type, ".bin")
    base = _display_name(original_name).replace("…", "")
    base = re.sub(r"[\x00-\x1f\x7f\"<>:|?*]", "", base).strip().strip(".") or "file"
    stem, dot, typed = base.rpartition(".")
    if dot and stem:
        typed = "." + typed.lower()
        if _SAME_EXTENSION.get(typed, typed) == extension:
            return base[:255]
        base = stem.strip() or "file"
    return base[: 255 - len(extension)] + extension


def _is_encrypted_ooxml(path: Path) -> bool:
    """Word saves a password-protected .docx as an OLE file holding an "EncryptedPackage" stream."""
    marker = "EncryptedPackage".encode("utf-16-le")  # OLE directory names are UTF-16
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            if marker in tail + chunk:
                return True
            tail = chunk[-len(marker) :]
    return False


def _info(kind: FileKind, mime: str, ext: str, **fields: Any) -> FileInfo:
    # size and sha256 are filled in by inspect_upload once the content has passed.
    return FileInfo(kind=kind, mime_type=mime, extension=ext, size=0, sha256="", **fields)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- PDF -------------------------------------------------------------------------------------


def _probe_pdf(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    gate(FileKind.PDF, _PDF.what)
    # PDFium quietly repairs cut-off files; a complete PDF ends with %%EOF (Acrobat looks in the
    # last kilobyte, we allow some trailing junk).
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - 2048))
        if b"%%EOF" not in fh.read():
            raise _Malformed("no %%EOF at the end")
    active: set[str] = set()
    try:
        with doctext.open_pdf(path) as pdf, _PDFIUM_LOCK:
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
    except doctext.Unreadable as exc:
        if exc.kind == "encrypted":
            raise _encrypted(name) from exc
        if exc.kind == "too_many_pages":
            raise _err(
                "upload_too_many_pages",
                _("“{name}” has {pages} pages; PDF documents may have at most {limit}."),
                name=name,
                pages=exc.pages,
                limit=doctext.MAX_PDF_PAGES,
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


# --- DOCX ------------------------------------------------------------------------------------

_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_CT_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CT_DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
_CT_OTHER_MAIN: dict[str, LazyStr] = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": _("a Word template (.dotx)"),
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": _("a Word template with macros (.dotm)"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": _("an Excel spreadsheet"),
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": _("an Excel spreadsheet"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": _(
        "a PowerPoint presentation"
    ),
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml": _("a PowerPoint presentation"),
}
_ZIP_MIMETYPES: dict[bytes, LazyStr] = {
    b"application/vnd.oasis.opendocument.text": _("an OpenDocument text (.odt)"),
    b"application/vnd.oasis.opendocument.spreadsheet": _("an OpenDocument spreadsheet (.ods)"),
    b"application/vnd.oasis.opendocument.presentation": _("an OpenDocument presentation (.odp)"),
    b"application/epub+zip": _("an EPUB e-book"),
}


def _probe_zip(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    try:
        with _open_zip(path, name) as archive:
            entries = archive.infolist()
            names = {e.filename for e in entries}
            if "[Content_Types].xml" not in names:
                raise _unsupported_zip(name, archive, names)
            content_types = zips.read_member(archive, "[Content_Types].xml", MAX_CONTENT_TYPES_BYTES)
    except zips.ZipProblem as exc:
        raise _Malformed(f"zip: {exc}") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        raise _Malformed(f"zip: {exc}") from exc

    main_type = _docx_main_content_type(content_types)
    has_vba = any(n.lower().endswith("vbaproject.bin") for n in names)
    if main_type == _CT_DOCM_MAIN or (main_type == _CT_DOCX_MAIN and has_vba):
        raise _err(
            "upload_macro",
            _(
                "“{name}” is a Word document with macros (.docm). Macros can carry harmful code: "
                "save it as an ordinary Word document (.docx) and upload that."
            ),
            name=name,
        )
    if main_type in _CT_OTHER_MAIN:
        raise _err(
            "upload_unsupported_type",
            _("“{name}” looks like {what}, which cannot be uploaded. {accepted}"),
            name=name,
            what=_CT_OTHER_MAIN[main_type],
            accepted=_ACCEPTED,
        )
    if main_type != _CT_DOCX_MAIN or "word/document.xml" not in names:
        raise _Malformed(f"main part content type {main_type!r}", _WHAT_DOCX)

    gate(FileKind.DOCX, _WHAT_DOCX)
    _open_docx(path, checked=True)  # python-docx parses every part it knows; any failure means a broken file
    return _info(
        FileKind.DOCX,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    )


def zip_limits() -> zips.ZipLimits:
    """The limits every ZIP-based reader applies (module constants here so tests can lower them)."""
    return zips.ZipLimits(
        max_members=MAX_ZIP_ENTRIES,
        max_total=MAX_ZIP_UNCOMPRESSED,
        max_ratio=MAX_ZIP_RATIO,
        ratio_min_size=ZIP_RATIO_MIN_SIZE,
    )


def _open_zip(path: Path, name: str) -> zipfile.ZipFile:
    """The archive, after every member was inflated under the caps (see `zips`); refusals in words."""
    try:
        return zips.open_zip(path, zip_limits())
    except zips.ZipProblem as exc:
        if exc.kind == "malformed":
            raise _Malformed(str(exc)) from exc  # worded by inspect_upload, which knows what was claimed
        raise zip_refusal(exc, name) from exc


def zip_refusal(exc: zips.ZipProblem, name: str) -> ServiceError:
    """The upload error for a refused archive, in the reader's language."""
    if exc.kind == "encrypted":
        return _encrypted(name)
    if exc.kind == "members":
        return _err(
            "upload_bomb",
            _("“{name}” contains {count} parts; at most {limit} are allowed."),
            name=name,
            count=exc.count,
            limit=exc.limits.max_members,
        )
    if exc.kind == "total":
        return _err(
            "upload_bomb",
            _("“{name}” would expand to more than {limit} MB when opened, which is not allowed."),
            name=name,
            limit=exc.limits.max_total // (1024 * 1024),
        )
    if exc.kind == "ratio":
        return _err(
            "upload_bomb",
            _(
                "“{name}” contains a part compressed more than {ratio} to 1, as decompression "
                "bombs are; it was refused."
            ),
            name=name,
            ratio=exc.limits.max_ratio,
        )
    logger.info("Malformed archive %r: %s", name, exc)
    return _malformed(name, _WHAT_DOCX if name.lower().endswith(".docx") else _ZIP.what)


def _read_member(archive: zipfile.ZipFile, member: str, limit: int) -> bytes:
    try:
        return zips.read_member(archive, member, limit)
    except zips.ZipProblem as exc:
        raise _Malformed(str(exc)) from exc


def _unsupported_zip(name: str, archive: zipfile.ZipFile, names: set[str]) -> ServiceError:
    what: LazyStr = _ZIP.what
    if "mimetype" in names:  # OpenDocument and EPUB name themselves in a first "mimetype" entry
        with contextlib.suppress(zipfile.BadZipFile, OSError, KeyError, _Malformed):
            what = _ZIP_MIMETYPES.get(_read_member(archive, "mimetype", 200).strip(), what)
    return _err(
        "upload_unsupported_type",
        _("“{name}” looks like {what}, which cannot be uploaded. {accepted}"),
        name=name,
        what=what,
        accepted=_ACCEPTED,
    )


def _docx_main_content_type(content_types: bytes) -> str:
    from docx.oxml.parser import parse_xml  # python-docx's parser: no entities, no network

    try:
        root = parse_xml(content_types)
    except Exception as exc:  # lxml raises several unrelated types for bad XML
        raise _Malformed(f"[Content_Types].xml: {exc}", _WHAT_DOCX) from exc
    for override in root.iter(f"{_CT_NS}Override"):
        if override.get("PartName", "").lower() == "/word/document.xml":
            return str(override.get("ContentType", ""))
    # Other main parts (spreadsheets, presentations) are found by their content type alone.
    for override in root.iter(f"{_CT_NS}Override"):
        content_type = str(override.get("ContentType", ""))
        if content_type in _CT_OTHER_MAIN or content_type == _CT_DOCM_MAIN:
            return content_type
    return ""


def _open_docx(path: Path, *, checked: bool = False) -> Any:
    try:
        return doctext.open_docx(path, checked=checked)
    except (doctext.Unreadable, zips.ZipProblem) as exc:
        raise _Malformed(str(exc), _WHAT_DOCX) from exc


# --- Images ----------------------------------------------------------------------------------

# What the parsers raise on damaged input besides their own errors (found by fuzzing: mutagen raises
# IndexError on an Ogg page without packets). Any of them means a broken file, not a server error.
_PARSER_BUGS = (IndexError, KeyError, TypeError, AttributeError, OverflowError, ZeroDivisionError, EOFError)
_PILLOW_ERRORS = (OSError, SyntaxError, ValueError, struct.error, *_PARSER_BUGS)
_MUTAGEN_ERRORS = (mutagen.MutagenError, OSError, ValueError, struct.error, *_PARSER_BUGS)

_PIL_FORMATS = {"jpeg": ("JPEG", "image/jpeg", ".jpg"), "png": ("PNG", "image/png", ".png"),
                "webp": ("WEBP", "image/webp", ".webp")}  # fmt: skip


def _probe_image(path: Path, head: bytes, name: str, gate: _Gate, fmt: _Format) -> FileInfo:
    gate(FileKind.IMAGE, fmt.what)
    pil_format, mime, ext = _PIL_FORMATS[fmt.key]
    try:
        with _open_image(path, pil_format) as img:
            width, height = img.size  # from the header: nothing decoded yet
            if width * height > MAX_IMAGE_PIXELS:
                raise _image_bomb(name, width, height)
            if pil_format != "JPEG" and width * height > MAX_LOSSLESS_PIXELS:
                raise _image_bomb(name, width, height, MAX_LOSSLESS_PIXELS)
            if pil_format == "JPEG":
                img.draft("RGB", (_JPEG_CHECK_SIDE, _JPEG_CHECK_SIDE))
            with _DECODE_SLOTS:
                img.load()  # decode every pixel: a truncated or corrupt image fails here
            orientation = img.getexif().get(0x0112, 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _err(
            "upload_bomb",
            _("“{name}” declares more pixels than an image may have; it was refused."),
            name=name,
        ) from exc
    except _PILLOW_ERRORS as exc:
        raise _Malformed(f"Pillow: {exc}") from exc
    if width < 1 or height < 1:
        raise _Malformed("zero-sized image")
    if orientation in (5, 6, 7, 8):  # rotated a quarter turn: people see it the other way round
        width, height = height, width
    return _info(FileKind.IMAGE, mime, ext, width=width, height=height)


def _open_image(path: Path, pil_format: str) -> Image.Image:
    # Only the sniffed decoder may run. Pillow's own bomb check stays on (it raises above twice its
    # MAX_IMAGE_PIXELS); ours is stricter and is applied right after opening, before decoding.
    # (warnings.catch_warnings would be simpler but is not thread-safe before Python 3.14.)
    return Image.open(path, formats=[pil_format])


def _image_bomb(name: str, width: int, height: int, limit: int | None = None) -> ServiceError:
    if limit is not None:
        return _err(
            "upload_bomb",
            _(
                "“{name}” is {width}×{height} pixels; PNG and WebP images may have at most {limit} megapixels. "
                "Save a large photo as JPEG, or reduce its size."
            ),
            name=name,
            width=width,
            height=height,
            limit=limit // 1_000_000,
        )
    return _err(
        "upload_bomb",
        _("“{name}” is {width}×{height} pixels; images may have at most {limit} megapixels."),
        name=name,
        width=width,
        height=height,
        limit=MAX_IMAGE_PIXELS // 1_000_000,
    )


# --- Audio -----------------------------------------------------------------------------------


def _probe_mp3(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    gate(FileKind.AUDIO, _MP3.what)
    try:
        audio = mutagen.mp3.MP3(str(path))
    except _MUTAGEN_ERRORS as exc:
        raise _Malformed(f"mutagen: {exc}") from exc
    length = _audio_length(audio)
    if not length:
        raise _Malformed("no audio frames")
    return _info(FileKind.AUDIO, "audio/mpeg", ".mp3", duration_seconds=length)


def _audio_length(audio: mutagen.FileType) -> float | None:
    length = float(getattr(audio.info, "length", 0) or 0)
    return length if length > 0 else None


def _probe_ogg(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    codecs = _ogg_stream_codecs(head)
    if any(c.startswith(b"\x80theora") for c in codecs):
        raise _err(
            "upload_unsupported_type",
            _("“{name}” looks like {what}, which cannot be uploaded. {accepted}"),
            name=name,
            what=_("an Ogg video (Theora)"),
            accepted=_ACCEPTED,
        )
    reader: type[mutagen.FileType]
    if codecs and codecs[0].startswith(b"\x01vorbis"):
        reader = mutagen.oggvorbis.OggVorbis
    elif codecs and codecs[0].startswith(b"OpusHead"):
        reader = mutagen.oggopus.OggOpus
    elif codecs and codecs[0].startswith((b"\x7fFLAC", b"Speex", b"fLaC")):
        raise _err(
            "upload_unsupported_type",
            _("“{name}” looks like {what}, which cannot be uploaded. {accepted}"),
            name=name,
            what=_("an Ogg file with FLAC or Speex audio"),
            accepted=_ACCEPTED,
        )
    else:
        raise _Malformed(f"Ogg streams {codecs!r}")
    gate(FileKind.AUDIO, _OGG.what)
    try:
        audio = reader(str(path))
    except _MUTAGEN_ERRORS as exc:
        raise _Malformed(f"mutagen: {exc}") from exc
    length = _audio_length(audio)
    if not length:
        raise _Malformed("no audio")
    return _info(FileKind.AUDIO, "audio/ogg", ".ogg", duration_seconds=length)


def _ogg_stream_codecs(head: bytes) -> list[bytes]:
    """The first bytes of each logical stream's first packet (the beginning-of-stream pages)."""
    codecs: list[bytes] = []
    pos = 0
    while head[pos : pos + 4] == b"OggS" and len(head) >= pos + 27:
        header_type = head[pos + 5]
        if not header_type & 0x02:  # beginning-of-stream pages all come first
            break
        segments = head[pos + 26]
        table = head[pos + 27 : pos + 27 + segments]
        body = pos + 27 + segments
        codecs.append(head[body : body + 8])
        pos = body + sum(table)
    return codecs


# --- MP4 / M4A -------------------------------------------------------------------------------


def _mp4_boxes(fh: IO[bytes], start: int, end: int, budget: list[int]) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) for each box between start and end; sizes must fit."""
    pos = start
    while pos + 8 <= end:
        budget[0] -= 1
        if budget[0] < 0:
            raise _Malformed("too many boxes")
        fh.seek(pos)
        header = fh.read(8)
        if len(header) < 8:
            raise _Malformed("truncated box header")
        size, box_type = struct.unpack(">I4s", header)
        payload = pos + 8
        if size == 1:
            large = fh.read(8)
            if len(large) < 8:
                raise _Malformed("truncated box header")
            (size,) = struct.unpack(">Q", large)
            payload += 8
        elif size == 0:
            size = end - pos
        if size < payload - pos or pos + size > end:
            raise _Malformed(f"box {box_type!r} runs past its container (truncated file?)")
        yield box_type, payload, pos + size
        pos += size


def _read_at(fh: IO[bytes], pos: int, length: int) -> bytes:
    fh.seek(pos)
    data = fh.read(length)
    if len(data) != length:
        raise _Malformed("truncated")
    return data


@dataclass
class _Mp4Track:
    handler: bytes = b""
    width: int | None = None
    height: int | None = None


def _probe_mp4(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, min(len(head), struct.unpack(">I", head[:4])[0]), 4)}
    if major not in _MP4_ACCEPTED_BRANDS and not (compatible & _MP4_ACCEPTED_BRANDS):
        raise _err(
            "upload_unsupported_type",
            _("“{name}” looks like {what}, which cannot be uploaded. {accepted}"),
            name=name,
            what=_MP4_OTHER_BRANDS.get(major, _("an MP4-family file of an unsupported type")),
            accepted=_ACCEPTED,
        )
    size = path.stat().st_size
    budget = [MAX_CONTAINER_ELEMENTS]
    tracks: list[_Mp4Track] = []
    duration: float | None = None
    with path.open("rb") as fh:
        top = list(_mp4_boxes(fh, 0, size, budget))
        if not top or top[0][0] != b"ftyp":
            raise _Malformed("first box is not ftyp")
        moov = [box for box in top if box[0] == b"moov"]
        if len(moov) != 1:
            raise _Malformed("no movie header (moov)")
        for box_type, start, end in _mp4_boxes(fh, moov[0][1], moov[0][2], budget):
            if box_type == b"mvhd":
                duration = _mp4_mvhd_duration(_read_at(fh, start, min(end - start, 64)))
            elif box_type == b"trak":
                tracks.append(_mp4_track(fh, start, end, budget))
    has_video = any(t.handler == b"vide" for t in tracks)
    has_audio = any(t.handler == b"soun" for t in tracks)
    if not has_video and not has_audio:
        raise _Malformed("no audio or video track")

    if has_video:
        gate(FileKind.VIDEO, _WHAT_MP4_VIDEO)
        video = next(t for t in tracks if t.handler == b"vide")
        return _info(
            FileKind.VIDEO, "video/mp4", ".mp4", width=video.width, height=video.height, duration_seconds=duration
        )
    gate(FileKind.AUDIO, _WHAT_M4A)
    try:
        audio = mutagen.mp4.MP4(str(path))
    except _MUTAGEN_ERRORS as exc:
        raise _Malformed(f"mutagen: {exc}") from exc
    length = _audio_length(audio) or duration
    return _info(FileKind.AUDIO, "audio/mp4", ".m4a", duration_seconds=length or None)


def _mp4_mvhd_duration(payload: bytes) -> float | None:
    try:
        if payload[0] == 1:
            timescale, length = struct.unpack(">IQ", payload[20:32])
        else:
            timescale, length = struct.unpack(">II", payload[12:20])
    except (struct.error, IndexError) as exc:
        raise _Malformed("short mvhd") from exc
    if timescale == 0 or length in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
        return None  # fragmented or live files leave the duration out
    return length / timescale


def _mp4_track(fh: IO[bytes], start: int, end: int, budget: list[int]) -> _Mp4Track:
    track = _Mp4Track()
    for box_type, b_start, b_end in _mp4_boxes(fh, start, end, budget):
        if box_type == b"tkhd" and b_end - b_start >= 84:
            # Width and height are the last two 16.16 fixed-point fields of the track header.
            w, h = struct.unpack(">II", _read_at(fh, b_end - 8, 8))
            track.width, track.height = (w >> 16) or None, (h >> 16) or None
        elif box_type == b"mdia":
            for m_type, m_start, m_end in _mp4_boxes(fh, b_start, b_end, budget):
                if m_type == b"hdlr" and m_end - m_start >= 12:
                    track.handler = _read_at(fh, m_start + 8, 4)
    return track


# --- WebM ------------------------------------------------------------------------------------

_EBML_HEADER = 0x1A45DFA3
_EBML_DOCTYPE = 0x4282
_MKV_SEGMENT = 0x18538067
_MKV_INFO = 0x1549A966
_MKV_TIMESTAMP_SCALE = 0x2AD7B1
_MKV_DURATION = 0x4489
_MKV_TRACKS = 0x1654AE6B
_MKV_TRACK_ENTRY = 0xAE
_MKV_TRACK_TYPE = 0x83
_MKV_VIDEO = 0xE0
_MKV_PIXEL_WIDTH = 0xB0
_MKV_PIXEL_HEIGHT = 0xBA
_MKV_CLUSTER = 0x1F43B675
_EBML_UNKNOWN = -1


def _ebml_vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int]:
    """One EBML variable-length integer at `pos`: (value, next position). Unknown size → -1."""
    if pos >= len(data):
        raise _Malformed("truncated EBML number")
    first = data[pos]
    if first == 0:
        raise _Malformed("invalid EBML number")
    length = 8 - first.bit_length() + 1
    if pos + length > len(data):
        raise _Malformed("truncated EBML number")
    raw = int.from_bytes(data[pos : pos + length], "big")
    if keep_marker:
        return raw, pos + length
    value = raw & ((1 << (7 * length)) - 1)
    if value == (1 << (7 * length)) - 1:
        return _EBML_UNKNOWN, pos + length
    return value, pos + length


def _ebml_elements(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The (id, payload) children of an in-memory master element."""
    pos = 0
    while pos < len(data):
        element_id, pos = _ebml_vint(data, pos, keep_marker=True)
        size, pos = _ebml_vint(data, pos, keep_marker=False)
        if size == _EBML_UNKNOWN or pos + size > len(data):
            raise _Malformed("EBML element runs past its parent")
        yield element_id, data[pos : pos + size]
        pos += size


def _ebml_uint(payload: bytes) -> int:
    if len(payload) > 8:
        raise _Malformed("EBML integer too long")
    return int.from_bytes(payload, "big")


def _probe_webm(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    file_size = path.stat().st_size
    with path.open("rb") as fh:
        reader = _EbmlFileReader(fh)
        element_id, start, end = reader.next_element(0, file_size)
        if element_id != _EBML_HEADER or end is None:
            raise _Malformed("no EBML header")
        doctype = b""
        for child_id, payload in _ebml_elements(reader.read(start, end)):
            if child_id == _EBML_DOCTYPE:
                doctype = payload.rstrip(b"\0")
        if doctype != b"webm":
            what = _("a Matroska (.mkv) video") if doctype == b"matroska" else _("a file of unknown type")
            raise _err(
                "upload_unsupported_type",
                _("“{name}” looks like {what}, which cannot be uploaded. {accepted}"),
                name=name,
                what=what,
                accepted=_ACCEPTED,
            )
        segment_id, seg_start, seg_end = reader.next_element(end, file_size)
        if segment_id != _MKV_SEGMENT:
            raise _Malformed("no Segment after the EBML header")
        info, tracks = reader.segment_headers(seg_start, seg_end if seg_end is not None else file_size)

    scale, duration = 1_000_000, None
    for child_id, payload in _ebml_elements(info):
        if child_id == _MKV_TIMESTAMP_SCALE:
            scale = _ebml_uint(payload)
        elif child_id == _MKV_DURATION and len(payload) in (4, 8):
            duration = struct.unpack(">f" if len(payload) == 4 else ">d", payload)[0]
    track_types: list[int] = []
    width = height = None
    for child_id, entry in _ebml_elements(tracks):
        if child_id != _MKV_TRACK_ENTRY:
            continue
        track_type = 0
        for field_id, payload in _ebml_elements(entry):
            if field_id == _MKV_TRACK_TYPE:
                track_type = _ebml_uint(payload)
            elif field_id == _MKV_VIDEO and width is None:
                for v_id, v_payload in _ebml_elements(payload):
                    if v_id == _MKV_PIXEL_WIDTH:
                        width = _ebml_uint(v_payload) or None
                    elif v_id == _MKV_PIXEL_HEIGHT:
                        height = _ebml_uint(v_payload) or None
        track_types.append(track_type)
    seconds = duration * scale / 1e9 if duration is not None and duration > 0 else None
    if 1 in track_types:
        gate(FileKind.VIDEO, _WHAT_WEBM_VIDEO)
        return _info(FileKind.VIDEO, "video/webm", ".webm", width=width, height=height, duration_seconds=seconds)
    if 2 in track_types:
        gate(FileKind.AUDIO, _WHAT_WEBM_AUDIO)
        return _info(FileKind.AUDIO, "audio/webm", ".webm", duration_seconds=seconds)
    raise _Malformed("no audio or video track")


class _EbmlFileReader:
    """Walks the top of a WebM file with seeks, so the media clusters are never read."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.budget = MAX_CONTAINER_ELEMENTS

    def read(self, start: int, end: int) -> bytes:
        if end - start > MAX_HEADER_ELEMENT_BYTES:
            raise _Malformed("header element too large")
        return _read_at(self.fh, start, end - start)

    def next_element(self, pos: int, limit: int) -> tuple[int, int, int | None]:
        """(id, payload start, payload end or None when the size is unknown) of the element at pos."""
        self.budget -= 1
        if self.budget < 0:
            raise _Malformed("too many elements")
        header = _read_at(self.fh, pos, min(16, limit - pos))
        element_id, offset = _ebml_vint(header, 0, keep_marker=True)
        size, offset = _ebml_vint(header, offset, keep_marker=False)
        start = pos + offset
        if size == _EBML_UNKNOWN:
            return element_id, start, None
        if start + size > limit:
            raise _Malformed("element runs past the end of the file (truncated?)")
        return element_id, start, start + size

    def segment_headers(self, start: int, end: int) -> tuple[bytes, bytes]:
        """The Info and Tracks payloads, read from the segment's children before the first cluster."""
        info = tracks = None
        pos = start
        while pos < end and (info is None or tracks is None):
            element_id, child_start, child_end = self.next_element(pos, end)
            if element_id == _MKV_CLUSTER or child_end is None:
                break
            if element_id == _MKV_INFO:
                info = self.read(child_start, child_end)
            elif element_id == _MKV_TRACKS:
                tracks = self.read(child_start, child_end)
            pos = child_end
        if tracks is None:
            raise _Malformed("no Tracks element before the media data")
        return info or b"", tracks


def _probe_jpeg(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    return _probe_image(path, head, name, gate, _JPEG)


def _probe_png(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    return _probe_image(path, head, name, gate, _PNG)


def _probe_webp(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
    return _probe_image(path, head, name, gate, _WEBP)


_PROBERS: dict[str, Callable[[Path, bytes, str, _Gate], FileInfo]] = {
    "pdf": _probe_pdf,
    "zip": _probe_zip,
    "jpeg": _probe_jpeg,
    "png": _probe_png,
    "webp": _probe_webp,
    "mp3": _probe_mp3,
    "ogg": _probe_ogg,
    "mp4": _probe_mp4,
    "webm": _probe_webm,
}


# ---------------------------------------------------------------------------------------------
# Text extraction


def extract_text(path: Path, info: FileInfo) -> str:
    """The text of a PDF or DOCX, NFC-normalised; an empty string for other kinds."""
    try:
        if info.kind == FileKind.PDF:
            text = "\n\f\n".join(page.strip() for page in doctext.pdf_page_texts(path))
        elif info.kind == FileKind.DOCX:
            text = doctext.docx_text(path)
        else:
            return ""
    except zips.ZipProblem as exc:
        if exc.kind != "malformed":
            raise zip_refusal(exc, "") from exc
        raise ServiceError(
            "upload_malformed", _("The document is damaged and its text cannot be read."), sha256=info.sha256
        ) from exc
    except (_Malformed, doctext.Unreadable, pdfium.PdfiumError) as exc:
        # Only reachable for a file that changed or was never inspected; say so plainly.
        raise ServiceError(
            "upload_malformed", _("The document is damaged and its text cannot be read."), sha256=info.sha256
        ) from exc
    # Vietnamese typed on some systems arrives decomposed; NFC makes search and comparison work.
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------------------------------------
# Thumbnails


def make_thumbnail(path: Path, info: FileInfo, max_side: int = 480) -> bytes | None:
    """A WebP preview whose longest side is at most `max_side`, or None (audio, video, failure)."""
    try:
        if info.kind == FileKind.IMAGE:
            image = _image_for_thumbnail(path, info, max_side)
        elif info.kind == FileKind.PDF:
            image = _pdf_first_page(path, max_side)
        else:
            return None
        image = _flatten(image)
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="WEBP", quality=80, method=4)
        return out.getvalue()
    except (OSError, ValueError, SyntaxError, pdfium.PdfiumError, Image.DecompressionBombError, *_PARSER_BUGS) as exc:
        # A missing preview must not block an upload that already passed inspection.
        logger.warning("No thumbnail for %s (%s): %s", info.sha256 or path, info.kind, exc)
        return None


def _image_for_thumbnail(path: Path, info: FileInfo, max_side: int) -> Image.Image:
    fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[info.mime_type]
    with _open_image(path, fmt) as img:
        if fmt == "JPEG":
            img.draft("RGB", (max_side, max_side))  # decode at reduced scale: much faster for photos
        elif img.width * img.height > MAX_LOSSLESS_PIXELS:
            raise ValueError(f"{img.width}×{img.height} is too large to decode")
        with _DECODE_SLOTS:
            img.load()
            return ImageOps.exif_transpose(img)


def _pdf_first_page(path: Path, max_side: int) -> Image.Image:
    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            page = pdf[0]
            try:
                width, height = page.get_size()  # points: 1/72 inch, one pixel at scale 1
                scale = max_side / max(width, height, 1.0)
                bitmap = page.render(scale=scale)
                try:
                    return bitmap.to_pil().copy()  # copy: the bitmap's buffer dies with it
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            pdf.close()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white, whatever the mode (palette, alpha, 16-bit grey, CMYK)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda v: v / 256).convert("L")
    elif image.mode == "F":
        image = image.convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
