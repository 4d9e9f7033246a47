"""Storing in batches (one transaction and a fixed number of queries per batch) gives what storing the same
articles one by one, in the same order, gives: the same stories with the same copies and outlets, the same title
duplicates, mentions and reviews."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ttdn.monitoring import parse, pipeline, samples, services
from ttdn.monitoring.models import Article, Band, Mention, Review, Story, TermKind, WatchList

from ..conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(world: World) -> WatchList:
    watch = services.do_create_watch_list(world.contributor, world.gl_dept)
    for term, lang in (("Gia Lai", "en"), ("ຢາລາຍ", "lo"), ("យ៉ាឡាយ", "km"), ("嘉莱", "zh-Hans")):
        services.do_add_term(world.contributor, watch, term, lang, TermKind.PROVINCE)
    return watch


def _pages() -> list[tuple[str, str, str]]:
    """(outlet code, url, html): republished stories over four outlets, plus http copies of some pages (the same
    title from the same outlet: duplicates)."""
    out = []
    for page in samples.corpus(24, copies=(1, 4), seed=11, langs=("vi", "en", "lo", "km")):
        code = page.url.split("/o", 1)[1].split("/", 1)[0]
        out.append((code, page.url, page.html))
        if page.story % 5 == 0:
            out.append((code, page.url.replace("http://", "https://m.").replace(".html", "-m.html"), page.html))
    return out


def _outcome(urls: list[str]) -> dict[str, Any]:
    """What was stored, named by urls (story ids differ between runs)."""
    arts = {a.url: a for a in Article.objects.select_related("story")}
    groups = {}
    for url in urls:
        story = arts[url].story
        assert story is not None
        groups[url] = (min(a.url for a in arts.values() if a.story_id == story.pk), story.copies, story.outlets,
                       story.title)
    reviewed = sorted(min(a.url for a in arts.values() if a.story_id == r.story_id)
                      for r in Review.objects.all())
    return {"stories": groups, "duplicates": sorted(u for u, a in arts.items() if a.duplicate),
            "mentions": sorted((m.article.url, m.term_id, m.count) for m in Mention.objects.select_related("article")),
            "bands": Band.objects.count(), "reviews": reviewed, "languages": {u: a.language for u, a in arts.items()}}


def _run(world: World, pages: list[tuple[str, str, str]], watch: pipeline.Watch, size: int) -> dict[str, Any]:
    outlets = {code: services.do_save_outlet(None, services.OutletData(
        f"Outlet {code} {size}", "VN", "vi", [f"http://news.test/{size}/o{code}/rss"])) for code in "0123"}
    Article.objects.all().delete()
    Story.objects.all().delete()
    articles = [Article.objects.create(outlet=outlets[code], url=url, url_key=parse.url_key(url))
                for code, url, _html in pages]
    results = [pipeline.process(html.encode(), "text/html; charset=utf-8", url, watch) for _c, url, html in pages]
    pairs = list(zip(articles, results, strict=True))
    for start in range(0, len(pairs), size):
        if size == 1:
            pipeline.store(*pairs[start], watch)
        else:
            pipeline.store_batch(pairs[start:start + size], watch)
    return _outcome([url for _c, url, _h in pages])


def test_a_batch_stores_what_one_by_one_stores(world: World, desk: WatchList) -> None:
    pages = _pages()
    watch = pipeline.build_watch(blockers=[])
    one_by_one = _run(world, pages, watch, 1)
    # Batches crossing the copies of a story: a copy joins a story started earlier in its own batch.
    batched = _run(world, pages, watch, 7)
    assert batched == one_by_one
    assert one_by_one["duplicates"] and one_by_one["reviews"]
    assert max(copies for _u, copies, _o, _t in one_by_one["stories"].values()) >= 3
    everything = _run(world, pages, watch, len(pages))
    assert everything == one_by_one


def test_a_batch_costs_a_fixed_number_of_queries(world: World, desk: WatchList) -> None:
    pages = _pages()
    watch = pipeline.build_watch(blockers=[])
    outlet = services.do_save_outlet(None, services.OutletData("O", "VN", "vi", ["http://news.test/o/rss"]))
    pairs = []
    for _code, url, html in pages:
        article = Article.objects.create(outlet=outlet, url=url, url_key=parse.url_key(url))
        pairs.append((article, pipeline.process(html.encode(), "text/html; charset=utf-8", url, watch)))
    with CaptureQueriesContext(connection) as small:
        pipeline.store_batch(pairs[:10], watch)
    with CaptureQueriesContext(connection) as large:
        pipeline.store_batch(pairs[10:], watch)
    assert len(pairs) - 10 > 40
    # Bulk inserts may be split by the backend's parameter limit: a few more, never one per article.
    assert len(large.captured_queries) <= len(small.captured_queries) + 6, (
        len(small.captured_queries), len(large.captured_queries))
