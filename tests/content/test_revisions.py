"""Every saved text of a language version is kept; two revisions are compared word by word (Lao, Khmer and
Chinese runs too); an older one is restored as a new revision, after a confirmation page, and audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ttdn.content import services as content
from ttdn.content.diff import DELETE, EQUAL, INSERT, Piece, body_diff, word_diff
from ttdn.content.models import State, TranslationState, VariantRevision
from ttdn.core.errors import Conflict, PermissionDenied
from ttdn.core.models import AuditEntry

from ..conftest import World, advance, make_item
from .test_views import login


def changed(pieces: list[Piece]) -> tuple[list[str], list[str]]:
    return [p.text for p in pieces if p.op == DELETE], [p.text for p in pieces if p.op == INSERT]


# ---------------------------------------------------------------------------------------------- diff


def test_vietnamese_diff_is_by_word_and_keeps_the_rest() -> None:
    old = "Người dân khu vực biên giới cần mang giấy tờ tùy thân."
    new = "Người dân khu vực biên giới phải mang căn cước công dân."
    pieces = word_diff(old, new)
    assert pieces[0] == Piece(EQUAL, "Người dân khu vực biên giới ")
    # Neighbouring changed words read as one replacement; unchanged words between them stay unmarked.
    assert changed(pieces) == (["cần", "giấy tờ tùy thân"], ["phải", "căn cước công dân"])
    # Nothing is lost: the equal and deleted runs give the old text, the equal and inserted ones the new.
    assert "".join(p.text for p in pieces if p.op != INSERT) == old
    assert "".join(p.text for p in pieces if p.op != DELETE) == new


def test_lao_run_without_spaces_is_compared_word_by_word() -> None:
    old = "ສະບາຍດີປະເທດລາວ"  # "hello", "country", "Lao" written as one run
    new = "ສະບາຍດີປະເທດໄທ"
    pieces = word_diff(old, new)
    assert pieces[0] == Piece(EQUAL, "ສະບາຍດີປະເທດ")
    assert changed(pieces) == (["ລາວ"], ["ໄທ"])


def test_khmer_run_without_spaces_is_compared_word_by_word() -> None:
    old = "ព្រំដែនកម្ពុជា"  # "border" "Cambodia"
    new = "ព្រំដែនវៀតណាម"  # "border" "Vietnam"
    pieces = word_diff(old, new)
    assert pieces[0] == Piece(EQUAL, "ព្រំដែន")
    deleted, inserted = changed(pieces)
    assert deleted == ["កម្ពុជា"]
    assert "".join(inserted) == "វៀតណាម"


def test_chinese_run_is_compared_word_by_word() -> None:
    pieces = word_diff("边境管理规定", "边境安全规定")
    assert pieces == [Piece(EQUAL, "边境"), Piece(DELETE, "管理"), Piece(INSERT, "安全"), Piece(EQUAL, "规定")]


def test_combining_marks_stay_with_their_letter() -> None:
    # Jarai ô̆ (o, circumflex, combining breve): a change of the mark is a change of the whole word.
    pieces = word_diff("Hơ-mâo bô̆ ƀuôn", "Hơ-mâo bô ƀuôn")
    assert changed(pieces) == (["bô̆"], ["bô"])


def test_bodies_are_compared_as_text_not_markup() -> None:
    pieces = body_diff("<p>Biên giới <strong>hòa bình</strong></p>", "<p>Biên giới <em>hòa bình</em>, hữu nghị</p>")
    deleted, inserted = changed(pieces)
    assert deleted == []
    assert "".join(inserted).strip(" ,") == "hữu nghị"


# ------------------------------------------------------------------------------------------ services


def test_every_save_is_kept_with_author_and_number(world: World) -> None:
    item = make_item(world, title="Quy chế khu vực biên giới")
    source = item.variants.get()
    assert [(r.number, r.title, r.author) for r in source.revisions.all()] == [
        (1, "Quy chế khu vực biên giới", world.contributor)]
    content.do_save_variant(world.contributor, item, "vi", "Quy chế biên giới đất liền", "Tóm tắt", "<p>Mới</p>")
    content.do_save_variant(world.contributor, item, "vi", "Quy chế biên giới đất liền", "Tóm tắt", "<p>Mới</p>")
    kept = list(source.revisions.all())
    assert [r.number for r in kept] == [2, 1]  # saving the same text again is no new revision
    assert (kept[0].title, kept[0].summary, kept[0].body) == ("Quy chế biên giới đất liền", "Tóm tắt", "<p>Mới</p>")
    # Saving through the item form keeps a revision too.
    data = content.ItemData(kind="leaflet", title="Quy chế (bản 3)", no_state_secrets=True, body="<p>Mới</p>",
                            summary="Tóm tắt")
    content.do_update_item(world.contributor, item, data)
    assert source.revisions.first().number == 3  # type: ignore[union-attr]


def test_translations_keep_revisions(world: World) -> None:
    item = advance(world, make_item(world), State.APPROVED)
    lo = content.do_save_variant(world.translator_lo, item, "lo", "ລະບຽບການເຂດຊາຍແດນ", "", "<p>ໜຶ່ງ</p>")
    content.do_save_variant(world.translator_lo, item, "lo", "ລະບຽບການເຂດຊາຍແດນ", "", "<p>ສອງ</p>")
    assert [r.number for r in lo.revisions.all()] == [2, 1]
    assert {r.author for r in lo.revisions.all()} == {world.translator_lo}


def test_restore_makes_a_new_revision_and_is_audited(world: World) -> None:
    item = make_item(world, title="Bản đầu", body="<p>Nội dung đầu</p>")
    content.do_save_variant(world.contributor, item, "vi", "Bản sau", "", "<p>Nội dung sau</p>")
    source = item.variants.get()
    restored = content.do_restore_revision(world.contributor, source, 1)
    assert (restored.revision, restored.title, restored.body) == (3, "Bản đầu", "<p>Nội dung đầu</p>")
    newest = source.revisions.first()
    assert newest is not None and (newest.number, newest.restored_from, newest.author) == (3, 1, world.contributor)
    assert VariantRevision.objects.filter(variant=source).count() == 3  # revision 2 is still there
    entry = AuditEntry.objects.get(action="content.variant.restore")
    assert entry.data["restored_from"] == 1 and entry.data["revision"] == 3 and entry.actor == world.contributor


def test_restore_is_refused_to_who_may_not_write_and_for_the_current_text(world: World) -> None:
    item = make_item(world, title="Bản đầu")
    content.do_save_variant(world.contributor, item, "vi", "Bản sau", "Tóm tắt")
    source = item.variants.get()
    with pytest.raises(PermissionDenied):
        content.do_restore_revision(world.contributor_dl, source, 1)
    with pytest.raises(Conflict):
        content.do_restore_revision(world.contributor, source, 2)
    advance(world, item, State.SUBMITTED)  # no longer the agency's to edit
    source.refresh_from_db()
    with pytest.raises(PermissionDenied):
        content.do_restore_revision(world.contributor, source, 1)
    assert source.revisions.count() == 2
    assert not AuditEntry.objects.filter(action="content.variant.restore").exists()


def test_restoring_a_reviewed_translation_needs_review_again(world: World) -> None:
    item = advance(world, make_item(world), State.APPROVED)
    lo = content.do_save_variant(world.translator_lo, item, "lo", "ຫົວຂໍ້ໜຶ່ງ")
    content.do_save_variant(world.translator_lo, item, "lo", "ຫົວຂໍ້ສອງ")
    content.do_set_translation_state(world.appraiser, lo, TranslationState.REVIEWED)
    restored = content.do_restore_revision(world.translator_lo, lo, 1)
    assert restored.title == "ຫົວຂໍ້ໜຶ່ງ" and restored.translation_state == TranslationState.TRANSLATED


# --------------------------------------------------------------------------------------------- pages


def test_compare_page_shows_the_words_that_changed(world: World, client: Client) -> None:
    item = advance(world, make_item(world), State.APPROVED)
    content.do_save_variant(world.translator_lo, item, "lo", "ລະບຽບ", "", "<p>ສະບາຍດີປະເທດລາວ</p>")
    content.do_save_variant(world.translator_lo, item, "lo", "ລະບຽບ", "", "<p>ສະບາຍດີປະເທດໄທ</p>")
    login(client, world.translator_lo)
    url = reverse("content:revisions", kwargs={"uid": item.uid, "lang": "lo"})
    response = client.get(url, {"from": 1, "to": 2})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>ລາວ</del>" in html and "<ins>ໄທ</ins>" in html
    assert 'data-testid="revision-2"' in html and 'data-testid="revision-1"' in html
    # The item page links to it; the public does not see revisions at all.
    assert url in client.get(reverse("content:item_detail", kwargs={"uid": item.uid})).content.decode()
    other = Client()
    assert other.get(url).status_code == 302  # officials' page: log in first
    login(other, world.reader)
    assert other.get(url).status_code == 404


def test_restore_asks_for_confirmation_first(world: World, client: Client) -> None:
    item = make_item(world, title="Bản đầu")
    content.do_save_variant(world.contributor, item, "vi", "Bản sau")
    login(client, world.contributor)
    url = reverse("content:revision_restore", kwargs={"uid": item.uid, "lang": "vi", "number": 1})
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    consequences = html.split('data-testid="consequences"')[1].split("</ul>")[0]
    assert " 3" in consequences and " 2" in consequences  # becomes revision 3; revision 2 stays kept
    item.refresh_from_db()
    assert item.variants.get().revision == 2  # a GET changes nothing
    response = client.post(url, {"confirmed": "1"})
    assert response.status_code == 302
    assert item.variants.get().title == "Bản đầu" and item.variants.get().revision == 3
