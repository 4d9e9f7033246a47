"""From a fetched page to a stored article: extraction, language, mentions, topics, near-duplicate clustering.

`process` is pure (no database): the benchmark and the poller share it. `store` writes one article's result in
one transaction: title duplicates within an outlet, the story it joins (or starts), its mentions, the reviews
of the desks whose province it names, and the alerts those raise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from ttdn.core import languages
from ttdn.monitoring import langid, minhash, parse
from ttdn.monitoring.matcher import Matcher, count_by_payload
from ttdn.monitoring.models import Article, ArticleStatus, Band, Mention, Review, Story, WatchList, WatchTerm
from ttdn.monitoring.topics import TOPIC_KEYWORDS
from ttdn.search.normalize import index_tokens

CLUSTER_WINDOW = dt.timedelta(days=30)  # a republication later than this is news again


@dataclass
class Watch:
    """Every watch list's terms and the country's other names, ready to match; topics likewise."""

    terms: Matcher
    topics: Matcher
    term_lists: dict[int, int] = field(default_factory=dict)  # term id → watch list id
    alert_terms: set[int] = field(default_factory=set)
    # Each desk's "spreading fast" thresholds: watch list id → (copies, hours); 0 copies: none for the desk.
    fast: dict[int, tuple[int, int]] = field(default_factory=dict)
    version: tuple[object, ...] = ()


def _other_names() -> list[str]:
    from ttdn.places.models import AdminUnit, BorderSite

    names = set(AdminUnit.objects.values_list("short_name", flat=True))
    names |= set(BorderSite.objects.values_list("name", flat=True))
    return sorted(n for n in names if n)


def _thresholds() -> dict[int, tuple[int, int]]:
    from ttdn.monitoring import alerts

    return {pk: alerts.thresholds(copies, hours)
            for pk, copies, hours in WatchList.objects.values_list("id", "fast_copies", "fast_hours")}


def _version() -> tuple[object, ...]:
    agg = WatchTerm.objects.aggregate(n=Count("id"))
    last = WatchTerm.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return int(agg["n"] or 0), int(last), tuple(sorted(_thresholds().items()))


def topic_matcher() -> Matcher:
    topics = Matcher()
    for code, words in TOPIC_KEYWORDS.items():
        for word in words:
            topics.add(word, code)
    return topics


def build_watch(blockers: list[str] | None = None) -> Watch:
    terms = Matcher()
    terms.add_blockers(_other_names() if blockers is None else blockers)
    term_lists: dict[int, int] = {}
    alerts: set[int] = set()
    for pk, text, list_id, alert in WatchTerm.objects.values_list("id", "term", "watch_list_id", "alert"):
        terms.add(text, pk)
        term_lists[pk] = list_id
        if alert:
            alerts.add(pk)
    return Watch(terms, topic_matcher(), term_lists, alerts, _thresholds(), _version())


_cached: Watch | None = None


def current_watch() -> Watch:
    """The watch, rebuilt when a term was added or removed or a desk's thresholds changed (names of places
    change only with a data load)."""
    global _cached
    if _cached is None or _cached.version != _version():
        _cached = build_watch()
    return _cached


@dataclass
class Processed:
    title: str
    text: str
    language: str
    published: dt.datetime | None
    title_key: str
    signature: bytes
    bands: list[int]
    mentions: dict[int, int]  # term id → count
    topics: list[str]


def process(body: bytes, content_type: str, url: str, watch: Watch, *, entry: parse.Entry | None = None,
            outlet_language: str = "") -> Processed:
    """Everything about one page that needs no database."""
    html_text = parse.decode(body, content_type)
    page = parse.extract(html_text, url)
    title = page.title or (entry.title if entry else "")
    text = page.text or (entry.summary if entry else "")
    language = langid.identify(f"{title}\n{text}", page.lang_tag or (entry.language if entry else ""),
                               outlet_language)
    published = page.published or (entry.published if entry else None)
    # Cut once: the title's and the text's tokens for matching, the text's alone for the signature.
    text_tokens = index_tokens(text) if text else []
    tokens = index_tokens(title) + text_tokens
    mentions: dict[int, int] = count_by_payload(watch.terms.find_tokens(tokens))  # type: ignore[assignment]
    topics = sorted({str(hit.payload) for hit in watch.topics.find_tokens(tokens)})
    lang = languages.get(language) if language else None
    sig = minhash.signature(text or title, unspaced=bool(lang and lang.unspaced),
                            tokens=text_tokens if text else None)
    return Processed(title=title, text=text, language=language, published=published,
                     title_key=parse.title_key(title), signature=minhash.to_bytes(sig),
                     bands=[] if minhash.is_empty(sig) else minhash.band_keys(sig), mentions=mentions,
                     topics=topics)


@dataclass
class Stored:
    article: Article
    story: Story | None
    new_story: bool = False
    duplicate: bool = False
    new_reviews: list[Review] = field(default_factory=list)


BATCH = 50  # articles stored in one transaction (by the benchmark, and by the poller within a sweep)
_STORED_FIELDS = ("title", "title_key", "text", "language", "published_at", "status", "error", "minhash",
                  "topics", "story", "duplicate", "attempts")


def store(article: Article, result: Processed, watch: Watch) -> Stored:
    """Write one processed article (already a row, found in a feed) and what follows from it."""
    return store_batch([(article, result)], watch)[0]


@dataclass
class _Slot:
    """One article of a batch while it is placed: the story it joins, an existing one (by id) or a new one."""

    article: Article
    result: Processed
    story_id: int | None = None
    new: Story | None = None
    creates: bool = False  # it starts the story
    duplicate: bool = False
    lists: set[int] = field(default_factory=set)


def store_batch(batch: list[tuple[Article, Processed]], watch: Watch) -> list[Stored]:
    """Write processed articles in one transaction, with the outcome of storing them one by one in that order:
    title duplicates within an outlet, the story each joins (or starts), mentions, the reviews of the desks whose
    province a story names, and the alerts those raise. The queries are a fixed number per batch, not per article:
    title twins, MinHash candidates, stories, mentions and reviews are each read or written once."""
    if not batch:
        return []
    with transaction.atomic():
        slots = [_Slot(article, result) for article, result in batch]
        _place(slots)
        return _write(slots, watch)


def _place(slots: list[_Slot]) -> None:
    """Decide, in memory after two reads, the story of each article: its title twin's, the most similar
    candidate's sharing a band (stored before, or earlier in the batch), or a new one."""
    since = timezone.now() - CLUSTER_WINDOW
    pks = [s.article.pk for s in slots]
    # Title twins stored earlier: (outlet, title key) → (article pk, story id) of the first.
    twins: dict[tuple[int, str], tuple[int, int | None, Story | None]] = {}
    keys = {s.result.title_key for s in slots if s.result.title_key}
    if keys:
        outlets = {s.article.outlet_id for s in slots}
        for pk, outlet_id, title_key, story_id in (
                Article.objects.filter(title_key__in=keys, outlet_id__in=outlets, status=ArticleStatus.DONE,
                                       story__isnull=False).exclude(pk__in=pks).order_by("pk")
                .values_list("pk", "outlet_id", "title_key", "story_id")):
            twins.setdefault((outlet_id, title_key), (pk, story_id, None))
    # Articles sharing a band with the batch, stored earlier: band → [(story id, signature)].
    by_band: dict[int, list[tuple[int | None, Story | None, bytes]]] = {}
    bands = {band for s in slots for band in s.result.bands}
    if bands:
        for band, story_id, sig in (
                Band.objects.filter(key__in=bands, article__found_at__gte=since, article__story__isnull=False)
                .exclude(article_id__in=pks).values_list("key", "article__story_id", "article__minhash")):
            by_band.setdefault(band, []).append((story_id, None, bytes(sig)))
    for slot in slots:
        article, result = slot.article, slot.result
        twin_key = (article.outlet_id, result.title_key)
        twin = twins.get(twin_key) if result.title_key else None
        if twin is not None:
            # The same title from the same outlet (an http/https or mobile copy): one article.
            slot.story_id, slot.new, slot.duplicate = twin[1], twin[2], True
            continue
        mine = minhash.from_bytes(result.signature)
        best: tuple[float, int | None, Story | None] = (0.0, None, None)
        seen: set[tuple[int | None, bytes]] = set()
        for band in result.bands:
            for known_id, new, sig in by_band.get(band, ()):
                ident = (known_id if new is None else -id(new), sig)
                if ident in seen:
                    continue
                seen.add(ident)
                score = minhash.similarity(mine, minhash.from_bytes(sig))
                if score > best[0]:
                    best = (score, known_id, new)
        if best[0] >= minhash.THRESHOLD and (best[1] is not None or best[2] is not None):
            slot.story_id, slot.new = best[1], best[2]
        else:
            slot.new = Story(title=result.title[:1000] or article.url[:1000], language=result.language,
                             first_seen_at=article.found_at, published_at=result.published)
            slot.creates = True
        if result.title_key:
            earlier = twins.get(twin_key)
            if earlier is None or earlier[0] > article.pk:
                twins[twin_key] = (article.pk, slot.story_id, slot.new)
        if article.found_at >= since:
            for band in result.bands:
                by_band.setdefault(band, []).append((slot.story_id, slot.new, result.signature))


def _write(slots: list[_Slot], watch: Watch) -> list[Stored]:
    from ttdn.monitoring import alerts

    created = [s.new for s in slots if s.creates and s.new is not None]
    Story.objects.bulk_create(created)
    known = Story.objects.select_for_update().in_bulk({s.story_id for s in slots if s.story_id is not None})
    stories: list[Story] = []
    for slot in slots:
        story = slot.new if slot.new is not None else known[slot.story_id]  # type: ignore[index]
        stories.append(story)
        article, result = slot.article, slot.result
        # One writer (the poller) stores an article once: its row as found in the feed is written over.
        article.title = result.title[:1000]
        article.title_key = result.title_key
        article.text = result.text
        article.language = result.language
        article.published_at = result.published
        article.status = ArticleStatus.DONE
        article.error = ""
        article.minhash = result.signature
        article.topics = result.topics
        article.story = story
        article.duplicate = slot.duplicate
    _update_rows(Article, _STORED_FIELDS, [s.article for s in slots])
    placed = [(slot, story) for slot, story in zip(slots, stories, strict=True) if not slot.duplicate]
    _insert_bands([(slot.article.pk, band) for slot, _s in placed for band in slot.result.bands])
    Mention.objects.bulk_create([Mention(article=slot.article, term_id=term_id, count=n) for slot, _s in placed
                                 for term_id, n in slot.result.mentions.items() if term_id in watch.term_lists])
    # Copies and outlets of every story an article joined (a story just started by one article keeps 1 and 1).
    joined = {story.pk for slot, story in placed if not slot.creates}
    if joined:
        by_pk = {story.pk: story for _slot, story in placed}
        for row in (Article.objects.filter(story_id__in=joined, duplicate=False).values("story_id")
                    .annotate(copies=Count("id"), outlets=Count("outlet", distinct=True))):
            story = by_pk[row["story_id"]]
            story.copies, story.outlets = row["copies"], row["outlets"]
        _update_rows(Story, ("copies", "outlets"), [by_pk[pk] for pk in sorted(joined)])
    # The desks whose province each article names; a republished story may now name a province the first copy
    # did not, and the reverse: an article joining a story counts the story's every mention.
    story_lists: dict[int, set[int]] = {}
    if joined:
        for story_id, list_id in (Mention.objects.filter(article__story_id__in=joined)
                                  .values_list("article__story_id", "term__watch_list_id").distinct()):
            story_lists.setdefault(story_id, set()).add(list_id)
    for slot, story in placed:
        slot.lists = {watch.term_lists[t] for t in slot.result.mentions if t in watch.term_lists}
        if not slot.creates:
            slot.lists |= story_lists.get(story.pk, set())
    wanted = sorted({(story.pk, list_id) for slot, story in placed for list_id in slot.lists})
    have = set(Review.objects.filter(story_id__in={pk for pk, _l in wanted}).values_list("story_id",
                                                                                         "watch_list_id"))
    new_reviews = [Review(story_id=pk, watch_list_id=list_id) for pk, list_id in wanted if (pk, list_id) not in have]
    Review.objects.bulk_create(new_reviews)
    out = [Stored(slot.article, story, slot.creates, slot.duplicate) for slot, story in zip(slots, stories,
                                                                                          strict=True)]
    first: dict[int, Stored] = {}
    for stored, slot in zip(out, slots, strict=True):
        if not slot.duplicate and stored.story is not None:
            first.setdefault(stored.story.pk, stored)
    for review in new_reviews:
        first[review.story_id].new_reviews.append(review)
    for slot, story in placed:
        if slot.lists:
            alerts.check_story(story, slot.article, slot.result, watch, slot.lists)
    return out


def _insert_bands(rows: list[tuple[int, int]]) -> None:
    """32 rows an article: one executemany, without a model instance each (bulk_create's cost is mostly
    building and compiling those)."""
    if not rows:
        return
    meta = Band._meta
    quote = connection.ops.quote_name
    by_name = {f.name: f for f in meta.concrete_fields}
    columns = ", ".join(quote(str(by_name[name].column)) for name in ("article", "key"))
    # Identifiers come from the model's meta, quoted; values are parameters.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _update_rows(model: type[Article] | type[Story], names: tuple[str, ...], rows: list[Any]) -> None:
    """UPDATE … WHERE id = %s through executemany: bulk_update's CASE WHEN per field costs more than the rest
    of the batch together."""
    if not rows:
        return
    meta = model._meta
    by_name = {f.name: f for f in meta.concrete_fields}
    fields = [by_name[name] for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    # Identifiers come from the model's meta, quoted; values are parameters.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"  # noqa: S608
    params = [[f.get_db_prep_save(getattr(a, f.attname), connection) for f in fields] + [a.pk] for a in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def watch_lists_of(story: Story) -> list[WatchList]:
    return list(WatchList.objects.filter(reviews__story=story))
