"""The one search interface (web UI, API and border-site nodes call these).

`search` answers in one SQL statement per backend (`search.backends`: SQLite FTS5, PostgreSQL): the word
index finds and ranks language variants with BM25 and the same field weights, the document table's columns
filter them and apply the same access rules as `ttdn.content.permissions`, and the variants are grouped by
item inside the query, so the limit counts items the caller may see. Each backend may answer from a first
stage (the best matches of its word index, PostgreSQL's champion lists or impact index) when that is
certain to give the same page.

The index's maintenance lives in `search.indexing` (and the PostgreSQL lists' in `backends.postgres`); its
services are named here too, for the callers of this interface.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from ttdn.content import visibility
from ttdn.content.models import Item, Variant
from ttdn.core import languages
from ttdn.search import backends, reads, snippets
from ttdn.search import query as q
from ttdn.search.backends import base
from ttdn.search.backends.base import DOC, Match
from ttdn.search.indexing import (
    INDEX_FORMAT,
    do_reindex_all,
    index_format,
    index_items,
    index_pending,
    on_items_changed,
)
from ttdn.search.models import SearchDocument

__all__ = [
    "INDEX_FORMAT", "ItemHit", "SearchQuery", "SearchResults", "VariantHit", "backend_name", "do_build_impact_index",
    "do_build_toplists", "do_rebuild_impact_index_if_changed", "do_reindex_all", "index_format", "index_items",
    "index_pending", "on_items_changed", "search", "visibility_q",
]

MAX_LIMIT = 100


@dataclass
class SearchQuery:
    text: str
    kinds: Sequence[str] = ()
    topics: Sequence[str] = ()  # Topic.code
    languages: Sequence[str] = ()  # BCP 47 tags
    provinces: Sequence[str] = ()  # AdminUnit keys
    states: Sequence[str] = ()  # Item.State values (only honoured for users who may see them)
    date_from: dt.date | None = None  # published_at (updated_at before publication)
    date_to: dt.date | None = None
    limit: int = 10
    offset: int = 0
    # Only published material inside its validity window (the published list), whoever asks.
    live_only: bool = False


@dataclass
class VariantHit:
    language: str
    title: str
    snippet_html: str
    score: float
    title_html: str = ""  # the title, escaped, with the matched words marked
    # False for the item's other language versions the caller may see, listed after the matching ones
    # (score 0), so a Vietnamese query shows the item with its Lao and Khmer versions.
    matched: bool = True


@dataclass
class ItemHit:
    item_id: int
    item_uid: str
    kind: str
    score: float
    variants: list[VariantHit]  # best variant first
    state: str = ""


@dataclass
class SearchResults:
    hits: list[ItemHit]
    total: int
    took_ms: float
    # True when no item held every word and items holding any of them are shown instead.
    relaxed: bool = False
    # True when more than TOTAL_CAP items match: `total` is then TOTAL_CAP ("more than 1,000").
    total_capped: bool = False


def backend_name() -> str:
    return backends.current().NAME


# PostgreSQL's index structures, kept in its backend (imported when first used: it brings numpy).
def do_build_toplists() -> int:
    from ttdn.search.backends import postgres

    return postgres.do_build_toplists()


def do_build_impact_index() -> int:
    from ttdn.search.backends import postgres

    return postgres.do_build_impact_index()


def do_rebuild_impact_index_if_changed() -> int:
    from ttdn.search.backends import postgres

    return postgres.do_rebuild_impact_index_if_changed()


# ------------------------------------------------------------------------------------------- searching


def visibility_q(user: Any, now: dt.datetime) -> Q:
    """`permissions.visible_items` and `permissions.shown_variants`, over the document columns: compiled
    from the one table of rules (`content.visibility`)."""
    return visibility.documents_q(user, now)


def _languages(query: SearchQuery) -> list[str]:
    return [languages.canonical_tag(t) or t for t in query.languages]


def _date_bounds(query: SearchQuery) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The date filter as [from, before): the start of its first day and of the day after its last."""
    since = _day_start(query.date_from) if query.date_from else None
    before = _day_start(query.date_to + dt.timedelta(days=1)) if query.date_to else None
    return since, before


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _filters_q(user: Any, query: SearchQuery, now: dt.datetime) -> Q:
    where = visibility_q(user, now)
    if query.live_only:
        where &= visibility.live_q(now)
    if query.kinds:
        where &= Q(kind__in=list(query.kinds))
    if query.languages:
        where &= Q(language__in=_languages(query))
    if query.states:
        where &= Q(state__in=list(query.states))
    if query.topics:
        any_topic = Q()
        for code in query.topics:
            any_topic |= Q(topics__contains=f" {code} ")
        where &= any_topic
    if query.provinces:
        any_province = Q()
        for key in query.provinces:
            any_province |= Q(provinces__contains=f" {key} ")
        where &= any_province
    since, before = _date_bounds(query)
    if since:
        where &= Q(date__gte=since)
    if before:
        where &= Q(date__lt=before)
    return where


def _where_sql(where: Q) -> tuple[str, list[Any]]:
    """The filter as SQL over the unaliased document table, compiled by the ORM (types and escaping)."""
    qs = SearchDocument.objects.filter(where)
    compiler = qs.query.get_compiler(connection=connection)
    sql, params = compiler.compile(qs.query.where)
    return (sql or "1=1"), list(params)

def _prepare(parsed: q.ParsedQuery, any_term: bool = False) -> Match:
    return backends.current().prepare(parsed, any_term)


def _ranked(
    match: Match | None, where_sql: str, where_params: list[Any], limit: int, offset: int
) -> tuple[list[tuple[Any, ...]], int]:
    """The page's rows (grouped by item, best first) and the total, counted up to the cap."""
    backend = backends.current()
    if match is not None and limit:
        found = backend.first_stage(match, where_sql, where_params, limit, offset)
        if found is not None:
            return found
    rows = base.run(*backend.matches_sql(match, where_sql, where_params), limit, offset) if limit else []
    total = int(rows[0][4]) if rows else (backend.count(match, where_sql, where_params) if offset or not limit else 0)
    return rows, total


def search(user: Any, query: SearchQuery) -> SearchResults:
    """Items matching the query that this user may see (None: the anonymous public), best first, each with
    its matching language versions (best first) and highlighted snippets."""
    # Read from one server throughout: the replica when this request may read from it (ttdn.ops.replica).
    with reads.one_server():
        return _search(user, query)


def _search(user: Any, query: SearchQuery) -> SearchResults:
    started = time.perf_counter()
    limit = max(0, min(int(query.limit), MAX_LIMIT))
    offset = max(0, int(query.offset))
    parsed = q.parse(query.text)
    where_sql, where_params = _where_sql(_filters_q(user, query, timezone.now()))
    relaxed = False
    if parsed:
        match: Match | None = _narrowed(_prepare(parsed), query)
    elif query.text.strip() and not any(ch.isalnum() for ch in query.text):
        return SearchResults([], 0, (time.perf_counter() - started) * 1000)  # only punctuation: nothing to find
    else:
        match = None
    rows, total = _ranked(match, where_sql, where_params, limit, offset)
    pieces: list[tuple[Any, ...]] = []
    if parsed.has_pieces() and total < offset + limit:
        # The page reaches past the items holding each Lao, Khmer or Chinese run whole: the items holding
        # only its words, wherever they stand, follow them (a match on pieces never outranks the word).
        pieces, total = _pieces_tier(parsed, query, where_sql, where_params, limit, offset, total, rows)
    if total == 0 and len(parsed.terms) > 1:
        # No item holds every word: show those holding any of them, still ranked.
        parsed = parsed.with_pieces()
        match = _narrowed(_prepare(parsed, any_term=True), query)
        rows, total = _ranked(match, where_sql, where_params, limit, offset)
        relaxed = total > 0
    if match is not None and rows:
        rows += _other_versions(rows, where_sql, where_params)
    hits = _hits(rows, parsed)
    if pieces:
        hits += _hits(pieces + _other_versions(pieces, where_sql, where_params), parsed.with_pieces())
    return SearchResults(hits, min(total, base.TOTAL_CAP), (time.perf_counter() - started) * 1000, relaxed=relaxed,
                         total_capped=total > base.TOTAL_CAP)


def _pieces_tier(
    parsed: q.ParsedQuery, query: SearchQuery, where_sql: str, where_params: list[Any], limit: int, offset: int,
    whole: int, page: list[tuple[Any, ...]],
) -> tuple[list[tuple[Any, ...]], int]:
    """The rows of the items that hold the query only with a run's words apart (ranked among themselves),
    for the part of the page after the `whole` items holding it as typed (`page`: their rows on this page);
    and the total of both."""
    match = _narrowed(_prepare(parsed.with_pieces()), query)
    # Every item of the first tier is among these (the words are in the run): read past them.
    rows, total = _ranked(match, where_sql, where_params, offset + limit + whole, 0)
    if whole:
        if offset:
            strict, _n = _ranked(_narrowed(_prepare(parsed), query), where_sql, where_params, whole, 0)
        else:
            strict = page  # fewer than a page hold it as typed: the first page holds them all (no second search)
        held = {r[1] for r in strict}
        rows = [r for r in rows if r[1] not in held]
    order: list[int] = []
    for r in rows:
        if not order or order[-1] != r[1]:
            order.append(r[1])
    keep = set(order[max(0, offset - whole):offset + limit - whole])
    return [r for r in rows if r[1] in keep], max(total, whole)


def _narrowed(match: Match, query: SearchQuery) -> Match:
    """The query's own filters on the documents' columns, for a backend that can apply them before its SQL
    does (PostgreSQL's impact index)."""
    if match.evaluation is None:
        return match
    filters = [("language", _languages(query)), ("kind", list(query.kinds)), ("provinces", list(query.provinces)),
               ("topics", list(query.topics))]
    since, before = _date_bounds(query)
    # The date bounds a second wider: the SQL decides at the microsecond.
    return backends.current().narrowed(match, filters, since.timestamp() - 1 if since else None,
                                       before.timestamp() + 1 if before else None)


def _other_versions(rows: list[tuple[Any, ...]], where_sql: str, where_params: list[Any]) -> list[tuple[Any, ...]]:
    """The shown items' language versions that did not match, under the same filters and access rules."""
    matched = {r[0] for r in rows}
    best = {r[1]: r[3] for r in rows}
    ids = ",".join(str(int(i)) for i in best)
    with reads.connection().cursor() as cursor:
        # The items' rows first (by the item index), then the filters over them under the table's name.
        cursor.execute(
            f"WITH c AS MATERIALIZED (SELECT * FROM {DOC} WHERE item_id IN ({ids})) "  # noqa: S608
            f"SELECT variant_id, item_id, state, kind FROM c AS {DOC} WHERE {where_sql} "
            f"ORDER BY {DOC}.item_id, {DOC}.language",
            where_params,
        )
        return [(vid, iid, None, best[iid], 0, state, kind) for vid, iid, state, kind in cursor.fetchall()
                if vid not in matched]


@dataclass
class _Shown:
    """What a hit shows of a language version (the fields snippets read)."""

    pk: int
    language: str
    title: str
    summary: str
    body: str


def _shown(variant_ids: list[int]) -> tuple[dict[int, _Shown], dict[int, str]]:
    """The variants' texts and their items' uids, in one query (this runs for every search)."""
    uid_field = Item._meta.get_field("uid")
    marks = ", ".join(["%s"] * len(variant_ids))
    with reads.connection().cursor() as cursor:
        cursor.execute(
            f"SELECT v.id, v.item_id, v.language, v.title, v.summary, v.body, i.uid FROM {Variant._meta.db_table} AS v "  # noqa: S608
            f"JOIN {Item._meta.db_table} AS i ON i.id = v.item_id WHERE v.id IN ({marks})",
            variant_ids,
        )
        found = cursor.fetchall()
    variants = {row[0]: _Shown(row[0], *row[2:6]) for row in found}
    uids = {iid: str(uid_field.to_python(uid)) for _v, iid, *_rest, uid in found}
    return variants, uids


def _hits(rows: list[tuple[Any, ...]], parsed: q.ParsedQuery) -> list[ItemHit]:
    if not rows:
        return []
    variants, uids = _shown([r[0] for r in rows])
    shown = [(vid, iid, s, best, state, kind) for vid, iid, s, best, _total, state, kind in rows if vid in variants]
    # The page's snippets at once: the files of the variants that need them are read in one query.
    texts = snippets.snippets_for([(variants[r[0]], r[2] is not None) for r in shown], parsed)
    hits: list[ItemHit] = []
    by_item: dict[int, ItemHit] = {}
    for (vid, iid, s, best, state, kind), snippet_html in zip(shown, texts, strict=True):
        # grouped by item, best first; other versions last
        variant = variants[vid]
        hit = by_item.get(iid)
        if hit is None:
            hit = by_item[iid] = ItemHit(iid, str(uids.get(iid, "")), kind, -float(best), [], state)
            hits.append(hit)
        hit.variants.append(VariantHit(
            language=variant.language,
            title=variant.title,
            snippet_html=snippet_html,
            score=-float(s) if s is not None else 0.0,
            title_html=snippets.highlight(variant.title, parsed),
            matched=s is not None,
        ))
    return hits
