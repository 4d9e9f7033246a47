"""Stories for page tests: generated pages put through the real pipeline (process, then store), no fetching."""

from __future__ import annotations

import random

from ttdn.monitoring import parse, pipeline, samples, services
from ttdn.monitoring.models import Article, Outlet, Story


def outlet(name: str = "Báo Biên phòng", country: str = "VN", language: str = "vi") -> Outlet:
    return services.do_save_outlet(None, services.OutletData(name, country, language,
                                                             [f"http://127.0.0.1:9/{name.replace(' ', '-')}/rss"]))


def story_about(place: str = "Gia Lai", *, lang: str = "vi", seed: int = 1,
                outlets: list[Outlet] | None = None) -> Story:
    rng = random.Random(seed)
    title, paragraphs = samples.story_text(rng, lang, [place])
    watch = pipeline.build_watch(blockers=[])
    story = None
    for n, out in enumerate(outlets or [outlet()]):
        t, ps = (title, paragraphs) if n == 0 else samples.republish(rng, title, paragraphs, lang)
        url = f"http://127.0.0.1:9/{out.pk}/{seed}.html"
        article = Article.objects.create(outlet=out, feed=out.feeds.first(), url=url, url_key=parse.url_key(url))
        result = pipeline.process(samples.page_html(t, ps, lang).encode(), "text/html; charset=utf-8", url, watch)
        story = pipeline.store(article, result, watch).story
    assert story is not None
    return story
