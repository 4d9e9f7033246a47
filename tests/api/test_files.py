"""Uploading files through the API: recognised by content, stored once, disguises refused and nothing kept."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ttdn.content.files import blobs as files
from ttdn.content.models import Asset, Attachment, State

from ..conftest import World, advance, make_item
from .conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    """A real PNG, different on every call (so no test finds another's blob)."""
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _staged() -> set[str]:
    staging = Path(settings.UPLOAD_STAGING_DIR)
    return {p.name for p in staging.iterdir()} if staging.exists() else set()


def test_upload_png_then_remove_it(world: World, api_as: Api) -> None:
    item = make_item(world)
    data = png_bytes()
    sha = hashlib.sha256(data).hexdigest()
    client = api_as("contributor")
    url = f"/api/v1/items/{item.uid}/variants/vi/files"

    response = client.upload(url, {"file": SimpleUploadedFile("bản đồ.png", data, content_type="image/png")})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "sha256": sha, "filename": "bản đồ.png", "size": len(data), "mime_type": "image/png",
        "file_kind": "image", "url": f"/files/{sha}/",
    }
    assert files.blob_path(sha).read_bytes() == data
    detail = client.get(f"/api/v1/items/{item.uid}").json()
    assert detail["variants"][0]["attachments"] == [body]
    assert detail["version"] == 2

    # The same file twice on one version is refused.
    again = client.upload(url, {"file": SimpleUploadedFile("copy.png", data)})
    assert_error(again, 409, "duplicate_file")
    # Others may not add or remove files.
    assert_error(api_as("contributor_dl").upload(url, {"file": SimpleUploadedFile("x.png", png_bytes())}),
                 404, "not_found")
    advance(world, item, State.SUBMITTED)
    assert_error(client.delete(f"{url}/{sha}"), 403, "forbidden")
    advance(world, item, State.IN_APPRAISAL)

    appraiser = api_as("appraiser")
    assert_error(appraiser.delete(f"{url}/{'0' * 64}"), 404, "not_found")
    assert_error(appraiser.delete(f"{url}/{sha.upper()}"), 422, "validation_error")
    assert_error(appraiser.delete(f"{url}/not-a-digest"), 422, "validation_error")
    response = appraiser.delete(f"{url}/{sha}")
    assert response.status_code == 204
    assert not Attachment.objects.exists()
    assert Asset.objects.filter(sha256=sha).exists()  # the stored file stays; only the attachment goes


def test_disguised_file_refused_and_nothing_stored(world: World, api_as: Api) -> None:
    item = make_item(world)
    data = png_bytes()
    sha = hashlib.sha256(data).hexdigest()
    staged_before = _staged()
    response = api_as("contributor").upload(
        f"/api/v1/items/{item.uid}/variants/vi/files",
        {"file": SimpleUploadedFile("báo cáo.pdf", data, content_type="application/pdf")},
    )
    body = assert_error(response, 400, "upload_type_mismatch")
    assert "báo cáo.pdf" in body["message"]
    assert not Asset.objects.exists() and not Attachment.objects.exists()
    assert not files.blob_path(sha).exists()
    assert _staged() == staged_before
    item.refresh_from_db()
    assert item.version == 1


def test_upload_needs_a_file_and_credentials(world: World, api_as: Api) -> None:
    item = make_item(world)
    url = f"/api/v1/items/{item.uid}/variants/vi/files"
    assert_error(api_as("contributor").upload(url, {}), 422, "validation_error")
    assert_error(api_as("contributor").upload(url, {"file": SimpleUploadedFile("a.txt", b"just text")}),
                 400, "upload_unsupported_type")
    assert_error(api_as("anonymous").upload(url, {"file": SimpleUploadedFile("a.png", png_bytes())}),
                 401, "unauthenticated")
    assert_error(api_as("contributor").upload(f"/api/v1/items/{item.uid}/variants/en/files",
                                              {"file": SimpleUploadedFile("a.png", png_bytes())}),
                 404, "not_found")
    assert not Asset.objects.exists()


def test_malformed_multipart_is_a_client_error(world: World, api_as: Api) -> None:
    item = make_item(world)
    client = api_as("contributor").client
    url = f"/api/v1/items/{item.uid}/variants/vi/files"
    assert_error(client.generic("POST", url, b"garbage", content_type="multipart/form-data"), 400, "bad_request")
    assert_error(client.generic("POST", url, b"{}", content_type="application/json"), 422, "validation_error")
