"""The pages as a new official and the public meet them: taken-down links (410), no bounce to the login page
from a public address, dd/mm/yyyy dates, confirmation before destructive actions, and the defects found."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ttdn.accounts.services import do_set_totp_secret, do_verify_totp
from ttdn.content import services as content
from ttdn.content.forms import ItemForm, PublishedFilterForm, item_initial
from ttdn.content.models import Attachment, State, Topic, TranslationState, Variant
from ttdn.core.errors import PermissionDenied
from ttdn.core.models import AuditEntry
from ttdn.programme.forms import IndicatorValueForm

from ..conftest import World, advance, make_item
from .test_views import login, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def item_url(item: object) -> str:
    return reverse("content:item_detail", kwargs={"uid": item.uid})  # type: ignore[attr-defined]


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def today() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


# ------------------------------------------------------------------------------------- taken down: 410


def test_a_withdrawn_items_link_says_so_with_410(client: Client, world: World) -> None:
    item = advance(world, make_item(world, title="Quy định cũ"), State.PUBLISHED)
    content.do_transition(world.publisher, item, "withdraw", "Số liệu mốc giới không chính xác")
    response = client.get(item_url(item))
    assert response.status_code == 410
    html = response.content.decode()
    assert f"Tài liệu này đã bị thu hồi ngày {today()}." in html
    assert "Số liệu mốc giới" not in html and "Quy định cũ" not in html  # the reason is for officials
    assert 'class="site-header"' in html
    en = english(Client()).get(item_url(item))
    assert en.status_code == 410 and f"This material was withdrawn on {today()}." in en.content.decode()
    # An official who may not open the item any more reads why.
    login(client, world.reader)
    html = client.get(item_url(item)).content.decode()
    assert 'data-testid="gone-reason"' in html and "Số liệu mốc giới không chính xác" in html
    # The publisher still opens it, with the same notice and reason at the top.
    login(client, world.publisher)
    page = client.get(item_url(item))
    assert page.status_code == 200
    notice = page.content.decode().split('data-testid="taken-down"')[1].split("</div>")[0]
    assert f"thu hồi ngày {today()}" in notice and "Số liệu mốc giới không chính xác" in notice


def test_an_expired_items_link_says_so_with_410(client: Client, world: World) -> None:
    until = timezone.make_aware(dt.datetime(2026, 3, 1))  # valid through 28/02/2026
    item = advance(world, make_item(world, title="Thông báo mùa khô", valid_until=until), State.PUBLISHED) \
        if until > timezone.now() else None
    if item is None:  # the calendar moved past the date: publish first, then move the window
        item = advance(world, make_item(world, title="Thông báo mùa khô"), State.PUBLISHED)
    item.valid_until = until
    item.save(update_fields=["valid_until"])
    # Past its validity, before the worker's sweep, and after it: the same answer.
    for sweep in (False, True):
        if sweep:
            content.do_expire_due()
            item.refresh_from_db()
            assert item.state == State.EXPIRED
        response = Client().get(item_url(item))
        assert response.status_code == 410
        assert "Tài liệu này đã hết hiệu lực ngày 28/02/2026." in response.content.decode()


def test_material_the_public_never_had_is_simply_not_found(client: Client, world: World) -> None:
    internal = advance(world, make_item(world, audience="officials"), State.WITHDRAWN)
    assert client.get(item_url(internal)).status_code == 404
    never_published = advance(world, make_item(world), State.REJECTED)
    assert client.get(item_url(never_published)).status_code == 404


# ------------------------------------------------------------------------ never bounced to the login page


def test_anonymous_visitors_are_never_sent_to_log_in_from_public_addresses(client: Client, world: World) -> None:
    draft = make_item(world)
    officials = advance(world, make_item(world, audience="officials"), State.PUBLISHED)
    live = advance(world, make_item(world, title="Công khai"), State.PUBLISHED)
    source = officials.variants.get()
    with_file = content.do_attach_file(world.contributor, make_item(world).variants.get(),
                                       _tmp_pdf(), "noi-bo.pdf")
    addresses = [
        item_url(draft), item_url(officials), item_url(live), reverse("content:published"),
        reverse("search:search"), reverse("content:file", kwargs={"sha256": with_file.asset.sha256}),
        reverse("content:file", kwargs={"sha256": "0" * 64}),
    ]
    for address in addresses:
        response = client.get(address)
        assert response.status_code in {200, 404}, (address, response.get("Location"))
    assert client.get("/").url == reverse("content:published")  # the start page sends the public to the list
    assert source.title not in client.get(item_url(officials)).content.decode()


def _tmp_pdf() -> object:
    import tempfile
    from pathlib import Path

    tmp = Path(tempfile.mkdtemp()) / "f.pdf"
    tmp.write_bytes(pdf_bytes("internal"))
    return tmp


# ---------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_date_typed_01_12_2026_is_the_first_of_december(world: World, language: str) -> None:
    from django.utils import translation

    with translation.override(language):
        form = ItemForm({"kind": "leaflet", "language": "vi", "title": "Tờ gấp", "audience": "public",
                         "classification": "public", "no_state_secrets": "on",
                         "valid_from": "01/12/2026", "valid_until": "31/12/2026"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["valid_from"] == dt.date(2026, 12, 1)
        data = form.item_data()
        assert data.valid_from is not None and timezone.localtime(data.valid_from).date() == dt.date(2026, 12, 1)
        # Shown the same way it is typed.
        html = str(ItemForm(initial={"valid_from": dt.date(2026, 12, 1)})["valid_from"])
        assert 'type="text"' in html and 'value="01/12/2026"' in html and 'placeholder="dd/mm/yyyy"' in html
        assert "data-day-input" in html and 'pattern="' in html
        # Plans alike.
        plan_form = IndicatorValueForm({"value": "3", "as_of": "01/12/2026"})
        assert plan_form.is_valid() and plan_form.cleaned_data["as_of"] == dt.date(2026, 12, 1)


def test_a_date_in_another_order_is_refused_with_a_clear_message(world: World) -> None:
    form = PublishedFilterForm({"date_from": "12/31/2026"})
    assert not form.is_valid()
    assert form.errors["date_from"] == [
        "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 01/12/2026 là ngày 1 tháng 12 năm 2026."]


def test_dates_on_pages_are_day_first_with_24_hour_times(client: Client, world: World) -> None:
    until = timezone.make_aware(dt.datetime(2027, 1, 1))
    item = advance(world, make_item(world, valid_until=until), State.PUBLISHED)
    published = timezone.localtime(item.published_at)
    login(client, world.publisher)
    for c in (client, english(client)):
        html = c.get(item_url(item)).content.decode()
        assert "31/12/2026" in html  # valid until, inclusive
        assert published.strftime("%d/%m/%Y %H:%M") in html  # the history
        assert not re.search(r"\b[ap]\.m\.|\bSA\b|\bCH\b", html)
        listing = c.get(reverse("content:published")).content.decode()
        assert published.strftime("%d/%m/%Y") in listing


# ------------------------------------------------------------------------------- destructive actions


def test_removing_a_language_version_asks_first_and_is_audited(client: Client, world: World) -> None:
    item = advance(world, make_item(world), State.APPROVED)
    content.do_save_variant(world.translator_lo, item, "lo", "ແຜ່ນພັບ", "", "<p>ໜຶ່ງ</p>")
    login(client, world.translator_lo)
    page = client.get(item_url(item)).content.decode()
    url = reverse("content:variant_delete", kwargs={"uid": item.uid, "lang": "lo"})
    assert f'href="{url}"' in page  # a link to the confirmation page, no script
    confirm = client.get(url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert 'data-testid="confirm-variant-delete"' in html and "ແຜ່ນພັບ" in html
    assert "Gỡ bỏ bản Tiếng Lào?" in html or "Lào" in html
    assert "onclick" not in html and "<script>" not in html
    assert item.variants.filter(language="lo").exists()
    assert client.post(url, {"confirmed": "1"}).status_code == 302
    assert not item.variants.filter(language="lo").exists()
    assert AuditEntry.objects.filter(action="content.variant.delete", actor=world.translator_lo).exists()


def test_a_translator_may_not_delete_a_published_reviewed_translation(client: Client, world: World) -> None:
    item = advance(world, make_item(world), State.APPROVED)
    lo = content.do_save_variant(world.translator_lo, item, "lo", "ແຜ່ນພັບ", "", "<p>ໜຶ່ງ</p>")
    content.do_set_translation_state(world.appraiser, lo, TranslationState.REVIEWED)
    advance(world, item, State.PUBLISHED)
    lo.refresh_from_db()
    with pytest.raises(PermissionDenied):
        content.do_delete_variant(world.translator_lo, lo)
    login(client, world.translator_lo)
    assert 'data-testid="delete-variant-lo"' not in client.get(item_url(item)).content.decode()
    url = reverse("content:variant_delete", kwargs={"uid": item.uid, "lang": "lo"})
    assert client.post(url, {"confirmed": "1"}).status_code == 403
    assert Variant.objects.filter(pk=lo.pk).exists()
    # An appraiser may.
    content.do_delete_variant(world.appraiser, lo)
    assert not Variant.objects.filter(pk=lo.pk).exists()


def test_removing_a_file_asks_first(client: Client, world: World) -> None:
    item = make_item(world)
    login(client, world.contributor)
    edit = reverse("content:variant_edit", kwargs={"uid": item.uid, "lang": "vi"})
    client.post(edit, {"title": item.variants.get().title, "body": "<p>x</p>",
                       "uploads": [upload("anh.png", png_bytes())]})
    attachment = Attachment.objects.get(variant__item=item)
    url = reverse("content:attachment_remove", kwargs={"uid": item.uid, "pk": attachment.pk})
    html = client.get(url).content.decode()
    assert 'data-testid="confirm-file-remove"' in html and "anh.png" in html
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    client.post(url, {"confirmed": "1"})
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert AuditEntry.objects.filter(action="content.file.detach").exists()


def test_withdrawing_asks_first_and_says_what_happens(client: Client, world: World) -> None:
    item = advance(world, make_item(world), State.PUBLISHED)
    login(client, world.publisher)
    url = reverse("content:transition", kwargs={"uid": item.uid, "action": "withdraw"})
    assert f'href="{url}"' in client.get(item_url(item)).content.decode()
    html = client.get(url).content.decode()
    assert 'data-testid="confirm-withdraw"' in html and 'name="reason"' in html
    assert "Màn hình, ki-ốt và loa tại các điểm biên giới" in html
    # A reason typed on the item page still passes through the confirmation page.
    assert client.post(url, {"reason": "Lỗi số liệu"}).status_code == 200
    item.refresh_from_db()
    assert item.state == State.PUBLISHED
    # Confirmed without a reason: the same page, with the message.
    response = client.post(url, {"confirmed": "1", "reason": " "})
    assert response.status_code == 400 and b'data-testid="confirm-error"' in response.content
    assert client.post(url, {"confirmed": "1", "reason": "Lỗi số liệu"}).status_code == 302
    item.refresh_from_db()
    assert item.state == State.WITHDRAWN
    entry = AuditEntry.objects.get(action="content.item.withdraw")
    assert entry.data["reason"] == "Lỗi số liệu" and entry.actor == world.publisher
    assert client.get(reverse("content:transition", kwargs={"uid": item.uid, "action": "submit"})).status_code == 405


# ----------------------------------------------------------------------------------------- defects


def test_a_drafts_breadcrumb_does_not_say_published(client: Client, world: World) -> None:
    draft = make_item(world)
    login(client, world.contributor)
    crumbs = client.get(item_url(draft)).content.decode().split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert reverse("content:published") not in crumbs and reverse("content:my_work") in crumbs
    live = advance(world, make_item(world), State.PUBLISHED)
    crumbs = Client().get(item_url(live)).content.decode().split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert reverse("content:published") in crumbs


def test_the_state_secret_declaration_stays_ticked_on_edit(client: Client, world: World) -> None:
    item = make_item(world)
    assert item_initial(item)["no_state_secrets"] is True
    login(client, world.contributor)
    html = client.get(reverse("content:item_edit", kwargs={"uid": item.uid})).content.decode()
    box = re.search(r"<input[^>]*name=\"no_state_secrets\"[^>]*>", html)
    assert box and "checked" in box.group(0) and "required" not in box.group(0)
    # Unticked on purpose: refused by the server in Vietnamese, nothing saved.
    data = {"kind": "leaflet", "title": "Tiêu đề mới", "audience": "public", "classification": "public",
            "summary": "x"}
    response = client.post(reverse("content:item_edit", kwargs={"uid": item.uid}), data)
    assert response.status_code == 400
    assert "Vui lòng xác nhận tài liệu không chứa bí mật nhà nước." in response.content.decode()
    assert item.variants.get().title != "Tiêu đề mới"


def test_the_revision_shown_after_creating_with_files_is_one(client: Client, world: World) -> None:
    login(client, world.contributor)
    response = client.post(reverse("content:item_create"), {
        "kind": "leaflet", "language": "vi", "title": "Có hai tệp", "summary": "Tóm tắt", "audience": "public",
        "classification": "public", "no_state_secrets": "on",
        "uploads": [upload("a.pdf", pdf_bytes("a")), upload("b.png", png_bytes())],
    })
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert re.search(r'data-testid="item-version">1<', html)


def test_public_pages_show_no_internal_badges(client: Client, world: World) -> None:
    item = advance(world, make_item(world), State.APPROVED)
    lo = content.do_save_variant(world.translator_lo, item, "lo", "ແຜ່ນພັບ", "", "<p>ໜຶ່ງ</p>")
    content.do_set_translation_state(world.appraiser, lo, TranslationState.REVIEWED)
    advance(world, item, State.PUBLISHED)
    html = client.get(item_url(item)).content.decode()
    assert 'id="variant-lo"' in html
    assert "Đã hiệu đính" not in html and "tstate-" not in html
    assert 'data-testid="item-version"' not in html
    login(client, world.appraiser)
    assert "tstate-40" in client.get(item_url(item)).content.decode()


def test_topics_are_named_in_the_interface_language(client: Client, world: World) -> None:
    content.do_save_topic(None, "bien-gioi", "Biên giới", "Borders")
    item = advance(world, make_item(world, topics=["bien-gioi"]), State.PUBLISHED)
    assert Topic.objects.get(code="bien-gioi").name_en == "Borders"
    vi = client.get(item_url(item)).content.decode()
    assert "Biên giới" in vi
    en = english(Client()).get(item_url(item)).content.decode()
    topics = en.split("<dt>Topics</dt>")[1].split("</dd>")[0]
    assert "Borders" in topics and "Biên giới" not in topics


def test_the_two_step_page_shows_no_navigation_and_one_log_out(client: Client, world: World) -> None:
    client.force_login(world.appraiser)  # password passed, second factor not yet
    html = client.get(reverse("accounts:two_factor")).content.decode()
    assert 'class="site-nav"' not in html
    assert html.count(reverse("accounts:logout")) == 1
    login(client, world.appraiser)
    assert 'class="site-nav"' in client.get(reverse("content:my_work")).content.decode()


def test_a_code_used_twice_is_said_to_be_used_not_a_clock_problem(world: World) -> None:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    do_set_totp_secret(None, world.appraiser, secret)
    code = pyotp.TOTP(secret).now()
    do_verify_totp(world.appraiser, code)
    with pytest.raises(PermissionDenied) as refused:
        do_verify_totp(world.appraiser, code)
    assert refused.value.code == "totp_reused"
    assert "đã được dùng" in str(refused.value.message) and "giờ" not in str(refused.value.message)
    with pytest.raises(PermissionDenied) as wrong:
        do_verify_totp(world.appraiser, "000000" if code != "000000" else "111111")
    assert wrong.value.code == "bad_totp"


def test_a_plan_drafts_period_is_typed_and_shown_day_first() -> None:
    from django.http import QueryDict

    from ttdn.documents.plan_draft import Draft
    from ttdn.programme.views.drafts import _apply_review

    data = _apply_review(Draft(), QueryDict("period_start=01/12/2026&period_end=2027-12-31")).to_json()
    assert data["plan"]["period"] == {"start": "2026-12-01", "end": "2027-12-31"}  # the draft keeps ISO
    data = _apply_review(Draft(), QueryDict("period_start=31/02/2026")).to_json()
    assert data["plan"]["period"]["start"] == "31/02/2026"  # not a day: kept as typed for the import to refuse
