"""The search page and the published list's search box, over HTTP."""

from __future__ import annotations

import pytest
from django.test import Client

from ttdn.content import services as content
from ttdn.content.models import State, TranslationState

from ..conftest import PASSWORD, World, advance, build_world, make_item

pytestmark = pytest.mark.django_db
URL = "/search/"


def test_search_page_groups_versions_and_marks_words(client: Client, world: World) -> None:
    item = advance(world, make_item(world, title="Cửa khẩu quốc tế <Lệ Thanh>", summary="Giờ mở cửa khẩu."),
                   State.PUBLISHED)
    lo = content.do_save_variant(world.translator_lo, item, "lo", "ດ່ານສາກົນເລແທັງ", "", "<p>ດ່ານ cửa khẩu</p>")
    content.do_set_translation_state(world.appraiser, lo, TranslationState.REVIEWED)
    make_item(world, title="Bản nháp cửa khẩu")

    empty = client.get(URL)
    assert empty.status_code == 200
    page = empty.content.decode()
    assert 'role="search"' in page and 'hx-get="/search/"' in page and "delay:300ms" in page
    assert 'id="id_state"' not in page  # the public sees published material only

    page = client.get(URL, {"q": "cua khau"}).content.decode()
    assert page.count('class="hit"') == 1
    assert "Bản nháp" not in page
    assert "<mark>Cửa</mark> <mark>khẩu</mark> quốc tế &lt;Lệ Thanh&gt;" in page
    assert 'data-lang="lo"' in page and 'lang="lo"' in page
    assert f'href="/items/{item.uid}/"' in page
    # htmx asks for the results only.
    partial = client.get(URL, {"q": "ດ່ານ"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content
    assert "<mark>ດ່ານ</mark>ສາກົນເລແທັງ" in partial.content.decode() and "HX-Request" in partial["Vary"]
    none = client.get(URL, {"q": "khong ton tai"}).content.decode()
    assert 'data-testid="no-results"' in none
    bad = client.get(URL, {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert bad.status_code == 200 and 'class="field has-error"' in bad.content.decode()
    assert client.get(URL, {"q": "cua", "page": "x"}).status_code == 200


def test_search_page_for_staff_shows_states_and_own_drafts(client: Client, db: None) -> None:
    world = build_world(password=PASSWORD)
    make_item(world, title="Ghi chú XYZ cửa khẩu")
    client.force_login(world.contributor)
    page = client.get(URL, {"q": "cua khau"}).content.decode()
    assert 'id="id_state"' in page and "XYZ" in page and 'data-testid="hit-state"' in page
    page = client.get(URL, {"q": "cua khau", "state": "published"}).content.decode()
    assert "XYZ" not in page
    client.force_login(world.contributor_dl)
    assert "XYZ" not in client.get(URL, {"q": "cua khau"}).content.decode()


def test_published_list_search_box_uses_the_search_engine(client: Client, world: World) -> None:
    for n in range(30):
        advance(world, make_item(world, title=f"Tài liệu biên giới số {n}", summary=""), State.PUBLISHED)
    advance(world, make_item(world, title="Hướng dẫn", summary="", body="<p>Nội dung khác.</p>"), State.PUBLISHED)
    make_item(world, title="Bản nháp biên giới")
    page = client.get("/published/", {"q": "bien gioi"}).content.decode()
    assert page.count('data-testid="published-title"') == 25  # one page
    assert "Bản nháp" not in page and "Hướng dẫn" not in page
    assert 'data-testid="next-page"' in page
    second = client.get("/published/", {"q": "bien gioi", "page": "2"}).content.decode()
    assert second.count('data-testid="published-title"') == 5
    assert client.get("/published/", {"q": "bien gioi", "kind": "video"}).content.decode().count(
        'data-testid="published-title"') == 0
