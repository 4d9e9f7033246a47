"""One polling pass: due feeds, then articles waiting to be fetched, each host at its polite pace.

Politeness: at least TTDN_MONITORING_HOST_INTERVAL seconds (5) between two requests to one host; after a 429 or
503 the host is left alone for its Retry-After, or a doubling back-off; robots.txt is read once a day per host
and obeyed; feeds are asked with If-None-Match / If-Modified-Since. A host not yet allowed is simply skipped:
its feed stays due and its articles wait for the next pass.

Adaptive schedule: a feed with new entries is polled twice as often (down to 15 minutes), one without 1.5 times
less often (up to a day). Five failures in a row pause it; the sources page shows it and an officer resumes it.
"""

from __future__ import annotations

import datetime as dt
import time
import urllib.robotparser
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ttdn.core import audit
from ttdn.monitoring import fetch, parse, pipeline
from ttdn.monitoring.models import Article, ArticleStatus, Feed, FeedKind, Host

MIN_INTERVAL = 15 * 60
MAX_INTERVAL = 24 * 3600
PAUSE_AFTER = 5
ROBOTS_TTL = dt.timedelta(days=1)
MAX_ARTICLE_ATTEMPTS = 3
MAX_BACKOFF = 6 * 3600


def host_interval() -> float:
    return float(getattr(settings, "TTDN_MONITORING_HOST_INTERVAL", 5.0))


@dataclass
class PassReport:
    feeds_polled: int = 0
    feeds_failed: int = 0
    entries_new: int = 0
    articles_done: int = 0
    articles_failed: int = 0
    skipped_polite: int = 0
    errors: list[str] = field(default_factory=list)


def _host(url: str) -> Host:
    name = fetch.host_of(url)
    host = Host.objects.filter(name=name).first()
    if host is None:
        try:
            with transaction.atomic():
                host = Host.objects.create(name=name, next_allowed_at=timezone.now() - dt.timedelta(seconds=1))
        except IntegrityError:
            host = Host.objects.get(name=name)
    return host


def _ready(host: Host, now: dt.datetime) -> bool:
    return host.next_allowed_at <= now


def _after_request(host: Host, exc: fetch.FetchError | None = None) -> None:
    """Move the host's next slot: the polite interval, or the back-off a 429/503 asked for."""
    now = timezone.now()
    wait = host_interval()
    if exc is not None and exc.status in (429, 503):
        host.backoff_seconds = min(MAX_BACKOFF, max(60, host.backoff_seconds * 2 or 60))
        wait = max(wait, exc.retry_after if exc.retry_after is not None else host.backoff_seconds)
    elif exc is None:
        host.backoff_seconds = 0
    host.next_allowed_at = now + dt.timedelta(seconds=wait)
    host.save(update_fields=["next_allowed_at", "backoff_seconds"])


def _robots(host: Host, now: dt.datetime) -> urllib.robotparser.RobotFileParser | None:
    """The host's rules; None when they must be fetched first and the host is not ready for it."""
    if host.robots_fetched_at is None or now - host.robots_fetched_at > ROBOTS_TTL:
        if not _ready(host, now):
            return None
        text = ""
        error: fetch.FetchError | None = None
        try:
            text = parse.decode(fetch.get(host.name + "/robots.txt", limit=512 * 1024, timeout=10).body)
        except fetch.FetchError as exc:
            error = exc
            # No robots.txt (4xx): everything allowed. A server error or no answer: nothing, until it answers.
            text = "" if 400 <= exc.status < 500 and exc.status != 429 else "User-agent: *\nDisallow: /\n"
        host.robots_txt = text
        host.robots_fetched_at = now if error is None or error.status else now - ROBOTS_TTL + dt.timedelta(hours=1)
        host.save(update_fields=["robots_txt", "robots_fetched_at"])
        _after_request(host, error)
    rules = urllib.robotparser.RobotFileParser()
    rules.parse(host.robots_txt.splitlines())
    return rules


def _allowed(rules: urllib.robotparser.RobotFileParser, url: str) -> bool:
    return rules.can_fetch(fetch.USER_AGENT.split("/")[0], url)


def _fail_feed(feed: Feed, message: str, now: dt.datetime) -> None:
    feed.failures += 1
    feed.last_error = message[:500]
    feed.last_polled_at = now
    wait = min(MAX_INTERVAL, feed.interval_seconds * (2 ** min(feed.failures, 5)))
    feed.next_poll_at = now + dt.timedelta(seconds=wait)
    fields = ["failures", "last_error", "last_polled_at", "next_poll_at"]
    if feed.failures >= PAUSE_AFTER and feed.paused_at is None:
        feed.paused_at = now
        fields.append("paused_at")
        audit.record(None, "monitoring.feed.pause", feed, failures=feed.failures, error=feed.last_error)
    feed.save(update_fields=fields)


def poll_feed(feed: Feed, report: PassReport) -> bool:
    """Fetch one due feed if its host allows; False when skipped for politeness."""
    now = timezone.now()
    host = _host(feed.url)
    rules = _robots(host, now)
    host.refresh_from_db()
    if rules is None or not _ready(host, timezone.now()):
        report.skipped_polite += 1
        return False
    if not _allowed(rules, feed.url):
        _fail_feed(feed, _("robots.txt of the host forbids this address."), now)
        report.feeds_failed += 1
        return True
    report.feeds_polled += 1
    try:
        response = fetch.get(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    except fetch.FetchError as exc:
        _after_request(host, exc)
        _fail_feed(feed, str(exc), now)
        report.feeds_failed += 1
        report.errors.append(f"{feed.url}: {exc}")
        return True
    _after_request(host)
    new = 0
    if not response.not_modified:
        try:
            kind, entries = parse.parse_feed(response.body, response.url, response.headers.get("content-type", ""))
        except parse.ParseError as exc:
            _fail_feed(feed, str(exc), now)
            report.feeds_failed += 1
            report.errors.append(f"{feed.url}: {exc}")
            return True
        feed.kind = FeedKind.SITEMAP if kind == "sitemap" else FeedKind.FEED
        new = _add_entries(feed, entries)
        feed.etag = response.headers.get("etag", "")[:300]
        feed.last_modified = response.headers.get("last-modified", "")[:100]
    report.entries_new += new
    feed.interval_seconds = (max(MIN_INTERVAL, feed.interval_seconds // 2) if new
                             else min(MAX_INTERVAL, int(feed.interval_seconds * 1.5)))
    feed.failures = 0
    feed.last_error = ""
    feed.last_new_entries = new
    feed.last_polled_at = feed.last_ok_at = now
    feed.next_poll_at = now + dt.timedelta(seconds=feed.interval_seconds)
    feed.save()
    return True


def _add_entries(feed: Feed, entries: list[parse.Entry]) -> int:
    keys = {parse.url_key(e.url): e for e in entries}
    known = set(Article.objects.filter(url_key__in=list(keys)).values_list("url_key", flat=True))
    rows = [Article(feed=feed, outlet_id=feed.outlet_id, url=e.url[:2000], url_key=k, title=e.title[:1000],
                    text=e.summary, language=e.language[:16], published_at=e.published)
            for k, e in keys.items() if k not in known]
    Article.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def fetch_article(article: Article, watch: pipeline.Watch, report: PassReport,
                  batch: list[tuple[Article, pipeline.Processed]] | None = None) -> bool:
    """Fetch and process one waiting article if its host allows; stored at once, or added to `batch` for the
    caller to store with others (`pipeline.store_batch`). False when skipped for politeness."""
    now = timezone.now()
    host = _host(article.url)
    rules = _robots(host, now)
    host.refresh_from_db()
    if rules is None or not _ready(host, timezone.now()):
        report.skipped_polite += 1
        return False
    article.attempts += 1
    if not _allowed(rules, article.url):
        article.status = ArticleStatus.FAILED
        article.error = _("robots.txt of the host forbids this address.")
        article.save(update_fields=["status", "error", "attempts"])
        report.articles_failed += 1
        return True
    try:
        response = fetch.get(article.url)
    except fetch.FetchError as exc:
        _after_request(host, exc)
        article.error = str(exc)[:500]
        if exc.permanent or article.attempts >= MAX_ARTICLE_ATTEMPTS or exc.status not in (0, 429, 503):
            article.status = ArticleStatus.FAILED
        article.save(update_fields=["status", "error", "attempts"])
        report.articles_failed += 1
        report.errors.append(f"{article.url}: {exc}")
        return True
    _after_request(host)
    entry = parse.Entry(article.url, article.title, article.text, article.published_at, article.language)
    outlet_language = article.outlet.language
    result = pipeline.process(response.body, response.headers.get("content-type", ""), response.url, watch,
                              entry=entry, outlet_language=outlet_language)
    article.save(update_fields=["attempts"])
    if batch is None:
        pipeline.store(article, result, watch)
    else:
        batch.append((article, result))
    report.articles_done += 1
    return True


def run_pass(*, budget_seconds: float = 50.0, max_requests: int = 200) -> PassReport:
    """Poll what is due within a time budget (the worker runs a pass a minute)."""
    report = PassReport()
    pipeline.current_watch()  # built (or found current) before the clock starts: it is not fetching time
    started = time.monotonic()
    done = 0
    now = timezone.now()
    for feed in Feed.objects.filter(paused_at__isnull=True, next_poll_at__lte=now).select_related("outlet") \
            .order_by("next_poll_at")[:max_requests]:
        if time.monotonic() - started > budget_seconds or done >= max_requests:
            break
        if poll_feed(feed, report):
            done += 1
    watch = pipeline.current_watch()
    # Sweeps over the waiting articles, one request per host at a time: between sweeps the pass sleeps until
    # the next host is allowed again, while its time lasts — so a busy outlet gets a page every few seconds,
    # not one a pass, and other hosts are served in between.
    while time.monotonic() - started < budget_seconds and done < max_requests:
        progressed = False
        # A sweep's pages are stored together, in batches (one transaction each), before the next sweep reads
        # what is still waiting.
        batch: list[tuple[Article, pipeline.Processed]] = []
        for article in Article.objects.filter(status=ArticleStatus.PENDING).select_related("outlet") \
                .order_by("found_at", "pk")[:max_requests * 5]:
            if time.monotonic() - started > budget_seconds or done >= max_requests:
                break
            if fetch_article(article, watch, report, batch):
                done += 1
                progressed = True
            if len(batch) >= pipeline.BATCH:
                pipeline.store_batch(batch, watch)
                batch = []
        pipeline.store_batch(batch, watch)
        if progressed:
            continue
        hosts = {fetch.host_of(url) for url in Article.objects.filter(status=ArticleStatus.PENDING)
                 .values_list("url", flat=True)[:max_requests * 5]}
        soonest = Host.objects.filter(name__in=hosts).order_by("next_allowed_at").values_list(
            "next_allowed_at", flat=True).first()
        if soonest is None:
            break
        wait = (soonest - timezone.now()).total_seconds()
        if wait > budget_seconds - (time.monotonic() - started):
            break
        time.sleep(max(0.05, wait))
    return report
