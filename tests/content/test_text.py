"""Text stored NFC, minority scripts byte-exact, rich text sanitised, secrets refused, stale translations."""

from __future__ import annotations

import unicodedata

import pytest

from ttdn.content import services as content
from ttdn.content.models import State, TranslationState, Variant
from ttdn.core.errors import Conflict, ServiceError
from ttdn.core.text import sanitize_html

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.django_db

MINORITY = {
    # Jarai: ƀ and breves; Bahnar: ŏ, ĕ, ơ; Ede: ƀ, ĭ; Hmong RPA; Tai Dam in Tai Viet script.
    "jra": "Ƀing ta pô lŏn čar Việt Nam — hră hơdôm ƀuôn ƀon ră anăm",
    "bdq": "Tơdrong pơtho kơ khu vưc kơpĕ dêh char, Đăk Hră pơlei",
    "rad": "Klei mtô mtăn kơ ƀuôn sang ĭ knông lăn ala čar",
    "hnj": "Tsab ntawv qhia txog ciam teb rau cov neeg nyob ze ciam teb",
    "blt": "ꪁꪮꪉ ꪭꪰ ꪋꪳ ꪀꪾ ꪻꪒ ꪹꪮꪙ",
}


@pytest.mark.parametrize("tag", list(MINORITY))
def test_minority_text_round_trips_byte_exact(world: World, tag: str) -> None:
    text = MINORITY[tag]
    item = make_item(world)
    content.do_save_variant(world.contributor, item, tag, text, text, f"<p>{text}</p>")
    stored = Variant.objects.get(item=item, language=tag)
    assert stored.title.encode("utf-8") == text.encode("utf-8")
    assert stored.summary == text
    assert stored.body == f"<p>{text}</p>"


def test_decomposed_input_is_stored_nfc(world: World) -> None:
    decomposed = unicodedata.normalize("NFD", "Biên giới hòa bình, ƀuôn Ia Chía")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    item = make_item(world, title=decomposed, summary=decomposed)
    source = item.source_variant()
    assert source is not None
    assert source.title == unicodedata.normalize("NFC", decomposed)
    assert unicodedata.is_normalized("NFC", source.summary)


@pytest.mark.parametrize(
    "dirty",
    [
        '<p>ok</p><script>alert(1)</script>',
        '<p onclick="alert(1)">ok</p>',
        '<a href="javascript:alert(1)">ok</a>',
        '<img src=x onerror=alert(1)><p>ok</p>',
        '<svg><script>alert(1)</script></svg><p>ok</p>',
        '<iframe src="https://example.org"></iframe><p>ok</p>',
        '<style>body{}</style><p>ok</p>',
    ],
)
def test_rich_text_is_sanitised(world: World, dirty: str) -> None:
    item = make_item(world, body=dirty)
    body = item.source_variant().body  # type: ignore[union-attr]
    for bad in ("<script", "onclick", "javascript:", "onerror", "<iframe", "<style", "<svg"):
        assert bad not in body.lower()
    assert "ok" in body
    assert sanitize_html(body) == body  # stable


@pytest.mark.parametrize("stamp", ["TUYỆT MẬT", "TỐI MẬT", "MẬT"])
def test_state_secret_material_is_refused(world: World, stamp: str) -> None:
    with pytest.raises(ServiceError) as exc:
        make_item(world, body=f"<p>{stamp}</p><p>Báo cáo tình hình</p>")
    assert exc.value.code == "state_secret_refused"


def test_secret_classification_value_is_refused(world: World) -> None:
    with pytest.raises(ServiceError) as exc:
        make_item(world, classification="secret")
    assert exc.value.code == "state_secret_refused"


def test_declaration_is_required(world: World) -> None:
    data = content.ItemData(kind="leaflet", title="T", body="<p>b</p>", no_state_secrets=False)
    with pytest.raises(ServiceError) as exc:
        content.do_create_item(world.contributor, data)
    assert exc.value.details["field"] == "no_state_secrets"


def test_translation_goes_stale_when_source_changes(world: World) -> None:
    item = advance(world, make_item(world), State.IN_APPRAISAL)
    lo = content.do_save_variant(world.translator_lo, item, "lo", "ແຜ່ນພັບກ່ຽວກັບເຂດຊາຍແດນ", "", "<p>ລາວ</p>")
    content.do_set_translation_state(world.translator_lo, lo, TranslationState.TRANSLATED)
    assert not Variant.objects.get(pk=lo.pk).is_stale
    content.do_save_variant(world.appraiser, item, "vi", "Tờ gấp đã sửa", "Tóm tắt mới", "<p>Nội dung mới</p>")
    lo = Variant.objects.get(pk=lo.pk)
    assert lo.is_stale
    with pytest.raises(Conflict):
        content.do_set_translation_state(world.appraiser, lo, TranslationState.REVIEWED)
    content.do_save_variant(world.translator_lo, item, "lo", "ແຜ່ນພັບສະບັບໃໝ່", "", "<p>ລາວ</p>")
    lo = Variant.objects.get(pk=lo.pk)
    assert not lo.is_stale
    content.do_set_translation_state(world.appraiser, lo, TranslationState.REVIEWED)
    assert Variant.objects.get(pk=lo.pk).translation_state == TranslationState.REVIEWED


def test_translator_cannot_mark_reviewed(world: World) -> None:
    item = advance(world, make_item(world), State.APPROVED)
    lo = content.do_save_variant(world.translator_lo, item, "lo", "ຫົວຂໍ້")
    with pytest.raises(ServiceError):
        content.do_set_translation_state(world.translator_lo, lo, TranslationState.REVIEWED)


def test_unknown_language_refused(world: World) -> None:
    item = make_item(world)
    with pytest.raises(ServiceError) as exc:
        content.do_save_variant(world.contributor, item, "xx-Klingon", "t")
    assert exc.value.code == "invalid"
