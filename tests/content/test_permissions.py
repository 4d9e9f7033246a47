"""The permission matrix: role × agency × operation, and the queryset form agreeing with the rule."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from ttdn.content import permissions as perms
from ttdn.content import services as content
from ttdn.content.models import State
from ttdn.core.errors import PermissionDenied

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.django_db

USERS = ["anonymous", "contributor", "contributor_dl", "appraiser", "publisher", "translator_lo",
         "agency_admin", "reader"]

# Item made by the Gia Lai department (contributor, agency_admin are in it; contributor_dl is not).
# Columns follow USERS.
VIEW = {
    ("draft", "public"): [0, 1, 0, 0, 0, 0, 1, 0],
    ("submitted", "public"): [0, 1, 0, 1, 1, 0, 1, 0],
    ("in_appraisal", "public"): [0, 1, 0, 1, 1, 0, 1, 0],
    ("returned", "public"): [0, 1, 0, 1, 1, 0, 1, 0],
    ("rejected", "public"): [0, 1, 0, 1, 1, 0, 1, 0],
    ("approved", "public"): [0, 1, 0, 1, 1, 1, 1, 0],
    ("published", "public"): [1, 1, 1, 1, 1, 1, 1, 1],
    ("published", "officials"): [0, 1, 1, 1, 1, 1, 1, 1],
    ("withdrawn", "public"): [0, 1, 0, 1, 1, 0, 1, 0],
    ("archived", "public"): [0, 1, 0, 1, 1, 0, 1, 0],
}
EDIT = {
    "draft": [0, 1, 0, 0, 0, 0, 0, 0],
    "submitted": [0, 0, 0, 0, 0, 0, 0, 0],
    "in_appraisal": [0, 0, 0, 1, 0, 0, 0, 0],
    "returned": [0, 1, 0, 0, 0, 0, 0, 0],
    "approved": [0, 0, 0, 0, 0, 0, 0, 0],
    "published": [0, 0, 0, 0, 0, 0, 0, 0],
    "withdrawn": [0, 0, 0, 0, 0, 0, 0, 0],
}
# Writing the Lao version.
TRANSLATE_LO = {
    "draft": [0, 1, 0, 0, 0, 0, 0, 0],
    "submitted": [0, 0, 0, 0, 0, 0, 0, 0],
    "in_appraisal": [0, 0, 0, 1, 0, 1, 0, 0],
    "approved": [0, 0, 0, 1, 0, 1, 0, 0],
    "published": [0, 0, 0, 1, 0, 1, 0, 0],
    "withdrawn": [0, 0, 0, 0, 0, 0, 0, 0],
}


def _user(world: World, name: str) -> object:
    return AnonymousUser() if name == "anonymous" else world.users()[name]


@pytest.mark.parametrize(("key", "expected"), list(VIEW.items()), ids=[f"{s}-{a}" for s, a in VIEW])
def test_view_matrix(world: World, key: tuple[str, str], expected: list[int]) -> None:
    state, audience = key
    item = advance(world, make_item(world, audience=audience), state)
    for name, allowed in zip(USERS, expected, strict=True):
        user = _user(world, name)
        assert perms.can_view(user, item) is bool(allowed), (name, state, audience)
        # The list pages and the API start from visible_items: it must say the same.
        assert perms.visible_items(user).filter(pk=item.pk).exists() is bool(allowed), (name, "queryset")


@pytest.mark.parametrize(("state", "expected"), list(EDIT.items()))
def test_edit_matrix(world: World, state: str, expected: list[int]) -> None:
    item = advance(world, make_item(world), state)
    for name, allowed in zip(USERS, expected, strict=True):
        user = _user(world, name)
        assert perms.can_edit(user, item) is bool(allowed), (name, state)
        data = content.ItemData(kind="leaflet", title="Tiêu đề đã sửa", body="<p>x</p>", no_state_secrets=True)
        if allowed:
            content.do_update_item(user, item, data)  # type: ignore[arg-type]
        else:
            with pytest.raises(PermissionDenied):
                content.do_update_item(user, item, data)  # type: ignore[arg-type]


@pytest.mark.parametrize(("state", "expected"), list(TRANSLATE_LO.items()))
def test_translate_matrix(world: World, state: str, expected: list[int]) -> None:
    item = advance(world, make_item(world), state)
    for name, allowed in zip(USERS, expected, strict=True):
        user = _user(world, name)
        if allowed:
            content.do_save_variant(user, item, "lo", f"ແຜ່ນພັບ {name}", "", "")  # type: ignore[arg-type]
        else:
            with pytest.raises(PermissionDenied):
                content.do_save_variant(user, item, "lo", "ແຜ່ນພັບ", "", "")  # type: ignore[arg-type]


def test_translator_only_in_own_language(world: World) -> None:
    item = advance(world, make_item(world), State.APPROVED)
    content.do_save_variant(world.translator_lo, item, "lo", "ຂໍ້ມູນຊາຍແດນ")
    with pytest.raises(PermissionDenied):
        content.do_save_variant(world.translator_lo, item, "km", "ព័ត៌មានព្រំដែន")


def test_only_contributors_with_an_agency_create(world: World) -> None:
    data = content.ItemData(kind="article", title="Bài viết", body="<p>x</p>", no_state_secrets=True)
    for name in ["appraiser", "publisher", "translator_lo", "reader", "agency_admin"]:
        with pytest.raises(PermissionDenied):
            content.do_create_item(world.users()[name], data)
    item = content.do_create_item(world.contributor, data)
    assert item.agency == world.gl_dept


def test_user_without_roles_sees_only_public_live_material(world: World) -> None:
    from ttdn.accounts import services as accounts

    nobody = accounts.do_create_user(None, "nobody", None, agency=world.gl_dept)
    public = advance(world, make_item(world), State.PUBLISHED)
    officials = advance(world, make_item(world, audience="officials"), State.PUBLISHED)
    draft = make_item(world)
    visible = set(perms.visible_items(nobody).values_list("pk", flat=True))
    assert public.pk in visible
    assert officials.pk not in visible
    assert draft.pk not in visible


def test_public_sees_only_finished_translations(world: World) -> None:
    from ttdn.content.models import TranslationState, Variant

    item = advance(world, make_item(world), State.IN_APPRAISAL)
    content.do_save_variant(world.appraiser, item, "en", "Border belt leaflet", "", "<p>en</p>")
    content.do_save_variant(world.translator_lo, item, "lo", "ແຜ່ນພັບ", "", "<p>lo</p>")
    content.do_set_translation_state(world.appraiser, Variant.objects.get(item=item, language="en"),
                                     TranslationState.REVIEWED)
    advance(world, item, State.PUBLISHED)
    variants = list(item.variants.all())
    public = {v.language for v in perms.shown_variants(AnonymousUser(), item, variants)}
    assert public == {"vi", "en"}  # the Lao version is not reviewed yet
    assert {v.language for v in perms.shown_variants(world.translator_lo, item, variants)} == {"vi", "en", "lo"}


def test_stale_reviewed_translation_is_withheld_from_the_public(world: World) -> None:
    from ttdn.content.models import TranslationState, Variant

    item = advance(world, make_item(world), State.IN_APPRAISAL)
    en = content.do_save_variant(world.appraiser, item, "en", "Border belt leaflet", "", "<p>en</p>")
    content.do_set_translation_state(world.appraiser, en, TranslationState.REVIEWED)
    content.do_save_variant(world.appraiser, item, "vi", "Tờ gấp (sửa)", "", "<p>Số liệu mới</p>")
    advance(world, item, State.PUBLISHED)
    variants = list(item.variants.select_related("source_variant"))
    assert Variant.objects.get(pk=en.pk).is_stale
    assert {v.language for v in perms.shown_variants(None, item, variants)} == {"vi"}
    assert {v.language for v in perms.shown_variants(world.appraiser, item, variants)} == {"vi", "en"}
