"""Attaching files through the service: stored once by SHA-256, text extracted, nothing half-written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from docx import Document
from PIL import Image

from ttdn.content import services as content
from ttdn.content.models import Asset, Attachment, State
from ttdn.core.errors import ServiceError

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.django_db


def _blobs() -> set[Path]:
    root = Path(settings.BLOB_DIR)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _png(tmp_path: Path, name: str = "poster.png", colour: tuple[int, int, int] = (0, 84, 147)) -> Path:
    path = tmp_path / name
    Image.new("RGB", (900, 600), colour).save(path, "PNG")
    return path


def _docx(tmp_path: Path, *paragraphs: str) -> Path:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    path = tmp_path / "note.docx"
    path.write_bytes(buf.getvalue())
    return path


def test_attach_image_makes_asset_and_thumbnail(world: World, tmp_path: Path) -> None:
    item = make_item(world)
    variant = item.source_variant()
    assert variant is not None
    attachment = content.do_attach_file(world.contributor, variant, _png(tmp_path), "Áp phích biên giới.png")
    asset = attachment.asset
    assert asset.file_kind == "image" and asset.mime_type == "image/png"
    assert (asset.width, asset.height) == (900, 600)
    assert asset.thumbnail_sha256 and (Path(settings.BLOB_DIR) / asset.thumbnail_sha256[:2]).exists()
    assert attachment.filename == "Áp phích biên giới.png"


def test_same_bytes_are_stored_once(world: World, tmp_path: Path) -> None:
    first, second = make_item(world), make_item(world, title="Tờ gấp thứ hai")
    path = _png(tmp_path)
    a = content.do_attach_file(world.contributor, first.source_variant(), path, "a.png")  # type: ignore[arg-type]
    blobs = _blobs()
    b = content.do_attach_file(world.contributor, second.source_variant(), path, "b.png")  # type: ignore[arg-type]
    assert a.asset_id == b.asset_id
    assert Asset.objects.filter(sha256=a.asset.sha256).count() == 1
    assert _blobs() == blobs


def test_docx_text_is_extracted_exactly(world: World, tmp_path: Path) -> None:
    item = make_item(world)
    text = "Ƀing ta pô lŏn, Đăk Hră pơlei — Biên giới hòa bình, hữu nghị"
    attachment = content.do_attach_file(world.contributor, item.source_variant(),  # type: ignore[arg-type]
                                        _docx(tmp_path, text), "note.docx")
    assert text in attachment.asset.extracted_text


@pytest.mark.parametrize(
    ("name", "payload", "code"),
    [
        ("report.pdf", "png", "upload_type_mismatch"),
        ("leaflet.pdf", b"MZ\x90\x00" + b"\x00" * 200, "upload_unsupported_type"),
        ("photo.jpg", b"<html><script>alert(1)</script></html>", "upload_unsupported_type"),
        ("empty.pdf", b"", "upload_empty"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj <<", "upload_malformed"),
    ],
)
def test_bad_files_leave_nothing_behind(world: World, tmp_path: Path, name: str, payload: object, code: str) -> None:
    item = make_item(world)
    path = _png(tmp_path) if payload == "png" else tmp_path / "upload.bin"
    if payload != "png":
        path.write_bytes(payload)  # type: ignore[arg-type]
    before = (_blobs(), Asset.objects.count(), Attachment.objects.count(), item.version)
    with pytest.raises(ServiceError) as exc:
        content.do_attach_file(world.contributor, item.source_variant(), path, name)  # type: ignore[arg-type]
    assert exc.value.code == code
    item.refresh_from_db()
    assert (_blobs(), Asset.objects.count(), Attachment.objects.count(), item.version) == before


def test_file_with_secret_stamp_is_refused(world: World, tmp_path: Path) -> None:
    item = make_item(world)
    before = _blobs()
    with pytest.raises(ServiceError) as exc:
        content.do_attach_file(world.contributor, item.source_variant(),  # type: ignore[arg-type]
                               _docx(tmp_path, "TỐI MẬT", "Báo cáo"), "bao-cao.docx")
    assert exc.value.code == "state_secret_refused"
    assert _blobs() == before and not Asset.objects.exists()


def test_only_editors_attach(world: World, tmp_path: Path) -> None:
    item = advance(world, make_item(world), State.SUBMITTED)
    with pytest.raises(ServiceError):
        content.do_attach_file(world.contributor, item.source_variant(), _png(tmp_path), "x.png")  # type: ignore[arg-type]
    assert not Asset.objects.exists()


def test_failed_database_write_removes_the_new_blob(world: World, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    item = make_item(world)
    before = _blobs()

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr("ttdn.core.audit.record", boom)
    with pytest.raises(RuntimeError):
        content.do_attach_file(world.contributor, item.source_variant(), _png(tmp_path), "x.png")  # type: ignore[arg-type]
    assert _blobs() == before
    assert not Asset.objects.exists() and not Attachment.objects.exists()


def test_orphan_blobs_are_collected(world: World, tmp_path: Path) -> None:
    import datetime as dt

    from ttdn.content.files import blobs as files

    item = make_item(world)
    kept = content.do_attach_file(world.contributor, item.source_variant(), _png(tmp_path), "x.png")  # type: ignore[arg-type]
    orphan = files.store_bytes(b"left behind by a rolled-back upload")
    assert files.blob_path(orphan).exists()
    assert content.do_collect_orphan_blobs(dt.timedelta(hours=1)) == 0  # too young to collect
    removed = content.do_collect_orphan_blobs(dt.timedelta(seconds=-1))
    assert removed >= 1
    assert not files.blob_path(orphan).exists()
    assert files.blob_path(kept.asset.sha256).exists()
    assert files.blob_path(kept.asset.thumbnail_sha256).exists()


def test_upload_over_every_limit_is_not_written_in_full(world: World, settings: object) -> None:
    """Through the real multipart parser: the staged copy stops at the cap, the refusal names the real size."""
    from django.test import Client

    # A new dict: changing the shared one in place would outlive this test.
    settings.MAX_UPLOAD_MB = dict.fromkeys(("pdf", "docx", "image", "audio", "video"), 1)  # type: ignore[attr-defined]
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # type: ignore[attr-defined]
    item = make_item(world)
    browser = Client()
    browser.force_login(world.contributor)
    big = io.BytesIO(b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024))
    big.name = "qua-lon.pdf"
    staged: list[int] = []
    from ttdn.content import uploads

    original = uploads.CappedTemporaryFileUploadHandler.file_complete

    def spy(self: uploads.CappedTemporaryFileUploadHandler, file_size: int) -> object:
        staged.append(self.file.tell())
        return original(self, file_size)

    import unittest.mock

    before = (_blobs(), Asset.objects.count())
    with unittest.mock.patch.object(uploads.CappedTemporaryFileUploadHandler, "file_complete", spy):
        response = browser.post(f"/items/{item.uid}/variants/vi/", {
            "title": "Tờ gấp", "summary": "", "body": "<p>x</p>", "uploads": big})
    assert response.status_code == 400
    assert staged and staged[0] <= 1024 * 1024 + 1
    assert "3.0 MB" in response.content.decode()
    assert (_blobs(), Asset.objects.count()) == before
