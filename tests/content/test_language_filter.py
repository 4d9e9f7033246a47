"""The published list's language filter: the page (with and without words typed) and the API list the same
items for every caller — those with a version in that language the caller is shown. The public is shown only
finished versions of the source's current revision, so a stale reviewed translation does not count."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from ttdn.content import services as content
from ttdn.content.models import Item, State, TranslationState

from ..api.conftest import ApiClient, token_for
from ..conftest import World, advance, make_item
from .test_views import login

pytestmark = pytest.mark.django_db


def _items(world: World) -> dict[str, Item]:
    finished = advance(world, make_item(world, title="Cửa khẩu hoàn chỉnh"), State.IN_APPRAISAL)
    lo = content.do_save_variant(world.translator_lo, finished, "lo", "ດ່ານ ສຳເລັດ")
    content.do_set_translation_state(world.appraiser, lo, TranslationState.REVIEWED)

    stale = advance(world, make_item(world, title="Cửa khẩu cũ"), State.IN_APPRAISAL)
    lo = content.do_save_variant(world.translator_lo, stale, "lo", "ດ່ານ ເກົ່າ")
    content.do_set_translation_state(world.appraiser, lo, TranslationState.REVIEWED)
    content.do_save_variant(world.appraiser, stale, "vi", "Cửa khẩu cũ (sửa)")  # the Lao now lags its source

    unfinished = advance(world, make_item(world, title="Cửa khẩu đang dịch"), State.IN_APPRAISAL)
    content.do_save_variant(world.translator_lo, unfinished, "lo", "ດ່ານ ກຳລັງແປ")  # in progress
    items = {"finished": finished, "stale": stale, "unfinished": unfinished}
    for item in items.values():
        advance(world, item, State.PUBLISHED)
    return items


# Who gets which items when asking for Lao: the public only finished, up-to-date versions; the agency that
# contributed them and the central editors and translators every version they work on.
EXPECTED = {
    "anonymous": {"finished"},
    "reader": {"finished"},
    "contributor_dl": {"finished"},
    "contributor": {"finished", "stale", "unfinished"},
    "agency_admin": {"finished", "stale", "unfinished"},
    "appraiser": {"finished", "stale", "unfinished"},
    "publisher": {"finished", "stale", "unfinished"},
    "translator_lo": {"finished", "stale", "unfinished"},
}


def test_the_page_its_search_and_the_api_filter_languages_alike(world: World) -> None:
    items = _items(world)
    names = {str(item.uid): name for name, item in items.items()}
    url = reverse("content:published")
    titles = {"Cửa khẩu hoàn chỉnh": "finished", "Cửa khẩu cũ (sửa)": "stale", "Cửa khẩu đang dịch": "unfinished"}
    for who, expected in EXPECTED.items():
        user: Any = AnonymousUser() if who == "anonymous" else world.users()[who]
        client = Client() if who == "anonymous" else login(Client(), user)

        def listed(client: Client = client, **params: str) -> set[str]:
            body = client.get(url, {"language": "lo", **params}).content.decode()
            return {name for title, name in titles.items() if title in body}

        assert listed() == expected, (who, "page")
        assert listed(q="ດ່ານ") == expected, (who, "page, words typed")
        api = ApiClient() if who == "anonymous" else ApiClient(token_for(user))
        body = api.get("/api/v1/items", {"language": "lo", "state": "published"}).json()
        assert {names[i["uid"]] for i in body["items"]} == expected, (who, "api")
        # And each listed item shows the Lao version to that caller.
        for name in expected:
            detail = api.get(f"/api/v1/items/{items[name].uid}").json()
            assert "lo" in [v["language"] for v in detail["variants"]], (who, name)
