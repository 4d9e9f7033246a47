"""Polling real HTTP servers on loopback: feeds and pages in the border languages, and every bad host —
broken feeds, slow hosts, redirects, 429s, huge pages, wrong encodings, robots.txt exclusions. Nothing crashes;
errors are shown per source. Then what follows: mentions in every language, clustering, alerts, the review
whose response goes through the workflow and closes the loop, the digest, the CSV and the DOCX."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
import zlib
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from ttdn.content.models import State
from ttdn.core.errors import PermissionDenied, ServiceError
from ttdn.core.models import AuditEntry
from ttdn.monitoring import digest, pipeline, poll, samples, services
from ttdn.monitoring.models import (
    Article,
    ArticleStatus,
    Feed,
    Host,
    Mention,
    Review,
    Story,
    TermKind,
    Verdict,
    WatchList,
)
from ttdn.notices.models import Notice

from ..conftest import World, advance
from .server import Route, serve

pytestmark = pytest.mark.django_db

FAST = override_settings(TTDN_MONITORING_HOST_INTERVAL=0, TTDN_MONITORING_TIMEOUT=3,
                         TTDN_MONITORING_MAX_BYTES=200_000)


def rss(base: str, items: list[tuple[str, str]], lang: str = "vi") -> bytes:
    entries = "".join(f"<item><title>{t}</title><link>{base}{path}</link></item>" for path, t in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
            f"<language>{lang}</language>{entries}</channel></rss>").encode()


def page(title: str, paragraphs: list[str], lang: str = "vi") -> bytes:
    return samples.page_html(title, paragraphs, lang).encode()


@pytest.fixture
def desk(world: World) -> WatchList:
    watch = services.do_create_watch_list(world.contributor, world.gl_dept)
    for term, lang in (("Gia Lai", "en"), ("ຢາລາຍ", "lo"), ("យ៉ាឡាយ", "km"), ("嘉莱", "zh-Hans"),
                       ("ซาลาย", "th")):
        services.do_add_term(world.contributor, watch, term, lang, TermKind.PROVINCE)
    return watch


def outlet(base: str, path: str = "/rss", *, name: str = "Báo Gia Lai", country: str = "VN",
           language: str = "vi") -> Feed:
    out = services.do_save_outlet(None, services.OutletData(name=name, country=country, language=language,
                                                            feeds=[base + path]))
    return out.feeds.get()


def run() -> poll.PassReport:
    return poll.run_pass(budget_seconds=60)


def _pages(n: int, lang: str, place: str | None) -> list[tuple[str, list[str]]]:
    import random

    rng = random.Random(zlib.crc32(f"{n}{lang}{place}".encode()))
    out = []
    for _ in range(n):
        title, paragraphs = samples.story_text(rng, lang, [place] if place else [])
        out.append((title, paragraphs))
    return out


# ------------------------------------------------------------------------------------------------ watch lists


def test_watch_list_is_seeded_from_the_places_with_old_names(world: World, desk: WatchList) -> None:
    terms = dict(desk.terms.values_list("term", "kind"))
    assert terms["Gia Lai"] == TermKind.PROVINCE
    # Bình Định merged into Gia Lai in 2025: its name is a former name of the province.
    assert terms.get("Bình Định") == TermKind.OLD_NAME
    assert any(kind == TermKind.COMMUNE for kind in terms.values())
    assert AuditEntry.objects.filter(action="monitoring.watch_list.create").exists()


def test_mentions_in_every_language_unaccented_and_not_inside_other_names(world: World, desk: WatchList) -> None:
    watch = pipeline.build_watch()
    found = {}
    texts = {
        "vi": "Tỉnh Gia Lai đẩy mạnh kinh tế cửa khẩu.",
        "vi_unaccented": "Tinh GIA LAI day manh kinh te cua khau, lien ket voi Binh Dinh.",
        "en": "Gia Lai province opens a new trade fair.",
        "lo": "ແຂວງຢາລາຍ ຮ່ວມມືກັບ ແຂວງອັດຕະປື.",
        "km": "ខេត្តយ៉ាឡាយ និងខេត្តរតនគិរី។",
        "zh": "越南嘉莱省与柬埔寨合作。",
        "th": "จังหวัดซาลายของเวียดนาม",
    }
    for key, text in texts.items():
        hits = watch.terms.find(text)
        found[key] = {watch.term_lists[int(h.payload)] for h in hits}  # type: ignore[call-overload]
    assert all(found[k] == {desk.pk} for k in texts), found
    terms = {t.pk: t.term for t in desk.terms.all()}
    unaccented = {terms[int(h.payload)] for h in watch.terms.find(texts["vi_unaccented"])}  # type: ignore[call-overload]
    assert unaccented == {"Gia Lai", "Bình Định"}
    # "Lai" alone, "Gia Lai" glued into another word, or a longer name of another place: no mention.
    for text in ("Lai Châu phát triển du lịch.", "Công ty Gialai Coffee.", "Xã Ia Grai của tỉnh khác."):
        assert not [h for h in watch.terms.find(text) if terms.get(int(h.payload)) == "Gia Lai"], text  # type: ignore[call-overload]


def test_a_shorter_name_inside_a_longer_other_name_is_not_a_mention(world: World) -> None:
    watch_list = services.do_create_watch_list(world.contributor_dl, world.dl_dept, name="Lào")
    services.do_add_term(world.contributor_dl, watch_list, "Lào", "vi")
    watch = pipeline.build_watch(blockers=["Lào Cai", "Phú Thiện Đông"])
    assert watch.terms.find("Quan hệ Việt Nam – Lào tiếp tục phát triển.")
    assert not watch.terms.find("Tỉnh Lào Cai đón khách du lịch.")
    assert not watch.terms.find("Tinh Lao Cai don khach.")


def test_terms_refuse_bad_input_in_the_users_language(world: World, desk: WatchList) -> None:
    with pytest.raises(ServiceError) as exc:
        services.do_add_term(world.contributor, desk, "  !!! ", "vi")
    assert exc.value.code == "invalid"
    with pytest.raises(ServiceError):
        services.do_add_term(world.contributor, desk, "Gia Lai", "xx")
    with pytest.raises(PermissionDenied):
        services.do_add_term(world.contributor_dl, desk, "Pleiku", "vi")


def test_sources_refuse_bad_input(world: World) -> None:
    for data in (services.OutletData("", "VN", "vi", ["http://x.test/rss"]),
                 services.OutletData("A", "Vietnam", "vi", ["http://x.test/rss"]),
                 services.OutletData("A", "VN", "vi", ["file:///etc/passwd"]),
                 services.OutletData("A", "VN", "vi", [])):
        with pytest.raises(ServiceError) as exc:
            services.do_save_outlet(world.agency_admin, data)
        assert exc.value.code == "invalid"
    with pytest.raises(PermissionDenied):
        services.do_save_outlet(world.contributor, services.OutletData("A", "VN", "vi", ["http://x.test/rss"]))


# ------------------------------------------------------------------------------------------------ polling


@FAST
def test_a_pass_fetches_feeds_and_pages_in_every_language(world: World, desk: WatchList) -> None:
    routes: dict[str, Route] = {"/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", 200)}
    items: list[tuple[str, str]] = []
    langs = ("vi", "en", "lo", "km", "zh-Hans", "th")
    for lang in langs:
        for i, (title, paragraphs) in enumerate(_pages(1, lang, "Gia Lai") + _pages(1, lang, None)):
            path = f"/{lang}/{i}.html"
            routes[path] = Route(page(title, paragraphs, lang))
            items.append((path, title))
    with serve(routes) as site:
        routes["/rss"] = Route(rss(site.base, items), headers={"Content-Type": "application/rss+xml",
                                                               "ETag": '"v1"'})
        feed = outlet(site.base)
        report = run()
        assert report.feeds_polled == 1 and report.entries_new == len(items)
        assert report.articles_done == len(items), report.errors
        done = Article.objects.filter(status=ArticleStatus.DONE)
        assert {a.language for a in done} == set(langs)
        # One page per language names Gia Lai in that language's spelling: each is a story under review.
        spelled = {lang: samples.PLACES["Gia Lai"][lang] for lang in langs}
        named = {(r.story.language, term) for r in Review.objects.filter(watch_list=desk)
                 for term in Mention.objects.filter(article__story=r.story).values_list("term__term", flat=True)}
        assert {(lang, spelled[lang]) for lang in langs} <= named, named
        assert Mention.objects.count() >= len(langs)
        # Conditional GET: the next poll sends the ETag, the server says 304, nothing new.
        routes["/rss"] = Route(b"", 304)
        feed.refresh_from_db()
        Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
        before = feed.interval_seconds
        run()
        assert site.hits[-1][1].get("if-none-match") == '"v1"'
        feed.refresh_from_db()
        assert feed.failures == 0 and feed.interval_seconds > before  # a quiet feed is polled less often
        assert site.count("/robots.txt") == 1  # read once, kept a day


@FAST
def test_bad_hosts_are_errors_per_source_and_nothing_crashes(world: World, desk: WatchList) -> None:
    good_title, good_paragraphs = _pages(1, "vi", "Gia Lai")[0]
    huge = b"<html><body>" + b"<p>x</p>" * 40_000 + b"</body></html>"
    latin1_lie = page(good_title + " (mã sai)", good_paragraphs)
    routes: dict[str, Route] = {
        "/robots.txt": Route(b"User-agent: *\nDisallow: /cam/\n"),
        "/broken": Route(b"<rss><channel><item><title>Cut"),
        "/notxml": Route(b"\x89PNG\r\n\x1a\n\x00\x00"),
        "/bomb": Route(b'<!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel><item><title>&a;</title></item>'
                       b"</channel></rss>"),
        "/gone": Route(b"", 404),
        "/slow-feed": Route(b"<rss>" + b" " * 400, drip=0.05),
        "/cam/rss": Route(b"<rss/>"),
        "/busy": Route(b"", 429, headers={"Retry-After": "120"}),
        "/loop": Route(b"", 302, headers={"Location": "/loop"}),
        "/moved": Route(b"", 301, headers={"Location": "/feed-here"}),
        "/page/huge.html": Route(huge),
        "/page/lying.html": Route(latin1_lie, headers={"Content-Type": "text/html; charset=iso-8859-1"}),
        "/page/fine.html": Route(page(good_title, good_paragraphs)),
        "/page/ftp.html": Route(b"", 302, headers={"Location": "ftp://x.test/a"}),
    }
    with serve(routes) as site:
        routes["/feed-here"] = Route(rss(site.base, [("/page/huge.html", "Huge"), ("/page/lying.html", "Lying"),
                                                     ("/page/fine.html", "Fine"), ("/page/ftp.html", "Ftp"),
                                                     ("/cam/secret.html", "Robots")]))
        feeds = {path: outlet(site.base, path, name=f"Outlet {path}")
                 for path in ("/broken", "/notxml", "/bomb", "/gone", "/slow-feed", "/cam/rss", "/loop", "/moved")}
        report = run()
        errors = {path: Feed.objects.get(pk=f.pk).last_error for path, f in feeds.items()}
        assert "thực thể XML" in errors["/bomb"]  # in the user's language
        assert "404" in errors["/gone"]
        assert "robots.txt" in errors["/cam/rss"]
        assert "chuyển hướng" in errors["/loop"]
        assert errors["/slow-feed"]  # cut off at the deadline
        assert errors["/notxml"] and errors["/broken"] == ""  # broken XML is read as far as it goes
        assert errors["/moved"] == ""
        articles = {a.url.rsplit("/", 1)[-1]: a for a in Article.objects.all()}
        assert articles["huge.html"].status == ArticleStatus.FAILED and "lớn hơn" in articles["huge.html"].error
        assert articles["ftp.html"].status == ArticleStatus.FAILED and "http" in articles["ftp.html"].error
        assert articles["secret.html"].status == ArticleStatus.FAILED
        assert site.count("/cam/secret.html") == 0  # robots.txt obeyed: never asked
        assert articles["fine.html"].status == ArticleStatus.DONE
        # UTF-8 sent as "iso-8859-1": read as UTF-8, the title intact; same title twice from one outlet? no.
        assert articles["lying.html"].title == good_title + " (mã sai)"
        assert report.feeds_failed >= 5
        # A 429 leaves the host alone for its Retry-After.
        busy = outlet(site.base, "/busy", name="Busy")
        run()
        host = Host.objects.get(name=site.base)
        assert host.next_allowed_at >= timezone.now() + dt.timedelta(seconds=100)
        assert "giảm tần suất" in Feed.objects.get(pk=busy.pk).last_error


@FAST
def test_a_feed_failing_repeatedly_is_paused_shown_and_resumed(world: World, client: Any) -> None:
    with serve({"/robots.txt": Route(b"", 404), "/rss": Route(b"", 500)}) as site:
        feed = outlet(site.base)
        for _ in range(poll.PAUSE_AFTER):
            Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
            run()
        feed.refresh_from_db()
        assert feed.paused_at is not None and feed.failures == poll.PAUSE_AFTER
        hits = site.count("/rss")
        Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
        run()
        assert site.count("/rss") == hits  # paused: not asked again
        services.do_resume_feed(world.operator, feed)
        feed.refresh_from_db()
        assert feed.paused_at is None
        assert AuditEntry.objects.filter(action="monitoring.feed.resume").exists()


@override_settings(TTDN_MONITORING_HOST_INTERVAL=30, TTDN_MONITORING_TIMEOUT=3)
def test_politeness_one_request_per_host_per_interval(world: World) -> None:
    items = [(f"/p/{i}.html", f"Tin {i}") for i in range(3)]
    routes = {"/robots.txt": Route(b"", 404), **{p: Route(page(t, ["Đoạn văn đủ dài của bài báo số một."]))
                                                 for p, t in items}}
    with serve(routes) as site:
        routes["/rss"] = Route(rss(site.base, items))
        outlet(site.base)
        poll.run_pass(budget_seconds=5)
        # robots.txt was the one request this pass allowed; the feed waits for the host's next slot.
        assert [p for p, _h in site.hits] == ["/robots.txt"]
        Host.objects.update(next_allowed_at=timezone.now())
        poll.run_pass(budget_seconds=5)
        assert [p for p, _h in site.hits] == ["/robots.txt", "/rss"]
        Host.objects.update(next_allowed_at=timezone.now())
        poll.run_pass(budget_seconds=5)
        assert len(site.hits) == 3 and Article.objects.filter(status=ArticleStatus.DONE).count() == 1


# ------------------------------------------------------------------------------------------------ stories


@FAST
def test_republished_copies_are_one_story_and_fast_spread_alerts(world: World, desk: WatchList) -> None:
    import random

    rng = random.Random(3)
    title, paragraphs = samples.story_text(rng, "vi", ["Gia Lai"])
    routes: dict[str, Route] = {"/robots.txt": Route(b"", 404)}
    copies: list[tuple[str, str]] = []
    for n in range(5):
        t, ps = (title, paragraphs) if n == 0 else samples.republish(rng, title, paragraphs, "vi")
        routes[f"/o{n}/a.html"] = Route(page(t, ps))
        copies.append((f"/o{n}/a.html", t))
    other_title, other_paragraphs = samples.story_text(rng, "vi", ["Gia Lai"])
    routes["/o0/b.html"] = Route(page(other_title, other_paragraphs))
    with serve(routes) as site:
        # Five outlets carry the wire story; the first one also has a story of its own.
        for n, item in enumerate(copies):
            extra = [("/o0/b.html", other_title)] if n == 0 else []
            routes[f"/rss{n}"] = Route(rss(site.base, [item, *extra]))
            outlet(site.base, f"/rss{n}", name=f"Outlet {n}")
        with override_settings(TTDN_MONITORING_FAST_COPIES=5):
            run()
    assert Story.objects.count() == 2
    wire = Story.objects.get(copies=5)
    assert wire.articles.count() == 5 and wire.outlets == 5
    review = Review.objects.get(story=wire, watch_list=desk)
    assert review.alerted_at is not None
    notices = Notice.objects.filter(kind="monitoring.fast_alert")
    assert {n.recipient_id for n in notices} == {world.contributor.pk, world.agency_admin.pk}
    # The queue: the most republished first within the day.
    first = services.queue(world.contributor)[0]
    assert first.story_id == wire.pk


@FAST
def test_an_alert_term_raises_a_notice_within_the_pass(world: World, desk: WatchList) -> None:
    services.do_add_term(world.contributor, desk, "tin giả", "vi", TermKind.ALERT, alert=True)
    routes = {"/robots.txt": Route(b"", 404),
              "/a.html": Route(page("Cảnh báo tin giả về Gia Lai", ["Một trang mạng đăng tin giả về tỉnh Gia Lai "
                                                                     "và cửa khẩu Lệ Thanh trong tuần qua."]))}
    with serve(routes) as site:
        routes["/rss"] = Route(rss(site.base, [("/a.html", "Cảnh báo")]))
        outlet(site.base)
        run()
    notice = Notice.objects.get(kind="monitoring.term_alert", recipient=world.contributor)
    assert "tin giả" in notice.params["term"]
    article = Article.objects.get()
    assert "phan-bac-thong-tin-sai-lech" in article.topics


# ------------------------------------------------------------------------------------------------ review


@FAST
def test_needs_response_opens_a_draft_whose_publication_closes_the_loop(world: World, desk: WatchList) -> None:
    title, paragraphs = _pages(1, "en", "Gia Lai")[0]
    routes = {"/robots.txt": Route(b"", 404), "/a.html": Route(page(title, paragraphs, "en"))}
    with serve(routes) as site:
        routes["/rss"] = Route(rss(site.base, [("/a.html", title)], "en"))
        outlet(site.base, name="Foreign Daily", country="LA", language="en")
        run()
    review = Review.objects.get(watch_list=desk)
    with pytest.raises(PermissionDenied):
        services.do_review(world.contributor_dl, review, Verdict.ACCURATE)
    with pytest.raises(ServiceError):
        services.do_review(world.contributor, review, "nonsense")
    review = services.do_review(world.contributor, review, Verdict.NEEDS_RESPONSE, "Sai số liệu về diện tích.")
    item = review.response
    assert item is not None and item.state == State.DRAFT and item.kind == "orientation_note"
    assert item.agency_id == world.gl_dept.pk
    assert review.answered_at is None
    # Changing one's mind while the response is open is refused: the loop must close.
    with pytest.raises(ServiceError):
        services.do_review(world.contributor, review, Verdict.IRRELEVANT)
    advance(world, item, State.PUBLISHED)
    review.refresh_from_db()
    assert review.answered_at is not None and services.response_hours(review) is not None
    assert AuditEntry.objects.filter(action="monitoring.review.answered").exists()
    result = digest.build(world.contributor, "weekly")
    assert result.stories == 1 and result.inaccurate == 1 and result.answered == 1
    assert result.by_country == [("LA", 1)] and result.by_language[0][1] == 1
    this_week = digest.weekly_quality(world.contributor)[-1]
    assert this_week[1] == 100  # the one judged story of the week is inaccurate
    rows = list(csv.reader(io.StringIO(digest.stories_csv(world.contributor))))
    assert rows[0] == list(digest.CSV_COLUMNS)
    assert rows[1][1:4] == ["Foreign Daily", "LA", "en"] and rows[1][6] == Verdict.NEEDS_RESPONSE
    docx = digest.digest_docx(world.contributor, "weekly")
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        xml = z.read("word/document.xml").decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in xml
    # Another province's desk sees none of it.
    assert digest.build(world.contributor_dl).stories == 0
    assert list(csv.reader(io.StringIO(digest.stories_csv(world.contributor_dl)))) == [list(digest.CSV_COLUMNS)]


def test_a_hub_behind_a_proxy_fetches_through_it(world: World) -> None:
    """TTDN_MONITORING_PROXY: every request goes to the proxy, naming the outlet's address in full."""
    with serve({}) as proxy:
        feed_url = "http://outlet.invalid/rss"
        proxy.routes[feed_url] = Route(rss("http://outlet.invalid", [("/a.html", "Tin")]))
        proxy.routes["http://outlet.invalid/robots.txt"] = Route(b"", 404)
        proxy.routes["http://outlet.invalid/a.html"] = Route(page("Tin qua proxy", ["Đoạn văn của bài qua proxy "
                                                                                   "đủ dài để trích xuất."]))
        with override_settings(TTDN_MONITORING_PROXY=proxy.base, TTDN_MONITORING_HOST_INTERVAL=0):
            outlet("http://outlet.invalid", "/rss")
            report = run()
        assert report.articles_done == 1, report.errors
        assert [path for path, _h in proxy.hits] == [
            "http://outlet.invalid/robots.txt", feed_url, "http://outlet.invalid/a.html"]
        assert Article.objects.get().title == "Tin qua proxy"


@FAST
def test_duplicates_by_normalised_url_and_by_title_within_an_outlet(world: World, desk: WatchList) -> None:
    title, paragraphs = _pages(1, "vi", "Gia Lai")[0]
    routes = {"/robots.txt": Route(b"", 404), "/tin/1.html": Route(page(title, paragraphs)),
              "/m/tin-1.html": Route(page(title, paragraphs[1:]))}
    with serve(routes) as site:
        # The same page twice (tracking parameters, www-less host, a fragment), and its mobile copy.
        routes["/rss"] = Route(rss(site.base, [("/tin/1.html?utm_source=rss", title), ("/tin/1.html#top", title),
                                               ("/m/tin-1.html", title)]))
        outlet(site.base)
        run()
    articles = list(Article.objects.order_by("pk"))
    assert len(articles) == 2  # one URL once
    assert [a.duplicate for a in articles] == [False, True]  # the same title from the same outlet
    story = Story.objects.get()
    assert story.copies == 1 and Review.objects.filter(story=story).count() == 1


@override_settings(TTDN_MONITORING_HOST_INTERVAL=1, TTDN_MONITORING_TIMEOUT=3)
def test_a_pass_waits_for_the_host_between_pages_while_its_time_lasts(world: World) -> None:
    items = [(f"/p/{i}.html", f"Tin số {i}") for i in range(3)]
    routes = {"/robots.txt": Route(b"", 404), **{p: Route(page(t, [f"Đoạn văn đủ dài của bài báo {t}."]))
                                                 for p, t in items}}
    with serve(routes) as site:
        routes["/rss"] = Route(rss(site.base, items))
        outlet(site.base)
        Host.objects.create(name=site.base, robots_fetched_at=timezone.now())  # robots.txt known: allow all
        poll.run_pass(budget_seconds=30)
        # The feed and its three pages in one pass, each after the host's interval.
        assert [p for p, _h in site.hits] == ["/rss", "/p/0.html", "/p/1.html", "/p/2.html"]
        assert Article.objects.filter(status=ArticleStatus.DONE).count() == 3
