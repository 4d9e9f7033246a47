"""Search on the current backend (the suite runs on SQLite and on PostgreSQL): diacritics, scripts written
without spaces, phrases, prefixes, filters, grouping by item, snippets, access rules and the index
following every change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from ttdn.content import services as content
from ttdn.content.models import State, TranslationState
from ttdn.search import services as search
from ttdn.search.backends import base
from ttdn.search.backends import sqlite as sqlite_backend
from ttdn.search.models import SearchDocument
from ttdn.search.services import SearchQuery

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.django_db


def find(text: str, user: Any = None, **kw: Any) -> list[str]:
    """Titles of the best variant of each hit, in rank order."""
    results = search.search(user, SearchQuery(text=text, **kw))
    return [hit.variants[0].title for hit in results.hits]


def published(world: World, title: str, **kw: Any) -> Any:
    kw.setdefault("summary", "")
    return advance(world, make_item(world, title=title, **kw), State.PUBLISHED)


def translate(world: World, item: Any, lang: str, title: str, body: str = "", reviewed: bool = True) -> Any:
    variant = content.do_save_variant(world.appraiser, item, lang, title, "", body)
    if reviewed:
        content.do_set_translation_state(world.appraiser, variant, TranslationState.REVIEWED)
    return variant


def test_vietnamese_without_diacritics_finds_the_text(world: World) -> None:
    published(world, "Quy chế khu vực biên giới đất liền")
    published(world, "Hướng dẫn phòng chống dịch bệnh", body="<p>Người dân cần khai báo y tế.</p>")
    assert find("bien gioi") == ["Quy chế khu vực biên giới đất liền"]
    assert find("BIÊN GIỚI") == ["Quy chế khu vực biên giới đất liền"]
    assert find("nguoi dan") == ["Hướng dẫn phòng chống dịch bệnh"]
    assert find("dat lien") == ["Quy chế khu vực biên giới đất liền"]
    assert find("khong co gi") == []


def test_words_inside_lao_khmer_and_chinese_runs(world: World) -> None:
    item = published(world, "Cửa khẩu quốc tế Lệ Thanh", body="<p>Thông tin về cửa khẩu.</p>")
    translate(world, item, "lo", "ດ່ານສາກົນເລແທັງ", "<p>ຂໍ້ມູນຂ່າວສານກ່ຽວກັບດ່ານ</p>")
    translate(world, item, "km", "ច្រកព្រំដែនអន្តរជាតិ", "<p>ខ្ញុំចង់ទៅផ្សារ</p>")
    translate(world, item, "zh-Hans", "黎清国际口岸", "<p>中越边境管理办法</p>")
    other = published(world, "Tờ gấp phòng chống ma túy")
    translate(world, other, "zh-Hans", "禁毒宣传单", "<p>毒品危害</p>")

    for word, lang in [("ສາກົນ", "lo"), ("ຂ່າວ", "lo"), ("ព្រំដែន", "km"), ("ទៅ", "km"), ("ផ្សារ", "km"),
                       ("口岸", "zh-Hans"), ("管理", "zh-Hans"), ("边境", "zh-Hans"), ("国际口岸", "zh-Hans")]:
        results = search.search(None, SearchQuery(text=word))
        assert [h.item_id for h in results.hits] == [item.pk], word
        assert results.hits[0].variants[0].language == lang, word
    assert find("毒品") == ["禁毒宣传单"]
    assert find("ລາວຫຼາຍ") == []


def test_a_word_typed_in_its_other_spelling_is_found_and_marked(world: World) -> None:
    """kĩ/kỹ, qui/quy; Lao ໝ/ຫມ; Khmer subscript DA/TA; full-width Latin: either spelling finds the other,
    and the words are marked as the material writes them."""
    item = published(world, "Kĩ thuật lắp đặt theo quy định", body="<p>Phòng chống COVID-19 ở cửa khẩu.</p>")
    translate(world, item, "lo", "ກົດໝາຍວ່າດ້ວຍຊາຍແດນ", "<p>ເມືອງໜອງຄາຍ</p>")
    translate(world, item, "km", "សេចក្ដីណែនាំ", "<p>ផ្ដល់ព័ត៌មាន</p>")
    other = published(world, "Tờ gấp phòng chống ma túy")
    translate(world, other, "zh-Hans", "ＣＯＶＩＤ－１９防控", "<p>口岸</p>")

    for text, lang, marked in [
        ("kỹ thuật", "vi", "<mark>Kĩ</mark> <mark>thuật</mark> lắp đặt theo quy định"),
        ("ki thuat qui dinh", "vi",
         "<mark>Kĩ</mark> <mark>thuật</mark> lắp đặt theo <mark>quy</mark> <mark>định</mark>"),
        ("ກົດຫມາຍ", "lo", "<mark>ກົດໝາຍ</mark>ວ່າດ້ວຍຊາຍແດນ"),
        ("ຫມາຍ", "lo", "ກົດ<mark>ໝາຍ</mark>ວ່າດ້ວຍຊາຍແດນ"),
        ("សេចក្តី", "km", "<mark>សេចក្ដី</mark>ណែនាំ"),
    ]:
        hits = search.search(None, SearchQuery(text=text, languages=[lang])).hits
        assert [h.item_id for h in hits] == [item.pk], text
        assert hits[0].variants[0].title_html == marked, text
    lo = search.search(None, SearchQuery(text="ຫນອງຄາຍ", languages=["lo"])).hits[0].variants[0]
    assert lo.snippet_html == "ເມືອງ<mark>ໜອງຄາຍ</mark>"
    assert find("ផ្តល់", languages=["km"]) == ["សេចក្ដីណែនាំ"]
    covid = search.search(None, SearchQuery(text="covid 19", languages=["zh-Hans"])).hits
    assert [h.item_id for h in covid] == [other.pk]
    assert covid[0].variants[0].title_html == "<mark>ＣＯＶＩＤ</mark>－<mark>１９</mark>防控"
    assert {h.item_id for h in search.search(None, SearchQuery(text="ＣＯＶＩＤ")).hits} == {item.pk, other.pk}


def test_phrase_and_prefix(world: World) -> None:
    published(world, "Khu vực biên giới đất liền")
    published(world, "Giới thiệu vùng biên", body="<p>Đất liền và biển đảo.</p>")
    assert set(find("bien gioi")) == {"Khu vực biên giới đất liền", "Giới thiệu vùng biên"}
    assert find('"bien gioi"') == ["Khu vực biên giới đất liền"]
    assert find('"biên giới đất"') == ["Khu vực biên giới đất liền"]
    assert find('"gioi bien"') == []
    assert set(find("gió*")) == {"Khu vực biên giới đất liền", "Giới thiệu vùng biên"}
    assert find("thieu*") == ["Giới thiệu vùng biên"]
    assert find("thie") == []


def test_title_counts_more_than_body(world: World) -> None:
    published(world, "Hướng dẫn chung", body="<p>Phòng chống buôn lậu qua biên giới.</p>")
    published(world, "Phòng chống buôn lậu", body="<p>Hướng dẫn chung.</p>")
    assert find("buon lau") == ["Phòng chống buôn lậu", "Hướng dẫn chung"]


def test_no_item_holds_every_word_shows_items_holding_some(world: World) -> None:
    published(world, "Bảo vệ rừng đầu nguồn")
    results = search.search(None, SearchQuery(text="rung xyzzy"))
    assert results.relaxed and [h.variants[0].title for h in results.hits] == ["Bảo vệ rừng đầu nguồn"]


def test_filters(world: World) -> None:
    content.do_save_topic(None, "du-lich", "Du lịch", "Tourism")
    a = published(world, "Biên giới du lịch", kind="article", topics=["du-lich"])
    b = published(world, "Biên giới an ninh", kind="leaflet")
    c = advance(world, content.do_create_item(world.contributor, content.ItemData(
        kind="video", title="Biên giới Đắk Lắk", no_state_secrets=True, body="<p>Phim.</p>",
        target_provinces=[world.dak_lak.pk])), State.PUBLISHED)
    translate(world, b, "lo", "ຊາຍແດນ ບຽນ ໂຢ່ຍ", "<p>bien gioi</p>")
    every = {"Biên giới du lịch", "Biên giới an ninh", "Biên giới Đắk Lắk"}
    assert set(find("bien gioi")) == every
    assert find("bien gioi", kinds=["video"]) == ["Biên giới Đắk Lắk"]
    assert set(find("bien gioi", kinds=["video", "article"])) == {"Biên giới Đắk Lắk", "Biên giới du lịch"}
    assert find("bien gioi", topics=["du-lich"]) == ["Biên giới du lịch"]
    assert find("bien gioi", provinces=[world.dak_lak.key]) == ["Biên giới Đắk Lắk"]
    assert set(find("bien gioi", provinces=[world.gia_lai.key])) == {"Biên giới du lịch", "Biên giới an ninh"}
    assert find("bien gioi", languages=["lo"]) == ["ຊາຍແດນ ບຽນ ໂຢ່ຍ"]
    assert find("bien gioi", languages=["LO"]) == ["ຊາຍແດນ ບຽນ ໂຢ່ຍ"]
    today = timezone.localdate()
    assert set(find("bien gioi", date_from=today, date_to=today)) == every
    assert find("bien gioi", date_to=today - dt.timedelta(days=1)) == []
    assert find("bien gioi", date_from=today + dt.timedelta(days=1)) == []
    # Topic names, kind and language are indexed too.
    assert find("tourism") == ["Biên giới du lịch"]
    # No text: everything that passes the filters, newest first.
    assert find("", kinds=["video"]) == ["Biên giới Đắk Lắk"]
    assert {h.item_id for h in search.search(None, SearchQuery(text="", limit=10)).hits} == {a.pk, b.pk, c.pk}


def test_results_are_grouped_by_item_with_the_best_variant_first(world: World) -> None:
    item = published(world, "Quy định cửa khẩu", body="<p>Cửa khẩu quốc tế.</p>")
    translate(world, item, "en", "Border gate rules", "<p>Cua khau (border gate) opening hours.</p>")
    translate(world, item, "lo", "ລະບຽບດ່ານ", "<p>ດ່ານ Cửa khẩu</p>")
    for n in range(3):
        published(world, f"Tài liệu khác {n}", body="<p>cửa khẩu</p>")
    results = search.search(None, SearchQuery(text="cua khau", limit=2))
    assert results.total == 4
    assert len(results.hits) == 2
    first = results.hits[0]
    assert first.item_id == item.pk and first.item_uid == str(item.uid) and first.kind == "leaflet"
    assert first.variants[0].language == "vi"  # the title match ranks first
    assert {v.language for v in first.variants} == {"vi", "en", "lo"}
    assert first.variants[0].score >= first.variants[1].score >= first.variants[2].score
    assert first.score == first.variants[0].score
    page2 = search.search(None, SearchQuery(text="cua khau", limit=2, offset=2))
    assert page2.total == 4 and len(page2.hits) == 2
    assert {h.item_id for h in results.hits}.isdisjoint({h.item_id for h in page2.hits})
    beyond = search.search(None, SearchQuery(text="cua khau", limit=2, offset=10))
    assert beyond.total == 4 and beyond.hits == []
    # The English query finds the same item through its English version.
    hits = search.search(None, SearchQuery(text="border gate")).hits
    assert [h.item_id for h in hits] == [item.pk] and hits[0].variants[0].language == "en"


def test_snippets_mark_the_words_as_written(world: World) -> None:
    item = published(world, "Biên giới <an toàn>", summary="Người dân khu vực BIÊN GIỚI cần biết & làm theo.",
                     body="<p>" + "Phần mở đầu rất dài. " * 20 + "Đường biên giới được bảo vệ.</p>")
    translate(world, item, "lo", "ດ່ານສາກົນ", "<p>ຂໍ້ມູນກ່ຽວກັບດ່ານສາກົນລາວ</p>")
    hit = search.search(None, SearchQuery(text="bien gioi")).hits[0]
    vi = hit.variants[0]
    assert vi.title == "Biên giới <an toàn>"
    assert vi.title_html == "<mark>Biên</mark> <mark>giới</mark> &lt;an toàn&gt;"
    assert vi.snippet_html == "Người dân khu vực <mark>BIÊN</mark> <mark>GIỚI</mark> cần biết &amp; làm theo."
    hit = search.search(None, SearchQuery(text="bảo vệ")).hits[0]
    snippet = hit.variants[0].snippet_html
    assert snippet.startswith("…") and "<mark>bảo</mark> <mark>vệ</mark>" in snippet
    lo = search.search(None, SearchQuery(text="ສາກົນ", languages=["lo"])).hits[0].variants[0]
    assert lo.title_html == "ດ່ານ<mark>ສາກົນ</mark>"
    assert lo.snippet_html == "ຂໍ້ມູນກ່ຽວກັບດ່ານ<mark>ສາກົນ</mark>ລາວ"
    prefix = search.search(None, SearchQuery(text="gió*")).hits[0].variants[0]
    assert "<mark>giới</mark>" in prefix.title_html


def test_file_text_is_indexed(world: World, tmp_path: Any) -> None:
    from docx import Document

    path = tmp_path / "huong-dan.docx"
    doc = Document()
    doc.add_paragraph("Thủ tục xuất nhập cảnh tại cửa khẩu Lệ Thanh.")
    doc.save(str(path))
    item = make_item(world, title="Tài liệu đính kèm", summary="", body="")
    content.do_attach_file(world.contributor, item.variants.get(), path, "huong-dan.docx")
    advance(world, item, State.PUBLISHED)
    hit = search.search(None, SearchQuery(text="xuat nhap canh")).hits[0]
    assert hit.item_id == item.pk
    assert "<mark>xuất</mark> <mark>nhập</mark> <mark>cảnh</mark>" in hit.variants[0].snippet_html
    assert find("huong dan") == ["Tài liệu đính kèm"]  # the file's name counts too



def test_a_page_reads_the_files_it_needs_in_one_query(world: World, tmp_path: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from docx import Document

    for n in range(3):
        path = tmp_path / f"tep-{n}.docx"
        doc = Document()
        doc.add_paragraph(f"Phần {n}. Thủ tục xuất nhập cảnh tại cửa khẩu.")
        doc.save(str(path))
        item = make_item(world, title=f"Tài liệu {n}", summary="Không liên quan.", body="")
        content.do_attach_file(world.contributor, item.variants.get(), path, path.name)
        advance(world, item, State.PUBLISHED)
    published(world, "Xuất nhập cảnh", summary="Tóm tắt.")  # a match in the title only: the summary is shown
    with CaptureQueriesContext(connection) as queries:
        hits = search.search(None, SearchQuery(text="xuat nhap canh")).hits
    snippets = sorted(h.variants[0].snippet_html for h in hits)
    assert snippets[:3] == [f"Phần {n}. Thủ tục <mark>xuất</mark> <mark>nhập</mark> <mark>cảnh</mark> tại cửa khẩu."
                            for n in range(3)]
    assert snippets[3] == "Tóm tắt."
    assert sum("content_attachment" in q["sql"] for q in queries.captured_queries) == 1


# ------------------------------------------------------------------------------------------ permissions


def test_drafts_of_one_agency_are_never_shown_to_another(world: World) -> None:
    make_item(world, title="Bản nháp Gia Lai về biên giới")
    assert find("ban nhap", world.contributor) == ["Bản nháp Gia Lai về biên giới"]
    assert find("ban nhap", world.agency_admin) == ["Bản nháp Gia Lai về biên giới"]
    for who in (None, world.contributor_dl, world.appraiser, world.publisher, world.translator_lo, world.reader,
                world.operator):
        assert find("ban nhap", who) == [], who
        assert find("ban nhap", who, states=[State.DRAFT]) == [], who


def test_search_follows_the_content_permissions(world: World) -> None:
    """For every user and every state, search shows exactly the items `visible_items` gives."""
    from ttdn.content import permissions as perms

    for state in (State.DRAFT, State.SUBMITTED, State.IN_APPRAISAL, State.APPROVED, State.PUBLISHED,
                  State.WITHDRAWN, State.REJECTED, State.RETURNED):
        advance(world, make_item(world, title=f"Mục kiểm tra {state}", summary=""), state)
    advance(world, make_item(world, title="Mục kiểm tra cán bộ", audience="officials", summary=""), State.PUBLISHED)
    for who in [None, *world.users().values(), world.operator]:
        expected = set(perms.visible_items(who).values_list("pk", flat=True)) if who else set(
            perms.visible_items(_anonymous()).values_list("pk", flat=True))
        got = {h.item_id for h in search.search(who, SearchQuery(text="muc kiem tra", limit=100)).hits}
        assert got == expected, who


def _anonymous() -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def test_withdrawn_and_expired_material_leaves_at_once(world: World) -> None:
    item = published(world, "Thông báo tạm thời")
    assert find("thong bao") == ["Thông báo tạm thời"]
    content.do_transition(world.publisher, item, "withdraw", "Hết hiệu lực")
    for who in (None, world.reader, world.contributor_dl, world.translator_lo):
        assert find("thong bao", who) == []
    # Its own agency and central staff still find it (as the item list shows it to them).
    assert find("thong bao", world.contributor) == find("thong bao", world.publisher) == ["Thông báo tạm thời"]
    # A validity window that ends is honoured at query time, before any sweep runs.
    soon = published(world, "Lịch tiêm phòng", valid_until=timezone.now() + dt.timedelta(days=1))
    assert find("lich tiem") == ["Lịch tiêm phòng"]
    with_time = SearchDocument.objects.filter(item=soon)
    with_time.update(valid_until=timezone.now() - dt.timedelta(seconds=1))
    assert find("lich tiem") == []
    assert find("lich tiem", world.reader) == []


def test_public_sees_only_finished_language_versions(world: World) -> None:
    item = published(world, "Quy chế biên giới", body="<p>Nội dung.</p>")
    translate(world, item, "lo", "ລະບຽບຊາຍແດນ", "<p>ຊາຍແດນ</p>", reviewed=False)
    assert find("ຊາຍແດນ") == []
    assert find("ຊາຍແດນ", world.reader) == []  # an official outside the work sees finished versions only
    assert find("ຊາຍແດນ", world.translator_lo) == ["ລະບຽບຊາຍແດນ"]
    assert find("ຊາຍແດນ", world.contributor) == ["ລະບຽບຊາຍແດນ"]  # the contributing agency sees its versions
    lo = item.variants.get(language="lo")
    content.do_set_translation_state(world.appraiser, lo, TranslationState.REVIEWED)
    assert find("ຊາຍແດນ") == ["ລະບຽບຊາຍແດນ"]
    # The source changes: the translation is out of date and leaves the public results.
    content.do_transition(world.publisher, item, "withdraw", "Sửa")
    assert find("ຊາຍແດນ") == []


def test_officials_only_material_is_hidden_from_the_public(world: World) -> None:
    published(world, "Chỉ dành cho cán bộ", audience="officials")
    assert find("can bo") == []
    assert find("can bo", world.reader) == ["Chỉ dành cho cán bộ"]


# ------------------------------------------------------------------------------------------- the index


def test_the_index_follows_every_change(world: World) -> None:
    content.do_save_topic(None, "an-ninh", "An ninh", "Security")
    item = published(world, "Tiêu đề cũ")
    assert find("tieu de cu") == ["Tiêu đề cũ"]
    lo = translate(world, item, "lo", "ຫົວຂໍ້", "<p>ເກົ່າ</p>")
    assert find("ຫົວຂໍ້") == ["ຫົວຂໍ້"]
    content.do_delete_variant(world.appraiser, lo)
    assert find("ຫົວຂໍ້", world.appraiser) == []
    assert SearchDocument.objects.filter(item=item).count() == 1
    # Renaming a topic reaches the items that carry it.
    tagged = published(world, "Tờ gấp có chủ đề", topics=["an-ninh"])
    content.do_save_topic(None, "an-ninh", "An ninh trật tự", "Public order")
    assert find("trat tu") == ["Tờ gấp có chủ đề"]
    assert tagged.pk != item.pk


def test_reindex_command_rebuilds_the_index(world: World, capsys: Any) -> None:
    published(world, "Biên giới hòa bình")
    published(world, "Hợp tác hữu nghị")
    SearchDocument.objects.all().delete()
    assert find("hoa binh") == []
    call_command("reindex")
    assert find("hoa binh") == ["Biên giới hòa bình"]
    assert SearchDocument.objects.count() == 2
    err = capsys.readouterr().err
    assert "2/2" in err
    assert search.backend_name() in {"sqlite-fts5", "postgresql"}
    assert search.do_reindex_all() == 2
    assert find("huu nghi") == ["Hợp tác hữu nghị"]


def test_a_vietnamese_query_shows_the_item_with_its_other_versions(world: World) -> None:
    item = published(world, "Phòng chống buôn lậu", body="<p>Nội dung.</p>")
    translate(world, item, "lo", "ຕ້ານການລັກລອບ", "<p>ລາວ</p>")
    translate(world, item, "km", "ប្រឆាំងការរត់ពន្ធ", "<p>ខ្មែរ</p>")
    translate(world, item, "en", "Unfinished", "<p>x</p>", reviewed=False)
    hit = search.search(None, SearchQuery(text="buon lau")).hits[0]
    assert [(v.language, v.matched) for v in hit.variants] == [("vi", True), ("km", False), ("lo", False)]
    assert [v.score for v in hit.variants][1:] == [0.0, 0.0]
    assert hit.variants[2].title_html == "ຕ້ານການລັກລອບ"
    # A language filter keeps to that language.
    only = search.search(None, SearchQuery(text="buon lau", languages=["vi"])).hits[0]
    assert [v.language for v in only.variants] == ["vi"]
    # Staff who see unfinished versions get them too.
    staff = search.search(world.appraiser, SearchQuery(text="buon lau")).hits[0]
    assert {v.language for v in staff.variants} == {"vi", "km", "lo", "en"}


def test_a_run_typed_without_the_zero_width_spaces_of_the_document(world: World) -> None:
    item = published(world, "Chợ biên giới")
    translate(world, item, "km", "ផ្សារព្រំដែន", "<p>ខ្ញុំ\u200bចង់ទៅ\u200bផ្សារ</p>")
    assert find("ខ្ញុំចង់ទៅផ្សារ") == ["ផ្សារព្រំដែន"]
    assert find("ចង់ទៅ") == ["ផ្សារព្រំដែន"]


def test_a_rare_word_counts_more_than_a_common_one_on_both_backends(world: World) -> None:
    published(world, "Bảo vệ rừng", body="<p>Núi cao.</p>")
    published(world, "Núi cao", body="<p>Bảo vệ rừng.</p>")
    for n in range(4):
        published(world, f"Tài liệu {n}", body="<p>Núi và sông.</p>")
    # "rừng" is in 2 documents, "núi" in 6: the item with the rare word in its title comes first.
    assert find("rung nui")[:2] == ["Bảo vệ rừng", "Núi cao"]
    assert find("nui rung")[:2] == ["Bảo vệ rừng", "Núi cao"]


def test_odd_queries_are_no_error(world: World) -> None:
    published(world, "Biên giới")
    for text in ['"', "*", '"" AND OR NOT', "(", "NEAR(a b)", "💡", "-", "bien " * 2000, "\u200b", "a\x00b"]:
        results = search.search(None, SearchQuery(text=text))
        assert results.total >= 0 and all(h.variants for h in results.hits)
    assert find("AND") == [] and find('"bien" OR') == ["Biên giới"]
    assert search.search(None, SearchQuery(text="bien", limit=0)).total == 1


def _page(results: search.SearchResults) -> list[tuple[Any, ...]]:
    return [(h.item_id, h.score, [(v.language, v.score, v.matched) for v in h.variants]) for h in results.hits]


def test_bounded_first_stage_ranks_like_the_full_query(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    item = published(world, "Quy định cửa khẩu", body="<p>Cửa khẩu quốc tế.</p>")
    translate(world, item, "en", "Border gate rules", "<p>Cua khau (border gate) opening hours.</p>")
    translate(world, item, "lo", "ລະບຽບດ່ານ", "<p>ດ່ານ Cửa khẩu</p>")
    for n in range(6):
        published(world, f"Tài liệu {n}", body="<p>" + "cửa khẩu " * (n + 1) + "</p>")
    make_item(world, title="Cửa khẩu cửa khẩu nháp")  # a draft: dropped by the filters after the first stage
    asks = [("cua khau", 1, 0), ("cua khau", 1, 1), ("cua khau", 1, 5), ("cua khau", 2, 6), ("khau cua*", 1, 2),
            ("khau", 1, 20)]

    def run() -> list[tuple[list[tuple[Any, ...]], int, bool]]:
        return [(_page(r), r.total, r.total_capped)
                for r in (search.search(None, SearchQuery(text=t, limit=n, offset=o)) for t, n, o in asks)]

    monkeypatch.setattr(sqlite_backend, "MAX_K", 0)  # the exact query over every match
    exact = run()
    assert [len(page) for page, _t, _c in exact] == [1, 1, 1, 1, 1, 0] and exact[0][1] == 7
    # A first stage of a few matches: the k-th score bounds what is certain, k doubles, the shown items'
    # other matching language versions are scored apart.
    monkeypatch.setattr(sqlite_backend, "MAX_K", 10_000)
    monkeypatch.setattr(sqlite_backend, "FIRST_K", 1)
    assert run() == exact
    monkeypatch.setattr(sqlite_backend, "FIRST_K", 1000)
    assert run() == exact


def test_total_counts_up_to_the_cap(world: World, monkeypatch: pytest.MonkeyPatch, client: Any) -> None:
    for n in range(4):
        published(world, f"Biên giới {n}")
    monkeypatch.setattr(base, "TOTAL_CAP", 3)
    monkeypatch.setattr(sqlite_backend, "FIRST_K", 1)  # counted, not read off the first stage
    results = search.search(None, SearchQuery(text="bien gioi", limit=1))
    assert (results.total, results.total_capped, len(results.hits)) == (3, True, 1)
    assert search.search(None, SearchQuery(text="bien gioi 2")).total_capped is False
    monkeypatch.setattr(base, "TOTAL_CAP", 4)
    results = search.search(None, SearchQuery(text="bien gioi", limit=1))
    assert (results.total, results.total_capped) == (4, False)
    monkeypatch.setattr(base, "TOTAL_CAP", 3)
    page = client.get("/search/", {"q": "bien gioi"}, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "hơn 3 tài liệu" in page
    body = client.get("/api/v1/search", {"q": "bien gioi"}).json()
    assert (body["total"], body["total_capped"]) == (3, True)
    # The published list pages through the capped total.
    listed = client.get("/published/", {"q": "bien gioi"}, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert listed.count('data-testid="result-count"') == 1
    assert "hơn 3 tài liệu" in listed  # the pager's count says the counting stopped
