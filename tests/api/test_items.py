"""Items over HTTP: who sees what, filters and pages, creating, editing and the whole workflow by token."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from ttdn.content import services as content
from ttdn.content.models import Item, State, Transition
from ttdn.core.models import AuditEntry

from ..conftest import World, advance, make_item
from .conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]


def _uids(response: object) -> set[str]:
    body = response.json()  # type: ignore[attr-defined]
    return {i["uid"] for i in body["items"]}


def _create_payload(world: World, **overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "kind": "leaflet",
        "language": "vi",
        "title": "Quy định về khu vực biên giới đất liền",
        "summary": "Những điều người dân cần biết.",
        "body": "<p>Xuất trình giấy tờ khi được yêu cầu.</p><script>alert(1)</script>",
        "topics": ["bien-gioi"],
        "audience": "public",
        "classification": "public",
        "target_provinces": [world.gia_lai.pk],
        "target_countries": ["LA", "KH"],
        "valid_until": (timezone.now() + dt.timedelta(days=365)).isoformat(),
        "no_state_secrets": True,
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def topic(world: World) -> object:
    return content.do_save_topic(None, "bien-gioi", "Biên giới", "Border")


# -------------------------------------------------------------------------------------------- visibility


def test_anonymous_sees_only_live_public_items(world: World, api_as: Api) -> None:
    public = advance(world, make_item(world, title="Công khai"), State.PUBLISHED)
    officials = advance(world, make_item(world, title="Nội bộ", audience="officials"), State.PUBLISHED)
    draft = make_item(world, title="Bản nháp")
    approved = advance(world, make_item(world, title="Đã duyệt"), State.APPROVED)
    withdrawn = advance(world, make_item(world, title="Đã gỡ"), State.WITHDRAWN)

    response = api_as("anonymous").get("/api/v1/items")
    assert response.status_code == 200
    assert _uids(response) == {str(public.uid)}
    assert response.json()["count"] == 1

    for item in (officials, draft, approved, withdrawn):
        assert_error(api_as("anonymous").get(f"/api/v1/items/{item.uid}"), 404, "not_found")
    detail = api_as("anonymous").get(f"/api/v1/items/{public.uid}").json()
    assert detail["state"] == "published"
    assert detail["title"] == "Công khai"
    assert detail["history"] == []  # the workflow is the officials' business
    assert [v["language"] for v in detail["variants"]] == ["vi"]

    # A reader (any official) also sees material for officials, but no drafts.
    reader = _uids(api_as("reader").get("/api/v1/items"))
    assert reader == {str(public.uid), str(officials.uid)}
    # The agency sees its own drafts; the other province's contributor does not.
    assert str(draft.uid) in _uids(api_as("contributor").get("/api/v1/items"))
    assert str(draft.uid) not in _uids(api_as("contributor_dl").get("/api/v1/items"))
    assert_error(api_as("contributor_dl").get(f"/api/v1/items/{draft.uid}"), 404, "not_found")
    # Central staff see everything past the draft stage.
    appraiser = _uids(api_as("appraiser").get("/api/v1/items?limit=100"))
    assert {str(approved.uid), str(withdrawn.uid)} <= appraiser
    assert str(draft.uid) not in appraiser


def test_official_detail_has_history_targets_and_version(world: World, api_as: Api) -> None:
    item = advance(world, make_item(world), State.PUBLISHED)
    detail = api_as("publisher").get(f"/api/v1/items/{item.uid}").json()
    assert [(h["from_state"], h["to_state"]) for h in detail["history"]] == [
        ("", "draft"), ("draft", "submitted"), ("submitted", "in_appraisal"), ("in_appraisal", "approved"),
        ("approved", "published"),
    ]
    assert detail["history"][-1]["actor"] == "publisher"
    assert detail["target_provinces"] == [
        {"id": world.gia_lai.pk, "name": world.gia_lai.name, "gso_code": world.gia_lai.gso_code}
    ]
    assert detail["version"] == item.version
    assert detail["agency"]["code"] == "gl-svhttdl"


def test_filters_and_pages(world: World, api_as: Api, topic: object) -> None:
    items = [advance(world, make_item(world, title=f"Tờ gấp {n}"), State.PUBLISHED) for n in range(5)]
    video = advance(world, make_item(world, title="Phim", kind="video", topics=["bien-gioi"]), State.PUBLISHED)
    content.do_save_variant(world.translator_lo, video, "lo", "ຮູບເງົາ", "", "<p>ລາວ</p>")
    other = content.do_create_item(world.contributor_dl, content.ItemData(
        kind="leaflet", title="Đắk Lắk", body="<p>Buôn Đôn</p>", target_provinces=[world.dak_lak.pk],
        no_state_secrets=True,
    ))
    content.do_transition(world.contributor_dl, other, "submit")
    advance(world, other, State.PUBLISHED)
    anon = api_as("anonymous")

    page = anon.get("/api/v1/items", {"limit": 3, "offset": 0}).json()
    assert page["count"] == 7 and len(page["items"]) == 3 and page["limit"] == 3
    rest = anon.get("/api/v1/items", {"limit": 3, "offset": 3}).json()
    last = anon.get("/api/v1/items", {"limit": 3, "offset": 6}).json()
    seen = [i["uid"] for p in (page, rest, last) for i in p["items"]]
    assert len(seen) == len(set(seen)) == 7

    assert _uids(anon.get("/api/v1/items", {"kind": "video"})) == {str(video.uid)}
    assert _uids(anon.get("/api/v1/items", {"topic": "bien-gioi"})) == {str(video.uid)}
    assert _uids(anon.get("/api/v1/items", {"province": world.dak_lak.pk})) == {str(other.uid)}
    # The Lao translation is not reviewed yet: the public does not see it, officials do.
    assert _uids(anon.get("/api/v1/items", {"language": "lo"})) == set()
    assert _uids(api_as("translator_lo").get("/api/v1/items", {"language": "lo"})) == {str(video.uid)}
    assert anon.get("/api/v1/items", {"state": "draft"}).json()["count"] == 0

    Item.objects.filter(pk=items[0].pk).update(updated_at=timezone.now() - dt.timedelta(days=10))
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert str(items[0].uid) not in _uids(anon.get("/api/v1/items", {"updated_since": since, "limit": 100}))

    assert_error(anon.get("/api/v1/items", {"kind": "poem"}), 422, "validation_error")
    assert_error(anon.get("/api/v1/items", {"limit": 0}), 422, "validation_error")
    assert_error(anon.get("/api/v1/items", {"limit": 101}), 422, "validation_error")
    assert_error(anon.get("/api/v1/items", {"updated_since": "0001-01-01T00:00:00+14:00"}), 422, "validation_error")


# ------------------------------------------------------------------------------------ create and update


def test_create_by_contributor(world: World, api_as: Api, topic: object) -> None:
    response = api_as("contributor").post("/api/v1/items", _create_payload(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft" and body["version"] == 1
    assert body["agency"]["code"] == "gl-svhttdl"
    assert [t["code"] for t in body["topics"]] == ["bien-gioi"]
    assert body["target_countries"] == ["KH", "LA"]
    (source,) = body["variants"]
    assert source["is_source"] and source["translation_state"] == 40
    assert "<script>" not in source["body"]
    item = Item.objects.get(uid=body["uid"])
    assert item.created_by == world.contributor
    assert AuditEntry.objects.filter(action="content.item.create").count() == 1


@pytest.mark.parametrize("who", ["appraiser", "publisher", "translator_lo", "agency_admin", "reader"])
def test_only_contributors_create(world: World, api_as: Api, who: str) -> None:
    assert_error(api_as(who).post("/api/v1/items", _create_payload(world, topics=[])), 403, "forbidden")
    assert not Item.objects.exists()


def test_create_refusals(world: World, api_as: Api) -> None:
    client = api_as("contributor")
    assert_error(api_as("anonymous").post("/api/v1/items", _create_payload(world)), 401, "unauthenticated")
    body = assert_error(client.post("/api/v1/items", _create_payload(world, topics=[], no_state_secrets=False)),
                        400, "invalid")
    assert body["details"] == {"field": "no_state_secrets"}
    assert_error(client.post("/api/v1/items", _create_payload(world, topics=["nope"])), 400, "invalid")
    assert_error(client.post("/api/v1/items", _create_payload(world, topics=[], title="TUYỆT MẬT")),
                 400, "state_secret_refused")
    assert_error(client.post("/api/v1/items", _create_payload(world, topics=[], classification="secret")),
                 400, "state_secret_refused")
    body = assert_error(client.post("/api/v1/items", {"title": "x"}), 422, "validation_error")
    assert {"loc": ["body", "payload", "kind"], "msg": "Field required", "type": "missing"} in body["details"]
    assert_error(client.post("/api/v1/items", _create_payload(world, title="\ud800")), 422, "validation_error")
    response = client.client.post("/api/v1/items", "{not json", content_type="application/json")
    assert_error(response, 400, "bad_request")
    assert not Item.objects.exists()


def test_patch_overlays_given_fields(world: World, api_as: Api, topic: object) -> None:
    item = make_item(world, valid_until=timezone.now() + dt.timedelta(days=30), topics=["bien-gioi"])
    client = api_as("contributor")
    response = client.patch(f"/api/v1/items/{item.uid}", {"title": "Tiêu đề mới", "valid_until": None})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Tiêu đề mới"
    assert body["valid_until"] is None
    # Untouched fields keep their values.
    assert body["summary"] == "Những điều cần biết khi vào khu vực biên giới."
    assert [t["code"] for t in body["topics"]] == ["bien-gioi"]
    assert [p["id"] for p in body["target_provinces"]] == [world.gia_lai.pk]
    assert body["version"] == 2
    assert body["variants"][0]["revision"] == 2

    assert_error(client.patch(f"/api/v1/items/{item.uid}", {"language": "en"}), 400, "invalid")
    assert_error(client.patch(f"/api/v1/items/{item.uid}", {"no_state_secrets": False}), 400, "invalid")
    assert_error(client.patch(f"/api/v1/items/{item.uid}", {"kind": "poem"}), 422, "validation_error")
    # Not the other province's to see; not the appraiser's to see while a draft.
    assert_error(api_as("contributor_dl").patch(f"/api/v1/items/{item.uid}", {"title": "x"}), 404, "not_found")
    assert_error(api_as("appraiser").patch(f"/api/v1/items/{item.uid}", {"title": "x"}), 404, "not_found")


def test_patch_forbidden_after_submission(world: World, api_as: Api) -> None:
    item = advance(world, make_item(world), State.SUBMITTED)
    assert_error(api_as("contributor").patch(f"/api/v1/items/{item.uid}", {"title": "x"}), 403, "forbidden")
    assert_error(api_as("appraiser").patch(f"/api/v1/items/{item.uid}", {"title": "x"}), 403, "forbidden")
    advance(world, item, State.IN_APPRAISAL)
    response = api_as("appraiser").patch(f"/api/v1/items/{item.uid}", {"summary": "Biên tập lại."})
    assert response.status_code == 200 and response.json()["summary"] == "Biên tập lại."


# -------------------------------------------------------------------------------------------- workflow


def _move(client: ApiClient, item_uid: str, action: str, reason: str = "") -> object:
    return client.post(f"/api/v1/items/{item_uid}/transitions", {"action": action, "reason": reason})


def _appraise(client: ApiClient, item_uid: str, decision: str, comment: str = "",
              failed: dict[str, str] | None = None) -> object:
    failed = failed or {}
    criteria = client.get("/api/v1/appraisal-criteria").json()
    checks = [{"criterion": c["code"], "passed": c["code"] not in failed, "note": failed.get(c["code"], "")}
              for c in criteria]
    return client.post(f"/api/v1/items/{item_uid}/opinions", {"decision": decision, "checks": checks,
                                                               "comment": comment})


def test_the_opinion_api_refuses_what_the_form_refuses(world: World, api_as: Api) -> None:
    item = advance(world, make_item(world), State.IN_APPRAISAL)
    uid = str(item.uid)
    appraiser = api_as("appraiser")
    criteria = appraiser.get("/api/v1/appraisal-criteria").json()
    assert [c["code"] for c in criteria] == ["facts", "sovereignty", "sensitivity", "sources"]
    failed = _appraise(appraiser, uid, "approve", failed={"sovereignty": "Bản đồ thiếu quần đảo Trường Sa."})
    assert_error(failed, 409, "criterion_failed")
    unmarked = appraiser.post(f"/api/v1/items/{uid}/opinions", {"decision": "approve", "checks": []})
    body = assert_error(unmarked, 400, "invalid")
    assert "Tính chính xác của thông tin" in body["message"]  # the first criterion left unmarked, by name
    unknown = [{"criterion": "khong-co", "passed": True}]
    assert_error(appraiser.post(f"/api/v1/items/{uid}/opinions", {"decision": "approve", "checks": unknown}),
                 400, "invalid")
    assert_error(_appraise(api_as("publisher"), uid, "approve"), 403, "forbidden")
    assert_error(_appraise(api_as("contributor_dl"), uid, "approve"), 404, "not_found")
    item.refresh_from_db()
    assert item.state == State.IN_APPRAISAL and not item.opinions.exists()
    returned = _appraise(appraiser, uid, "return", failed={"sovereignty": "Bản đồ thiếu quần đảo Trường Sa."})
    assert returned.status_code == 201
    item.refresh_from_db()
    assert item.state == State.RETURNED
    assert "Trường Sa" in item.transitions.latest("at", "pk").reason


def test_whole_workflow_over_http(world: World, api_as: Api, topic: object) -> None:
    created = api_as("contributor").post("/api/v1/items", _create_payload(world)).json()
    uid = created["uid"]
    assert [a["name"] for a in api_as("contributor").get(f"/api/v1/items/{uid}/actions").json()] == ["submit"]

    steps = [
        ("contributor", "submit", "submitted"),
        ("appraiser", "start_appraisal", "in_appraisal"),
        ("appraiser", "return", "returned"),
        ("contributor", "submit", "submitted"),
        ("appraiser", "start_appraisal", "in_appraisal"),
        ("appraiser", "approve", "approved"),
        ("publisher", "publish", "published"),
    ]
    version = created["version"]
    for who, action, state in steps:
        if action in ("approve", "return"):
            # Only with the appraisal opinion: the bare step is refused and changes nothing.
            assert_error(_move(api_as(who), uid, action, reason="Bổ sung nguồn."), 409, "opinion_required")
            response = _appraise(api_as(who), uid, action, comment="Bổ sung nguồn." if action == "return" else "")
            assert response.status_code == 201, (action, response.content)
            assert response.json()["decision"] == action and response.json()["appraiser"]
            body = api_as(who).get(f"/api/v1/items/{uid}").json()
            assert body["state"] == state and body["history"][-1]["to_state"] == state
            assert body["version"] > version
            version = body["version"]
            continue
        response = _move(api_as(who), uid, action, reason="")
        assert response.status_code == 200, (action, response.content)
        body = response.json()
        assert body["state"] == state and body["transition"]["to_state"] == state
        assert body["transition"]["actor"] == who
        assert body["version"] > version
        version = body["version"]
    opinions = api_as("appraiser").get(f"/api/v1/items/{uid}/opinions").json()
    assert [o["decision"] for o in opinions] == ["return", "approve"]
    assert opinions[0]["comment"] == "Bổ sung nguồn." and all(c["passed"] for c in opinions[1]["checks"])
    # Opinions are internal: not for the public, even on published material.
    assert_error(api_as("anonymous").get(f"/api/v1/items/{uid}/opinions"), 401, "unauthenticated")

    assert uid in _uids(api_as("anonymous").get("/api/v1/items"))
    actions = {a["name"]: a for a in api_as("publisher").get(f"/api/v1/items/{uid}/actions").json()}
    assert set(actions) == {"withdraw", "archive"} and actions["withdraw"]["needs_reason"]
    assert api_as("appraiser").get(f"/api/v1/items/{uid}/actions").json() == []

    body = assert_error(_move(api_as("publisher"), uid, "withdraw"), 400, "invalid")
    assert body["details"] == {"field": "reason"}
    assert _move(api_as("publisher"), uid, "withdraw", "Hết hiệu lực pháp lý.").json()["state"] == "withdrawn"
    assert_error(api_as("anonymous").get(f"/api/v1/items/{uid}"), 404, "not_found")
    history = api_as("publisher").get(f"/api/v1/items/{uid}").json()["history"]
    assert history[-1]["reason"] == "Hết hiệu lực pháp lý."
    assert Transition.objects.filter(item__uid=uid).count() == 9


@pytest.mark.parametrize(
    ("state", "who", "action"),
    [
        (State.DRAFT, "contributor_dl", "submit"),  # not their agency's: they cannot even see it
        (State.SUBMITTED, "contributor", "start_appraisal"),
        (State.IN_APPRAISAL, "contributor", "approve"),
        (State.IN_APPRAISAL, "publisher", "approve"),
        (State.APPROVED, "appraiser", "publish"),
        (State.APPROVED, "translator_lo", "publish"),
        (State.PUBLISHED, "contributor", "withdraw"),
        (State.PUBLISHED, "reader", "archive"),
    ],
)
def test_forbidden_transitions(world: World, api_as: Api, state: str, who: str, action: str) -> None:
    item = advance(world, make_item(world), state)
    response = _move(api_as(who), str(item.uid), action, reason="x")
    if who == "contributor_dl":
        assert_error(response, 404, "not_found")
    else:
        assert_error(response, 403, "forbidden")
    item.refresh_from_db()
    assert item.state == state


@pytest.mark.parametrize(
    ("state", "who", "action"),
    [
        (State.SUBMITTED, "contributor", "submit"),
        (State.IN_APPRAISAL, "publisher", "publish"),
        (State.PUBLISHED, "appraiser", "approve"),
        (State.REJECTED, "contributor", "submit"),
        (State.WITHDRAWN, "publisher", "publish"),
    ],
)
def test_invalid_transitions(world: World, api_as: Api, state: str, who: str, action: str) -> None:
    item = advance(world, make_item(world), state)
    assert_error(_move(api_as(who), str(item.uid), action, reason="x"), 409, "invalid_transition")
    item.refresh_from_db()
    assert item.state == state


def test_transition_input_validated(world: World, api_as: Api) -> None:
    item = make_item(world)
    assert_error(_move(api_as("contributor"), str(item.uid), "teleport"), 422, "validation_error")
    assert_error(api_as("anonymous").post(f"/api/v1/items/{item.uid}/transitions", {"action": "submit"}),
                 401, "unauthenticated")
    assert_error(_move(api_as("contributor"), "00000000-0000-0000-0000-000000000000", "submit"), 404, "not_found")
