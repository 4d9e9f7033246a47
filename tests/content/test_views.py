"""The server-rendered pages: who sees what, forms that go through the services, files, filters."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from fpdf import FPDF
from PIL import Image

from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.accounts.models import User
from ttdn.content import services as content
from ttdn.content.models import Asset, Attachment, Item, State, TranslationState, Variant
from ttdn.core.models import AuditEntry

from ..conftest import World, advance, make_item, take_step
from ..conftest import opinion_marks as marks

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------ helpers


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    session = client.session
    session[OTP_SESSION_KEY] = True  # as if the second factor had been passed
    session.save()
    return client


def pdf_bytes(text: str = "Border area regulations") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.cell(text=text)
    return bytes(pdf.output())


def png_bytes(colour: tuple[int, int, int] = (0, 84, 147)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(buf, "PNG")
    return buf.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def blobs() -> set[Path]:
    root = Path(settings.BLOB_DIR)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def counts() -> tuple[int, int, int, int]:
    return Item.objects.count(), Variant.objects.count(), Asset.objects.count(), Attachment.objects.count()


def form_data(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "publication",
        "language": "vi",
        "title": "Quy chế khu vực biên giới đất liền",
        "summary": "Tóm tắt các quy định.",
        "body": "<p>Nội dung chính.</p>",
        "audience": "public",
        "classification": "public",
        "target_provinces": [str(world.gia_lai.pk)],
        "target_countries": ["LA", "KH"],
        "valid_from": "",
        "valid_until": "",
        "no_state_secrets": "on",
    }
    data.update(overrides)
    return data


def item_url(item: Item) -> str:
    return reverse("content:item_detail", kwargs={"uid": item.uid})


def attach(world: World, item: Item, name: str = "Quy chế biên giới.pdf", data: bytes | None = None) -> Attachment:
    variant = item.variants.get(language=item.source_language)
    return content.do_attach_upload(world.contributor, variant, upload(name, data or pdf_bytes()))


# --------------------------------------------------------------------------------------- navigation


def test_home_sends_visitors_to_published_and_staff_to_my_work(client: Client, world: World) -> None:
    assert client.get("/").url == reverse("content:published")
    login(client, world.contributor)
    assert client.get("/").url == reverse("content:my_work")


def test_anonymous_is_sent_to_login_for_my_work_and_forms(client: Client, world: World) -> None:
    for name in ("content:my_work", "content:item_create", "content:appraisal_queue"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_users_with_two_factor_roles_must_pass_it_first(client: Client, world: World) -> None:
    client.force_login(world.appraiser)
    assert client.get(reverse("content:my_work")).url == reverse("accounts:two_factor")


@pytest.mark.parametrize("role", ["contributor", "contributor_dl", "appraiser", "publisher", "translator_lo",
                                  "agency_admin", "reader"])
def test_every_role_gets_its_pages(client: Client, world: World, role: str) -> None:
    item = advance(world, make_item(world), State.PUBLISHED)
    login(client, world.users()[role])
    for name in ("content:my_work", "content:published"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert b'<html lang="vi">' in response.content
    assert client.get(item_url(item)).status_code == 200
    create = client.get(reverse("content:item_create"))
    assert create.status_code == (200 if role in {"contributor", "contributor_dl"} else 403)
    queue = client.get(reverse("content:appraisal_queue"))
    assert queue.status_code == (200 if role == "appraiser" else 403)


def test_english_interface_can_be_chosen(client: Client, world: World) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/published/"})
    assert response.status_code == 302
    page = client.get(reverse("content:published"))
    assert b'<html lang="en">' in page.content


# ------------------------------------------------------------------------------------------ my work


def test_my_work_for_contributor_shows_drafts_and_return_reason(client: Client, world: World) -> None:
    make_item(world, title="Bản nháp của tôi")
    returned = make_item(world, title="Tài liệu bị trả lại")
    advance(world, returned, State.SUBMITTED)
    content.do_transition(world.appraiser, returned, "start_appraisal")
    take_step(world.appraiser, returned, "return", "Bổ sung nguồn trích dẫn ở trang 2.")
    make_item(world, title="Của tỉnh khác", author=world.contributor_dl)
    login(client, world.contributor)
    page = client.get(reverse("content:my_work")).content.decode()
    assert "Bản nháp của tôi" in page
    assert "Tài liệu bị trả lại" in page
    assert "Bổ sung nguồn trích dẫn ở trang 2." in page
    assert "Của tỉnh khác" not in page
    assert re.search(r'data-testid="count-drafts">1<', page)
    assert re.search(r'data-testid="count-returned">1<', page)


def test_my_work_for_appraiser_publisher_translator_and_admin(client: Client, world: World) -> None:
    submitted = advance(world, make_item(world, title="Chờ thẩm định"), State.SUBMITTED)
    approved = advance(world, make_item(world, title="Đã duyệt, chờ đăng"), State.APPROVED)
    soon = timezone.now() + dt.timedelta(days=5)
    expiring = advance(world, make_item(world, title="Sắp hết hiệu lực", valid_until=soon), State.PUBLISHED)
    make_item(world, title="Bản nháp riêng")

    login(client, world.appraiser)
    page = client.get(reverse("content:my_work")).content.decode()
    assert "Chờ thẩm định" in page and "Bản nháp riêng" not in page

    login(client, world.publisher)
    page = client.get(reverse("content:my_work")).content.decode()
    assert "Đã duyệt, chờ đăng" in page and "Sắp hết hiệu lực" in page
    assert re.search(r'data-testid="count-expiring">1<', page)

    login(client, world.translator_lo)
    page = client.get(reverse("content:my_work")).content.decode()
    missing = page.split('data-testid="section-missing"')[1]
    assert "Đã duyệt, chờ đăng" in missing and "Sắp hết hiệu lực" in missing
    assert "Chờ thẩm định" not in page
    assert reverse("content:variant_edit", kwargs={"uid": approved.uid, "lang": "lo"}) in page
    content.do_save_variant(world.translator_lo, expiring, "lo", "ຫົວຂໍ້")
    page = client.get(reverse("content:my_work")).content.decode()
    todo = page.split('data-testid="section-translations"')[1].split("</section>")[0]
    assert reverse("content:variant_edit", kwargs={"uid": expiring.uid, "lang": "lo"}) in todo
    assert submitted.uid

    login(client, world.agency_admin)
    page = client.get(reverse("content:my_work")).content.decode()
    assert "Bản nháp riêng" in page and "Chờ thẩm định" in page


def test_my_work_reader_has_an_empty_state(client: Client, world: World) -> None:
    login(client, world.reader)
    assert b'data-testid="no-work"' in client.get(reverse("content:my_work")).content


# ----------------------------------------------------------------------------------------- item page


def test_item_page_visibility(client: Client, world: World) -> None:
    draft = make_item(world, title="Bản nháp")
    assert client.get(item_url(draft)).status_code == 404  # a public address: never sent to log in
    login(client, world.contributor_dl)
    assert client.get(item_url(draft)).status_code == 404
    login(client, world.appraiser)
    assert client.get(item_url(draft)).status_code == 404  # drafts belong to their agency
    login(client, world.contributor)
    page = client.get(item_url(draft))
    assert page.status_code == 200
    assert "Bản nháp" in page.content.decode()
    assert b'data-testid="action-submit"' in page.content
    assert b'data-testid="history"' in page.content


def test_public_item_page_for_anonymous_without_history(client: Client, world: World) -> None:
    item = advance(world, make_item(world, title="Công khai"), State.PUBLISHED)
    officials = advance(world, make_item(world, title="Nội bộ", audience="officials"), State.PUBLISHED)
    page = client.get(item_url(item))
    assert page.status_code == 200
    assert b'data-testid="history"' not in page.content
    assert b"action-" not in page.content
    assert client.get(item_url(officials)).status_code == 404
    login(client, world.reader)
    assert client.get(item_url(officials)).status_code == 200


def test_item_page_shows_variants_side_by_side_with_lang(client: Client, world: World) -> None:
    item = advance(world, make_item(world, title="Hướng dẫn"), State.APPROVED)
    content.do_save_variant(world.translator_lo, item, "lo", "ຄູ່ມື", "", "<p>ເນື້ອໃນ</p>")
    login(client, world.translator_lo)
    page = client.get(item_url(item)).content.decode()
    assert 'class="variants"' in page
    assert 'id="variant-lo"' in page and 'id="variant-vi"' in page
    assert re.search(r'<h3[^>]*lang="lo"[^>]*>ຄູ່ມື</h3>', page)
    assert re.search(r'<div class="variant-body" lang="lo"><p>ເນື້ອໃນ</p></div>', page)
    assert "badge tstate-20" in page
    edit_lo = reverse("content:variant_edit", kwargs={"uid": item.uid, "lang": "lo"})
    edit_vi = reverse("content:variant_edit", kwargs={"uid": item.uid, "lang": "vi"})
    assert f'href="{edit_lo}"' in page and f'href="{edit_vi}"' not in page


def test_stale_translation_is_marked(client: Client, world: World) -> None:
    item = advance(world, make_item(world), State.SUBMITTED)
    content.do_transition(world.appraiser, item, "start_appraisal")
    content.do_save_variant(world.appraiser, item, "en", "Border leaflet")
    content.do_save_variant(world.appraiser, item, "vi", "Tờ gấp mới", "Tóm tắt mới")
    login(client, world.appraiser)
    page = client.get(item_url(item)).content.decode()
    lo_card = page.split('data-testid="variant-en"')[1].split("</article>")[0]
    assert 'class="badge stale"' in lo_card


def test_a_script_in_the_body_never_reaches_the_page(client: Client, world: World) -> None:
    item = make_item(world, body='<p>Nội dung</p><script>alert("x")</script><img src=x onerror="alert(1)">'
                                 '<a href="javascript:alert(2)">link</a>')
    login(client, world.contributor)
    page = client.get(item_url(item)).content.decode()
    assert "<p>Nội dung</p>" in page
    assert "alert(" not in page and "onerror" not in page and "javascript:" not in page
    # Titles are data and escaped, not markup.
    evil = make_item(world, title='<script>alert("t")</script>')
    page = client.get(item_url(evil)).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


# ------------------------------------------------------------------------------------------ create


def test_create_item_with_a_pdf(client: Client, world: World) -> None:
    content.do_save_topic(None, "bien-gioi", "Biên giới", "Border")
    login(client, world.contributor)
    form = client.get(reverse("content:item_create")).content.decode()
    assert "data-upload-progress" in form and "<progress data-progress" in form and 'multiple' in form
    data = form_data(world, topics=["bien-gioi"], valid_until="2030-12-31",
                     uploads=[upload("Quy chế khu vực biên giới.pdf", pdf_bytes())])
    response = client.post(reverse("content:item_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    item = Item.objects.get()
    assert response.url == item_url(item)
    assert item.state == State.DRAFT and item.agency == world.gl_dept
    assert item.target_countries == ["KH", "LA"]
    assert list(item.topics.values_list("code", flat=True)) == ["bien-gioi"]
    assert timezone.localtime(item.valid_until).date() == dt.date(2031, 1, 1)
    attachment = Attachment.objects.get()
    assert attachment.filename == "Quy chế khu vực biên giới.pdf"
    assert attachment.asset.file_kind == "pdf"
    page = client.get(response.url)
    assert "Quy chế khu vực biên giới.pdf" in page.content.decode()
    assert b'class="flash"' in page.content and b"success" in page.content
    # The inclusive "valid until" date shows as typed.
    assert "31/12/2030" in page.content.decode() or "2030" in page.content.decode()


def test_create_item_with_several_files(client: Client, world: World) -> None:
    login(client, world.contributor)
    files = [upload("a.pdf", pdf_bytes("first")), upload("poster.png", png_bytes())]
    response = client.post(reverse("content:item_create"), form_data(world, uploads=files))
    assert response.status_code == 302
    assert sorted(Attachment.objects.values_list("filename", flat=True)) == ["a.pdf", "poster.png"]


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("x.pdf", png_bytes(), "x.pdf"),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 2000, "setup.pdf"),
        ("tool.exe", b"\x7fELF" + b"\x00" * 2000, "tool.exe"),
    ],
)
def test_a_refused_file_leaves_nothing_behind(client: Client, world: World, name: str, data: bytes,
                                              needle: str) -> None:
    login(client, world.contributor)
    before, blobs_before = counts(), blobs()
    response = client.post(reverse("content:item_create"), form_data(world, uploads=[upload(name, data)]))
    assert response.status_code == 400
    page = response.content.decode()
    assert needle in page
    files_field = page.split('id="field-uploads"')[1].split("</div>")[0]
    assert 'class="errorlist"' in files_field
    assert counts() == before and blobs() == blobs_before
    assert not AuditEntry.objects.filter(action="content.item.create").exists()
    # The form keeps what was typed.
    assert "Quy chế khu vực biên giới đất liền" in page


def test_a_good_file_then_a_refused_one_rolls_back_both_and_their_blobs(client: Client, world: World) -> None:
    login(client, world.contributor)
    before, blobs_before = counts(), blobs()
    files = [upload("good.pdf", pdf_bytes("good")), upload("bad.pdf", png_bytes())]
    response = client.post(reverse("content:item_create"), form_data(world, uploads=files))
    assert response.status_code == 400
    assert counts() == before
    assert blobs() == blobs_before


def test_service_errors_show_beside_their_field(client: Client, world: World) -> None:
    login(client, world.contributor)
    response = client.post(reverse("content:item_create"), form_data(world, no_state_secrets=""))
    assert response.status_code == 400
    page = response.content.decode()
    field = page.split('id="field-no_state_secrets"')[1].split("</div>")[0]
    assert 'class="errorlist"' in field
    response = client.post(reverse("content:item_create"),
                           form_data(world, valid_from="2030-01-10", valid_until="2030-01-01"))
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode().split('id="field-valid_until"')[1].split("</div>")[0]
    response = client.post(reverse("content:item_create"), form_data(world, summary="Tài liệu TỐI MẬT"))
    assert response.status_code == 400
    assert 'data-testid="error-summary"' in response.content.decode()
    assert Item.objects.count() == 0


# ------------------------------------------------------------------------------------------- editing


def test_edit_returned_item_and_resubmit(client: Client, world: World) -> None:
    item = advance(world, make_item(world, title="Bản đầu"), State.RETURNED)
    login(client, world.contributor)
    page = client.get(item_url(item)).content.decode()
    assert 'data-testid="return-reason"' in page and "Lý do kiểm thử" in page
    edit = reverse("content:item_edit", kwargs={"uid": item.uid})
    form = client.get(edit).content.decode()
    assert "Bản đầu" in form
    response = client.post(edit, form_data(world, kind="leaflet", title="Bản sửa",
                                           uploads=[upload("phụ lục.pdf", pdf_bytes())]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.source_variant().title == "Bản sửa"  # type: ignore[union-attr]
    assert Attachment.objects.filter(variant__item=item, filename="phụ lục.pdf").exists()
    response = client.post(reverse("content:transition", kwargs={"uid": item.uid, "action": "submit"}))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.SUBMITTED
    assert client.get(edit).status_code == 403


def test_edit_is_forbidden_to_others(client: Client, world: World) -> None:
    item = make_item(world)
    edit = reverse("content:item_edit", kwargs={"uid": item.uid})
    login(client, world.contributor_dl)
    assert client.get(edit).status_code == 404
    login(client, world.agency_admin)
    assert client.get(edit).status_code == 403


def test_translator_adds_and_marks_a_translation(client: Client, world: World) -> None:
    item = advance(world, make_item(world), State.APPROVED)
    login(client, world.translator_lo)
    page = client.get(item_url(item)).content.decode()
    assert 'data-testid="add-translation"' in page
    add = client.get(reverse("content:variant_add", kwargs={"uid": item.uid}), {"language": "lo"})
    url = reverse("content:variant_edit", kwargs={"uid": item.uid, "lang": "lo"})
    assert add.url == url
    form = client.get(url).content.decode()
    assert 'data-testid="source-text"' in form and "Tờ gấp về quy chế khu vực biên giới" in form
    assert 'lang="lo"' in form
    response = client.post(url, {"title": "ແຜ່ນພັບ", "summary": "", "body": "<p>ເນື້ອໃນ</p>",
                                 "translation_state": str(TranslationState.TRANSLATED)})
    assert response.status_code == 302
    variant = Variant.objects.get(item=item, language="lo")
    assert variant.title == "ແຜ່ນພັບ" and variant.translation_state == TranslationState.TRANSLATED
    # Reviewed is for appraisers only: not offered to the translator.
    response = client.post(url, {"title": "ແຜ່ນພັບ", "translation_state": str(TranslationState.REVIEWED)})
    assert response.status_code == 400
    # A language the translator does not hold.
    assert client.get(reverse("content:variant_edit", kwargs={"uid": item.uid, "lang": "km"})).status_code == 403
    login(client, world.appraiser)
    response = client.post(url, {"title": "ແຜ່ນພັບ", "body": "<p>ເນື້ອໃນ</p>",
                                 "translation_state": str(TranslationState.REVIEWED)})
    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.translation_state == TranslationState.REVIEWED


def test_variant_file_upload_and_removal(client: Client, world: World) -> None:
    item = advance(world, make_item(world), State.APPROVED)
    login(client, world.translator_lo)
    url = reverse("content:variant_edit", kwargs={"uid": item.uid, "lang": "lo"})
    response = client.post(url, {"title": "ແຜ່ນພັບ", "uploads": [upload("lao.pdf", pdf_bytes("lao"))]})
    assert response.status_code == 302
    attachment = Attachment.objects.get(variant__language="lo")
    page = client.get(url).content.decode()
    assert "lao.pdf" in page and 'data-testid="remove-file"' in page
    remove = reverse("content:attachment_remove", kwargs={"uid": item.uid, "pk": attachment.pk})
    confirm = client.get(remove)  # a page says what will happen; nothing is removed yet
    assert confirm.status_code == 200 and b'data-testid="confirm-file-remove"' in confirm.content
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert client.post(remove).status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    # A refused file on a variant page: 400, text not saved either.
    response = client.post(url, {"title": "ຊື່ໃໝ່", "uploads": [upload("x.pdf", png_bytes())]})
    assert response.status_code == 400
    assert Variant.objects.get(item=item, language="lo").title == "ແຜ່ນພັບ"


def test_removing_a_translation(client: Client, world: World) -> None:
    item = advance(world, make_item(world), State.APPROVED)
    content.do_save_variant(world.translator_lo, item, "lo", "ແຜ່ນພັບ")
    content.do_save_variant(world.appraiser, item, "km", "ខិត្តប័ណ្ណ")
    login(client, world.translator_lo)
    assert client.post(reverse("content:variant_delete", kwargs={"uid": item.uid, "lang": "km"})).status_code == 403
    assert client.post(reverse("content:variant_delete", kwargs={"uid": item.uid, "lang": "lo"})).status_code == 302
    assert set(item.variants.values_list("language", flat=True)) == {"vi", "km"}
    login(client, world.contributor_dl)
    assert client.post(reverse("content:variant_delete", kwargs={"uid": item.uid, "lang": "km"})).status_code == 404


# ----------------------------------------------------------------------------------------- workflow


def test_transitions_by_post(client: Client, world: World) -> None:
    item = make_item(world)
    submit = reverse("content:transition", kwargs={"uid": item.uid, "action": "submit"})
    login(client, world.contributor)
    assert client.get(submit).status_code == 405
    assert client.post(submit).url == item_url(item)
    item.refresh_from_db()
    assert item.state == State.SUBMITTED

    login(client, world.appraiser)
    queue = client.get(reverse("content:appraisal_queue")).content.decode()
    assert f'data-testid="start-{item.uid}"' in queue
    start = reverse("content:transition", kwargs={"uid": item.uid, "action": "start_appraisal"})
    assert client.post(start).status_code == 302
    reject = reverse("content:transition", kwargs={"uid": item.uid, "action": "reject"})
    response = client.post(reject, {"reason": "  "})
    assert response.status_code == 400
    assert 'data-testid="action-error"' in response.content.decode()
    # Returning (and approving) by a bare POST is refused: it goes with the appraisal opinion.
    ret = reverse("content:transition", kwargs={"uid": item.uid, "action": "return"})
    response = client.post(ret, {"reason": "Thiếu nguồn."})
    assert response.status_code == 409
    assert "ý kiến thẩm định" in response.content.decode()
    item.refresh_from_db()
    assert item.state == State.IN_APPRAISAL
    publish = reverse("content:transition", kwargs={"uid": item.uid, "action": "publish"})
    assert client.post(publish).status_code == 409  # not possible from in appraisal
    assert client.post(reverse("content:transition", kwargs={"uid": item.uid, "action": "fly"})).status_code == 404
    appraise = reverse("editorial:appraise", args=[item.uid])
    assert client.post(appraise, {**marks(), "decision": "return", "comment": "Thiếu nguồn."}).status_code == 302
    item.refresh_from_db()
    assert item.state == State.RETURNED
    page = client.get(item_url(item)).content.decode()
    assert "Thiếu nguồn." in page

    login(client, world.contributor_dl)
    assert client.post(submit).status_code == 404
    login(client, world.contributor)
    assert client.post(submit).status_code == 302
    login(client, world.appraiser)
    client.post(start)
    assert client.post(reverse("content:transition", kwargs={"uid": item.uid, "action": "approve"})).status_code == 409
    assert client.post(appraise, {**marks(), "decision": "approve"}).status_code == 302
    assert client.post(publish).status_code == 403  # appraisers do not publish
    login(client, world.publisher)
    assert client.post(publish).status_code == 302
    item.refresh_from_db()
    assert item.state == State.PUBLISHED


def test_anonymous_cannot_post_transitions(client: Client, world: World) -> None:
    item = make_item(world)
    response = client.post(reverse("content:transition", kwargs={"uid": item.uid, "action": "submit"}))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    item.refresh_from_db()
    assert item.state == State.DRAFT


def test_csrf_is_enforced(world: World) -> None:
    item = make_item(world)
    client = login(Client(enforce_csrf_checks=True), world.contributor)
    response = client.post(reverse("content:transition", kwargs={"uid": item.uid, "action": "submit"}))
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.state == State.DRAFT


# ---------------------------------------------------------------------------------------- published


def test_published_list_filters(client: Client, world: World) -> None:
    content.do_save_topic(None, "du-lich", "Du lịch", "Tourism")
    a = make_item(world, title="Cửa khẩu quốc tế Lệ Thanh", kind="article", topics=["du-lich"])
    b = make_item(world, title="Tờ gấp an ninh biên giới", kind="leaflet")
    c = content.do_create_item(world.contributor, content.ItemData(
        kind="video", title="Video giới thiệu", body="<p>Giới thiệu.</p>", no_state_secrets=True,
        target_provinces=[world.dak_lak.pk]))
    for item in (a, b, c):
        advance(world, item, State.PUBLISHED)
    content.do_transition(world.publisher, b, "withdraw", "Hết thời sự")  # withdrawn: gone from the list
    lo = content.do_save_variant(world.translator_lo, a, "lo", "ດ່ານສາກົນ")
    content.do_set_translation_state(world.appraiser, lo, 40)  # reviewed: only then shown to the public

    url = reverse("content:published")
    page = client.get(url).content.decode()
    assert "Cửa khẩu quốc tế Lệ Thanh" in page and "Video giới thiệu" in page
    assert "Tờ gấp an ninh biên giới" not in page
    assert 'hreflang="lo"' in page

    def titles(**params: str) -> set[str]:
        body = client.get(url, params).content.decode()
        return {t for t in ("Cửa khẩu quốc tế Lệ Thanh", "Video giới thiệu", "Tờ gấp an ninh biên giới") if t in body}

    assert titles(kind="video") == {"Video giới thiệu"}
    assert titles(topic="du-lich") == {"Cửa khẩu quốc tế Lệ Thanh"}
    assert titles(language="lo") == {"Cửa khẩu quốc tế Lệ Thanh"}
    assert titles(province=str(world.dak_lak.pk)) == {"Video giới thiệu"}
    assert titles(q="cửa khẩu") == {"Cửa khẩu quốc tế Lệ Thanh"}
    assert titles(q="ດ່ານ") == {"Cửa khẩu quốc tế Lệ Thanh"}
    today = timezone.localdate().isoformat()
    assert titles(date_from=today, date_to=today) == {"Cửa khẩu quốc tế Lệ Thanh", "Video giới thiệu"}
    assert titles(date_from="2001-01-01", date_to="2001-12-31") == set()
    # A filter that does not parse is shown, not a crash.
    assert client.get(url, {"date_from": "not-a-date"}).status_code == 200

    # htmx asks for the results only.
    partial = client.get(url, {"kind": "video"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and "Video giới thiệu" in partial.content.decode()
    assert "HX-Request" in partial["Vary"]
    full = client.get(url, {"kind": "video"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert b"<html" in full.content
    # The form works without JavaScript too: a plain GET form.
    assert 'method="get"' in page and 'hx-get="/published/"' in page and 'class="filters"' in page


def test_published_list_hides_drafts_officials_and_expired_from_visitors(client: Client, world: World) -> None:
    make_item(world, title="Bản nháp ẩn")
    advance(world, make_item(world, title="Chỉ cán bộ", audience="officials"), State.PUBLISHED)
    archived = advance(world, make_item(world, title="Đã lưu trữ"), State.PUBLISHED)
    content.do_transition(world.publisher, archived, "archive")
    page = client.get(reverse("content:published")).content.decode()
    assert "Bản nháp ẩn" not in page and "Chỉ cán bộ" not in page and "Đã lưu trữ" not in page
    login(client, world.reader)
    page = client.get(reverse("content:published")).content.decode()
    assert "Chỉ cán bộ" in page and "Bản nháp ẩn" not in page


def test_published_list_paginates(client: Client, world: World) -> None:
    for n in range(27):
        advance(world, make_item(world, title=f"Tài liệu số {n:02d}"), State.PUBLISHED)
    page = client.get(reverse("content:published")).content.decode()
    assert page.count('data-testid="published-title"') == 25
    assert 'data-testid="next-page"' in page
    page2 = client.get(reverse("content:published"), {"page": "2"}).content.decode()
    assert page2.count('data-testid="published-title"') == 2


def test_title_follows_the_interface_language(client: Client, world: World) -> None:
    item = advance(world, make_item(world, title="Tiêu đề tiếng Việt"), State.APPROVED)
    content.do_save_variant(world.translator_lo, item, "lo", "ຫົວຂໍ້")
    content.do_transition(world.publisher, item, "publish")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("content:published")).content.decode()
    assert re.search(r'lang="vi"[^>]*>Tiêu đề tiếng Việt<', page)  # no English variant: the source


# -------------------------------------------------------------------------------------------- files


def test_file_download_permissions_and_headers(client: Client, world: World) -> None:
    item = make_item(world)
    attachment = attach(world, item, "Quy chế biên giới.pdf")
    sha = attachment.asset.sha256
    url = reverse("content:file", kwargs={"sha256": sha})
    assert client.get(url).status_code == 404  # a draft: not for visitors
    login(client, world.contributor_dl)
    assert client.get(url).status_code == 404
    login(client, world.contributor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "filename*=utf-8''Quy%20ch%E1%BA%BF%20bi%C3%AAn%20gi%E1%BB%9Bi.pdf" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("inline")
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(b"%PDF-") and len(body) == attachment.asset.size
    download = client.get(url, {"download": "1"})
    assert download["Content-Disposition"].startswith("attachment")
    # Published: anyone may fetch it.
    client.logout()
    advance(world, item, State.PUBLISHED)
    assert client.get(url).status_code == 200
    # Withdrawn: gone again.
    content.do_transition(world.publisher, item, "withdraw", "Lỗi số liệu")
    assert client.get(url).status_code == 404
    # Not a digest or unknown: 404.
    assert client.get("/files/" + "0" * 64 + "/").status_code == 404
    assert client.get("/files/../etc/passwd/").status_code == 404


def test_file_ranges_and_etag(client: Client, world: World) -> None:
    item = make_item(world, title="Có tệp")
    attachment = attach(world, item)
    advance(world, item, State.PUBLISHED)
    asset = attachment.asset
    url = reverse("content:file", kwargs={"sha256": asset.sha256})
    whole = b"".join(client.get(url).streaming_content)  # type: ignore[attr-defined]
    part = client.get(url, HTTP_RANGE="bytes=0-9")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 0-9/{asset.size}"
    assert b"".join(part.streaming_content) == whole[:10]  # type: ignore[attr-defined]
    tail = client.get(url, HTTP_RANGE="bytes=-5")
    assert b"".join(tail.streaming_content) == whole[-5:]  # type: ignore[attr-defined]
    assert client.get(url, HTTP_RANGE=f"bytes={asset.size + 10}-").status_code == 416
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_thumbnail_is_served_with_the_same_permission(client: Client, world: World) -> None:
    item = make_item(world)
    attachment = attach(world, item, "poster.png", png_bytes())
    url = reverse("content:file_thumb", kwargs={"sha256": attachment.asset.sha256})
    assert client.get(url).status_code == 404
    advance(world, item, State.PUBLISHED)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    page = client.get(item_url(item)).content.decode()
    assert url in page


def test_audio_and_video_get_players(client: Client, world: World) -> None:
    media = Path(__file__).resolve().parents[1] / "fixtures" / "media"
    item = make_item(world, kind="audio")
    attach(world, item, "bản tin.mp3", (media / "sample.mp3").read_bytes())
    attach(world, item, "phóng sự.mp4", (media / "sample.mp4").read_bytes())
    advance(world, item, State.PUBLISHED)
    page = client.get(item_url(item)).content.decode()
    assert "<audio controls" in page and "<video controls" in page


# -------------------------------------------------------------------------------------------- admin


def test_admin_is_read_only(client: Client, world: World) -> None:
    item = make_item(world)
    login(client, world.operator)
    for model in ("content/item", "content/variant", "content/asset", "content/attachment", "content/topic",
                  "content/tombstone", "core/auditentry", "accounts/agency", "accounts/user",
                  "accounts/rolegrant", "accounts/apitoken", "accounts/loginthrottle"):
        assert client.get(f"/admin/{model}/").status_code == 200, model
        assert client.get(f"/admin/{model}/add/").status_code == 403, model
    change = client.get(f"/admin/content/item/{item.pk}/change/")
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    user_page = client.get(f"/admin/accounts/user/{world.contributor.pk}/change/").content.decode()
    assert "argon2" not in user_page and "contributor" in user_page


def test_machines_download_files_with_their_token(client: Client, world: World, tmp_path: Path) -> None:
    from ttdn.accounts import services as accounts

    item = make_item(world, audience="officials")
    png = tmp_path / "p.png"
    Image.new("RGB", (40, 30), (10, 120, 60)).save(png, "PNG")
    attachment = content.do_attach_file(world.contributor, item.source_variant(), png, "p.png")  # type: ignore[arg-type]
    advance(world, item, State.PUBLISHED)
    url = f"/files/{attachment.asset.sha256}/"
    assert client.get(url).status_code == 404  # officials-only material, no credentials
    _token, secret = accounts.do_create_token(world.reader, world.reader, "máy chiếu đồn biên phòng")
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client.get(url, HTTP_AUTHORIZATION="Bearer ttdn_wrong").status_code == 404


def test_files_of_unreviewed_translations_stay_hidden(client: Client, world: World, tmp_path: Path) -> None:
    item = advance(world, make_item(world), State.IN_APPRAISAL)
    lo = content.do_save_variant(world.translator_lo, item, "lo", "ແຜ່ນພັບ")
    png = tmp_path / "lo.png"
    Image.new("RGB", (40, 30), (200, 20, 60)).save(png, "PNG")
    attachment = content.do_attach_file(world.translator_lo, lo, png, "lo.png")
    advance(world, item, State.PUBLISHED)
    url = f"/files/{attachment.asset.sha256}/"
    assert client.get(url).status_code == 404
    content.do_set_translation_state(world.appraiser, lo, 40)
    assert client.get(url).status_code == 200
