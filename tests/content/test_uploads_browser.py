"""Uploads in chromium: a file over its kind's limit is refused before anything is sent; the files of a form
that came back with an error are kept (not chosen again) and attached on the next save; the progress bar
is there. And, through the Django client, nobody can claim a kept file that is not theirs."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from ttdn.content import kept_uploads
from ttdn.content.models import Attachment, Item

from ..browser.test_workflow import make_pdf
from ..conftest import World

ITEM_URL = re.compile(r"/items/[0-9a-f-]{36}/(#.*)?$")


def _fill_item(page: Any, world: World, title: str) -> None:
    page.select_option("#id_kind", "publication")
    page.fill("#id_title", title)
    page.check(f"input[name=target_provinces][value='{world.gia_lai.pk}']")
    page.check("#id_no_state_secrets")


@pytest.mark.browser
def test_a_file_over_its_kinds_limit_is_refused_before_sending(
    browser_world: World, new_page: Callable[..., Any], live_server: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MAX_UPLOAD_MB = {**settings.MAX_UPLOAD_MB, "pdf": 1}
    big = tmp_path / "Báo cáo lớn.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    page = new_page(browser_world.contributor)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"{live_server.url}/items/new/")
    uploads = page.locator("#id_uploads")
    expect(uploads).to_have_attribute("data-max-mb-pdf", "1")
    expect(uploads).to_have_attribute("data-max-mb-video", str(settings.MAX_UPLOAD_MB["video"]))
    _fill_item(page, browser_world, "Báo cáo quá lớn")
    uploads.set_input_files(str(big))
    error = page.locator("[data-size-errors]")
    expect(error).to_contain_text("Báo cáo lớn.pdf")
    expect(error).to_contain_text("1 MB")
    expect(uploads).to_have_attribute("aria-invalid", "true")
    page.click("[data-testid=save-item]")
    page.wait_for_timeout(500)
    assert posts == [] and not Item.objects.exists()
    assert page.evaluate("document.getElementById('id_uploads').validationMessage").startswith("“Báo cáo lớn.pdf”")
    # A smaller file clears the refusal.
    uploads.set_input_files(str(make_pdf(tmp_path / "nhỏ.pdf")))
    expect(error).to_be_empty()
    expect(uploads).not_to_have_attribute("aria-invalid", "true")


@pytest.mark.browser
def test_files_sent_with_a_refused_form_are_kept_and_attached_next_time(
    browser_world: World, new_page: Callable[..., Any], live_server: Any, tmp_path: Path
) -> None:
    world = browser_world
    pdf = make_pdf(tmp_path / "Quy chế biên giới.pdf")
    page = new_page(world.contributor)
    page.goto(f"{live_server.url}/items/new/")
    expect(page.locator("[data-testid=item-form] progress[data-progress]")).to_have_count(1)
    _fill_item(page, world, "")
    # The server refuses the form (no title); the browser's own check is lifted to get there.
    page.evaluate("document.getElementById('id_title').removeAttribute('required')")
    page.locator("#field-body .jodit-wysiwyg").fill("Nội dung đã viết trước khi có lỗi.")
    page.set_input_files("#id_uploads", str(pdf))
    page.click("[data-testid=save-item]")
    kept = page.locator("[data-testid=kept-uploads]")
    # The page shown again (sent with the progress bar, so written in place) has its editor and the text back.
    expect(page.locator("#field-body .jodit-wysiwyg")).to_contain_text("Nội dung đã viết trước khi có lỗi.")
    expect(page.locator("#field-body .jodit-container")).to_have_count(1)
    expect(kept).to_contain_text("Quy chế biên giới.pdf")
    expect(kept.locator("input[type=checkbox]")).to_be_checked()
    expect(page.locator("#field-title.has-error")).to_have_count(1)
    assert not Item.objects.exists()

    page.fill("#id_title", "Quy chế khu vực biên giới")
    page.check("#id_no_state_secrets")
    page.click("[data-testid=save-item]")
    page.wait_for_url(ITEM_URL)
    expect(page.locator("[data-testid=attachments]")).to_contain_text("Quy chế biên giới.pdf")
    item = Item.objects.get()
    attachment = Attachment.objects.get(variant__item=item)
    assert "Nội dung đã viết trước khi có lỗi." in item.variants.get().body
    assert attachment.asset.file_kind == "pdf"
    # Attached, so no longer kept.
    assert not (Path(kept_uploads._dir()) / attachment.asset.sha256).exists()


def test_kept_files_belong_to_their_session_and_can_be_left_out(world: World, tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "riêng.pdf")
    owner, other = Client(), Client()
    owner.force_login(world.contributor)
    other.force_login(world.contributor_dl)
    data = {"kind": "publication", "language": "vi", "title": "", "audience": "public",
            "classification": "public", "no_state_secrets": "on"}
    with pdf.open("rb") as fh:
        response = owner.post("/items/new/", {**data, "uploads": fh})
    assert response.status_code == 400
    sha = re.search(rb'name="kept_uploads" value="([0-9a-f]{64})"', response.content).group(1).decode()  # type: ignore[union-attr]
    # Someone else naming that digest gets nothing attached.
    response = other.post("/items/new/", {**data, "title": "Tài liệu khác", "kept_uploads": sha})
    assert response.status_code == 302
    assert not Attachment.objects.filter(variant__item__agency=world.dl_dept).exists()
    # The owner unticks it: the item is saved without it, and the kept copy stays only until it expires.
    response = owner.post("/items/new/", {**data, "title": "Không kèm tệp"})
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    # Ticked, it is attached.
    response = owner.post("/items/new/", {**data, "title": "Kèm tệp", "kept_uploads": sha})
    assert response.status_code == 302
    assert Attachment.objects.get().asset.sha256 == sha


@pytest.mark.browser
def test_a_large_upload_shows_its_progress(
    browser_world: World, new_page: Callable[..., Any], live_server: Any, tmp_path: Path
) -> None:
    # A photograph-like image of about 4 MB (noise does not compress), sent over a link throttled to 1 MB/s.
    import os

    from PIL import Image

    photo = tmp_path / "Ảnh cửa khẩu.jpg"
    Image.frombytes("RGB", (1800, 1800), os.urandom(1800 * 1800 * 3)).save(photo, quality=95)
    assert photo.stat().st_size > 3 * 1024 * 1024
    page = new_page(browser_world.contributor)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 50, "downloadThroughput": -1,
                                                  "uploadThroughput": 1024 * 1024})
    page.goto(f"{live_server.url}/items/new/")
    _fill_item(page, browser_world, "Bản đồ khu vực biên giới")
    page.set_input_files("#id_uploads", str(photo))
    page.click("[data-testid=save-item]")
    expect(page.locator("progress[data-progress]")).to_be_visible()
    seen: list[float] = []
    while not ITEM_URL.search(page.url) and len(seen) < 600:
        value = page.evaluate("document.querySelector('progress[data-progress]')?.value ?? -1")
        seen.append(float(value))
        page.wait_for_timeout(50)
    page.wait_for_url(ITEM_URL, timeout=60_000)
    # The bar moved through the upload, not only from empty to full.
    assert any(0 < v < 100 for v in seen), seen
    assert Attachment.objects.get().asset.size == photo.stat().st_size


def test_a_session_keeps_a_bounded_number_of_files(world: World, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(kept_uploads, "MAX_FILES_PER_SESSION", 2)
    client = Client()
    client.force_login(world.contributor)
    data = {"kind": "publication", "language": "vi", "title": "", "audience": "public",
            "classification": "public", "no_state_secrets": "on"}
    for n in range(3):
        pdf = make_pdf(tmp_path / f"tệp {n}.pdf")
        with pdf.open("ab") as fh:
            fh.write(f"% {n}\n".encode())  # three different files
        with pdf.open("rb") as fh:
            client.post("/items/new/", {**data, "uploads": fh})
    assert len(client.session[kept_uploads.SESSION_KEY]) == 2
