"""Vietnamese words of several syllables (issue 21): the query's syllables standing together in the
document, as the word they make, rank it above a document holding them apart; in titles and bodies, typed
with or without marks, on both backends (the suite runs on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from ttdn.content.models import State
from ttdn.search import services as search
from ttdn.search.services import SearchQuery

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.django_db


def ranked(text: str) -> list[str]:
    return [hit.variants[0].title for hit in search.search(None, SearchQuery(text=text)).hits]


def published(world: World, title: str, body: str = "<p>Xem chi tiết tại trụ sở.</p>") -> Any:
    return advance(world, make_item(world, title=title, summary="", body=body), State.PUBLISHED)


# (query, the document with the word, the document with its syllables apart): each distractor holds the
# syllables more often, or in its title, so the syllables' own scores alone put it first.
CASES = [
    ("đường biên giới", "Cắm mốc đường biên giới",
     "Buôn lậu đường qua biên giới: bắt giữ xe chở đường cát, biên giới siết chặt"),
    ("nghệ nhân", "Nghệ nhân cồng chiêng truyền dạy",
     "Nghệ An: nhân dân Nghệ An góp sức, nhân rộng mô hình"),
    ("gian hàng", "Gian hàng hội chợ",
     "Thời gian thông quan hàng hóa: thời gian chờ giảm, hàng hóa qua nhanh"),
]


@pytest.mark.parametrize(("text", "together", "apart"), CASES)
def test_syllables_of_a_word_together_rank_first_in_titles(world: World, text: str, together: str,
                                                           apart: str) -> None:
    published(world, apart)
    published(world, together)
    assert ranked(text) == [together, apart]


def test_without_marks_and_in_bodies_alike(world: World) -> None:
    published(world, "Tin tổng hợp tuần 12",
              "<p>Bắt giữ vụ buôn lậu đường cát. Đường đi qua biên giới được kiểm soát; biên giới yên bình.</p>")
    published(world, "Tin tổng hợp tuần 13", "<p>Lực lượng biên phòng tuần tra dọc đường biên giới.</p>")
    for text in ("đường biên giới", "duong bien gioi", "Đường Biên Giới"):
        assert ranked(text) == ["Tin tổng hợp tuần 13", "Tin tổng hợp tuần 12"], text


def test_the_bonus_tapers_with_distance(world: World) -> None:
    """Beyond adjacency the syllables of a word still score a little where they stand near each other: side
    by side beats one word between (near), which beats three words between (far), which beats them apart,
    with the same words in texts of the same length. Published in the opposite order, so recency (which
    breaks ties) would put them the other way round."""
    filler = "lực lượng tuần tra kiểm soát chặt chẽ khu vực rừng núi xa xôi hẻo lánh".split()
    bodies = {
        "Tin tuần 1": ["biên", "giới", *filler[:12]],
        "Tin tuần 2": ["biên", filler[0], "giới", *filler[1:12]],
        "Tin tuần 3": ["biên", *filler[:3], "giới", *filler[3:12]],
        "Tin tuần 4": ["biên", *filler[:10], "giới", *filler[10:12]],
    }
    for title, words in bodies.items():
        assert len(words) == 14
        published(world, title, f"<p>{' '.join(words)}.</p>")
    for text in ("biên giới", "bien gioi"):
        assert ranked(text) == ["Tin tuần 1", "Tin tuần 2", "Tin tuần 3", "Tin tuần 4"], text
    # The windows are scored, never required: nothing else is found, and the quoted phrase finds only the
    # syllables side by side.
    assert search.search(None, SearchQuery(text="biên giới")).total == 4
    assert ranked('"biên giới"') == ["Tin tuần 1"]


def test_the_bonus_finds_nothing_new_and_relaxing_still_works(world: World) -> None:
    """The pairs are scored, never required: a query matches the documents holding its syllables, together
    or not, and when none holds them all, those holding some of them are shown."""
    published(world, "Đường cát nhập lậu")
    published(world, "Biên giới Việt – Lào")
    published(world, "Giới thiệu đường đi tới cột mốc biên cương")
    results = search.search(None, SearchQuery(text="đường biên giới"))
    assert [h.variants[0].title for h in results.hits] == ["Giới thiệu đường đi tới cột mốc biên cương"]
    assert not results.relaxed and results.total == 1
    relaxed = search.search(None, SearchQuery(text="đường biên giới hải đảo"))
    assert relaxed.relaxed and relaxed.total == 3


def test_a_prefix_typed_as_far_as_a_word_goes(world: World) -> None:
    published(world, "Biên bản giao nhận giới thiệu sản phẩm")
    published(world, "Quy chế khu vực biên giới")
    assert ranked("biên gi*") == ["Quy chế khu vực biên giới", "Biên bản giao nhận giới thiệu sản phẩm"]


def test_a_lao_word_ranks_above_its_pieces_inside_other_words(world: World) -> None:
    """ຫຼັກໝາຍ (boundary marker): the items holding the word (inside a longer run, or written apart with a
    zero-width space) come first, whatever the scores; one with ຫຼັກສູດ (course) and ກົດໝາຍ (law) after them,
    even with the pieces in its title, and every result shows what matched."""
    from ttdn.search.query import parse
    from ttdn.search.snippets import highlight

    pieces = published(world, "ຫຼັກສູດອົບຮົມກົດໝາຍ ຫຼັກສູດກົດໝາຍ")
    whole = published(world, "ຂ່າວ", "<p>ປັກຫຼັກໝາຍຊາຍແດນ</p>")
    spaced = published(world, "ສ້ອມແປງຫຼັກ\u200bໝາຍ")
    results = search.search(None, SearchQuery(text="ຫຼັກໝາຍ"))
    assert [h.item_id for h in results.hits][2:] == [pieces.pk] and results.total == 3 and not results.relaxed
    assert {h.item_id for h in results.hits[:2]} == {whole.pk, spaced.pk}
    shown = {h.item_id: h.variants[0] for h in results.hits}
    assert shown[spaced.pk].title_html == "ສ້ອມແປງ<mark>ຫຼັກ\u200bໝາຍ</mark>"
    assert shown[whole.pk].snippet_html == "ປັກ<mark>ຫຼັກໝາຍ</mark>ຊາຍແດນ"
    assert shown[pieces.pk].title_html == ("<mark>ຫຼັກ</mark>ສູດອົບຮົມກົດ<mark>ໝາຍ</mark> "
                                           "<mark>ຫຼັກ</mark>ສູດກົດ<mark>ໝາຍ</mark>")
    # Pages: the second tier continues where the first ends.
    assert [h.item_id for h in search.search(None, SearchQuery(text="ຫຼັກໝາຍ", limit=1, offset=2)).hits] == [
        pieces.pk]
    assert len(search.search(None, SearchQuery(text="ຫຼັກໝາຍ", limit=2, offset=0)).hits) == 2
    assert highlight("ຫຼັກສູດ ກົດໝາຍ", parse("ຫຼັກໝາຍ")) == "ຫຼັກສູດ ກົດໝາຍ"  # the word is not there
    assert highlight("ຫຼັກສູດ ກົດໝາຍ", parse("ຫຼັກໝາຍ").with_pieces()) == "<mark>ຫຼັກ</mark>ສູດ ກົດ<mark>ໝາຍ</mark>"


def test_a_word_typed_with_its_tone_marks_only_that_word(world: World) -> None:
    """Highlighting respects tones: "Ia Mơ" marks "Mơ", not "mở"; typed without marks it marks both."""
    published(world, "Xã Ia Mơ mở lớp học tiếng Jrai")
    for text, title in [
        ("Ia Mơ", "Xã <mark>Ia</mark> <mark>Mơ</mark> mở lớp học tiếng Jrai"),
        ("ia mo", "Xã <mark>Ia</mark> <mark>Mơ</mark> <mark>mở</mark> lớp học tiếng Jrai"),
        ("mở lớp", "Xã Ia Mơ <mark>mở</mark> <mark>lớp</mark> học tiếng Jrai"),
    ]:
        assert search.search(None, SearchQuery(text=text)).hits[0].variants[0].title_html == title, text
