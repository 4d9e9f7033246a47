"""Every `do_…` is its own transaction: it refuses to run inside a caller's, locks the item first and authorises
what the item is under the lock (not what the caller read earlier); what a form does in one go is one service."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Role, User
from ttdn.content import services as content
from ttdn.content.models import Attachment, Item, State, TranslationState, Variant
from ttdn.core.errors import PermissionDenied, ServiceError
from ttdn.core.models import AuditEntry
from ttdn.core.transactions import bulk_load

from ..conftest import World, advance, make_item
from .test_views import pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def _stale(item: Item) -> Item:
    """Another copy of the item as a caller read it before someone else moved it."""
    return Item.objects.get(pk=item.pk)


def test_a_service_inside_a_callers_transaction_raises(world: World, tmp_path: Path) -> None:
    item = advance(world, make_item(world), State.APPROVED)
    note = tmp_path / "ghi-chu.txt"
    note.write_text("Ghi chú của người dịch.", encoding="utf-8")
    lo = content.do_save_variant(world.translator_lo, item, "lo", "ແຜ່ນພັບ")
    data = content.ItemData(kind="leaflet", title="Tiêu đề", body="<p>x</p>", no_state_secrets=True)
    calls = [
        lambda: content.do_create_item(world.contributor, data),
        lambda: content.do_create_item_with_files(world.contributor, data, []),
        lambda: content.do_update_item(world.contributor, item, data),
        lambda: content.do_save_variant(world.translator_lo, item, "lo", "ແຜ່ນພັບ ໃໝ່"),
        lambda: content.do_save_variant_with_files(world.translator_lo, item, "lo", "ແຜ່ນພັບ ໃໝ່"),
        lambda: content.do_set_translation_state(world.appraiser, lo, TranslationState.REVIEWED),
        lambda: content.do_delete_variant(world.translator_lo, lo),
        lambda: content.do_attach_file(world.translator_lo, lo, note, "ghi-chu.txt"),
        lambda: content.do_transition(world.publisher, item, "publish"),
        lambda: accounts.do_create_user(None, "someone", None, agency=world.gl_dept),
        lambda: accounts.do_grant_role(None, world.contributor, Role.READER),
        lambda: accounts.do_create_staff_member(None, "someone", None, agency=world.gl_dept, roles=[]),
    ]
    for call in calls:
        with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
            call()
    item.refresh_from_db()
    assert item.state == State.APPROVED and Variant.objects.get(pk=lo.pk).title == "ແຜ່ນພັບ"
    assert not lo.attachments.exists()


def test_builders_compose_services_in_one_bulk_load(world: World) -> None:
    with pytest.raises(ZeroDivisionError), bulk_load():
        made = make_item(world, title="Sẽ không còn")
        advance(world, made, State.SUBMITTED)
        1 / 0  # noqa: B018
    assert not Item.objects.filter(pk=made.pk).exists()


def test_an_edit_is_authorised_on_the_item_as_locked(world: World) -> None:
    item = make_item(world)
    seen_as_draft = _stale(item)
    content.do_transition(world.contributor, item, "submit")  # meanwhile, in another request
    data = content.ItemData(kind="leaflet", title="Sửa sau khi gửi", body="<p>x</p>", no_state_secrets=True)
    with pytest.raises(PermissionDenied):
        content.do_update_item(world.contributor, seen_as_draft, data)
    assert item.variants.get(language="vi").title != "Sửa sau khi gửi"


def test_a_translation_is_authorised_on_the_item_as_locked(world: World) -> None:
    item = advance(world, make_item(world), State.PUBLISHED)
    lo = content.do_save_variant(world.translator_lo, item, "lo", "ແຜ່ນພັບ")
    seen_published = _stale(item)
    variant_seen = Variant.objects.select_related("item").get(pk=lo.pk)
    content.do_transition(world.publisher, item, "withdraw", "Hết hiệu lực")  # meanwhile
    with pytest.raises(PermissionDenied):
        content.do_save_variant(world.translator_lo, seen_published, "lo", "ແຜ່ນພັບ ໃໝ່")
    with pytest.raises(PermissionDenied):
        content.do_set_translation_state(world.translator_lo, variant_seen, TranslationState.TRANSLATED)
    with pytest.raises(PermissionDenied):
        content.do_delete_variant(world.translator_lo, variant_seen)
    lo.refresh_from_db()
    assert lo.title == "ແຜ່ນພັບ" and lo.translation_state == TranslationState.IN_PROGRESS
    assert not AuditEntry.objects.filter(action="content.variant.delete").exists()


def test_a_translation_with_its_state_and_files_is_one_service(world: World, tmp_path: Path) -> None:
    item = advance(world, make_item(world), State.IN_APPRAISAL)
    lo = content.do_save_variant(world.translator_lo, item, "lo", "ແຜ່ນພັບ")
    before = AuditEntry.objects.count()
    # A refused file: neither the text nor the state nor any file is kept, and nothing is audited.
    with pytest.raises(ServiceError) as refused:
        content.do_save_variant_with_files(world.appraiser, item, "lo", "ຊື່ໃໝ່", uploads=[
            upload("lao.pdf", pdf_bytes("lao")), upload("x.pdf", png_bytes())],
            translation_state=TranslationState.TRANSLATED)
    assert refused.value.details["field"] == "uploads"
    lo.refresh_from_db()
    assert (lo.title, lo.translation_state) == ("ແຜ່ນພັບ", TranslationState.IN_PROGRESS)
    assert not Attachment.objects.filter(variant=lo).exists() and AuditEntry.objects.count() == before
    saved = content.do_save_variant_with_files(world.appraiser, item, "lo", "ຊື່ໃໝ່", uploads=[
        upload("lao.pdf", pdf_bytes("lao"))], translation_state=TranslationState.TRANSLATED)
    assert (saved.title, saved.translation_state) == ("ຊື່ໃໝ່", TranslationState.TRANSLATED)
    assert [a.filename for a in saved.attachments.all()] == ["lao.pdf"]


def test_a_staff_member_and_roles_are_one_service(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        accounts.do_create_staff_member(world.agency_admin, "nguoi_moi", "Biên-giới-2026!", agency=world.gl_dept,
                                        roles=[Role.CONTRIBUTOR, Role.APPRAISER])
    assert refused.value.details["field"] == "roles"
    assert not User.objects.filter(username="nguoi_moi").exists()
    member = accounts.do_create_staff_member(world.agency_admin, "nguoi_moi", "Biên-giới-2026!",
                                             agency=world.gl_dept, roles=[Role.CONTRIBUTOR])
    assert set(member.role_grants.values_list("role", flat=True)) == {Role.CONTRIBUTOR}
