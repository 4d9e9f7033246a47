"""The one way a file comes in, for every app (material, plan evidence, and what later apps upload):
staged once, known content recognised by its hash before anything is decoded, otherwise sniffed and
checked (`files.probes.inspect_upload`), its text screened for state-secret marks, thumbnailed and stored once.

Callers write the rows inside their own service's transaction; `ingest_file` must run inside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from ttdn.content.files import blobs, probes, sniff, text, thumbnails
from ttdn.content.models import Asset
from ttdn.content.screening import refuse_secrets

if TYPE_CHECKING:
    from ttdn.accounts.models import User

__all__ = ["file_sha256", "ingest_file", "stage_upload", "stored_name"]


@contextlib.contextmanager
def stage_upload(upload: Any) -> Iterator[Path]:
    """A path to the upload's bytes, written to the staging directory at most once.

    Django has already written a large upload to the staging directory (FILE_UPLOAD_TEMP_DIR): that file
    is used as it is. A small upload held in memory is written once, and removed afterwards.
    """
    sniff.check_received_size(upload.name or "", int(upload.size or 0))
    temp_path = getattr(upload, "temporary_file_path", None)
    if temp_path is not None:
        yield Path(temp_path())
        return
    staging = Path(settings.UPLOAD_STAGING_DIR)
    staging.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=staging, prefix="upload-", delete=True) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        yield Path(tmp.name)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def known_asset(path: Path, original_name: str, sha256: str | None = None) -> Asset | None:
    """The stored asset with this file's content, checked against the new name — nothing decoded."""
    sha256 = sha256 or file_sha256(path)
    asset = Asset.objects.filter(sha256=sha256).first()
    if asset is None:
        return None
    sniff.check_claimed_kind(original_name, sniff.FileKind(asset.file_kind), path)
    # Files stored before every way in screened them are screened again as they are reused.
    refuse_secrets(asset.extracted_text)
    return asset


def ingest_file(actor: User | None, path: Path, original_name: str, stored: list[str], *,
                sha256: str | None = None) -> Asset:
    """The Asset for the file at `path`: the stored one with the same content, or a new one.

    Digests of blobs written here are appended to `stored`, so that a caller whose transaction rolls back
    can remove them (`services.discard_unreferenced_blobs`). `sha256`, when the caller has it, saves a pass.
    """
    asset = known_asset(path, original_name, sha256)
    if asset is not None:
        return asset
    info = probes.inspect_upload(path, original_name)
    words = text.extract_text(path, info)
    refuse_secrets(words)
    thumb = thumbnails.make_thumbnail(path, info)
    thumb_sha = ""
    if thumb:
        thumb_sha = hashlib.sha256(thumb).hexdigest()
        if not blobs.blob_exists(thumb_sha):
            stored.append(thumb_sha)
            blobs.store_bytes(thumb)
    if not blobs.blob_exists(info.sha256):
        stored.append(info.sha256)
        blobs.store_blob(path, info.sha256)
    return Asset.objects.create(
        sha256=info.sha256, size=info.size, mime_type=info.mime_type, file_kind=info.kind,
        extracted_text=words, page_count=info.page_count, width=info.width, height=info.height,
        duration_seconds=info.duration_seconds, thumbnail_sha256=thumb_sha, uploaded_by=actor,
    )


def stored_name(original_name: str, mime_type: str) -> str:
    """The name a file is kept and served under: the uploader's stem with the extension of its detected
    type, so PNG content sent as "run.exe" or "report.html" is "run.png" or "report.png"."""
    return sniff.stored_name(original_name, mime_type)
