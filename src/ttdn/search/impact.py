"""PostgreSQL's impact index: for every lexeme, the documents holding it, its weighted count and its
positions in each, held in the hub's process as numpy arrays, so a common word's matches are scored,
bounded, filtered and counted without reading them from the table (GIN can only hand them all over,
unranked), and a phrase's places are looked for only in the documents that need it.

`build` writes it from the documents' tsvectors, in one snapshot, as packed arrays in search_posting and
search_segment (at the end of `do_reindex_all`, by `ttdn impact_index`, and by the worker once enough has
changed). Every index update after that lists its items in search_delta: their documents are left out of
the arrays and ranked by SQL from the table, so nothing stale or no longer permitted is ever found. The
arrays only propose candidates and bounds; the page itself is always ranked and filtered by SQL.
"""

from __future__ import annotations

import bisect
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from ttdn.search import reads

# Below this many documents the SQL ranking of every match is cheap and the idf is counted exactly.
MIN_DOCUMENTS = 50_000
# More items changed since the build than this: the index is not used (every search would rank them by SQL).
DELTA_MAX = 2000
# The worker rebuilds the index once this many items changed.
REBUILD_AFTER = 500
# 4: every lexeme's arrays in document order (read as they are, not sorted again at each load).
IMPACT_FORMAT = "4"
# tsvector positions run from 1 to 16383: a position's key in a document is variant id · POSITIONS + position.
POSITIONS = 16384


@dataclass
class Segment:
    """One build of the index, as loaded in this process."""

    id: int
    stamp: str  # the build's id and a random token: a database restored or rolled back has other builds
    documents: int
    avg_length: float
    item_of: np.ndarray  # item id per variant id (−1: no document), int64, indexed by variant id
    length: np.ndarray  # document length per variant id, float64
    by_item: np.ndarray  # variant ids sorted by item id (with item_sorted: an item's documents)
    item_sorted: np.ndarray
    lists: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=OrderedDict)
    # Each lexeme's positions (read for phrases only): per posting, where its positions start, then them all.
    positions: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=OrderedDict)
    # Each lexeme's, and each prefix's (NUL + stem), documents, weighted counts and BM25 part without the idf.
    parts: OrderedDict[str, tuple[np.ndarray, ...]] = field(default_factory=OrderedDict)
    cached: int = 0  # bytes held in `lists`, `positions` and `parts`
    counted: dict[tuple[int, str], int] = field(default_factory=dict)  # what each entry added to `cached`
    # (column, value) -> the variant ids whose document has it: the explicit filters' sets, read at first use.
    filters: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    dates: np.ndarray | None = None  # each document's date (epoch seconds), read at the first date filter
    vocabulary: list[str] | None = None  # every lexeme, in code point order (prefixes are ranges of it)
    df: dict[str, int] = field(default_factory=dict)  # every lexeme's document count, read with the vocabulary

    @property
    def size(self) -> int:
        return int(self.item_of.shape[0])

    def documents_of(self, items: Sequence[int]) -> np.ndarray:
        """The variant ids of these items' documents in the index."""
        if not len(items):
            return np.zeros(0, np.int64)
        wanted = np.asarray(sorted(items), np.int64)
        lo = np.searchsorted(self.item_sorted, wanted, "left")
        hi = np.searchsorted(self.item_sorted, wanted, "right")
        parts = [self.by_item[a:b] for a, b in zip(lo, hi, strict=True) if b > a]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)


_LOCK = threading.Lock()
_LOADED: dict[str, Segment] = {}


def _cache_bytes() -> int:
    return int(getattr(settings, "SEARCH_CACHE_MB", 1024)) * (1 << 20)


def _keep(segment: Segment, table: OrderedDict[str, Any], lexeme: str, held: tuple[np.ndarray, ...]) -> None:
    """Keep a lexeme's arrays, dropping the least recently used beyond TTDN_SEARCH_CACHE_MB (call with _LOCK).
    A word's parts share its list's documents and counts: those are counted once, with the list (every part
    but the newest goes before any list does), else a common syllable counted 24 bytes a posting for 16 held
    and the cache, full at 1M documents, dropped what the next query needed."""
    if lexeme not in table:
        table[lexeme] = held
        segment.counted[(id(table), lexeme)] = size = _unshared(segment, table, lexeme, held)
        segment.cached += size
    budget = _cache_bytes()
    for older in (segment.parts, segment.positions, segment.lists):
        while segment.cached > budget and len(older) > 1:
            dropped, _arrays = older.popitem(last=False)
            segment.cached -= segment.counted.pop((id(older), dropped))


def _unshared(segment: Segment, table: OrderedDict[str, Any], lexeme: str, held: tuple[np.ndarray, ...]) -> int:
    listed = segment.lists.get(lexeme) if table is segment.parts else None
    shared = {id(a) for a in listed} if listed is not None else set()
    return sum(a.nbytes for a in held if id(a) not in shared)


def _unpack(data: bytes | memoryview, kind: str) -> np.ndarray:
    return np.frombuffer(data, dtype=">" + kind)


def current(cursor: Any) -> tuple[Segment, list[int]] | None:
    """The index to search with and the items changed since it was built, or None: no index, too small
    to be worth it, or too many changes since its build."""
    cursor.execute(
        "SELECT (SELECT value FROM search_indexinfo WHERE key = 'impact'), "
        "ARRAY(SELECT DISTINCT item_id FROM search_delta LIMIT %s), "
        "(SELECT value FROM search_indexinfo WHERE key = 'impact_format')",
        [DELTA_MAX + 1],
    )
    row = cursor.fetchone()
    if row is None or row[0] is None or len(row[1]) > DELTA_MAX or row[2] != IMPACT_FORMAT:
        return None  # an index built by an earlier version is not read until the worker rebuilds it
    stamp = str(row[0])
    segment = _LOADED.get("current")
    if segment is None or segment.stamp != stamp:
        if segment is not None and reads.from_replica() and _sid(stamp) < _sid(segment.stamp):
            # A replica that has not yet replayed the index this process keeps (built on the primary a moment ago):
            # searched the slower way until it has, rather than swapping the whole segment back and forth.
            return None
        with _LOCK:
            segment = _LOADED.get("current")
            if segment is None or segment.stamp != stamp:
                segment = _load(cursor, stamp)
                if segment is None:
                    return None
                _LOADED["current"] = segment
    if segment.documents < MIN_DOCUMENTS:
        return None
    return segment, [int(i) for i in row[1]]


def _sid(stamp: str) -> int:
    return int(stamp.split(":")[0])


def _load(cursor: Any, stamp: str) -> Segment | None:
    sid = int(stamp.split(":")[0])
    cursor.execute(
        "SELECT documents, avg_length, vids, items, lengths FROM search_segment WHERE segment = %s", [sid]
    )
    row = cursor.fetchone()
    if row is None:
        return None
    documents, avg_length, vids_b, items_b, lengths_b = row
    vids = _unpack(vids_b, "i4").astype(np.int64)
    items = _unpack(items_b, "i4").astype(np.int64)
    size = int(vids.max()) + 1 if len(vids) else 1
    item_of = np.full(size, -1, np.int64)
    item_of[vids] = items
    length = np.zeros(size, np.float64)
    length[vids] = _unpack(lengths_b, "i4")
    order = np.argsort(items, kind="stable")
    return Segment(sid, stamp, int(documents), float(avg_length), item_of, length, vids[order], items[order])


def _held(cursor: Any, segment: Segment, table: OrderedDict[str, Any], lexemes: Sequence[str], columns: str,
          read: Callable[..., tuple[np.ndarray, np.ndarray]], empty: tuple[np.ndarray, np.ndarray],
          ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Arrays of these lexemes kept in `table`, the missing ones read (`read` over `columns`) in one query."""
    found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    missing = []
    with _LOCK:  # another thread may drop a lexeme between finding and touching it
        for lexeme in dict.fromkeys(lexemes):
            held = table.get(lexeme)
            if held is None:
                missing.append(lexeme)
            else:
                table.move_to_end(lexeme)
                found[lexeme] = held
    if missing:
        rows = _binary_rows(
            cursor,
            f"SELECT lexeme, {columns} FROM search_posting WHERE segment = %s AND lexeme = ANY(%s)",  # noqa: S608
            [segment.id, missing],
        )
        for lexeme, *data in rows:
            found[lexeme] = read(*data)
        with _LOCK:
            for lexeme in missing:
                _keep(segment, table, lexeme, found.setdefault(lexeme, empty))
    return found


def _binary_rows(cursor: Any, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of a statement reading packed arrays, in binary: Django's cursors bind parameters client-side,
    which returns only text (bytea as hex, twice its size, encoded and decoded again: a third more time on a
    common syllable's arrays). The same connection and transaction, through the driver's own cursor."""
    import psycopg

    raw = getattr(cursor, "cursor", None)
    driver = getattr(raw, "connection", None)
    if not isinstance(driver, psycopg.Connection):
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    with psycopg.Cursor(driver) as binary:
        binary.execute(sql, params, binary=True)
        return binary.fetchall()


def _read_list(ids_b: bytes, fs_b: bytes) -> tuple[np.ndarray, np.ndarray]:
    # Native int32 / float32: 8 bytes a posting held (numpy indexes with either integer width). Stored in
    # document order (the build's ORDER BY): documents are looked up by bisection.
    return _unpack(ids_b, "i4").astype(np.int32), _unpack(fs_b, "f4").astype(np.float32)


def _read_positions(counts_b: bytes, positions_b: bytes) -> tuple[np.ndarray, np.ndarray]:
    # Held as int32 starts and int16 positions (6 bytes a posting, not 12): a common syllable's at 1M documents
    # would otherwise take a good part of the cache.
    starts = _starts(_unpack(counts_b, "i2").astype(np.int64))
    if starts[-1] < 2**31:
        starts = starts.astype(np.int32)
    return starts, _unpack(positions_b, "i2").astype(np.int16)


def lists(cursor: Any, segment: Segment, lexemes: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each lexeme's documents (variant ids, sorted) and weighted counts; empty for a lexeme no document holds."""
    return _held(cursor, segment, segment.lists, lexemes, "ids, fs", _read_list,
                 (np.zeros(0, np.int32), np.zeros(0, np.float32)))


def positions(cursor: Any, segment: Segment, lexemes: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each lexeme's positions: where each posting's start in the second array (one more entry than
    postings), and the positions, in the order of `lists`."""
    return _held(cursor, segment, segment.positions, lexemes, "counts, positions", _read_positions,
                 (np.zeros(1, np.int32), np.zeros(0, np.int16)))


def _dates(cursor: Any, segment: Segment) -> np.ndarray:
    if segment.dates is None:
        cursor.execute("SELECT vids, dates FROM search_segment WHERE segment = %s", [segment.id])
        row = cursor.fetchone()
        dates = np.full(segment.size, np.nan)
        if row is not None:
            dates[_unpack(row[0], "i4")] = _unpack(row[1], "f8")
        with _LOCK:
            segment.dates = dates
    return segment.dates


def _filter_sets(cursor: Any, segment: Segment, wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
    """Each (column, value)'s documents, for the filters on a document's own columns (language, kind,
    provinces, topics: they change only with the item, which lists it as changed); read in one query for
    those not held yet (a value no document has: an empty set)."""
    with _LOCK:
        found = {key: segment.filters[key] for key in wanted if key in segment.filters}
    missing = [key for key in dict.fromkeys(wanted) if key not in found]
    if missing:
        cursor.execute(
            "SELECT f.name, f.value, f.ids FROM search_filterset AS f "
            "JOIN unnest(%s::text[], %s::text[]) AS w (name, value) ON f.name = w.name AND f.value = w.value "
            "WHERE f.segment = %s",
            [[name for name, _value in missing], [value for _name, value in missing], segment.id],
        )
        for name, value, ids_b in cursor.fetchall():
            found[(name, value)] = _unpack(ids_b, "i4").astype(np.int32)
        with _LOCK:
            for key in missing:
                segment.filters[key] = found.setdefault(key, np.zeros(0, np.int32))
    return found


def allowed(cursor: Any, segment: Segment, filters: Sequence[tuple[str, Sequence[str]]],
            since: float | None = None, before: float | None = None) -> np.ndarray | None:
    """The variant ids passing every (column, values) filter, each met by any of its values, and dated from
    `since` to before `before` (epoch seconds), as a mask over variant ids; None when there is no filter. A
    value's documents, and the documents' dates, are read from the build once per process."""
    mask: np.ndarray | None = None
    if since is not None or before is not None:
        dates = _dates(cursor, segment)
        mask = np.ones(segment.size, bool)
        if since is not None:
            mask &= dates >= since
        if before is not None:
            mask &= dates < before
    sets = _filter_sets(cursor, segment, [(column, value) for column, values in filters for value in values])
    for column, values in filters:
        if not values:
            continue
        passing = np.zeros(segment.size, bool)
        for value in values:
            passing[sets[(column, value)]] = True
        mask = passing if mask is None else mask & passing
    return mask


def _starts(counts: np.ndarray) -> np.ndarray:
    starts = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=starts[1:])
    return starts


def vocabulary_range(cursor: Any, segment: Segment, stem: str) -> list[str]:
    """The lexemes that start with `stem` (a prefix query stands for all of them)."""
    if segment.vocabulary is None:
        cursor.execute("SELECT lexeme, df FROM search_posting WHERE segment = %s", [segment.id])
        segment.df = dict(cursor.fetchall())
        segment.vocabulary = sorted(segment.df)
    words = segment.vocabulary
    start = bisect.bisect_left(words, stem)
    end = bisect.bisect_left(words, stem + "\U0010ffff")
    return words[start:end]


def build(f_sql: str) -> int:
    """Write a new build of the index from the documents and make it the current one; `f_sql` is the
    weighted count of a lexeme `u` (of `unnest(d.vec) AS u`). Called inside the caller's transaction
    (services.do_build_impact_index: one snapshot); searches keep using the previous build until it
    commits. Returns how many lexemes it holds."""
    from ttdn.search.models import IndexInfo

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SELECT coalesce(max(variant_id), 0), coalesce(max(item_id), 0) FROM search_searchdocument")
        top_variant, top_item = cursor.fetchone()
        if max(top_variant, top_item) >= 2**31:
            return 0  # ids beyond int4: searched without the index
        cursor.execute("SELECT coalesce(max(segment), 0) + 1 FROM search_segment")
        sid = int(cursor.fetchone()[0])
        cursor.execute(
            "INSERT INTO search_segment (segment, documents, avg_length, vids, items, lengths, dates) "
            "SELECT %s, count(*), greatest(coalesce(avg(length), 1.0), 1.0), "
            "coalesce(string_agg(int4send(variant_id::int4), ''::bytea ORDER BY variant_id), ''::bytea), "
            "coalesce(string_agg(int4send(item_id::int4), ''::bytea ORDER BY variant_id), ''::bytea), "
            "coalesce(string_agg(int4send(length::int4), ''::bytea ORDER BY variant_id), ''::bytea), "
            "coalesce(string_agg(float8send(extract(epoch FROM date)::float8), ''::bytea ORDER BY variant_id), "
            "''::bytea) FROM search_searchdocument",
            [sid],
        )
        # Every filter value's documents, in one pass over the table.
        cursor.execute(
            "INSERT INTO search_filterset (segment, name, value, ids) "
            "SELECT %s, f.name, f.value, string_agg(int4send(d.variant_id::int4), ''::bytea) "
            "FROM search_searchdocument AS d CROSS JOIN LATERAL ("
            "SELECT 'language' AS name, d.language AS value UNION ALL SELECT 'kind', d.kind "
            "UNION ALL SELECT 'provinces', p FROM unnest(string_to_array(d.provinces, ' ')) AS p WHERE p <> '' "
            "UNION ALL SELECT 'topics', t FROM unnest(string_to_array(d.topics, ' ')) AS t WHERE t <> ''"
            ") AS f GROUP BY f.name, f.value",
            [sid],
        )
        # A lexeme's arrays are aggregated from the same rows in the same order, by document (a reader then
        # neither sorts them nor reorders the positions: at 1M documents that took longer than the search); a
        # row's positions in the tsvector's (ascending) order.
        cursor.execute(
            "INSERT INTO search_posting (segment, lexeme, df, ids, fs, counts, positions) "  # noqa: S608
            "SELECT %s, u.lexeme, count(*), string_agg(int4send(d.variant_id::int4), ''::bytea ORDER BY d.variant_id), "
            f"string_agg(float4send(({f_sql})::float4), ''::bytea ORDER BY d.variant_id), "
            "string_agg(int2send(cardinality(u.positions)::int2), ''::bytea ORDER BY d.variant_id), "
            "string_agg((SELECT string_agg(int2send(p), ''::bytea) FROM unnest(u.positions) AS p), ''::bytea "
            "ORDER BY d.variant_id) "
            "FROM search_searchdocument AS d CROSS JOIN LATERAL unnest(d.vec) AS u GROUP BY u.lexeme",
            [sid],
        )
        cursor.execute("SELECT count(*) FROM search_posting WHERE segment = %s", [sid])
        lexemes = int(cursor.fetchone()[0])
        cursor.execute("DELETE FROM search_delta")
        cursor.execute("DELETE FROM search_posting WHERE segment <> %s", [sid])
        cursor.execute("DELETE FROM search_segment WHERE segment <> %s", [sid])
        cursor.execute("DELETE FROM search_filterset WHERE segment <> %s", [sid])
        IndexInfo.objects.update_or_create(key="impact", defaults={"value": f"{sid}:{uuid.uuid4().hex}"})
        IndexInfo.objects.update_or_create(key="impact_format", defaults={"value": IMPACT_FORMAT})
    return lexemes


def note_changed(cursor: Any, item_ids: Sequence[int]) -> None:
    """List items whose documents changed since the index was built. Also before the first build, which
    may be running: a change it does not see stays listed (and the worker builds the first one)."""
    cursor.execute("INSERT INTO search_delta (item_id) SELECT unnest(%s::bigint[])", [list(item_ids)])


def outdated() -> bool:
    """Whether the current index was built by an earlier version of this module (it is not read)."""
    from ttdn.search.models import IndexInfo

    stored = dict(IndexInfo.objects.filter(key__in=("impact", "impact_format")).values_list("key", "value"))
    return "impact" in stored and stored.get("impact_format") != IMPACT_FORMAT


def changed_items() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT item_id) FROM search_delta")
        return int(cursor.fetchone()[0])


# ------------------------------------------------------------------------------------------ evaluation


@dataclass
class PhraseSpec:
    whole: tuple[str, ...]  # the phrase's whole lexemes
    stem: str | None  # its last token, when that is a prefix


_NONE = np.zeros(0, np.int64)
# A phrase of several lexemes has its places looked for in this many of its documents to estimate how many
# hold it (its idf); the rest are looked at only where a page or the count needs them.
PHRASE_SAMPLE = 300
# Scores from the arrays against the SQL's: float4 counts summed in another order.
SLACK = 1e-6


def _slices(starts: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indexes into a positions array covering postings `idx` (their slices one after another), and for
    each the index into `idx` of the posting it belongs to."""
    lo = starts[idx]
    n = starts[idx + 1] - lo
    owner = np.repeat(np.arange(len(idx)), n)
    return np.arange(int(n.sum())) + np.repeat(lo - (np.cumsum(n) - n), n), owner


def _within(keys: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """np.isin(keys, pool) for a pool that is mostly sorted already (one lexeme's positions,
    document after document): by bisection, without np.isin's hashing of both."""
    if not len(keys) or not len(pool):
        return np.zeros(len(keys), bool)
    if len(pool) > 1 and not bool(np.all(pool[1:] >= pool[:-1])):
        pool = np.sort(pool)  # several lexemes' positions (a prefix's words)
    at = np.minimum(np.searchsorted(pool, keys), len(pool) - 1)
    return np.asarray(pool[at] == keys)


# A phrase ending in a prefix reads its words' arrays when they hold at most this many unread postings per
# document asked, else those documents' vectors (about 100 µs a document, against about 40 ns a posting).
PREFIX_ARRAYS_PER_DOCUMENT = 2500


def _prefix_places(cursor: Any, docs: np.ndarray, stem: str) -> np.ndarray:
    """The places (document · POSITIONS + position) of the words starting with `stem` in these documents, read
    from their vectors: a short prefix stands for hundreds of words, among them the commonest (every one's
    positions read whole took half a second at 1M documents), and a phrase needs them in a few hundred
    documents only. A document changed since the build is read as it is now (its item's documents are left
    out of the arrays' matches; only the phrase's estimated count can see it)."""
    cursor.execute(
        "SELECT d.variant_id, array_agg(p) FROM search_searchdocument AS d CROSS JOIN LATERAL unnest(d.vec) AS u "
        "CROSS JOIN LATERAL unnest(u.positions) AS p WHERE d.variant_id = ANY(%s) AND starts_with(u.lexeme, %s) "
        "GROUP BY d.variant_id",
        [docs.tolist(), stem],
    )
    parts = [vid * POSITIONS + np.asarray(where, np.int64) for vid, where in cursor.fetchall()]
    return np.sort(np.concatenate(parts)) if parts else _NONE


@dataclass
class _Phrase:
    """A phrase of several lexemes: the documents holding all of them (a superset of its matches, where its
    places are looked for only when asked), and its score part there with the least of its lexemes'
    weighted counts (an upper bound: see backends.postgres, above _pg_top)."""

    whole: tuple[str, ...]
    stem: str | None  # the prefix the phrase ends in
    stem_words: list[str]  # the lexemes it stands for
    docs: np.ndarray  # sorted
    loose: np.ndarray  # per document of `docs`
    idf: float = 0.0

    def occurrences(self, cursor: Any, segment: Segment, found: dict[str, tuple[np.ndarray, np.ndarray]],
                    docs: np.ndarray, weight_at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For these documents (sorted, among `self.docs`): whether the phrase occurs in each, and the
        weights of the places it starts at (the bound of its weighted count, ts_rank_cd adding per cover a
        mean of the weights in it divided by 1 + noise, covers starting at distinct places)."""
        held = positions(cursor, segment, self.whole)

        def places(lexemes: Sequence[str]) -> np.ndarray:
            parts = []
            for lexeme in lexemes:
                ids = found[lexeme][0] if lexeme in found else np.zeros(0, np.int32)
                if not len(ids):
                    continue
                at = np.minimum(np.searchsorted(ids, docs), len(ids) - 1)
                here = ids[at] == docs
                index, owner = _slices(held[lexeme][0], at[here])
                parts.append(docs[here][owner] * POSITIONS + held[lexeme][1][index])
            return np.concatenate(parts) if parts else _NONE

        begin = places(self.whole[:1])
        for offset, lexeme in enumerate(self.whole[1:], start=1):
            begin = begin[_within(begin + offset, places([lexeme]))]
        if self.stem is not None and len(begin):
            asked = np.unique(begin // POSITIONS)
            # The prefix's words from the arrays when their unread lists and positions cost less to read than
            # these documents' vectors (about 2,500 postings a document), else from the vectors.
            unread = [w for w in self.stem_words if w not in segment.positions or w not in found]
            if sum(segment.df.get(w, 0) for w in unread) <= PREFIX_ARRAYS_PER_DOCUMENT * len(asked):
                found.update(lists(cursor, segment, [w for w in self.stem_words if w not in found]))
                held.update(positions(cursor, segment, self.stem_words))
                there = places(self.stem_words)
            else:
                there = _prefix_places(cursor, asked, self.stem)
            begin = begin[_within(begin + len(self.whole), there)]
        holding, which = np.unique(begin // POSITIONS, return_inverse=True)
        f = np.zeros(len(docs), np.float64)
        f[np.searchsorted(docs, holding)] = np.bincount(which, weights=weight_at[begin % POSITIONS],
                                                         minlength=len(holding))
        return f > 0, f


@dataclass
class Evaluation:
    """What the arrays say about one query (documents of changed items left out). Where a phrase has
    several lexemes, `matched` is a superset and `bound` a bound until `verify` looks at the phrase's places;
    `top` and the count look only at the documents they need."""

    matched: np.ndarray  # variant ids (sorted) holding the query, phrases of several lexemes taken as present
    bound: np.ndarray  # each one's score, or an upper bound of it where `scored` is False
    scored: bool  # every phrase is one lexeme or one prefix: `matched` and `bound` are the SQL's own
    items: np.ndarray  # the item of each matched document
    counts: list[int]  # documents per phrase (its idf's n; estimated from a sample for phrases of several)
    segment: Segment
    found: dict[str, tuple[np.ndarray, np.ndarray]]
    # Per phrase, per variant id: holds it (its lexemes, for phrases of several); for a phrase no term requires,
    # its documents (sorted) instead.
    present: list[np.ndarray]
    terms: Sequence[Sequence[Sequence[int]]]
    any_term: bool
    phrases: dict[int, _Phrase]
    weigh: Any  # (idf, f, documents) -> score part
    weight_at: np.ndarray
    checked: np.ndarray | None = None  # per matched document: verified by `top`
    true_docs: list[np.ndarray] = field(default_factory=list)
    true_bound: list[np.ndarray] = field(default_factory=list)

    def restricted(self, allowed: np.ndarray) -> Evaluation:
        """The same evaluation over the matched documents `allowed` (a mask over variant ids) lets pass."""
        keep = allowed[self.matched]
        return replace(self, matched=self.matched[keep], bound=self.bound[keep], items=self.items[keep],
                       checked=None, true_docs=[], true_bound=[])

    def verify(self, docs: np.ndarray, scores: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """For these matched documents (sorted): whether each holds the query, and its score's bound
        (`scores=False`: whether each holds it only, the bound left loose: the places of phrases that are
        scored but never required, the proximity pairs, are not looked for)."""
        base = self.bound[np.searchsorted(self.matched, docs)]
        if self.scored or not len(docs):
            return np.ones(len(docs), bool), base
        presence = [mask[docs] if mask.dtype == np.bool_ else _member(mask, docs) for mask in self.present]
        required = {i for alternatives in self.terms for alternative in alternatives for i in alternative}
        with reads.connection().cursor() as cursor:
            for i, phrase in self.phrases.items():
                if not scores and i not in required:
                    continue
                loose = presence[i]
                here = np.zeros(len(docs), bool)
                f = np.zeros(len(docs), np.float64)
                if loose.any():
                    here[loose], f[loose] = phrase.occurrences(cursor, self.segment, self.found, docs[loose],
                                                               self.weight_at)
                    base[loose] -= phrase.loose[np.searchsorted(phrase.docs, docs[loose])]
                    base[here] += self.weigh(phrase.idf, f[here], docs[here])
                presence[i] = here
        return _combine(presence, self.terms, self.any_term, len(docs)), base

    def top(self, k: int) -> tuple[np.ndarray, float | None]:
        """The documents holding the query with the k best scores (bounds), every one tied with the k-th
        too, and the best bound of those left out (None: none left)."""
        n = len(self.matched)
        if self.scored:
            if k >= n:
                return self.matched, None
            kth = np.partition(self.bound, n - k)[n - k]
            take = self.bound >= kth
            rest = self.bound[~take]
            return self.matched[take], (float(rest.max()) if len(rest) else None)
        if self.checked is None:
            self.checked = np.zeros(n, bool)
        batch = max(k, 256)
        while True:
            docs = np.concatenate(self.true_docs) if self.true_docs else _NONE
            bounds = np.concatenate(self.true_bound) if self.true_bound else np.zeros(0)
            unchecked = self.bound[~self.checked]
            next_loose = float(unchecked.max()) if len(unchecked) else None
            if len(docs) >= k or next_loose is None:
                kth = np.partition(bounds, len(bounds) - k)[len(bounds) - k] if len(docs) >= k else -np.inf
                if next_loose is None or kth > next_loose * (1 + SLACK) + SLACK:
                    take = bounds >= kth
                    rest = bounds[~take]
                    left = max(float(rest.max()) if len(rest) else -np.inf,
                               next_loose if next_loose is not None else -np.inf)
                    return docs[take], (None if left == -np.inf else left)
            # Verify the next documents by their loose bound, best first.
            open_ = np.flatnonzero(~self.checked)
            if len(open_) > batch:
                open_ = open_[np.argpartition(-self.bound[open_], batch - 1)[:batch]]
            self.checked[open_] = True
            chosen = np.sort(self.matched[open_])
            ok, tight = self.verify(chosen)
            self.true_docs.append(chosen[ok])
            self.true_bound.append(tight[ok])
            batch *= 2


def _member(docs: np.ndarray, asked: np.ndarray) -> np.ndarray:
    """Whether each of `asked` is among `docs` (sorted)."""
    if not len(docs):
        return np.zeros(len(asked), bool)
    return np.asarray(docs[np.minimum(np.searchsorted(docs, asked), len(docs) - 1)] == asked)


def _combine(presence: Sequence[np.ndarray], terms: Sequence[Sequence[Sequence[int]]], any_term: bool,
             size: int) -> np.ndarray:
    """The query's boolean structure over its phrases' presence: AND (or OR) of terms, OR of alternatives,
    AND of an alternative's phrases."""
    hit: np.ndarray | None = None
    for alternatives in terms:
        term_hit = np.zeros(size, bool)
        for alternative in alternatives:
            alt_hit = np.ones(size, bool)
            for i in alternative:
                alt_hit &= presence[i]
            term_hit |= alt_hit
        if hit is None:
            hit = term_hit
        elif any_term:
            hit |= term_hit
        else:
            hit &= term_hit
    return hit if hit is not None else np.zeros(size, bool)


def _phrase(cursor: Any, segment: Segment, found: dict[str, tuple[np.ndarray, np.ndarray]], spec: PhraseSpec,
            ranges: dict[str, list[str]], term: Any, union: Any, idf: Any, weigh: Any,
            weight_at: np.ndarray) -> tuple[_Phrase, int]:
    """A phrase of several lexemes (or ending in a prefix): the documents holding them all, its bound there and
    its estimated document count."""
    stem = spec.stem
    # The documents holding every lexeme (and a word of the prefix): the rarest's, narrowed by the others.
    lexemes = sorted(spec.whole, key=lambda lexeme: (len(found[lexeme][0]), lexeme))
    rarest_ids, rarest_fs = found[lexemes[0]]
    docs, least = rarest_ids, rarest_fs
    # A prefix's union bounds nothing (its words are many), so it only narrows the documents.
    others = [(*found[lexeme], True) for lexeme in lexemes[1:]]
    if stem is not None:
        others.append((*term("\0" + stem, lambda stem=stem: union(stem))[:2], False))
    for ids, fs, bounds in others:
        at = np.minimum(np.searchsorted(ids, docs), max(len(ids) - 1, 0))
        keep = ids[at] == docs if len(ids) else np.zeros(len(docs), bool)
        docs, least = docs[keep], least[keep]
        if bounds:
            least = np.minimum(least, fs[at[keep]])
    # The phrase weighs at most each of its lexemes (see backends.postgres, above _pg_top): the least of them in
    # each document is its bound until its places are looked at.
    docs = docs.astype(np.int64)
    phrase = _Phrase(spec.whole, stem, ranges[stem] if stem is not None else [], docs, _NONE)
    # How many documents hold the phrase: its places looked for in evenly spaced ones among them.
    sample = docs[:: max(1, len(docs) // PHRASE_SAMPLE)]
    held = phrase.occurrences(cursor, segment, found, sample, weight_at)[0] if len(sample) else sample
    n = round(len(docs) * float(held.mean())) if len(sample) else 0
    phrase.idf = idf(n)
    phrase.loose = weigh(phrase.idf, least, docs)
    return phrase, n


def evaluate(
    cursor: Any, segment: Segment, delta_items: Sequence[int], specs: Sequence[PhraseSpec],
    terms: Sequence[Sequence[Sequence[int]]], any_term: bool, idf: Any, k1: float, b: float, k1_plus: float,
    weight_at: np.ndarray,
) -> Evaluation:
    """The query's matching documents and their scores (Σ over phrases of idf·(k1+1)·f/(f + k1·(1 − b +
    b·len/avg)), as the SQL computes them), `idf(n)` giving each phrase's weight from its document count and
    `weight_at[position]` the weight of a position's field."""
    stems = {s.stem for s in specs if s.stem is not None}
    ranges = {stem: vocabulary_range(cursor, segment, stem) for stem in stems}
    # A prefix's words are read when its union is not held yet (a phrase ending in it looks for its places in
    # the documents' own vectors: _prefix_places).
    wanted = [lex for s in specs for lex in s.whole]
    wanted += [lex for s in specs if s.stem is not None and "\0" + s.stem not in segment.parts
               for lex in ranges[s.stem]]
    found = lists(cursor, segment, wanted)
    size = segment.size

    def weigh(weight: float, f: np.ndarray, docs: np.ndarray) -> np.ndarray:
        norm = k1 * (1 - b + b * segment.length[docs] / segment.avg_length)
        return np.asarray(weight * k1_plus * f / (f + norm))

    def term(key: str, make: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A lexeme's (or a prefix's, key NUL + stem) documents, weighted counts and BM25 part without the
        idf, kept with its lists: the same words recur in query after query."""
        with _LOCK:
            held = segment.parts.get(key)
            if held is not None:
                segment.parts.move_to_end(key)
        if held is None:
            docs, f = make()
            held = (docs, f, weigh(1.0, f, docs))
            with _LOCK:
                _keep(segment, segment.parts, key, held)
        return held[0], held[1], held[2]

    def union(stem: str) -> tuple[np.ndarray, np.ndarray]:
        unread = [lex for lex in ranges[stem] if lex not in found]  # the union was dropped since `wanted`
        if unread:
            found.update(lists(cursor, segment, unread))
        parts = [found[lex] for lex in ranges[stem] if lex in found]
        if not parts:
            return _NONE, np.zeros(0, np.float32)
        dense = np.bincount(np.concatenate([p[0] for p in parts]), weights=np.concatenate([p[1] for p in parts]),
                            minlength=size)[:size]
        docs = np.flatnonzero(dense)
        return docs.astype(np.int32), dense[docs].astype(np.float32)

    score = np.zeros(size, np.float64)
    present: list[np.ndarray] = []
    counts: list[int] = []
    phrases: dict[int, _Phrase] = {}
    # The phrases no term requires (the proximity pairs and their windows, after every required one) only add
    # to the score of the documents matched: they are added there afterwards, in the same order (the same sums),
    # rather than over every document holding them (a common syllable's hundreds of thousands at 1M).
    required = {i for alternatives in terms for alternative in alternatives for i in alternative}
    later = all(i > j for i in range(len(specs)) if i not in required for j in required)
    scored_later: list[tuple[np.ndarray, np.ndarray]] = []

    def add(i: int, docs: np.ndarray, part: np.ndarray) -> None:
        if later and i not in required:
            present.append(docs)  # its documents (sorted), in place of a mask
            scored_later.append((docs, part))
            return
        mask = np.zeros(size, bool)
        score[docs] += part
        mask[docs] = True
        present.append(mask)

    for i, spec in enumerate(specs):
        stem = spec.stem
        if len(spec.whole) + (stem is not None) == 1:
            # One lexeme or one prefix: its documents and weighted counts are the SQL's own.
            if stem is not None:
                docs, _f, part = term("\0" + stem, lambda stem=stem: union(stem))
            else:
                docs, _f, part = term(spec.whole[0], lambda lexeme=spec.whole[0]: found[lexeme])
            counts.append(len(docs))
            add(i, docs, idf(len(docs)) * part)
            continue
        # A phrase's documents, bound and estimated count, kept like a word's parts: the same pairs of syllables
        # recur in query after query, and intersecting two common syllables' lists at 1M documents costs more
        # than the rest of the query's arrays.
        key = "\1" + "\0".join(spec.whole) + ("\2" + stem if stem is not None else "")
        with _LOCK:
            kept = segment.parts.get(key)
            if kept is not None:
                segment.parts.move_to_end(key)
        if kept is not None:
            docs, loose, n = kept[0], kept[1], int(kept[2][0])
            phrase = _Phrase(spec.whole, stem, ranges[stem] if stem is not None else [], docs, loose, idf(n))
        else:
            phrase, n = _phrase(cursor, segment, found, spec, ranges, term, union, idf, weigh, weight_at)
            with _LOCK:
                _keep(segment, segment.parts, key, (phrase.docs, phrase.loose, np.array([n], np.int64)))
        phrases[i] = phrase
        counts.append(n)
        add(i, phrase.docs, phrase.loose)
    hit = _combine(present, terms, any_term, size)
    hit[segment.documents_of(delta_items)] = False
    matched = np.flatnonzero(hit)
    bound = score[matched]
    for docs, part in scored_later:
        inside = _member(docs, matched)
        bound[inside] += part[np.searchsorted(docs, matched[inside])]
    return Evaluation(matched, bound, not phrases, segment.item_of[matched], counts, segment, found,
                      present, terms, any_term, phrases, weigh, weight_at)
