"""The probes: each accepted format's own check, chosen by what the first bytes say (`sniff`), run after the
name and size gate. `inspect_upload` is the one entry: it never writes, and refuses with a worded
`ServiceError` (see `sniff`) anything that cannot be published safely."""

from __future__ import annotations

import hashlib
import logging
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ttdn.content.files.probes import images, media, office, pdf
from ttdn.content.files.sniff import (
    _ACCEPTED,
    _CHUNK,
    _EXTENSION_CLAIMS,
    _HEAD_BYTES,
    _KIND_PLURAL,
    _KIND_SINGULAR,
    _OLE_MAGIC,
    _WHAT_DOCX,
    _ZIP,
    FileInfo,
    FileKind,
    _display_name,
    _encrypted,
    _err,
    _extension,
    _Format,
    _Gate,
    _is_encrypted_ooxml,
    _Malformed,
    _malformed,
    _sniff,
)

if TYPE_CHECKING:
    from ttdn.content.files.sniff import LazyStr

logger = logging.getLogger(__name__)

__all__ = ["inspect_upload"]

# One probe per sniffed format (`sniff._Format.key`).
_PROBERS: dict[str, Callable[[Path, bytes, str, _Gate], FileInfo]] = {
    "pdf": pdf.probe_pdf,
    "zip": office.probe_zip,
    "jpeg": images.probe_jpeg,
    "png": images.probe_png,
    "webp": images.probe_webp,
    "mp3": media.probe_mp3,
    "ogg": media.probe_ogg,
    "mp4": media.probe_mp4,
    "webm": media.probe_webm,
}


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



def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


