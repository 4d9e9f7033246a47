"""The desk's pages through Django's client: Vietnamese by default, scoped to the desk, bad input refused with a
clear message in the user's language, nothing half-written."""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.accounts.models import User
from ttdn.content.models import Item
from ttdn.monitoring import services
from ttdn.monitoring.models import Feed, Outlet, Review, Verdict, WatchList

from ..conftest import World
from .stories import outlet, story_about

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[OTP_SESSION_KEY] = True
    session.save()
    return client


@pytest.fixture
def desk(world: World) -> WatchList:
    return services.do_create_watch_list(world.contributor, world.gl_dept)


def test_queue_story_and_review_in_vietnamese(world: World, desk: WatchList) -> None:
    story = story_about(outlets=[outlet("Báo A"), outlet("Báo B", "LA", "lo")])
    assert story.copies == 2 and story.outlets == 2
    client = client_for(world.contributor)
    page = client.get(reverse("monitoring:queue")).content.decode()
    assert "Theo dõi báo chí" in page and story.title in page
    page = client.get(reverse("monitoring:story", kwargs={"pk": story.pk})).content.decode()
    assert "Lưu đánh giá" in page and "Gia Lai" in page
    review = Review.objects.get(story=story)
    # Bad input: a clear message in Vietnamese, nothing written.
    response = client.post(reverse("monitoring:review", kwargs={"pk": review.pk}), {"verdict": "bogus"}, follow=True)
    assert "Đánh giá tin" in response.content.decode()
    review.refresh_from_db()
    assert review.verdict == Verdict.NEW and Item.objects.count() == 0
    response = client.post(reverse("monitoring:review", kwargs={"pk": review.pk}),
                           {"verdict": Verdict.NEEDS_RESPONSE, "note": "Sai diện tích", "response_kind":
                            "orientation_note"}, follow=True)
    text = response.content.decode()
    assert "Đã mở bản thảo phản hồi trong quy trình duyệt." in text
    review.refresh_from_db()
    assert review.response is not None and review.response.agency_id == world.gl_dept.pk
    assert str(review.response.uid) in text


def test_other_desks_and_roles_see_nothing(world: World, desk: WatchList) -> None:
    story = story_about()
    assert client_for(world.contributor_dl).get(reverse("monitoring:story", kwargs={"pk": story.pk})).status_code == 404
    assert client_for(world.reader).get(reverse("monitoring:queue")).status_code == 403
    queue = client_for(world.contributor_dl).get(reverse("monitoring:queue")).content.decode()
    assert story.title not in queue
    # Central editors read every desk, and cannot review for it.
    review = Review.objects.get(story=story)
    assert client_for(world.appraiser).get(reverse("monitoring:story", kwargs={"pk": story.pk})).status_code == 200
    response = client_for(world.appraiser).post(reverse("monitoring:review", kwargs={"pk": review.pk}),
                                                {"verdict": Verdict.ACCURATE})
    assert response.status_code == 403


def test_adding_an_outlet_refuses_bad_input_and_shows_feed_health(world: World) -> None:
    client = client_for(world.agency_admin)
    response = client.post(reverse("monitoring:outlet_new"), {"name": "Báo Lào", "country": "Laos",
                                                               "language": "lo", "feeds": "ftp://x/rss"})
    text = response.content.decode()
    assert response.status_code == 200 and "hai chữ cái" in text
    response = client.post(reverse("monitoring:outlet_new"), {"name": "Báo Lào", "country": "LA",
                                                               "language": "lo", "feeds": "ftp://x/rss"})
    assert "Chỉ lấy được địa chỉ http và https" in response.content.decode()
    assert Outlet.objects.count() == 0
    response = client.post(reverse("monitoring:outlet_new"), {"name": "Pasaxon", "country": "LA", "language": "lo",
                                                               "feeds": "https://pasaxon.test/rss\n"})
    assert response.status_code == 302
    feed = Feed.objects.get()
    Feed.objects.filter(pk=feed.pk).update(last_error="Máy chủ trả lời HTTP 500.", failures=3)
    page = client.get(reverse("monitoring:sources")).content.decode()
    assert "Máy chủ trả lời HTTP 500." in page and "3 lần lỗi" in page


def test_terms_digest_docx_and_csv(world: World, desk: WatchList) -> None:
    client = client_for(world.contributor)
    response = client.post(reverse("monitoring:term_add", kwargs={"pk": desk.pk}),
                           {"term": "ຢາລາຍ", "language": "lo", "kind": "province"}, follow=True)
    assert "Đã thêm cụm từ." in response.content.decode()
    response = client.post(reverse("monitoring:term_add", kwargs={"pk": desk.pk}),
                           {"term": "...", "language": "vi", "kind": "other"}, follow=True)
    assert "Cụm từ không có chữ hoặc số để đối chiếu." in response.content.decode()
    story = story_about(lang="lo", outlets=[outlet("Pasaxon", "LA", "lo")])
    assert Review.objects.filter(story=story, watch_list=desk).exists()
    page = client.get(reverse("monitoring:digest") + "?period=weekly").content.decode()
    assert "Điểm báo hằng tuần" in page and "<svg" in page and "LA" in page
    docx: Any = client.get(reverse("monitoring:digest_docx") + "?period=weekly")
    with zipfile.ZipFile(BytesIO(docx.content)) as z:
        assert "Điểm báo hằng tuần" in z.read("word/document.xml").decode()
    rows = client.get(reverse("monitoring:stories_csv")).content.decode().splitlines()
    assert rows[0] == "url,outlet,country,language,published,topics,review_state"
    assert ",Pasaxon,LA,lo," in rows[1]


def test_digests_are_mailed_once_a_day_after_the_hour(world: World, desk: WatchList, mailoutbox: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from ttdn.monitoring.digest import do_send_digests
    from ttdn.monitoring.models import Story

    story = story_about()
    monday = timezone.make_aware(dt.datetime(2026, 12, 7, 6, 0))  # a Monday, 06:00 in Vietnam
    Story.objects.filter(pk=story.pk).update(first_seen_at=monday - dt.timedelta(hours=3))
    world.contributor.email = "bientap@gialai.test"
    world.contributor.save()
    assert do_send_digests(monday) == 0  # before the digest hour (07:00)
    assert do_send_digests(monday + dt.timedelta(hours=2)) == 2  # Monday: the daily and the weekly digest
    assert {m.subject for m in mailoutbox} == {"Điểm báo hằng ngày", "Điểm báo hằng tuần"}
    assert all(m.to == ["bientap@gialai.test"] for m in mailoutbox)  # the agency's only person with an address
    assert story.title in mailoutbox[0].body and "/monitoring/stories/" in mailoutbox[0].body
    assert do_send_digests(monday + dt.timedelta(hours=12)) == 0  # once a day
    assert do_send_digests(monday + dt.timedelta(days=1, hours=2)) == 1  # Tuesday: the daily one


def test_the_api_lists_the_desks_stories(world: World, desk: WatchList) -> None:
    from ttdn.accounts import services as accounts

    story = story_about(outlets=[outlet("Báo A"), outlet("Báo B")])
    secret = accounts.do_create_token(world.contributor, world.contributor, "desk")[1]
    client = Client()
    rows = client.get("/api/v1/monitoring/stories?days=3", headers={"authorization": f"Bearer {secret}"}).json()
    assert [(r["id"], r["copies"], r["review_state"]) for r in rows] == [(story.pk, 2, "new")]
    bad = client.get("/api/v1/monitoring/stories?days=0", headers={"authorization": f"Bearer {secret}"})
    assert bad.status_code == 422
    other = accounts.do_create_token(world.contributor_dl, world.contributor_dl, "other")[1]
    assert client.get("/api/v1/monitoring/stories", headers={"authorization": f"Bearer {other}"}).json() == []
    reader = accounts.do_create_token(world.reader, world.reader, "reader")[1]
    refused = client.get("/api/v1/monitoring/stories", headers={"authorization": f"Bearer {reader}"})
    assert refused.status_code == 403 and "theo dõi báo chí" in refused.json()["message"]


def test_collections_group_outlets_and_filter_the_queue(world: World, desk: WatchList) -> None:
    client = client_for(world.agency_admin)
    response = client.post(reverse("monitoring:collection_add"), {"name": "Báo chí Lào", "kind": "country"},
                           follow=True)
    assert "Đã lưu nhóm nguồn" in response.content.decode()
    response = client.post(reverse("monitoring:collection_add"), {"name": "  ", "kind": "country"}, follow=True)
    assert "Nhóm nguồn" in response.content.decode()
    response = client.post(reverse("monitoring:collection_add"), {"name": "X", "kind": "galaxy"}, follow=True)
    assert "galaxy" in response.content.decode()  # Django's own choice message, in Vietnamese
    services.do_add_term(world.contributor, desk, "ຢາລາຍ", "lo", "province")
    lao = outlet("Pasaxon", "LA", "lo")
    lao.collections.add(services.do_save_collection(world.agency_admin, "", "Báo chí Lào", "country"))
    laos_story = story_about(lang="lo", outlets=[lao])
    home_story = story_about(seed=2)
    contributor = client_for(world.contributor)
    page = contributor.get(reverse("monitoring:queue") + "?collection=bao-chi-lao").content.decode()
    assert laos_story.title in page and home_story.title not in page
    page = contributor.get(reverse("monitoring:queue") + "?language=vi").content.decode()
    assert home_story.title in page and laos_story.title not in page
