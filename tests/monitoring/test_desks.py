"""What a desk sets for itself and what operators do with sources, through the forms: each desk's alert
thresholds, editing and deleting outlets and their feeds (audited; articles already read are kept), and the HTML
digest e-mail read back from the sent message."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ttdn.core.models import AuditEntry
from ttdn.monitoring import parse, services
from ttdn.monitoring.models import Article, ArticleStatus, Feed, Outlet, Review, Story, WatchList

from ..conftest import World
from .stories import outlet, story_about
from .test_pages import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(world: World) -> WatchList:
    return services.do_create_watch_list(world.contributor, world.gl_dept)


# ------------------------------------------------------------------------------------------------ thresholds


def test_each_desk_sets_its_own_alert_thresholds(world: World, desk: WatchList) -> None:
    # A second desk watching the same province, of another agency, keeps the hub's thresholds (5 outlets in 6 h).
    other = services.do_create_watch_list(None, world.gl_ppc, desk.province)
    client = client_for(world.contributor)
    url = reverse("monitoring:thresholds", kwargs={"pk": desk.pk})
    prefix = f"w{desk.pk}"
    response = client.post(url, {f"{prefix}-fast_copies": "1", f"{prefix}-fast_hours": "12"}, follow=True)
    assert "Hãy cho từ 2 đến 100 cơ quan báo chí, hoặc 0 để không cảnh báo." in response.content.decode()
    response = client.post(url, {f"{prefix}-fast_copies": "2", f"{prefix}-fast_hours": "500"}, follow=True)
    assert "nhỏ hơn hoặc bằng với 168" in response.content.decode()
    desk.refresh_from_db()
    assert (desk.fast_copies, desk.fast_hours) == (None, None)  # nothing half-written
    response = client.post(url, {f"{prefix}-fast_copies": "2", f"{prefix}-fast_hours": "12"}, follow=True)
    page = response.content.decode()
    assert "Đã lưu ngưỡng cảnh báo của bàn theo dõi" in page
    assert "Cảnh báo khi một tin được 2 cơ quan báo chí đăng lại trong 12 giờ." in page
    assert "Cảnh báo khi một tin được 5 cơ quan báo chí đăng lại trong 6 giờ." not in page  # not the other desk's
    desk.refresh_from_db()
    assert (desk.fast_copies, desk.fast_hours) == (2, 12)
    entry = AuditEntry.objects.get(action="monitoring.watch_list.thresholds")
    assert entry.actor == world.contributor and entry.data["after"] == {"fast_copies": 2, "fast_hours": 12}
    # A central editor reads every desk but sets no agency's thresholds.
    refused = client_for(world.appraiser).post(url, {f"{prefix}-fast_copies": "3"})
    assert refused.status_code == 403

    # A story carried by two outlets: fast for this desk, not for the other.
    story = story_about(seed=4, outlets=[outlet("Báo A"), outlet("Báo B", "LA", "lo")])
    assert story.copies == 2
    assert Review.objects.get(story=story, watch_list=desk).alerted_at is not None
    assert Review.objects.get(story=story, watch_list=other).alerted_at is None

    # 0 outlets: no "spreading fast" alert for the desk.
    client.post(url, {f"{prefix}-fast_copies": "0", f"{prefix}-fast_hours": ""})
    desk.refresh_from_db()
    assert (desk.fast_copies, desk.fast_hours) == (0, None)
    page = client.get(reverse("monitoring:watch_lists")).content.decode()
    assert "Không cảnh báo tin lan nhanh" in page
    story = story_about(seed=5, outlets=[outlet("Báo C"), outlet("Báo D")])
    assert Review.objects.get(story=story, watch_list=desk).alerted_at is None


# ------------------------------------------------------------------------------------------------ outlets


def _form(name: str, country: str, language: str, feeds: list[str], **extra: Any) -> dict[str, Any]:
    return {"name": name, "country": country, "language": language, "feeds": "\n".join(feeds), **extra}


def test_editing_an_outlet_and_its_feeds_keeps_what_was_read(world: World, desk: WatchList) -> None:
    client = client_for(world.agency_admin)
    response = client.post(reverse("monitoring:outlet_new"), _form(
        "Báo Lao Động", "VN", "vi", ["https://laodong.test/rss", "https://laodong.test/old.rss"]))
    assert response.status_code == 302
    out = Outlet.objects.get(name="Báo Lao Động")
    kept = Feed.objects.get(url="https://laodong.test/rss")
    Feed.objects.filter(pk=kept.pk).update(etag='"abc"', interval_seconds=900)
    old = Feed.objects.get(url="https://laodong.test/old.rss")
    read = Article.objects.create(outlet=out, feed=old, url="https://laodong.test/a", status=ArticleStatus.DONE,
                                  url_key=parse.url_key("https://laodong.test/a"), title="Đã đọc")
    Article.objects.create(outlet=out, feed=old, url="https://laodong.test/b",
                           url_key=parse.url_key("https://laodong.test/b"))
    services.do_save_outlet(None, services.OutletData("Báo Nhân Dân", "VN", "vi", ["https://nhandan.test/rss"]))

    edit = reverse("monitoring:outlet_edit", kwargs={"pk": out.pk})
    page = client.get(edit).content.decode()
    assert "https://laodong.test/old.rss" in page and "Ngừng theo dõi cơ quan báo chí này" in page
    # A feed of another outlet is refused, with the reason, and nothing changes.
    response = client.post(edit, _form("Lao Động", "VN", "vi", ["https://nhandan.test/rss"]))
    assert response.status_code == 200 and "đã thuộc “Báo Nhân Dân”" in response.content.decode()
    assert Outlet.objects.get(pk=out.pk).name == "Báo Lao Động"
    response = client.post(edit, _form("Lao Động", "VN", "en", ["https://laodong.test/rss", "http://ld.test/en.rss"]),
                           follow=True)
    assert "Đã lưu cơ quan báo chí" in response.content.decode()
    out.refresh_from_db()
    assert (out.name, out.language) == ("Lao Động", "en")
    assert sorted(out.feeds.values_list("url", flat=True)) == ["http://ld.test/en.rss", "https://laodong.test/rss"]
    kept.refresh_from_db()
    assert (kept.etag, kept.interval_seconds) == ('"abc"', 900)  # the kept feed keeps its state
    read.refresh_from_db()
    assert read.feed_id is None and read.outlet_id == out.pk  # read: kept
    assert not Article.objects.filter(url="https://laodong.test/b").exists()  # never fetched: dropped
    entry = AuditEntry.objects.get(action="monitoring.outlet.update")
    assert entry.actor == world.agency_admin and entry.data["before"]["name"] == "Báo Lao Động"
    assert entry.data["after"]["feeds"] == ["http://ld.test/en.rss", "https://laodong.test/rss"]
    assert entry.data["unread_pages_dropped"] == 1
    # Contributors read the sources but do not edit them.
    assert client_for(world.contributor).get(edit).status_code == 403


def test_deleting_an_outlet_keeps_its_read_articles_or_deletes_it_outright(world: World, desk: WatchList) -> None:
    client = client_for(world.agency_admin)
    carried = outlet("Báo Quân Đội")
    story = story_about(seed=8, outlets=[carried])
    Article.objects.create(outlet=carried, feed=carried.feeds.get(), url="https://qd.test/pending",
                           url_key=parse.url_key("https://qd.test/pending"))
    review = Review.objects.get(story=story, watch_list=desk)
    page = client.get(reverse("monitoring:outlet_edit", kwargs={"pk": carried.pk})).content.decode()
    assert "1 bài đã đọc vẫn được giữ" in page
    response = client.post(reverse("monitoring:outlet_delete", kwargs={"pk": carried.pk}), follow=True)
    text = response.content.decode()
    assert "Không theo dõi “Báo Quân Đội” nữa. 1 bài đã đọc vẫn được giữ" in text
    assert f'data-testid="outlet-{carried.pk}"' not in text  # no longer among the sources
    carried.refresh_from_db()
    assert carried.retired_at is not None and not carried.feeds.exists()
    assert list(story.articles.values_list("outlet_id", flat=True)) == [carried.pk]
    assert not Article.objects.filter(url="https://qd.test/pending").exists()
    assert Review.objects.filter(pk=review.pk).exists()
    # The story page still names it.
    assert "Báo Quân Đội" in client_for(world.contributor).get(
        reverse("monitoring:story", kwargs={"pk": story.pk})).content.decode()
    entry = AuditEntry.objects.get(action="monitoring.outlet.delete", object_id=str(carried.pk))
    assert entry.data["retired"] is True and entry.data["articles_kept"] == 1 and entry.data["feeds"]
    # Its feed address is free again; a deleted outlet is not edited or deleted again.
    assert client.get(reverse("monitoring:outlet_edit", kwargs={"pk": carried.pk})).status_code == 404

    empty = outlet("Báo Mới")
    response = client.post(reverse("monitoring:outlet_delete", kwargs={"pk": empty.pk}), follow=True)
    assert "Đã xoá “Báo Mới”." in response.content.decode()
    assert not Outlet.objects.filter(pk=empty.pk).exists()
    assert AuditEntry.objects.get(action="monitoring.outlet.delete", object_id=str(empty.pk)).data["retired"] is False
    # Only operators and agency administrators delete.
    third = outlet("Báo Ba")
    assert client_for(world.contributor).post(reverse("monitoring:outlet_delete", kwargs={"pk": third.pk})) \
        .status_code == 403
    assert Outlet.objects.filter(pk=third.pk, retired_at__isnull=True).exists()


# ------------------------------------------------------------------------------------------------ digest e-mail


class _Reader(HTMLParser):
    """Text and links of an HTML part, as a mail reader shows them."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: dict[str, str] = {}
        self._href: str | None = None
        self.tables = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")
        if tag == "table":
            self.tables += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._href:
            self.links[data.strip()] = self._href


def test_the_digest_mail_is_text_and_html(world: World, desk: WatchList, mailoutbox: Any) -> None:
    from ttdn.monitoring.digest import do_send_digests

    story = story_about(seed=9, outlets=[outlet("Báo A"), outlet("Vientiane Daily", "LA", "en")])
    title = "Tin <b>giả</b> & đúng về Gia Lai"
    tuesday = timezone.make_aware(dt.datetime(2026, 12, 8, 9, 0))
    Story.objects.filter(pk=story.pk).update(title=title, first_seen_at=tuesday - dt.timedelta(hours=3))
    world.contributor.email = "bientap@gialai.test"
    world.contributor.save()
    assert do_send_digests(tuesday) == 1
    (message,) = mailoutbox
    assert message.subject == "Điểm báo hằng ngày" and message.to == ["bientap@gialai.test"]
    # Multipart: the plain text first, the HTML as its alternative.
    assert message.content_subtype == "plain" and title in message.body
    ((html, kind),) = message.alternatives
    assert kind == "text/html"
    raw = message.message()
    assert raw.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in raw.get_payload()] == ["text/plain", "text/html"]
    assert "<b>giả</b>" not in html and "Tin &lt;b&gt;giả&lt;/b&gt; &amp; đúng" in html  # titles are escaped
    reader = _Reader()
    reader.feed(html)
    text = " ".join(" ".join(reader.text).split())
    assert "Điểm báo hằng ngày" in text and "2 tin trong" not in text
    assert "1 tin trong 2 bài" in text
    assert "Theo ngôn ngữ" in text and "Theo quốc gia" in text and reader.tables >= 2
    link = reader.links[title]
    assert link.startswith("http") and link.endswith(reverse("monitoring:story", kwargs={"pk": story.pk}))
    assert reader.links["Điểm báo kèm biểu đồ"].endswith("/monitoring/digest/?period=daily")
    assert "2 bản" in text  # the story's copies
