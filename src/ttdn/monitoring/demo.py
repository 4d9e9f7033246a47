"""The press-monitoring part of `ttdn demo`: the Gia Lai information department's desk, outlets of Vietnam, Laos
and Cambodia, and generated stories (ttdn.monitoring.samples) put through the real pipeline, so the queue, the
digest and its charts have something to show. The demo hub has no Internet: its feeds are paused, saying so."""

from __future__ import annotations

import random
from collections.abc import Callable

from django.utils import timezone

from ttdn.core.registry import DemoPart, demo_part

OUTLETS = (("Báo Gia Lai", "VN", "vi", "https://baogialai.example/rss"),
           ("Báo Biên phòng", "VN", "vi", "https://bienphong.example/rss"),
           ("Vientiane Daily", "LA", "en", "https://vientiane-daily.example/feed"),
           ("Pasaxon", "LA", "lo", "https://pasaxon.example/rss"),
           ("Khmer Daily", "KH", "km", "https://khmer-daily.example/sitemap.xml"))


@demo_part(order=40)
def build_demo(log: Callable[[str], None]) -> DemoPart:
    from ttdn.accounts.models import Agency
    from ttdn.monitoring import parse, pipeline, samples, services
    from ttdn.monitoring.models import Article, Feed, Outlet, WatchList

    agency = Agency.objects.filter(code="gl-stttt").first()
    if agency is None or WatchList.objects.filter(agency=agency).exists():
        return DemoPart()
    watch_list = services.do_create_watch_list(None, agency)
    for lang, spelled in samples.PLACES["Gia Lai"].items():
        if lang != "vi":
            services.do_add_term(None, watch_list, spelled, lang)
    outlets = []
    for name, country, language, url in OUTLETS:
        outlets.append(Outlet.objects.filter(name=name).first() or services.do_save_outlet(
            None, services.OutletData(name, country, language, [url])))
    Feed.objects.filter(outlet__in=outlets).update(
        paused_at=timezone.now(), last_error="Máy demo không nối mạng Internet: nguồn tin tạm dừng.")
    watch = pipeline.build_watch()
    rng = random.Random(2026)
    by_lang = {o.language: o for o in reversed(outlets)}  # the first outlet of each language
    stories = 0
    for n in range(24):
        lang = ("vi", "en", "lo", "km")[n % 4]
        title, paragraphs = samples.story_text(rng, lang, ["Gia Lai"] if n % 3 else ["Gia Lai", "Lệ Thanh"])
        # Every other Vietnamese story is carried by both Vietnamese outlets (one story, two copies).
        copies = [o for o in outlets if o.language == "vi"] if lang == "vi" and n % 8 == 0 else [by_lang[lang]]
        for k, out in enumerate(copies):
            t, ps = (title, paragraphs) if k == 0 else samples.republish(rng, title, paragraphs, lang)
            url = f"{out.homepage or out.feeds.get().url.rsplit('/', 1)[0]}/tin/{n}-{k}.html"
            if Article.objects.filter(url_key=parse.url_key(url)).exists():
                continue
            article = Article.objects.create(outlet=out, feed=out.feeds.first(), url=url, url_key=parse.url_key(url))
            result = pipeline.process(samples.page_html(t, ps, lang, outlet=out.name).encode(), "text/html", url,
                                      watch)
            pipeline.store(article, result, watch)
        stories += 1
    line = f"press monitoring: {stories} stories for the desk of {agency.name}"
    log(line)
    return DemoPart(lines=[line])
