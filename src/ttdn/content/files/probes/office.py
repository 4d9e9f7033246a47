"""The Word probe: a ZIP container is a .docx only if its content types say so, it carries no macros, every
member inflated under the archive limits (`zips`, `sniff.zip_limits`) and python-docx opens it. Other ZIP-based
formats (spreadsheets, OpenDocument, EPUB) are named in the refusal."""

from __future__ import annotations

import contextlib
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from ttdn.content.files import text, zips
from ttdn.content.files.sniff import (
    _ACCEPTED,
    _WHAT_DOCX,
    _ZIP,
    FileInfo,
    FileKind,
    _err,
    _Gate,
    _info,
    _Malformed,
    zip_limits,
    zip_refusal,
)
from ttdn.core.errors import ServiceError

if TYPE_CHECKING:
    from ttdn.content.files.sniff import LazyStr

MAX_CONTENT_TYPES_BYTES = 1024 * 1024

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


def probe_zip(path: Path, head: bytes, name: str, gate: _Gate) -> FileInfo:
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


def _open_zip(path: Path, name: str) -> zipfile.ZipFile:
    """The archive, after every member was inflated under the caps (see `zips`); refusals in words."""
    try:
        return zips.open_zip(path, zip_limits())
    except zips.ZipProblem as exc:
        if exc.kind == "malformed":
            raise _Malformed(str(exc)) from exc  # worded by inspect_upload, which knows what was claimed
        raise zip_refusal(exc, name) from exc


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
        return text.open_docx(path, checked=checked)
    except (text.Unreadable, zips.ZipProblem) as exc:
        raise _Malformed(str(exc), _WHAT_DOCX) from exc


# --- Images ----------------------------------------------------------------------------------

# What the parsers raise on damaged input besides their own errors (found by fuzzing: mutagen raises
