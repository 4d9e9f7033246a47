"""What an upload is, from its first bytes, and the limits every file meets before anything costly runs.

The vocabulary the rest of the package shares: the kinds (`FileKind`), what a checked file is (`FileInfo`),
the refusals worded for the contributor (`ServiceError` with a stable code, rendered lazily in the reader's
language), the size and archive limits, and `stored_name`. Light on purpose: no PDF, image or media library
is imported here, so the upload handlers and the CLI can ask for the size cap without loading them.
Every check looks at the bytes, never at the name the contributor gave the file: the name is only used to
catch disguised files (a JPEG called "report.pdf") and to word the messages.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ttdn.content.files import zips
from ttdn.core.errors import ServiceError

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as LazyStr
else:
    LazyStr = Promise  # what gettext_lazy returns

logger = logging.getLogger(__name__)

__all__ = [
    "FileInfo",
    "FileKind",
    "check_claimed_kind",
    "check_received_size",
    "stored_name",
    "upload_cap_bytes",
    "zip_limits",
    "zip_refusal",
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



# Limits that are not per-deployment settings. Module constants so tests can lower them; `zip_limits` reads
# them at each call, for every ZIP-based reader (the DOCX probe, text extraction, plan and audience imports).
MAX_ZIP_UNCOMPRESSED = zips.MAX_TOTAL
MAX_ZIP_RATIO = zips.MAX_RATIO
# A part smaller than this may compress very well (repetitive XML) without being a threat.
ZIP_RATIO_MIN_SIZE = zips.RATIO_MIN_SIZE
MAX_ZIP_ENTRIES = zips.MAX_MEMBERS

_HEAD_BYTES = 64 * 1024
_CHUNK = 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: old .doc/.xls, encrypted .docx
# Each prober calls the gate once it knows the kind: the name and size checks run before costly parsing.
_Gate = Callable[[FileKind, LazyStr], None]

# What the parsers raise on damaged input besides their own errors (found by fuzzing: mutagen raises
# IndexError on an Ogg page without packets). Any of them means a broken file, not a server error.
_PARSER_BUGS = (IndexError, KeyError, TypeError, AttributeError, OverflowError, ZeroDivisionError, EOFError)


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



def zip_limits() -> zips.ZipLimits:
    """The limits every ZIP-based reader applies (module constants here so tests can lower them)."""
    return zips.ZipLimits(
        max_members=MAX_ZIP_ENTRIES,
        max_total=MAX_ZIP_UNCOMPRESSED,
        max_ratio=MAX_ZIP_RATIO,
        ratio_min_size=ZIP_RATIO_MIN_SIZE,
    )


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
_WHAT_EXECUTABLE = _("an executable program")

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


