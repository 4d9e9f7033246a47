"""GET /api/v1/search: the same search, the same access rules, errors as JSON."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ttdn.content import services as content
from ttdn.content.models import State, TranslationState

from ..api.conftest import ApiClient, api_as, assert_error  # noqa: F401
from ..conftest import World, advance, make_item

pytestmark = pytest.mark.django_db
URL = "/api/v1/search"


def test_search_api_public_and_logged_in(world: World, api_as: Callable[[str], ApiClient]) -> None:  # noqa: F811
    item = advance(world, make_item(world, title="Quy chế biên giới đất liền", summary=""), State.PUBLISHED)
    lo = content.do_save_variant(world.translator_lo, item, "lo", "ລະບຽບຊາຍແດນ", "", "<p>ຊາຍແດນ</p>")
    content.do_set_translation_state(world.appraiser, lo, TranslationState.REVIEWED)
    make_item(world, title="Bản nháp biên giới", summary="")

    response = api_as("anonymous").get(URL, {"q": "bien gioi"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 1 and body["backend"] in {"sqlite-fts5", "postgresql"}
    hit = body["hits"][0]
    assert hit["uid"] == str(item.uid) and hit["kind"] == "leaflet" and hit["state"] == "published"
    assert hit["url"] == f"/api/v1/items/{item.uid}"
    assert hit["variants"][0]["title_html"] == "Quy chế <mark>biên</mark> <mark>giới</mark> đất liền"

    assert api_as("anonymous").get(URL, {"q": "ຊາຍແດນ"}).json()["hits"][0]["variants"][0]["language"] == "lo"
    # The contributing agency also finds its draft; another agency does not.
    mine = api_as("contributor").get(URL, {"q": "bien gioi"}).json()
    assert mine["total"] == 2
    assert api_as("contributor_dl").get(URL, {"q": "bien gioi"}).json()["total"] == 1
    drafts = api_as("contributor").get(URL, {"q": "bien gioi", "state": "draft"}).json()
    assert [h["variants"][0]["title"] for h in drafts["hits"]] == ["Bản nháp biên giới"]
    assert api_as("anonymous").get(URL, {"q": "bien gioi", "state": "draft"}).json()["total"] == 0

    filtered = api_as("anonymous").get(
        f"{URL}?q=bien&kind=leaflet&kind=video&language=vi&province={world.gia_lai.key}&limit=5&offset=0"
        "&date_from=2000-01-01&date_to=2999-12-31"
    ).json()
    assert filtered["total"] == 1 and filtered["limit"] == 5


@pytest.mark.parametrize("params", [
    {"kind": "poster"},
    {"state": "lost"},
    {"language": "not a tag"},
    {"province": "Gia Lai"},
    {"limit": "0"},
    {"limit": "1000"},
    {"date_from": "yesterday"},
    {"date_from": "0001-01-01"},
    {"q": "x" * 501},
])
def test_search_api_refuses_bad_input(world: World, api_as: Callable[[str], ApiClient], params: dict) -> None:  # noqa: F811
    assert_error(api_as("anonymous").get(URL, params), 422, "validation_error")


def test_search_api_odd_text_is_no_error(world: World, api_as: Callable[[str], ApiClient]) -> None:  # noqa: F811
    for text in ['"', "*", "***", '"" AND OR NOT', "(", "'", "\\", "a\x00b", "NEAR(a b)", "💡", "-"]:
        response = api_as("anonymous").get(URL, {"q": text})
        assert response.status_code == 200, (text, response.content)
        assert response.json()["total"] == 0
