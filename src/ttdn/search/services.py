"""The one search interface (web UI, API and border-site nodes call these) and the index updates.

`search` answers in one SQL statement per backend: the word index finds and ranks language variants
(FTS5 `bm25()` with column weights on SQLite, `ts_rank_cd` with A/B/C/D weights on PostgreSQL), the
document table's columns filter them and apply the same access rules as `ttdn.content.permissions`, and
the variants are grouped by item inside the query, so the limit counts items the caller may see.

On a large PostgreSQL index the impact index (`search.impact`: every word's documents and weighted counts as
arrays in this process) names the candidates and bounds first, and counts; the same SQL ranks the page.

`index_items` keeps the index current: it is registered with `content.changes` and runs inside the
transaction of every content write; a deferring writer (a node's apply) has it drop the items at once and
queue them for `index_pending`, run after the commit. `do_reindex_all` rebuilds everything (`ttdn reindex`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ttdn.content import changes, visibility
from ttdn.content.models import Attachment, Item, Variant
from ttdn.core import audit, languages
from ttdn.core.text import html_to_text
from ttdn.search import impact, snippets
from ttdn.search import query as q
from ttdn.search.models import IndexInfo, PendingIndex, SearchDocument
from ttdn.search.normalize import index_tokens

# Column weights: a word in the title counts ten times one in the body. PostgreSQL has four weight
# classes: A title, B summary, C body, D files and meta (topics, kind, language), in the same ratios.
FTS5_WEIGHTS = (10.0, 5.0, 1.0, 1.0, 1.0)
PG_WEIGHTS = "{0.1,0.1,0.5,1.0}"  # D, C, B, A
PG_WEIGHT_SCALE = 0.1  # PostgreSQL weights are at most 1: FTS5's divided by ten
BM25_K1, BM25_B = 1.2, 0.75  # FTS5's constants
# Tokens kept per field. PostgreSQL positions stop at 16383; the caps keep both backends on the same text.
FIELD_CAPS = {"title": 1000, "summary": 3000, "body": 50_000, "files": 50_000, "meta": 500}
# Where each field's positions start in the tsvector, so a phrase never spans two fields.
PG_OFFSETS = {"title": 1, "meta": 1002, "summary": 1504, "body": 4506, "files": 14_000}
PG_WEIGHT_OF = {"title": "A", "meta": "D", "summary": "B", "body": "C", "files": "D"}
BATCH = 500
MAX_LIMIT = 100
# Items are counted up to this many: counting every match of a common word costs more than the search.
TOTAL_CAP = 1000
# SQLite's first stage: the best FIRST_K matches from the word index, doubled while too few items qualify
# under the filters, up to MAX_K (then the exact query over every match).
FIRST_K = 200
MAX_K = 16_000
# PostgreSQL's first stage: champion lists (search_toplist) for every lexeme in more than TOPLIST_MIN_DF
# documents, each holding the TOPLIST_SIZE documents where the lexeme weighs most; a search reads the best
# PG_FIRST_K entries of each list, four times more while too few items are certain, up to PG_MAX_K.
TOPLIST_MIN_DF = 5000
TOPLIST_SIZE = 1000
TOPLIST_SAMPLE = 20  # one document in 20 (by id) sets the lists' floors
PG_FIRST_K = 100
PG_MAX_K = 400
# Documents of a phrase without a list (its lexemes are rare) read as candidates, at most.
PG_MAX_ENUMERATED = 2000
# The threshold bound holds for short queries (their best documents are near the top of every list); a
# longer AND has few matches and the full query is the cheaper one.
PG_MAX_TERMS = 3
# What do_reindex_all writes (the documents: the text pipeline of normalize, and the fields) and
# do_build_toplists (the lists). An index of another format is rebuilt at migrate (apps.py); a benchmark
# corpus indexed by code with other versions is rebuilt by the benchmark instead of reused.
INDEX_FORMAT = "2"
TOPLIST_FORMAT = "1"


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
    return "postgresql" if connection.vendor == "postgresql" else "sqlite-fts5"


# ------------------------------------------------------------------------------------------- indexing


def _meta_text(kind: str, language: str, topics: list[tuple[str, str, str]], kind_labels: dict[str, str]) -> str:
    """Kind, language and topics, in Vietnamese and English, so `tờ gấp` or `tiếng Lào` find material."""
    words = [kind.replace("_", " "), kind_labels.get(kind, ""), language]
    lang = languages.get(language)
    if lang is not None:
        words += [lang.name_vi, lang.name_en]
    for code, name, name_en in topics:
        words += [code.replace("-", " "), name, name_en]
    return " ".join(words)


_KIND_LABELS: dict[str, str] = {}


def _kind_labels() -> dict[str, str]:
    if _KIND_LABELS:
        return _KIND_LABELS  # the labels are constants: computed once per process
    from django.utils import translation

    from ttdn.content.models import ItemKind

    labels = {}
    for kind in ItemKind:
        with translation.override("vi"):
            vi = str(kind.label)
        labels[kind.value] = f"{vi} {kind.label}"
    _KIND_LABELS.update(labels)
    return labels


def _tsvector(fields: dict[str, list[str]]) -> str:
    """A tsvector literal: every lexeme with its positions and weight classes."""
    positions: dict[str, list[str]] = {}
    for name, tokens in fields.items():
        start, weight = PG_OFFSETS[name], PG_WEIGHT_OF[name]
        for i, token in enumerate(tokens):
            places = positions.setdefault(token, [])
            if len(places) < 256:  # PostgreSQL keeps at most 256 positions per lexeme
                places.append(f"{min(start + i, 16383)}{weight}")
    return " ".join(q._lexeme(tok) + ":" + ",".join(places) for tok, places in positions.items())


def _tokens(text: str, cap: int) -> list[str]:
    if not text:
        return []
    tokens = index_tokens(text)
    if tokens and max(map(len, tokens)) > q.MAX_TOKEN_LENGTH:
        tokens = [t for t in tokens if len(t) <= q.MAX_TOKEN_LENGTH]
    return tokens[:cap]


@functools.lru_cache(maxsize=4096)
def _meta_tokens(text: str) -> tuple[str, ...]:
    # The same few kind/language/topic texts recur on every variant: tokenised once.
    return tuple(_tokens(text, FIELD_CAPS["meta"]))


def _fields(texts: dict[str, str]) -> dict[str, list[str]]:
    return {
        name: list(_meta_tokens(text)) if name == "meta" else _tokens(text, FIELD_CAPS[name])
        for name, text in texts.items()
    }


@dataclass
class _Rows:
    """One batch's content, read with one query per table (rows, not model instances)."""

    items: list[dict[str, Any]]
    variants: dict[int, list[dict[str, Any]]]  # by item id, in Variant's order
    files: dict[int, list[str]]  # variant id -> "filename extracted text", in Attachment's order
    topics: dict[int, list[tuple[str, str, str]]]  # item id -> (code, name, name_en), in Topic's order
    provinces: dict[int, list[str]]  # item id -> AdminUnit keys, in AdminUnit's order


def _rows_for_index(item_ids: Sequence[int]) -> _Rows:
    items: list[dict[str, Any]] = [dict(row) for row in Item.objects.filter(pk__in=item_ids).order_by("pk").values(
        "id", "kind", "state", "agency_id", "audience", "classification", "valid_from", "valid_until",
        "published_at", "updated_at",
    )]
    variants: dict[int, list[dict[str, Any]]] = {}
    for row in Variant.objects.filter(item_id__in=item_ids).values(
        "id", "item_id", "language", "title", "summary", "body", "revision", "source_variant_id", "source_revision",
        "translation_state",
    ):
        variants.setdefault(row["item_id"], []).append(dict(row))
    files: dict[int, list[str]] = {}
    for vid, filename, text in Attachment.objects.filter(variant__item_id__in=item_ids).values_list(
        "variant_id", "filename", "asset__extracted_text"
    ):
        files.setdefault(vid, []).append(f"{filename} {text}")
    topics: dict[int, list[tuple[str, str, str]]] = {}
    # In Topic's and AdminUnit's own orders, as item.topics.all() would give them.
    topic_links = Item.topics.through.objects.filter(item_id__in=item_ids).order_by("topic__name", "topic_id")
    for iid, code, name, name_en in topic_links.values_list("item_id", "topic__code", "topic__name", "topic__name_en"):
        topics.setdefault(iid, []).append((code, name, name_en))
    provinces: dict[int, list[str]] = {}
    province_links = Item.target_provinces.through.objects.filter(item_id__in=item_ids).order_by(
        "adminunit__level", "adminunit__name", "adminunit_id")
    for iid, key in province_links.values_list("item_id", "adminunit__key"):
        provinces.setdefault(iid, []).append(key)
    return _Rows(items, variants, files, topics, provinces)


def _is_ready(variant: dict[str, Any], source_revision: int | None) -> bool:
    """`permissions.is_ready` over a variant row."""
    return visibility.version_ready(variant["source_variant_id"] is None, variant["translation_state"],
                                    variant["source_revision"], source_revision)


_DOC_COLUMNS = ("variant_id", "item_id", "language", "kind", "state", "agency_id", "audience", "classification",
                "ready", "valid_from", "valid_until", "date", "topics", "provinces", "vec", "length")


def _drop_documents(cursor: Any, id_list: str) -> None:
    """Remove these items' documents from the index (on SQLite a trigger removes their words with them) and,
    on PostgreSQL, from the champion lists."""
    cursor.execute(f"DELETE FROM {_DOC} WHERE item_id IN ({id_list})")  # noqa: S608
    if connection.vendor == "postgresql":
        cursor.execute(f"DELETE FROM search_toplist WHERE item_id IN ({id_list})")  # noqa: S608
        impact.note_changed(cursor, [int(i) for i in id_list.split(",")])


def _index_batch(item_ids: Sequence[int], kind_labels: dict[str, str], *, fresh: bool = False) -> int:
    pg = connection.vendor == "postgresql"
    when = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        id_list = ",".join(str(int(i)) for i in item_ids)
        if not fresh:
            _drop_documents(cursor, id_list)
        rows = _rows_for_index(item_ids)
        docs: list[tuple[Any, ...]] = []
        fts_rows: list[tuple[Any, ...]] = []
        for item in rows.items:
            iid = item["id"]
            variants = rows.variants.get(iid, [])
            source_revision = next((v["revision"] for v in variants if v["source_variant_id"] is None), None)
            item_topics = rows.topics.get(iid, [])
            topics = " ".join(code for code, _name, _en in item_topics)
            provinces = " ".join(rows.provinces.get(iid, []))
            date = when(item["published_at"] or item["updated_at"])
            valid_from, valid_until = when(item["valid_from"]), when(item["valid_until"])
            for variant in variants:
                fields = _fields({
                    "title": variant["title"],
                    "summary": variant["summary"],
                    "body": html_to_text(variant["body"]),
                    "files": " ".join(rows.files.get(variant["id"], [])),
                    "meta": _meta_text(item["kind"], variant["language"], item_topics, kind_labels),
                })
                docs.append((
                    variant["id"], iid, variant["language"], item["kind"], item["state"], item["agency_id"],
                    item["audience"], item["classification"], _is_ready(variant, source_revision), valid_from,
                    valid_until, date, f" {topics} " if topics else "", f" {provinces} " if provinces else "",
                    _tsvector(fields) if pg else None, sum(len(tokens) for tokens in fields.values()),
                ))
                if not pg:
                    fts_rows.append((variant["id"], *(" ".join(fields[n]) for n in FTS_COLUMNS)))
        if docs:
            marks = ", ".join("%s::tsvector" if pg and c == "vec" else "%s" for c in _DOC_COLUMNS)
            cursor.executemany(
                f"INSERT INTO {_DOC} ({', '.join(_DOC_COLUMNS)}) VALUES ({marks})", docs  # noqa: S608
            )
        if fts_rows:
            cursor.executemany(
                "INSERT INTO search_fts (rowid, title, summary, body, files, meta) VALUES (%s, %s, %s, %s, %s, %s)",
                fts_rows,
            )
        if pg and docs and not fresh:
            _toplists_add(cursor, id_list)
    return len(docs)


FTS_COLUMNS = ("title", "summary", "body", "files", "meta")


def index_items(item_ids: Iterable[int]) -> None:
    """(Re)index these items' variants and drop what no longer exists. Runs in the caller's transaction."""
    ids = sorted({int(i) for i in item_ids})
    if not ids:
        return
    labels = _kind_labels()
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            _index_batch(ids[start:start + BATCH], labels)


def do_reindex_all(progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index in one transaction (searches see the old index until it commits).

    `progress(done, total)` counts variants. Returns how many were indexed.
    """
    pg = connection.vendor == "postgresql"
    labels = _kind_labels()
    total = Variant.objects.count()
    done = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if not pg:
            cursor.execute("DELETE FROM search_fts")  # first: the documents' trigger then finds no words
        SearchDocument.objects.all().delete()
        PendingIndex.objects.all().delete()  # everything is indexed below
        if pg:
            cursor.execute("DELETE FROM search_toplist")  # rebuilt at the end, from the new documents
            # Building the GIN index once at the end is several times faster than maintaining it row by row.
            cursor.execute("DROP INDEX IF EXISTS search_doc_vec")
        if progress:
            progress(0, total)
        item_ids = list(Item.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(item_ids), BATCH):
            done += _index_batch(item_ids[start:start + BATCH], labels, fresh=True)
            if progress:
                progress(done, total)
        if pg:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred foreign-key checks first, then DDL
            cursor.execute("CREATE INDEX search_doc_vec ON search_searchdocument USING gin (vec)")
            cursor.execute("ANALYZE search_searchdocument")
            _FREQUENCIES["at"] = -1e9  # read the new statistics at the next search
            _AVERAGE["at"] = -1e9
            do_build_toplists()
            do_build_impact_index()
        else:
            cursor.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
        _set_info("format", INDEX_FORMAT)
        audit.record(None, "search.index.rebuild", None, variants=done, backend=backend_name())
    return done


def _set_info(key: str, value: str) -> None:
    IndexInfo.objects.update_or_create(key=key, defaults={"value": value})


def index_format() -> dict[str, str]:
    """The index's stamps: `format` (the documents) and, on PostgreSQL, `toplists` (the champion lists)."""
    return dict(IndexInfo.objects.values_list("key", "value"))


# PostgreSQL champion lists. A document's weight for a lexeme is BM25's term part without the idf:
# w = f / (f + k1·(1 − b + b·len/avglen)) with f the lexeme's occurrences weighted by class (what ts_rank_cd
# counts for one lexeme), computed here from the tsvector itself. The average length is the one at build
# time (stored); a search converts the lists' bounds to the current average (see _lift).
_CLASS_WEIGHTS = dict(zip("DCBA", (float(w) for w in PG_WEIGHTS.strip("{}").split(",")), strict=True))
# f below counts the A and B classes apart, C and D (equal weights) together.
assert _CLASS_WEIGHTS["C"] == _CLASS_WEIGHTS["D"]
_LOW = _CLASS_WEIGHTS["C"]
_F_SQL = (f"({_LOW} * cardinality(u.weights) + {_CLASS_WEIGHTS['A'] - _LOW} * cardinality(array_positions(u.weights, "
          f"'A')) + {_CLASS_WEIGHTS['B'] - _LOW} * cardinality(array_positions(u.weights, 'B')))")
# An upper bound of f, cheap (every occurrence weighs at most 1): most rows are dropped on it.
_F_MAX_SQL = f"({max(_CLASS_WEIGHTS.values())} * cardinality(u.weights))"
# The weight of each tsvector position: its field's (PG_OFFSETS), for the impact index's phrases.
_WEIGHT_AT = np.zeros(impact.POSITIONS, np.float64)
for _name, _start in sorted(PG_OFFSETS.items(), key=lambda kv: kv[1]):
    _WEIGHT_AT[_start:] = _CLASS_WEIGHTS[PG_WEIGHT_OF[_name]]


def _w_sql(avg: float, f: str = _F_SQL) -> str:
    k1 = BM25_K1 * PG_WEIGHT_SCALE
    return f"({f} / ({f} + {k1} * ({1 - BM25_B} + {BM25_B} * d.length / {float(avg)!r})))"


def _listed_sql(avg: float, where: str) -> str:
    """The rows (lexeme, w, variant_id, item_id) a list must hold for these documents."""
    return (
        f"SELECT u.lexeme, {_w_sql(avg)}, d.variant_id, d.item_id FROM {_DOC} AS d "  # noqa: S608
        "CROSS JOIN LATERAL unnest(d.vec) AS u JOIN search_toplexeme AS t ON t.lexeme = u.lexeme "
        f"WHERE {where} AND {_w_sql(avg, _F_MAX_SQL)} > t.floor AND {_w_sql(avg)} > t.floor"
    )


TOPLIST_INDEXES = (
    "CREATE INDEX search_toplist_rank ON search_toplist (lexeme, w DESC) INCLUDE (variant_id, item_id)",
    "CREATE INDEX search_toplist_item ON search_toplist (item_id)",
)


def do_build_toplists() -> int:
    """(Re)build PostgreSQL's champion lists from the documents' tsvectors (no text is read again).

    One document in TOPLIST_SAMPLE says which lexemes are frequent (more than about TOPLIST_MIN_DF
    documents) and sets each one's floor where about TOPLIST_SIZE documents weigh more; then one pass lists
    every document whose weight is above its lexeme's floor. The floor is all a search relies on: every
    document holding the lexeme with a weight above it is listed (index_items keeps that true), whatever
    the sample was. The lists are emptied and their indexes dropped inside the transaction, so searches wait
    for it (minutes at a million documents). Returns how many lexemes have a list."""
    m = TOPLIST_SAMPLE
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_toplist, search_toplexeme")
        cursor.execute(f"SELECT greatest(avg(length), 1.0) FROM {_DOC}")  # noqa: S608
        avg = float(cursor.fetchone()[0] or 1.0)
        w = _w_sql(avg)
        rank = max(1, TOPLIST_SIZE // m)
        cursor.execute("DROP INDEX IF EXISTS search_toplist_rank")  # built once at the end: much faster
        cursor.execute("DROP INDEX IF EXISTS search_toplist_item")
        cursor.execute(
            "INSERT INTO search_toplexeme (lexeme, df, floor) "  # noqa: S608
            "SELECT lexeme, n * %s, coalesce(max(w) FILTER (WHERE rn = %s), 0) FROM ("
            f"SELECT u.lexeme, {w} AS w, row_number() OVER (PARTITION BY u.lexeme ORDER BY {w} DESC) AS rn, "
            "count(*) OVER (PARTITION BY u.lexeme) AS n "
            f"FROM {_DOC} AS d CROSS JOIN LATERAL unnest(d.vec) AS u "
            "WHERE d.variant_id %% %s = 0) AS r GROUP BY lexeme, n HAVING n * %s > %s",
            [m, rank, m, m, TOPLIST_MIN_DF],
        )
        cursor.execute("INSERT INTO search_toplist (lexeme, w, variant_id, item_id) " + _listed_sql(avg, "true"))
        cursor.execute(TOPLIST_INDEXES[0])
        cursor.execute(TOPLIST_INDEXES[1])
        cursor.execute("ANALYZE search_toplist")
        cursor.execute("ANALYZE search_toplexeme")
        cursor.execute("SELECT count(*) FROM search_toplexeme")
        lexemes = int(cursor.fetchone()[0])
        _set_info("toplist_avg_length", repr(avg))
        _set_info("toplists", TOPLIST_FORMAT)
        audit.record(None, "search.index.toplists", None, lexemes=lexemes)
    return lexemes


def do_build_impact_index() -> int:
    """(Re)build PostgreSQL's impact index (search.impact) from the documents; returns its lexemes."""
    nested = connection.in_atomic_block
    with transaction.atomic():
        if not nested:
            # One snapshot for the documents and for the changes the build absorbs (search_delta's rows it
            # sees): a change committed meanwhile stays listed and is still ranked from the table.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        lexemes = impact.build(_F_SQL)
        audit.record(None, "search.index.impact", None, lexemes=lexemes)
    return lexemes


def do_rebuild_impact_index_if_changed() -> int:
    """The worker's periodic check: a new build once REBUILD_AFTER items changed since the last (or, on a
    hub that has none yet, since the upgrade that brought it), or when the last was built in an earlier
    format; 0: nothing done."""
    if connection.vendor != "postgresql":
        return 0
    if impact.changed_items() < impact.REBUILD_AFTER and not impact.outdated():
        return 0
    return do_build_impact_index()


def _toplists_add(cursor: Any, id_list: str) -> None:
    """List these items' new documents wherever their weight is above the list's floor (the invariant
    searches rely on). Lexemes that became frequent since the last build get no list: searched exactly."""
    cursor.execute("SELECT value FROM search_indexinfo WHERE key = 'toplist_avg_length'")
    row = cursor.fetchone()
    if row is None:
        return
    cursor.execute("INSERT INTO search_toplist (lexeme, w, variant_id, item_id) "
                   + _listed_sql(float(row[0]), f"d.item_id IN ({id_list})"))


def on_items_changed(item_ids: list[int]) -> None:
    """The content.changes listener: the index follows inside the writer's transaction, or, when the writer
    defers (a node applying a batch), the items leave the index at once — nothing stale or no longer
    permitted is ever found — and come back by `index_pending` after the commit."""
    if not changes.is_deferring():
        index_items(item_ids)
        return
    ids = sorted({int(i) for i in item_ids})
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            _drop_documents(cursor, ",".join(map(str, ids[start:start + BATCH])))
        PendingIndex.objects.bulk_create([PendingIndex(item_id=i) for i in ids], ignore_conflicts=True)


def index_pending(batch: int = BATCH) -> int:
    """Index the queued items, a batch per transaction (a crash loses at most the batch under way, which
    stays queued). Returns how many items were indexed."""
    done = 0
    while True:
        with transaction.atomic():
            ids = list(PendingIndex.objects.order_by("item_id").values_list("item_id", flat=True)[:batch])
            if not ids:
                return done
            index_items(ids)
            PendingIndex.objects.filter(item_id__in=ids).delete()
        done += len(ids)


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


_DOC = "search_searchdocument"

_GROUPED = """
, g AS (SELECT iid, MIN(s) AS best, MAX(dt) AS latest FROM m GROUP BY iid),
top AS (SELECT iid, best, latest, COUNT(*) OVER () AS total FROM g ORDER BY best, latest DESC, iid DESC
        LIMIT %s OFFSET %s)
SELECT m.vid, m.iid, m.s, top.best, top.total, search_searchdocument.state, search_searchdocument.kind
FROM top JOIN m ON m.iid = top.iid JOIN search_searchdocument ON search_searchdocument.variant_id = m.vid
ORDER BY top.best, top.latest DESC, top.iid DESC, m.s, m.vid
"""


@dataclass
class _Match:
    expr: str  # the FTS5 expression or tsquery literal that selects the documents
    # PostgreSQL: every phrase of the query (each alternative's, of every term) as a tsquery with its weight
    # (inverse document frequency). A variant's score sums them: FTS5's bm25 counts phrases, not terms.
    phrases: list[tuple[str, float]] = field(default_factory=list)
    avg_length: float = 1.0
    # Each phrase's whole lexemes (a prefix's last token left out): its weight is at most each of theirs
    # (see above _pg_top).
    lexemes: list[tuple[str, ...]] = field(default_factory=list)
    # Each term as its alternatives, each alternative as the indexes of its phrases.
    terms: list[list[list[int]]] = field(default_factory=list)
    any_term: bool = False
    # With the impact index: what its arrays say about the query, and the items changed since its build.
    evaluation: impact.Evaluation | None = None
    delta_items: list[int] = field(default_factory=list)


def _matches_sql(match: _Match | None, where_sql: str, where_params: list[Any]) -> tuple[str, list[Any]]:
    """The ranked, filtered variants (`m`): lower s is better on both backends."""
    head = "WITH m AS MATERIALIZED ("
    cols = f"{_DOC}.variant_id AS vid, {_DOC}.item_id AS iid"
    if match is None:
        return (f"{head}SELECT {cols}, 0.0 AS s, {_DOC}.date AS dt FROM {_DOC} WHERE {where_sql})", where_params)  # noqa: S608
    if connection.vendor == "postgresql":
        # FTS5's bm25: Σ idf · f·(k1+1) / (f + k1·(1 − b + b·len/avglen)), f a term's occurrences weighted by
        # column. ts_rank_cd of one term without normalisation is exactly that weighted count (the weights
        # here are FTS5's divided by ten, hence k1/10), so both backends order results alike.
        k1 = BM25_K1 * PG_WEIGHT_SCALE
        counts = ", ".join(
            f"ts_rank_cd('{PG_WEIGHTS}'::float4[], {_DOC}.vec, %s::tsquery, 0) AS f{i}"
            for i in range(len(match.phrases))
        )
        norm = f"({k1} * ({1 - BM25_B} + {BM25_B} * x.len / %s))"
        score = " + ".join(f"%s * {BM25_K1 + 1} * x.f{i} / (x.f{i} + {norm})" for i in range(len(match.phrases)))
        score_params: list[Any] = [p for _phrase, idf in match.phrases for p in (idf, max(match.avg_length, 1.0))]
        # OFFSET 0 keeps the inner query whole, so each phrase's count is computed once per document. (Reading
        # the tsvector once, as a copy `vec || ''` for all counts, measured slower: most are small and inline.)
        return (
            f"{head}SELECT x.vid, x.iid, -({score}) AS s, x.dt FROM ("  # noqa: S608
            f"SELECT {cols}, {_DOC}.date AS dt, {_DOC}.length AS len, {counts} FROM {_DOC} "
            f"WHERE {_DOC}.vec @@ %s::tsquery AND {where_sql} OFFSET 0) AS x)",
            [*score_params, *(phrase for phrase, _idf in match.phrases), match.expr, *where_params],
        )
    weights = ", ".join(str(w) for w in FTS5_WEIGHTS)
    return (
        f"{head}SELECT {cols}, f.s AS s, {_DOC}.date AS dt "  # noqa: S608
        f"FROM (SELECT rowid AS rid, bm25(search_fts, {weights}) AS s FROM search_fts WHERE search_fts MATCH %s) AS f "
        # CROSS JOIN keeps the word index as the outer loop: SQLite would otherwise start from the document
        # table's state index and run the full-text query once per published document.
        f"CROSS JOIN {_DOC} ON {_DOC}.variant_id = f.rid WHERE {where_sql})",
        [match.expr, *where_params],
    )


_FREQUENCIES: dict[str, Any] = {"at": -1e9}
FREQUENCIES_TTL = 300.0  # seconds; the statistics only change when (auto)ANALYZE runs


def _lexeme_frequencies() -> tuple[dict[str, float], float]:
    """Share of documents holding each common lexeme (PostgreSQL's ANALYZE keeps them for tsvector columns),
    and the share assumed for any other lexeme. Cached per process (reading pg_stats costs milliseconds)."""
    now = time.monotonic()
    if now - _FREQUENCIES["at"] > FREQUENCIES_TTL:
        _FREQUENCIES["value"] = _read_lexeme_frequencies()
        _FREQUENCIES["at"] = now
    return _FREQUENCIES["value"]  # type: ignore[no-any-return]


def _read_lexeme_frequencies() -> tuple[dict[str, float], float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'search_searchdocument' AND attname = 'vec'"
        )
        row = cursor.fetchone()
    if not row or not row[0]:
        return {}, 0.001
    elems, freqs = row
    known = dict(zip(elems, freqs[: len(elems)], strict=False))
    rare = (freqs[len(elems)] / 2) if len(freqs) > len(elems) else 0.001
    return known, max(rare, 1e-6)


# Up to this many documents, terms are counted exactly (deterministic, and cheap at that size); beyond it,
# the column statistics of PostgreSQL's ANALYZE say how common a term is (counting would cost more than
# the search).
EXACT_IDF_UP_TO = 50_000


_AVERAGE: dict[str, Any] = {"at": -1e9}


def _document_count() -> tuple[int, float, bool]:
    """How many documents, their average length, and whether those are exact (else cached estimates)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'search_searchdocument'")
        row = cursor.fetchone()
        if row and row[0] and row[0] > EXACT_IDF_UP_TO:
            now = time.monotonic()
            if now - _AVERAGE["at"] > FREQUENCIES_TTL:
                cursor.execute("SELECT avg(length) FROM search_searchdocument")
                _AVERAGE["value"] = float(cursor.fetchone()[0] or 1.0)
                _AVERAGE["at"] = now
            return int(row[0]), float(_AVERAGE["value"]), False
        cursor.execute("SELECT count(*), avg(length) FROM search_searchdocument")
        count, average = cursor.fetchone()
        return int(count), float(average or 1.0), True


def _documents_with(tsquery: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_searchdocument WHERE vec @@ %s::tsquery", [tsquery])
        return int(cursor.fetchone()[0])


def _idf(total: int, n: float) -> float:
    """FTS5's bm25 idf: ln(1 + (N − n + 0.5) / (n + 0.5)), n the documents holding the phrase."""
    return max(math.log(1 + (total - n + 0.5) / (n + 0.5)), 1e-6)


def _phrases(parsed: q.ParsedQuery) -> tuple[list[q.Phrase], list[list[list[int]]]]:
    """Every phrase of the query in order, and each term as its alternatives, each as its phrases' indexes."""
    phrases: list[q.Phrase] = []
    terms: list[list[list[int]]] = []
    for term in parsed.terms:
        alternatives: list[list[int]] = []
        for alternative in term.alternatives:
            alternatives.append(list(range(len(phrases), len(phrases) + len(alternative))))
            phrases.extend(alternative)
        terms.append(alternatives)
    return phrases, terms


def _whole(phrase: q.Phrase) -> tuple[str, ...]:
    """A phrase's whole lexemes (a prefix's last token left out)."""
    return phrase.tokens[:-1] if phrase.prefix else phrase.tokens


def _impact_match(parsed: q.ParsedQuery, any_term: bool, segment: impact.Segment, changed: list[int]) -> _Match:
    """The query against the impact index's arrays: n is the documents holding each phrase there (for a
    phrase of several lexemes, estimated from a sample of those holding them all), the average length the
    index's."""
    phrases, terms = _phrases(parsed)
    specs = [impact.PhraseSpec(_whole(p), p.tokens[-1] if p.prefix else None) for p in phrases]

    def idf(n: int) -> float:
        return _idf(segment.documents, n)

    with connection.cursor() as cursor:
        evaluation = impact.evaluate(cursor, segment, changed, specs, terms, any_term, idf,
                                     BM25_K1 * PG_WEIGHT_SCALE, BM25_B, BM25_K1 + 1, _WEIGHT_AT)
    weighed = [(q.phrase_tsquery(p), idf(n)) for p, n in zip(phrases, evaluation.counts, strict=True)]
    return _Match(q.to_tsquery(parsed, any_term=any_term), weighed, segment.avg_length,
                  [spec.whole for spec in specs], terms, any_term, evaluation, changed)


def _pg_match(parsed: q.ParsedQuery, any_term: bool) -> _Match:
    """Each phrase's idf as FTS5's bm25 computes it (`_idf`), n the documents holding the phrase: from the
    impact index when there is one, else counted on a small index or estimated from the column statistics."""
    with connection.cursor() as cursor:
        current = impact.current(cursor)
    if current is not None:
        return _impact_match(parsed, any_term, *current)
    total, average, exact = _document_count()
    known, rare = ({}, 0.0) if exact else _lexeme_frequencies()
    phrases, terms = _phrases(parsed)
    weighed: list[tuple[str, float]] = []
    counted: dict[str, int] = {}  # a phrase repeated in the query is counted once
    for phrase in phrases:
        tsquery = q.phrase_tsquery(phrase)
        if exact:
            if tsquery not in counted:
                counted[tsquery] = _documents_with(tsquery)
            n = float(counted[tsquery])
        else:
            share = min((known.get(t, rare) for t in _whole(phrase)), default=1.0)
            if phrase.prefix:
                # At most the share of the listed lexemes it stands for (summed: an upper bound).
                stem = phrase.tokens[-1]
                share = min(share, max(rare, min(1.0, sum(f for e, f in known.items() if e.startswith(stem)))))
            n = share * total
        weighed.append((tsquery, _idf(total, n)))
    return _Match(q.to_tsquery(parsed, any_term=any_term), weighed, average, [_whole(p) for p in phrases], terms,
                  any_term)


def _match(parsed: q.ParsedQuery, any_term: bool = False) -> _Match:
    if connection.vendor == "postgresql":
        return _pg_match(parsed, any_term)
    return _Match(q.to_fts5(parsed, any_term=any_term))


def _run(
    match: _Match | None, where_sql: str, where_params: list[Any], limit: int, offset: int
) -> list[tuple[Any, ...]]:
    sql, params = _matches_sql(match, where_sql, where_params)
    with connection.cursor() as cursor:
        cursor.execute(sql + _GROUPED, [*params, limit, offset])
        return list(cursor.fetchall())


def _count(match: _Match | None, where_sql: str, where_params: list[Any]) -> int:
    """How many items match, counted up to TOTAL_CAP + 1."""
    if match is not None and connection.vendor != "postgresql":
        # Unranked and unmaterialised: SQLite stops reading the word index at the cap.
        sql = (f"SELECT COUNT(*) FROM (SELECT DISTINCT {_DOC}.item_id FROM "  # noqa: S608
               f"(SELECT rowid AS rid FROM search_fts WHERE search_fts MATCH %s) AS f "
               f"CROSS JOIN {_DOC} ON {_DOC}.variant_id = f.rid WHERE {where_sql} LIMIT %s)")
        params = [match.expr, *where_params, TOTAL_CAP + 1]
    elif match is not None and match.evaluation is not None:
        return _impact_count(match, where_sql, where_params, _changed_matching(match, where_sql, where_params))
    elif match is not None:
        return _pg_count(match, where_sql, where_params)
    else:
        sql, params = _matches_sql(match, where_sql, where_params)
        sql += " SELECT COUNT(*) FROM (SELECT DISTINCT iid FROM m LIMIT %s) AS c"
        params = [*params, TOTAL_CAP + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


_BM25 = "bm25(search_fts, " + ", ".join(str(w) for w in FTS5_WEIGHTS) + ")"


def _sqlite_top(
    match: _Match, where_sql: str, where_params: list[Any], limit: int, offset: int
) -> tuple[list[tuple[Any, ...]], int] | None:
    """Two stages on SQLite: the best k matches from the word index (FTS5 ranks them itself, with the same
    weights), then the filters over those rows only. An item whose best score is strictly better than the
    k-th match's is certainly placed right (any match not fetched scores no better than the k-th). Returns
    the rows `_run` would, with the total (exact, or counted up to the cap), or None past MAX_K."""
    need = offset + limit
    k = max(FIRST_K, 4 * need)
    with connection.cursor() as cursor:
        while True:
            if k > MAX_K:
                return None
            # bm25() in ORDER BY … LIMIT: SQLite keeps only the best k (FTS5's own `ORDER BY rank` sorts all).
            cursor.execute(
                f"SELECT rowid, {_BM25} AS s FROM search_fts WHERE search_fts MATCH %s ORDER BY s LIMIT %s",  # noqa: S608
                [match.expr, k],
            )
            top = cursor.fetchall()
            complete = len(top) < k  # every match was fetched: the order and the total are exact
            threshold = top[-1][1] if top else 0.0
            score = dict(top)
            docs: list[tuple[Any, ...]] = []
            if top:
                ids = ",".join(str(int(rid)) for rid, _s in top)
                # The rows by primary key first: SQLite would otherwise walk the state index over every
                # published document and test each against the list.
                cursor.execute(
                    f"WITH c AS MATERIALIZED (SELECT * FROM {_DOC} WHERE variant_id IN ({ids})) "  # noqa: S608
                    f"SELECT variant_id, item_id, date, state, kind FROM c AS {_DOC} WHERE {where_sql}",
                    where_params,
                )
                docs = cursor.fetchall()
            groups: dict[int, list[Any]] = {}  # item id -> [best, latest, item id]
            for vid, iid, date, _state, _kind in docs:
                g = groups.get(iid)
                if g is None:
                    groups[iid] = [score[vid], date, iid]
                else:
                    g[0] = min(g[0], score[vid])
                    if date is not None and (g[1] is None or date > g[1]):
                        g[1] = date
            items = [g for g in groups.values() if complete or g[0] < threshold]
            if complete or len(items) >= need:
                break
            k *= 2
        # The full query's order: best score, then the latest, then the newest item.
        items.sort(key=lambda g: g[2], reverse=True)
        items.sort(key=lambda g: (g[1] is not None, g[1] or ""), reverse=True)
        items.sort(key=lambda g: g[0])
        total = len(items) if complete else _count(match, where_sql, where_params)
        shown = items[offset:need]
        if not shown:
            return [], total
        best = {g[2]: g[0] for g in shown}
        rows = [(vid, iid, score[vid], best[iid], total, state, kind) for vid, iid, _d, state, kind in docs
                if iid in best]
        if not complete:
            # The shown items' other language versions may match below the k-th: scored by one lookup over
            # their range of ids (a rowid range is a seek in the word index; a list of ids would rerun it).
            known = {r[0] for r in rows}
            cursor.execute(
                f"WITH c AS MATERIALIZED (SELECT * FROM {_DOC} WHERE item_id IN ({','.join(map(str, best))})) "  # noqa: S608
                f"SELECT variant_id, item_id, state, kind FROM c AS {_DOC} WHERE {where_sql}",
                where_params,
            )
            others = {vid: (iid, state, kind) for vid, iid, state, kind in cursor.fetchall() if vid not in known}
            if others:
                cursor.execute(
                    f"SELECT rowid, {_BM25} FROM search_fts WHERE search_fts MATCH %s "  # noqa: S608
                    f"AND rowid BETWEEN %s AND %s AND +rowid IN ({','.join(map(str, others))})",
                    [match.expr, min(others), max(others)],
                )
                for vid, s in cursor.fetchall():
                    iid, state, kind = others[vid]
                    rows.append((vid, iid, s, best[iid], total, state, kind))
    order = {g[2]: n for n, g in enumerate(shown)}
    rows.sort(key=lambda r: (order[r[1]], r[2], r[0]))
    return rows, total


def _pg_count(match: _Match, where_sql: str, where_params: list[Any]) -> int:
    """How many items match on PostgreSQL, counted up to TOTAL_CAP + 1 without ranking: the first rows
    found are read, and all of them only when those hold too few items to reach the cap."""
    cap = TOTAL_CAP + 1
    rows_read = 4 * cap
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(DISTINCT iid), count(*) FROM (SELECT {_DOC}.item_id AS iid FROM {_DOC} "  # noqa: S608
            f"WHERE {_DOC}.vec @@ %s::tsquery AND {where_sql} LIMIT %s) AS c",
            [match.expr, *where_params, rows_read],
        )
        items, rows = cursor.fetchone()
        if items >= cap or rows < rows_read:
            return min(int(items), cap)
        cursor.execute(
            f"SELECT count(DISTINCT {_DOC}.item_id) FROM {_DOC} "  # noqa: S608
            f"WHERE {_DOC}.vec @@ %s::tsquery AND {where_sql}",
            [match.expr, *where_params],
        )
        return min(int(cursor.fetchone()[0]), cap)


def _lift(weight: float, ratio: float) -> float:
    """A list's weight bound, made valid for the current average length: with r = min(1, built/current),
    1 − b + b·len/avg shrinks at most by r, so w = f/(f + k1·c) ≤ W/(W + r·(1 − W)) when it was ≤ W. The
    small widening covers ts_rank_cd's float4 weights against the exact ones summed here."""
    w = min(1.0, weight * (1 + 1e-6))
    return w / (w + ratio * (1 - w)) if w < 1.0 else 1.0


# Why a phrase's weight is at most each of its lexemes' (the bound _pg_top puts on a phrase), from
# ts_rank_cd's cover density: it adds, per cover (a minimal span of the document holding a match, each with
# a different first position), the harmonic mean of the weights of the positions in it, divided by
# 1 + noise ≥ 1. A phrase's cover is one match: its first position holds the phrase's first lexeme, and
# the i-th lexeme stands i − 1 further, so covers map to distinct positions of every lexeme of the phrase.
# The positions of one match are consecutive, hence in one field (PG_OFFSETS leaves a gap between fields;
# body and files overlap, but weigh the same), so the mean is that field's weight, the lexeme's weight there.
# So the phrase's weighted count is at most each lexeme's, and w = f/(f + k1·…) grows with f on one document.
# A prefix's last token stands for many lexemes and bounds nothing; a phrase that is only a prefix is
# bounded by 1.


def _pg_top(
    match: _Match, where_sql: str, where_params: list[Any], limit: int, offset: int
) -> tuple[list[tuple[Any, ...]], int] | None:
    """Two stages on PostgreSQL (the threshold algorithm over the champion lists): the best k entries of
    one list per phrase name candidate items, whose matching variants are ranked exactly (the same SQL as the
    full query, over those items only). A variant outside them scores at most B = Σ idf·(k1+1)·u over the
    phrases, u the k-th entry's weight of the phrase's list (or the list's floor once it is read whole);
    a phrase of rare lexemes only (no list) has every document holding it among the candidates (u = 0), a
    phrase that is only a prefix u = 1. So an item whose best score beats B is placed right, and the page
    is certain when its last item does. Returns `_run`'s rows with the total (counted up to the cap), or None:
    then the exact query over every match (in an AND, a term each of whose alternatives holds a lexeme
    without a list matches few documents, so that one is cheap)."""
    every = sorted({lex for lexemes in match.lexemes for lex in lexemes})
    if not every or len(match.terms) > PG_MAX_TERMS:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme, floor, df FROM search_toplexeme WHERE lexeme = ANY(%s) UNION ALL "
            "SELECT NULL, value::float8, NULL FROM search_indexinfo WHERE key = 'toplist_avg_length'",
            [every],
        )
        found = cursor.fetchall()
    floors = {lex: floor for lex, floor, _df in found if lex is not None}
    df = {lex: n for lex, _floor, n in found if lex is not None}
    built = next((value for lex, value, _df in found if lex is None), None)
    if built is None:
        return None  # no lists
    has_rare = [any(lex not in floors for lex in lexemes) for lexemes in match.lexemes]
    if not match.any_term and any(all(any(has_rare[i] for i in alt) for alt in alts) for alts in match.terms):
        return None  # a term that matches few documents: the exact query is the cheap one
    # Each phrase is bounded by one list: its rarest listed lexeme's (every document holding the phrase holds it).
    pick = [min((lex for lex in lexemes if lex in floors), key=lambda lex: (df[lex], lex), default=None)
            for lexemes in match.lexemes]
    listed = sorted({lex for lex in pick if lex is not None})
    # Phrases of rare lexemes only: every document holding one of those lexemes is a candidate.
    enumerated = [i for i, lex in enumerate(pick) if lex is None and match.lexemes[i]]
    extra: set[int] = set()
    if enumerated:
        rare_query = " | ".join(q._lexeme(match.lexemes[i][0]) for i in enumerated)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT {_DOC}.item_id FROM {_DOC} WHERE {_DOC}.vec @@ %s::tsquery AND {where_sql} "  # noqa: S608
                "LIMIT %s",
                [rare_query, *where_params, PG_MAX_ENUMERATED + 1],
            )
            extra = {iid for (iid,) in cursor.fetchall()}
        if len(extra) > PG_MAX_ENUMERATED:
            return None
    ratio = min(1.0, built / max(match.avg_length, 1.0))
    sql, params = _candidates_sql(match, where_sql, where_params)
    need = offset + limit
    k = max(PG_FIRST_K, 4 * need)
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT t.lexeme, l.w, l.item_id FROM unnest(%s::text[]) AS t(lexeme) CROSS JOIN LATERAL "
                "(SELECT w, item_id FROM search_toplist AS l WHERE l.lexeme = t.lexeme ORDER BY w DESC LIMIT %s) AS l",
                [listed, k],
            )
            entries: dict[str, list[float]] = {lex: [] for lex in listed}
            items = set(extra)
            for lex, w, iid in cursor.fetchall():
                entries[lex].append(w)
                items.add(iid)
            read_whole = {lex for lex, ws in entries.items() if len(ws) < k}
            bound = 0.0
            for (_phrase, idf), lex, lexemes in zip(match.phrases, pick, match.lexemes, strict=True):
                if lex is None:
                    u = 0.0 if lexemes else 1.0
                else:
                    u = floors[lex] if lex in read_whole else entries[lex][-1]
                bound += idf * (BM25_K1 + 1) * _lift(u, ratio)
            cursor.execute(sql, [sorted(items), *params, limit, offset])
            rows = cursor.fetchall()
            page = {r[1] for r in rows}
            if len(page) == limit and rows[-1][3] < -bound:
                break
            if len(read_whole) == len(listed) or k >= PG_MAX_K:
                return None
            k = min(4 * k, PG_MAX_K)
    total = _pg_count(match, where_sql, where_params)
    return [(*r[:4], total, *r[5:]) for r in rows], total


def _candidates_sql(match: _Match, where_sql: str, where_params: list[Any]) -> tuple[str, list[Any]]:
    """The full query's SQL over candidate items only (their ids its first parameter): their documents stand
    in for the table (a CTE of the same name), so every matching variant of a candidate item is scored and
    its best and latest are exact."""
    sql, params = _matches_sql(match, where_sql, where_params)
    return (f"WITH {_DOC} AS MATERIALIZED (SELECT * FROM {_DOC} WHERE item_id = ANY(%s)), "  # noqa: S608
            + sql.removeprefix("WITH ") + _GROUPED), params


# The impact index's first stage takes the documents of the best IMPACT_DEPTH · (offset + limit) scores
# (at least PG_FIRST_K), four times more while the page is not certain, and ranks at most IMPACT_MAX_ITEMS
# candidate items by SQL (then the full query).
IMPACT_DEPTH = 4
IMPACT_MAX_ITEMS = 20_000


def _changed_matching(match: _Match, where_sql: str, where_params: list[Any]) -> set[int]:
    """The items changed since the impact index was built that match now (from the table)."""
    if not match.delta_items:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT {_DOC}.item_id FROM {_DOC} WHERE {_DOC}.item_id = ANY(%s) "  # noqa: S608
            f"AND {_DOC}.vec @@ %s::tsquery AND {where_sql}",
            [match.delta_items, match.expr, *where_params],
        )
        return {int(iid) for (iid,) in cursor.fetchall()}


def _impact_top(
    match: _Match, where_sql: str, where_params: list[Any], limit: int, offset: int
) -> tuple[list[tuple[Any, ...]], int] | None:
    """The first stage with the impact index: the documents with the k best scores (or bounds) name the
    candidate items, with the changed items that match; SQL ranks them exactly under the filters. A document
    left out scores at most the best bound left out, so the page is certain once its last item beats that
    (or nothing was left out). Returns `_run`'s rows with the total, or None (too many candidates)."""
    found = match.evaluation
    assert found is not None
    changed = _changed_matching(match, where_sql, where_params)
    sql, params = _candidates_sql(match, where_sql, where_params)
    k = max(PG_FIRST_K, IMPACT_DEPTH * (offset + limit))
    slack = impact.SLACK
    with connection.cursor() as cursor:
        while True:
            # Every document tied with the k-th is taken too: the bound is strictly below the taken.
            taken, bound = found.top(k)
            items = set(np.unique(found.segment.item_of[taken]).tolist()) | changed
            if len(items) > IMPACT_MAX_ITEMS:
                return None
            cursor.execute(sql, [sorted(items), *params, limit, offset])
            rows = cursor.fetchall()
            if bound is None or (len({r[1] for r in rows}) == limit
                                 and -rows[-1][3] > bound * (1 + slack) + slack):
                break
            k *= 4
    total = _impact_count(match, where_sql, where_params, changed)
    return [(*r[:4], total, *r[5:]) for r in rows], total


def _impact_count(match: _Match, where_sql: str, where_params: list[Any], changed: set[int]) -> int:
    """How many items match, up to TOTAL_CAP + 1: the arrays' matching documents (their phrases verified)
    are checked against the filters by id, a slice at a time, until the cap is reached; the changed items
    matching are counted from the table."""
    found = match.evaluation
    assert found is not None
    cap = TOTAL_CAP + 1
    items = set(changed)
    docs, owners = found.matched, found.items
    # One document per run of the same item (an item's versions have neighbouring ids); where the filters
    # refuse it, the item's other documents are asked (the filters decide per language version).
    first = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if len(owners) else np.zeros(0, np.int64)
    select = (f"SELECT DISTINCT {_DOC}.item_id FROM {_DOC} WHERE {_DOC}.variant_id = ANY(%s) "  # noqa: S608
              f"AND {where_sql}")
    start, step = 0, cap + cap // 4
    with connection.cursor() as cursor:
        while len(items) < cap and start < len(first):
            chosen = first[start:start + step]
            for ask in (docs[chosen], None):
                if ask is None:
                    refused = set(owners[chosen].tolist()) - items
                    if not refused:
                        break
                    ask = docs[np.isin(owners, np.fromiter(refused, np.int64)) & ~np.isin(docs, docs[chosen])]
                holding = ask[found.verify(ask)[0]]
                if len(holding):
                    cursor.execute(select, [holding.tolist(), *where_params])
                    items.update(int(iid) for (iid,) in cursor.fetchall())
            start += len(chosen)
            step *= 2
    return min(len(items), cap)


def _ranked(
    match: _Match | None, where_sql: str, where_params: list[Any], limit: int, offset: int
) -> tuple[list[tuple[Any, ...]], int]:
    """The page's rows (grouped by item, best first) and the total, counted up to the cap."""
    if match is not None and limit:
        if connection.vendor == "postgresql":
            found = None
            if match.evaluation is not None:
                found = _impact_top(match, where_sql, where_params, limit, offset)
            if found is None:
                found = _pg_top(match, where_sql, where_params, limit, offset)
        else:
            found = _sqlite_top(match, where_sql, where_params, limit, offset)
        if found is not None:
            return found
    rows = _run(match, where_sql, where_params, limit, offset) if limit else []
    total = int(rows[0][4]) if rows else (_count(match, where_sql, where_params) if offset or not limit else 0)
    return rows, total


def search(user: Any, query: SearchQuery) -> SearchResults:
    """Items matching the query that this user may see (None: the anonymous public), best first, each with
    its matching language versions (best first) and highlighted snippets."""
    started = time.perf_counter()
    limit = max(0, min(int(query.limit), MAX_LIMIT))
    offset = max(0, int(query.offset))
    parsed = q.parse(query.text)
    where_sql, where_params = _where_sql(_filters_q(user, query, timezone.now()))
    relaxed = False
    if parsed:
        match: _Match | None = _narrowed(_match(parsed), query)
    elif query.text.strip() and not any(ch.isalnum() for ch in query.text):
        return SearchResults([], 0, (time.perf_counter() - started) * 1000)  # only punctuation: nothing to find
    else:
        match = None
    rows, total = _ranked(match, where_sql, where_params, limit, offset)
    if total == 0 and len(parsed.terms) > 1:
        # No item holds every word: show those holding any of them, still ranked.
        match = _narrowed(_match(parsed, any_term=True), query)
        rows, total = _ranked(match, where_sql, where_params, limit, offset)
        relaxed = total > 0
    if match is not None and rows:
        rows += _other_versions(rows, where_sql, where_params)
    hits = _hits(rows, parsed)
    return SearchResults(hits, min(total, TOTAL_CAP), (time.perf_counter() - started) * 1000, relaxed=relaxed,
                         total_capped=total > TOTAL_CAP)


def _narrowed(match: _Match, query: SearchQuery) -> _Match:
    """The query's own filters on the documents' columns applied in the impact index's arrays (the SQL checks
    every filter again): a filter that leaves few of many matches no longer has the first stage and the count
    ask the table about the rest."""
    if match.evaluation is None:
        return match
    filters = [("language", _languages(query)), ("kind", list(query.kinds)), ("provinces", list(query.provinces)),
               ("topics", list(query.topics))]
    since, before = _date_bounds(query)
    with connection.cursor() as cursor:
        # The date bounds a second wider: the SQL decides at the microsecond.
        mask = impact.allowed(cursor, match.evaluation.segment, filters,
                              since.timestamp() - 1 if since else None, before.timestamp() + 1 if before else None)
    if mask is not None:
        match.evaluation = match.evaluation.restricted(mask)
    return match


def _other_versions(rows: list[tuple[Any, ...]], where_sql: str, where_params: list[Any]) -> list[tuple[Any, ...]]:
    """The shown items' language versions that did not match, under the same filters and access rules."""
    matched = {r[0] for r in rows}
    best = {r[1]: r[3] for r in rows}
    ids = ",".join(str(int(i)) for i in best)
    with connection.cursor() as cursor:
        # The items' rows first (by the item index), then the filters over them under the table's name.
        cursor.execute(
            f"WITH c AS MATERIALIZED (SELECT * FROM {_DOC} WHERE item_id IN ({ids})) "  # noqa: S608
            f"SELECT variant_id, item_id, state, kind FROM c AS {_DOC} WHERE {where_sql} "
            f"ORDER BY {_DOC}.item_id, {_DOC}.language",
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
    with connection.cursor() as cursor:
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
