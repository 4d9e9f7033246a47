"""Language versions over HTTP: writing, staleness, translation states, who may do what, what the public sees."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ttdn.content.models import State, Variant

from ..conftest import World, advance, make_item
from .conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]
LAO = {"title": "ຂໍ້ມູນເຂດຊາຍແດນ", "summary": "ສິ່ງທີ່ຕ້ອງຮູ້", "body": "<p>ພົກບັດປະຈຳຕົວ</p>"}


def test_translation_lifecycle(world: World, api_as: Api) -> None:
    item = advance(world, make_item(world), State.IN_APPRAISAL)
    base = f"/api/v1/items/{item.uid}/variants"

    # The Lao translator may not touch the item before approval; the appraiser may.
    assert_error(api_as("translator_lo").put(f"{base}/lo", LAO), 404, "not_found")
    response = api_as("appraiser").put(f"{base}/lo", LAO)
    assert response.status_code == 200, response.content
    lao = response.json()
    assert lao["language"] == "lo" and not lao["is_source"]
    assert lao["translation_state"] == 20 and lao["revision"] == 1
    assert lao["source_revision"] == 1 and lao["is_stale"] is False

    # Editing the source makes the translation stale; it cannot be reviewed until brought up to date.
    api_as("appraiser").put(f"{base}/vi", {"title": "Tiêu đề đã biên tập", "body": "<p>Mới.</p>"})
    lao = api_as("appraiser").get(f"{base}/lo").json()
    assert lao["is_stale"] is True
    assert_error(api_as("appraiser").post(f"{base}/lo/state", {"translation_state": 40}), 409, "conflict")
    lao = api_as("appraiser").put(f"{base}/lo", {**LAO, "title": "ຂໍ້ມູນໃໝ່"}).json()
    assert lao["is_stale"] is False and lao["source_revision"] == 2 and lao["revision"] == 2

    advance(world, item, State.APPROVED)
    translator = api_as("translator_lo")
    assert translator.post(f"{base}/lo/state", {"translation_state": 30}).json()["translation_state"] == 30
    assert_error(translator.post(f"{base}/lo/state", {"translation_state": 40}), 403, "forbidden")
    assert_error(translator.put(f"{base}/km", LAO), 403, "forbidden")  # not a Khmer translator
    assert_error(translator.post(f"{base}/lo/state", {"translation_state": 35}), 422, "validation_error")
    assert_error(api_as("appraiser").post(f"{base}/vi/state", {"translation_state": 30}), 409, "conflict")

    advance(world, item, State.PUBLISHED)
    # Not reviewed: the public sees only the source.
    assert_error(api_as("anonymous").get(f"{base}/lo"), 404, "not_found")
    assert [v["language"] for v in api_as("anonymous").get(f"/api/v1/items/{item.uid}").json()["variants"]] == ["vi"]
    assert api_as("appraiser").post(f"{base}/lo/state", {"translation_state": 40}).json()["translation_state"] == 40
    public = api_as("anonymous").get(f"{base}/lo")
    assert public.status_code == 200 and public.json()["title"] == "ຂໍ້ມູນໃໝ່"
    detail = api_as("anonymous").get(f"/api/v1/items/{item.uid}").json()
    assert detail["languages"] == ["lo", "vi"]
    # Aliases and case resolve to the registry's tag.
    assert api_as("anonymous").get(f"{base}/LAO").json()["language"] == "lo"


def test_delete_variant(world: World, api_as: Api) -> None:
    item = make_item(world)
    base = f"/api/v1/items/{item.uid}/variants"
    client = api_as("contributor")
    assert client.put(f"{base}/en", {"title": "Border rules"}).status_code == 200
    assert_error(client.delete(f"{base}/vi"), 409, "conflict")
    assert_error(api_as("contributor_dl").delete(f"{base}/en"), 404, "not_found")
    response = client.delete(f"{base}/en")
    assert response.status_code == 204 and response.content == b""
    assert_error(client.delete(f"{base}/en"), 404, "not_found")
    assert list(Variant.objects.filter(item=item).values_list("language", flat=True)) == ["vi"]


def test_path_and_body_validation(world: World, api_as: Api) -> None:
    item = make_item(world)
    client = api_as("contributor")
    assert_error(client.get(f"/api/v1/items/{item.uid}/variants/1234"), 422, "validation_error")
    assert_error(client.get(f"/api/v1/items/{item.uid}/variants/xx"), 404, "not_found")
    body = assert_error(client.put(f"/api/v1/items/{item.uid}/variants/xx", LAO), 400, "invalid")
    assert body["details"] == {"field": "language"}
    assert_error(client.put(f"/api/v1/items/{item.uid}/variants/en", {"title": "   "}), 400, "invalid")
    assert_error(client.put(f"/api/v1/items/{item.uid}/variants/en", {"summary": "no title"}), 422,
                 "validation_error")
    assert_error(client.put("/api/v1/items/nope/variants/en", LAO), 422, "validation_error")
    assert_error(api_as("anonymous").put(f"/api/v1/items/{item.uid}/variants/en", LAO), 401, "unauthenticated")
