"""The outreach API (/api/v1/outreach/…): a campaign prepared, previewed, submitted, approved by a second person,
paused, resumed and its results read, all through the services; refusals as the rule table says."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ttdn.accounts import services as accounts
from ttdn.accounts.models import User
from ttdn.outreach.models import Campaign, Message, Operator

from ..conftest import World
from .test_campaigns import _audience, operators  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/outreach"


def api(user: User) -> Client:
    secret = accounts.do_create_token(user, user, "test")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="vi")


def test_campaign_through_the_api(world: World, operators: dict[str, Operator]) -> None:  # noqa: F811
    ia = _audience(world, operators)
    author, approver = api(world.contributor), api(world.agency_admin)
    texts = {"vi": "Mời bà con họp dân lúc 8 giờ tại nhà văn hóa xã.", "jra": "Nao bơwih tơlơi hơdơ̆ng"}

    preview = author.post(f"{BASE}/preview", {"texts": texts, "no_accents": True, "commune_ids": [ia.pk]},
                          content_type="application/json")
    assert preview.status_code == 200, preview.content
    lines = {line["language"]: line for line in preview.json()["languages"]}
    assert lines["vi"]["encoding"] == "GSM-7" and lines["vi"]["sent_text"].startswith("Moi ba con hop dan")
    assert lines["jra"]["encoding"] == "UCS-2" and lines["jra"]["recipients"] == 1
    assert lines["vi"]["recipients"] == 4 and float(preview.json()["total_cost"]) > 0

    made = author.post(f"{BASE}/campaigns", {"title": "Họp dân", "sender_name": "SoTTTT", "texts": texts,
                                             "commune_ids": [ia.pk], "quiet_start": "00:00", "quiet_end": "00:00"},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    campaign_id = made.json()["id"]
    assert made.json()["state"] == "draft" and made.json()["texts"]["jra"] == texts["jra"]
    assert campaign_id in [c["id"] for c in author.get(f"{BASE}/campaigns").json()]

    def act(client: Client, action: str, **extra: Any) -> Any:
        return client.post(f"{BASE}/campaigns/{campaign_id}/actions", {"action": action, **extra},
                           content_type="application/json")

    assert act(author, "submit").json()["state"] == "awaiting"
    refused = act(author, "approve")  # the author may not approve (not the role, and not a second person)
    assert refused.status_code == 403 and refused.json()["message"]
    approved = act(approver, "approve")
    assert approved.status_code == 200 and approved.json()["state"] == "sending"
    assert approved.json()["approved_by"] == world.agency_admin.username and approved.json()["messages"] == 5
    assert act(author, "pause").json()["state"] == "paused"
    again = act(author, "pause")
    assert again.status_code == 400 and again.json()["code"] == "bad_state"
    assert act(approver, "resume").json()["state"] == "sending"

    Message.objects.filter(campaign_id=campaign_id, language="jra").update(state="delivered")
    results = author.get(f"{BASE}/campaigns/{campaign_id}/results").json()
    assert results["totals"]["delivered"] == 1 and results["totals"]["total"] == 5
    assert results["percent"] == 20 and {line["operator"] for line in results["lines"]} == {"Viettel", "VinaPhone"}
    assert results["reach"] == [{"commune": ia.name, "delivered": 1}]

    audiences = author.get(f"{BASE}/audiences", {"commune_id": ia.pk, "language": "vi"}).json()
    assert sum(row["subscribers"] for row in audiences) == 4


def test_refusals(world: World, operators: dict[str, Operator]) -> None:  # noqa: F811
    ia = _audience(world, operators)
    made = api(world.contributor).post(f"{BASE}/campaigns", {
        "title": "Họp dân", "sender_name": "SoTTTT", "texts": {"vi": "Thông báo " * 60}, "segment_limit": 1,
        "commune_ids": [ia.pk]}, content_type="application/json")
    assert made.status_code == 400 and made.json()["code"] == "too_many_segments"  # refused, never cut
    campaign = Campaign.objects.create(agency=world.contributor.agency, title="x", sender_name="SoTTTT",
                                       created_by=world.contributor)
    other = api(world.contributor_dl)  # another province's contributor
    assert other.get(f"{BASE}/campaigns/{campaign.pk}").status_code == 404
    assert other.post(f"{BASE}/campaigns/{campaign.pk}/actions", {"action": "cancel"},
                      content_type="application/json").status_code == 404
    assert Client().get(f"{BASE}/campaigns").status_code == 401
    assert api(world.operator).get(f"{BASE}/audiences").status_code == 403
