"""Press monitoring: processing rate, near-duplicate clustering and language identification on a generated corpus.

Usage: python bench/monitoring.py [stories] [workers]
  stories: stories to generate (default 2000: about 5,000 pages, each story carried by 1–4 outlets with edits)
  workers: processes extracting and matching (default: the machine's cores)

Processing is everything after the bytes arrive: feed parsing (the corpus as RSS documents of 50 entries),
extraction (trafilatura, then the fallback), language, mention matching against a real watch list plus every
administrative unit name of the country (loaded from the data packages), MinHash and its bands, and storage
with clustering (`pipeline.store_batch`, as the poller stores a sweep) in a fresh SQLite database. Fetching is
excluded. Workers extract and match
in parallel; one writer stores (as the poller does). Nothing is downloaded: the pages are generated
(`ttdn.monitoring.samples`). The last line is one JSON object.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from typing import Any

_watch: Any = None


def _setup(data_dir: str) -> None:
    os.environ["TTDN_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
    os.environ.pop("TTDN_DATABASE_URL", None)
    import django

    django.setup()


def _worker_init(data_dir: str) -> None:
    global _watch
    _setup(data_dir)
    from ttdn.monitoring import langid, pipeline

    _watch = pipeline.build_watch()
    langid.preload()


def _process(job: tuple[int, str, str]) -> tuple[int, Any]:
    from ttdn.monitoring import pipeline

    index, url, html = job
    return index, pipeline.process(html.encode("utf-8"), "text/html; charset=utf-8", url, _watch)


def main(stories: int, workers: int) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix="ttdn-bench-monitoring-")
    _setup(data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from ttdn.accounts import services as accounts
    from ttdn.monitoring import parse, pipeline, samples, services
    from ttdn.monitoring.models import Article, Feed
    from ttdn.places.models import AdminUnit
    from ttdn.places.services import do_load_admin_units

    t = time.perf_counter()
    do_load_admin_units()
    print(f"administrative units loaded: {AdminUnit.objects.count()} in {time.perf_counter() - t:.0f} s")
    gia_lai = AdminUnit.objects.get(level="province", short_name="Gia Lai", valid_to__isnull=True)
    agency = accounts.do_save_agency(None, accounts.AgencyData(code="gl", name="Sở VHTTDL Gia Lai",
                                                               kind="department", province_id=gia_lai.pk))
    watch_list = services.do_create_watch_list(None, agency, gia_lai)
    for lang, spelled in samples.PLACES["Gia Lai"].items():
        services.do_add_term(None, watch_list, spelled, lang)
    print(f"watch list: {watch_list.terms.count()} terms")

    t = time.perf_counter()
    pages = samples.corpus(stories)
    print(f"corpus: {len(pages)} pages of {stories} stories generated in {time.perf_counter() - t:.0f} s "
          f"({sum(len(p.html) for p in pages) / 1e6:.0f} MB)")
    outlets = {}
    for copy in range(4):
        outlets[copy] = services.do_save_outlet(None, services.OutletData(
            f"Outlet {copy}", ["VN", "LA", "KH", "CN"][copy], "vi", [f"http://news.test/o{copy}/rss"]))
    feeds = {copy: Feed.objects.get(outlet=o) for copy, o in outlets.items()}

    # Feeds: the corpus as RSS documents, 50 entries each, parsed and their entries stored as pending articles.
    started = time.perf_counter()
    by_outlet: dict[int, list[samples.SamplePage]] = defaultdict(list)
    for page in pages:
        by_outlet[int(page.url.split("/o", 1)[1].split("/", 1)[0])].append(page)
    entries = 0
    for copy, outlet_pages in by_outlet.items():
        for start in range(0, len(outlet_pages), 50):
            chunk = outlet_pages[start:start + 50]
            items = "".join(f"<item><title>{p.title}</title><link>{p.url}</link></item>" for p in chunk)
            xml = f'<?xml version="1.0" encoding="utf-8"?><rss><channel>{items}</channel></rss>'.encode()
            _kind, found = parse.parse_feed(xml, feeds[copy].url)
            from ttdn.monitoring.poll import _add_entries

            entries += _add_entries(feeds[copy], found)
    articles = {a.url: a for a in Article.objects.all()}
    assert entries == len(pages) == len(articles), (entries, len(pages), len(articles))
    feeds_done = time.perf_counter()

    watch = pipeline.build_watch()
    jobs = [(i, p.url, p.html) for i, p in enumerate(pages)]
    langs: dict[int, str] = {}
    with multiprocessing.get_context("fork").Pool(workers, _worker_init, (data_dir,)) as pool:
        batch: list[tuple[Any, Any]] = []
        for index, result in pool.imap_unordered(_process, jobs, chunksize=16):
            langs[index] = result.language
            batch.append((articles[pages[index].url], result))
            if len(batch) >= pipeline.BATCH:
                pipeline.store_batch(batch, watch)
                batch = []
        pipeline.store_batch(batch, watch)
    elapsed = time.perf_counter() - started
    rate = len(pages) / elapsed
    print(f"processed {len(pages)} pages in {elapsed:.1f} s with {workers} workers: {rate:.1f} articles/s "
          f"(feeds {feeds_done - started:.1f} s)")

    # Language identification, per language.
    per_lang: dict[str, Counter[str]] = defaultdict(Counter)
    for i, page in enumerate(pages):
        per_lang[page.language]["total"] += 1
        per_lang[page.language]["right"] += langs[i] == page.language
    accuracy = {lang: round(c["right"] / c["total"], 4) for lang, c in sorted(per_lang.items())}
    print("language accuracy:", accuracy)

    # Clustering, pairwise against the labels (pairs of pages of one story), within each language.
    story_of = dict(Article.objects.values_list("url", "story_id"))
    tp = fp = fn = 0
    by_lang: dict[str, list[samples.SamplePage]] = defaultdict(list)
    for page in pages:
        by_lang[page.language].append(page)
    for group in by_lang.values():
        for a, b in itertools.combinations(group, 2):
            same = a.story == b.story
            found = story_of[a.url] == story_of[b.url]
            tp += same and found
            fp += found and not same
            fn += same and not found
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"clustering: {tp} true pairs, {fp} false, {fn} missed: precision {precision:.4f}, recall {recall:.4f}")
    mentioned = sum(1 for p in pages if "Gia Lai" in p.places)
    from ttdn.monitoring.models import Review

    print(f"pages naming Gia Lai: {mentioned}; stories in the desk's queue: {Review.objects.count()}")
    return {"bench": "monitoring", "pages": len(pages), "stories": stories, "workers": workers,
            "seconds": round(elapsed, 1), "articles_per_s": round(rate, 1),
            "cluster_precision": round(precision, 4), "cluster_recall": round(recall, 4),
            "langid_accuracy": accuracy, "langid_min": min(accuracy.values())}


if __name__ == "__main__":
    stories = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else (os.cpu_count() or 2)
    print(json.dumps(main(stories, workers), ensure_ascii=False))
