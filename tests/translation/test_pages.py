"""The desk's pages: the board with its filters, an item's languages, the request form's errors in
Vietnamese, the editor saving a segment by htmx, the job's actions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ttdn.content.models import State
from ttdn.translation import services
from ttdn.translation.models import Job, JobState

from ..content.test_views import login
from .conftest import Desk

pytestmark = pytest.mark.django_db


def test_board_and_filters(desk: Desk, client: Client) -> None:
    w = desk.world
    services.do_request(w.appraiser, desk.item, services.RequestData(languages=["lo"]))
    login(client, w.appraiser)
    page = client.get(reverse("translation:board")).content.decode()
    assert "Quy chế khu vực biên giới" in page and 'data-lang="lo" data-state="requested"' in page
    assert 'data-lang="km" data-state="missing"' in page
    filtered = client.get(reverse("translation:board"), {"language": "km", "kind": "sms"}).content.decode()
    assert "Quy chế khu vực biên giới" not in filtered
    by_state = client.get(reverse("translation:board"), {"state": "requested"}).content.decode()
    assert "Quy chế khu vực biên giới" in by_state
    login(client, w.contributor)
    assert client.get(reverse("translation:board")).status_code == 403


def test_item_languages_and_request_errors(desk: Desk, client: Client) -> None:
    w = desk.world
    login(client, w.appraiser)
    url = reverse("translation:item", args=[desk.item.uid])
    page = client.get(url).content.decode()
    assert 'data-testid="request-form"' in page and "Chưa công khai" in page
    bad = client.post(reverse("translation:request", args=[desk.item.uid]), {"languages": ["lo"], "due": "2000-01-01"})
    assert bad.status_code == 400 and "Hạn" in bad.content.decode()
    assert not Job.objects.exists()
    ok = client.post(reverse("translation:request", args=[desk.item.uid]),
                     {"languages": ["lo", "km"], "translator": "", "reviewer": ""})
    assert ok.status_code == 302
    assert set(Job.objects.values_list("language", flat=True)) == {"lo", "km"}
    # The publisher sees which languages will be public, without the request form.
    login(client, w.publisher)
    page = client.get(url).content.decode()
    assert 'data-testid="languages"' in page and 'data-testid="request-form"' not in page
    assert client.post(reverse("translation:request", args=[desk.item.uid]), {"languages": ["en"]}).status_code == 403


def test_editor_saves_by_htmx_and_the_flow_through_the_pages(desk: Desk, client: Client) -> None:
    w = desk.world
    job = services.do_request(w.appraiser, desk.item, services.RequestData(
        languages=["lo"], translator_id=w.translator_lo.pk, reviewer_id=desk.reviewer2.pk))[0]
    login(client, w.translator_lo)
    page = client.get(reverse("translation:job", args=[job.pk])).content.decode()
    assert page.count('data-testid="segment"') == job.segments.count()
    assert 'lang="lo"' in page and "editor.js" in page
    for s in job.segments.all():
        response = client.post(reverse("translation:segment", args=[job.pk, s.position]),
                               {"target": f"ລາວ {s.position} 42 069 2345 678", "origin": "typed"},
                               HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and f'id="seg-{s.position}"' in response.content.decode()
    too_long = client.post(reverse("translation:segment", args=[job.pk, 0]), {"target": "x" * 30_000},
                           HTTP_HX_REQUEST="true")
    assert too_long.status_code == 400 and "dài hơn" in too_long.content.decode()
    assert client.post(reverse("translation:job_action", args=[job.pk]), {"action": "submit"}).status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.TRANSLATED
    # The translator may not approve; the named reviewer may.
    assert client.post(reverse("translation:job_action", args=[job.pk]), {"action": "approve"}).status_code == 403
    login(client, desk.reviewer2)
    page = client.get(reverse("translation:job", args=[job.pk])).content.decode()
    assert 'data-testid="approve-job"' in page
    client.post(reverse("translation:job_action", args=[job.pk]), {"action": "approve"})
    job.refresh_from_db()
    assert job.state == JobState.APPROVED
    assert desk.item.state == State.PUBLISHED
    public = Client().get(reverse("content:item_detail", args=[desk.item.uid]) + "?lang=lo")
    assert public.status_code == 200


def test_other_translators_do_not_see_assigned_jobs(desk: Desk, client: Client) -> None:
    w = desk.world
    job = services.do_request(w.appraiser, desk.item, services.RequestData(
        languages=["lo"], translator_id=w.translator_lo.pk))[0]
    login(client, desk.translator_lo2)
    assert client.get(reverse("translation:job", args=[job.pk])).status_code == 404
    login(client, desk.translator_km)
    assert client.get(reverse("translation:job", args=[job.pk])).status_code == 404


def test_item_languages_through_the_api(desk: Desk, client: Client) -> None:
    w = desk.world
    services.do_request(w.appraiser, desk.item, services.RequestData(languages=["lo"]))
    login(client, w.publisher)
    url = f"/api/v1/translation/items/{desk.item.uid}/languages"
    rows = {r["language"]: r for r in client.get(url).json()}
    assert rows["vi"]["public"] and rows["lo"]["state"] == "requested" and not rows["lo"]["public"]
    assert rows["lo"]["why"].startswith("Chưa công khai") and rows["lo"]["job_state"] == 10
    assert Client().get(url).status_code == 401


def test_the_sms_budget_of_a_translated_sms(world: object, client: Client) -> None:
    from .conftest import desk_for

    desk = desk_for(world, kind="sms", body="<p>Ngày mai họp dân lúc 8 giờ tại nhà văn hóa xã.</p>")  # type: ignore[arg-type]
    w = desk.world
    job = services.do_request(w.appraiser, desk.item, services.RequestData(languages=["lo"]))[0]
    for s in job.segments.all():
        services.do_save_segment(w.appraiser, s, "ກອງປະຊຸມ " * (40 if s.part == "body" else 1))
    login(client, w.appraiser)
    page = client.get(reverse("translation:job", args=[job.pk])).content.decode()
    assert 'data-testid="sms-budget" data-parts="6"' in page and 'class="warning"' in page


def test_the_board_pages_keep_their_filters(world: object, client: Client) -> None:
    from ..conftest import advance, make_item

    for n in range(51):
        advance(world, make_item(world, title=f"Tờ tin {n}"), State.APPROVED)  # type: ignore[arg-type]
    login(client, world.appraiser)  # type: ignore[attr-defined]
    page = client.get(reverse("translation:board"), {"kind": "leaflet"}).content.decode()
    assert "?kind=leaflet&amp;page=2" in page
    second = client.get(reverse("translation:board"), {"kind": "leaflet", "page": 2}).content.decode()
    assert second.count('data-lang="lo"') == 1


def test_the_item_page_links_to_its_languages_for_those_who_may_see_them(desk: Desk, client: Client) -> None:
    w = desk.world
    detail = reverse("content:item_detail", kwargs={"uid": desk.item.uid})
    languages_url = reverse("translation:item", args=[desk.item.uid])
    for official in (w.appraiser, w.publisher, w.translator_lo):
        login(client, official)
        page = client.get(detail).content.decode()
        assert f'href="{languages_url}" data-testid="item-languages"' in page, official
        assert "Bản dịch: ngôn ngữ nào sẽ công khai" in page
        assert client.get(languages_url).status_code == 200
    # The public sees the published item, but neither the link nor the page behind it.
    client.logout()
    page = client.get(detail)
    assert page.status_code == 200 and 'data-testid="item-languages"' not in page.content.decode()
    assert client.get(languages_url).status_code in (302, 404)
