"""The PostgreSQL backend: every document's words are a tsvector (`vec`, GIN-indexed) with its positions
and A/B/C/D weight classes; a search sums each phrase's `ts_rank_cd` into FTS5's bm25, so both backends
order results alike.

On a large index the impact index (`search.impact`: every word's documents and weighted counts as arrays in
this process) names the candidates and bounds first, and counts; else the champion lists (`search_toplist`,
the best documents of every common lexeme) do; the same SQL ranks the page. Both are kept here with the
services that build them (`do_build_toplists`, `do_build_impact_index`).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
from django.db import connection, transaction

from ttdn.core import audit
from ttdn.search import impact, reads
from ttdn.search import query as q
from ttdn.search.backends import base
from ttdn.search.backends.base import BM25_B, BM25_K1, DOC, Match

NAME = "postgresql"
# PostgreSQL has four weight classes: A title, B summary, C body, D files and meta (topics, kind, language),
# in the ratios of FTS5's column weights (sqlite.FTS5_WEIGHTS).
PG_WEIGHTS = "{0.1,0.1,0.5,1.0}"  # D, C, B, A
PG_WEIGHT_SCALE = 0.1  # PostgreSQL weights are at most 1: FTS5's divided by ten
# Where each field's positions start in the tsvector, so a phrase never spans two fields.
PG_OFFSETS = {"title": 1, "meta": 1002, "summary": 1504, "body": 4506, "files": 14_000}
PG_WEIGHT_OF = {"title": "A", "meta": "D", "summary": "B", "body": "C", "files": "D"}
# The first stage: champion lists (search_toplist) for every lexeme in more than TOPLIST_MIN_DF
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
# What do_build_toplists writes (the lists); lists of another format are rebuilt by the benchmark.
TOPLIST_FORMAT = "1"
VECTOR_MARK = "%s::tsvector"


# ------------------------------------------------------------------------------------------- indexing


def vector(fields: dict[str, list[str]]) -> str:
    """A tsvector literal: every lexeme with its positions and weight classes."""
    positions: dict[str, list[str]] = {}
    for name, tokens in fields.items():
        start, weight = PG_OFFSETS[name], PG_WEIGHT_OF[name]
        for i, token in enumerate(tokens):
            places = positions.setdefault(token, [])
            if len(places) < 256:  # PostgreSQL keeps at most 256 positions per lexeme
                places.append(f"{min(start + i, 16383)}{weight}")
    return " ".join(q._lexeme(tok) + ":" + ",".join(places) for tok, places in positions.items())


def write_words(cursor: Any, rows: list[tuple[int, dict[str, list[str]]]]) -> None:
    """The words are the document rows' `vec`: nothing else to write."""


def dropped(cursor: Any, id_list: str) -> None:
    """These items' documents were deleted: out of the champion lists, and noted for the impact index."""
    cursor.execute(f"DELETE FROM search_toplist WHERE item_id IN ({id_list})")  # noqa: S608
    impact.note_changed(cursor, [int(i) for i in id_list.split(",")])


def added(cursor: Any, id_list: str) -> None:
    """These items' documents were written: listed wherever they weigh above a list's floor."""
    _toplists_add(cursor, id_list)


def rebuild_started(cursor: Any) -> None:
    cursor.execute("DELETE FROM search_toplist")  # rebuilt at the end, from the new documents
    # Building the GIN index once at the end is several times faster than maintaining it row by row.
    cursor.execute("DROP INDEX IF EXISTS search_doc_vec")


def rebuild_finished(cursor: Any) -> None:
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred foreign-key checks first, then DDL
    cursor.execute("CREATE INDEX search_doc_vec ON search_searchdocument USING gin (vec)")
    cursor.execute("ANALYZE search_searchdocument")
    _FREQUENCIES["at"] = -1e9  # read the new statistics at the next search
    _AVERAGE["at"] = -1e9
    do_build_toplists()
    do_build_impact_index()


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
        f"SELECT u.lexeme, {_w_sql(avg)}, d.variant_id, d.item_id FROM {DOC} AS d "  # noqa: S608
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
        cursor.execute(f"SELECT greatest(avg(length), 1.0) FROM {DOC}")  # noqa: S608
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
            f"FROM {DOC} AS d CROSS JOIN LATERAL unnest(d.vec) AS u "
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
        base.set_info("toplist_avg_length", repr(avg))
        base.set_info("toplists", TOPLIST_FORMAT)
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



# ------------------------------------------------------------------------------------------- searching


def prepare(parsed: q.ParsedQuery, any_term: bool = False) -> Match:
    return _pg_match(parsed, any_term)


def matches_sql(match: Match | None, where_sql: str, where_params: list[Any]) -> tuple[str, list[Any]]:
    """The ranked, filtered variants (`m`): lower s is better on both backends.

    FTS5's bm25: Σ idf · f·(k1+1) / (f + k1·(1 − b + b·len/avglen)), f a term's occurrences weighted by
    column. ts_rank_cd of one term without normalisation is exactly that weighted count (the weights here are
    FTS5's divided by ten, hence k1/10), so both backends order results alike."""
    if match is None:
        return base.unranked_sql(where_sql, where_params)
    cols = f"{DOC}.variant_id AS vid, {DOC}.item_id AS iid"
    k1 = BM25_K1 * PG_WEIGHT_SCALE
    counted: list[str] = []
    count_params: list[Any] = []
    f = [f"x.f{i}" for i in range(len(match.phrases))]
    # A pair's windows (both syllables, both widths) are counted together from one read of the two syllables'
    # positions (`_near_sql`): each is an element of one array per pair.
    pairs: dict[tuple[str, str], list[tuple[int, str, int]]] = {}
    for i, (phrase, _idf) in enumerate(match.phrases):
        if i in match.near:
            own, other, window = match.near[i]
            pairs.setdefault((min(own, other), max(own, other)), []).append((i, own, window))
        else:
            counted.append(f"ts_rank_cd('{PG_WEIGHTS}'::float4[], {DOC}.vec, %s::tsquery, 0) AS f{i}")
            count_params.append(phrase)
    for g, ((first, second), windows) in enumerate(pairs.items()):
        sql, params = _near_sql(first, second, [(own == first, window) for _i, own, window in windows])
        counted.append(f"{sql} AS n{g}")
        count_params += params
        for j, (i, _own, _window) in enumerate(windows, start=1):
            f[i] = f"x.n{g}[{j}]"
    counts = ", ".join(counted)
    norm = f"({k1} * ({1 - BM25_B} + {BM25_B} * x.len / %s))"
    score = " + ".join(f"%s * {BM25_K1 + 1} * {f[i]} / ({f[i]} + {norm})" for i in range(len(match.phrases)))
    score_params: list[Any] = [p for _phrase, idf in match.phrases for p in (idf, max(match.avg_length, 1.0))]
    # OFFSET 0 keeps the inner query whole, so each phrase's count is computed once per document. (Reading
    # the tsvector once, as a copy `vec || ''` for all counts, measured slower: most are small and inline.)
    return (
        f"WITH m AS MATERIALIZED (SELECT x.vid, x.iid, -({score}) AS s, x.dt FROM ("  # noqa: S608
        f"SELECT {cols}, {DOC}.date AS dt, {DOC}.length AS len, {counts} FROM {DOC} "
        f"WHERE {DOC}.vec @@ %s::tsquery AND {where_sql} OFFSET 0) AS x)",
        [*score_params, *count_params, match.expr, *where_params],
    )


# A syllable's weighted count where the other syllable of its pair stands within the window (FTS5's NEAR:
# at most w tokens between them, in either order, in one field; PG_OFFSETS keeps the fields apart), with the
# weights ts_rank_cd gives each class: the sum of the weights of its positions that have one of the other's
# at a distance from 1 to w + 1, in the order of its positions. Computed only for documents holding both,
# every window of the pair from one pass over the tsvector (`unnest` builds every lexeme's arrays, so a pass
# per window, and one more per position inside EXISTS, cost most of a query of one such word).
_NEAR_WEIGHT = f"('{PG_WEIGHTS}'::float4[])[CASE x.w WHEN 'A' THEN 4 WHEN 'B' THEN 3 WHEN 'C' THEN 2 ELSE 1 END]"
_NEAR_WINDOW = (
    f"(SELECT coalesce(sum({_NEAR_WEIGHT}), 0) FROM unnest(l.p_own, l.w_own) AS x(p, w) "  # noqa: S608
    "WHERE EXISTS (SELECT 1 FROM unnest(l.p_other) AS y(p) WHERE abs(y.p - x.p) BETWEEN 1 AND %s))"
)


def _near_sql(first: str, second: str, windows: list[tuple[bool, int]]) -> tuple[str, list[Any]]:
    """The weighted counts of a pair's syllables near each other (`windows`: whether the counted syllable is
    `first`, and the window), as one float4 array per document: zeros where the document lacks either."""
    parts = []
    params: list[Any] = [f"{q._lexeme(first)} & {q._lexeme(second)}"]
    for own_first, window in windows:
        own, other = ("a", "b") if own_first else ("b", "a")
        parts.append(_NEAR_WINDOW.replace("_own", own).replace("_other", other))
        params.append(window + 1)
    params += [first, first, second, second, first, second]
    zeros = ",".join("0" for _ in windows)
    return (
        f"CASE WHEN {DOC}.vec @@ %s::tsquery THEN (SELECT ARRAY[{', '.join(parts)}]::float4[] FROM ("  # noqa: S608
        "SELECT min(u.positions) FILTER (WHERE u.lexeme = %s) AS pa, min(u.weights) FILTER (WHERE u.lexeme = %s) "
        "AS wa, min(u.positions) FILTER (WHERE u.lexeme = %s) AS pb, min(u.weights) FILTER (WHERE u.lexeme = %s) "
        f"AS wb FROM unnest({DOC}.vec) AS u WHERE u.lexeme IN (%s, %s)) AS l) ELSE '{{{zeros}}}'::float4[] END",
        params,
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
    with reads.connection().cursor() as cursor:
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
    with reads.connection().cursor() as cursor:
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
    with reads.connection().cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_searchdocument WHERE vec @@ %s::tsquery", [tsquery])
        return int(cursor.fetchone()[0])


def _idf(total: int, n: float) -> float:
    """FTS5's bm25 idf: ln(1 + (N − n + 0.5) / (n + 0.5)), n the documents holding the phrase."""
    return max(math.log(1 + (total - n + 0.5) / (n + 0.5)), 1e-6)


def _phrases(
    parsed: q.ParsedQuery,
) -> tuple[list[q.Phrase], list[list[list[int]]], dict[int, tuple[str, str, int]]]:
    """Every phrase of the query in order, each term as its alternatives, each as its phrases' indexes, and
    the phrases counted only near another syllable (`Match.near`). The proximity pairs come last and belong
    to no term: they are scored, never required (as FTS5 scores the `"a b"` of `("a b" OR a)`), and after
    them each pair's windows, two one-syllable phrases each (as FTS5 scores `NEAR("a" "b", w)`)."""
    phrases: list[q.Phrase] = []
    terms: list[list[list[int]]] = []
    for term in parsed.terms:
        alternatives: list[list[int]] = []
        for alternative in term.alternatives:
            alternatives.append(list(range(len(phrases), len(phrases) + len(alternative))))
            phrases.extend(alternative)
        terms.append(alternatives)
    phrases.extend(parsed.pairs[i] for i in sorted(parsed.pairs))
    near: dict[int, tuple[str, str, int]] = {}
    for _i, first, second, window in q.near_pairs(parsed):
        for own, other in ((first, second), (second, first)):
            near[len(phrases)] = (own, other, window)
            phrases.append(q.Phrase((own,)))
    return phrases, terms, near


def _whole(phrase: q.Phrase) -> tuple[str, ...]:
    """A phrase's whole lexemes (a prefix's last token left out)."""
    return phrase.tokens[:-1] if phrase.prefix else phrase.tokens


def _impact_match(parsed: q.ParsedQuery, any_term: bool, segment: impact.Segment, changed: list[int]) -> Match:
    """The query against the impact index's arrays: n is the documents holding each phrase there (for a
    phrase of several lexemes, estimated from a sample of those holding them all), the average length the
    index's."""
    phrases, terms, near = _phrases(parsed)
    specs = [impact.PhraseSpec(_whole(p), p.tokens[-1] if p.prefix else None) for p in phrases]

    def idf(n: int) -> float:
        return _idf(segment.documents, n)

    with reads.connection().cursor() as cursor:
        evaluation = impact.evaluate(cursor, segment, changed, specs, terms, any_term, idf,
                                     BM25_K1 * PG_WEIGHT_SCALE, BM25_B, BM25_K1 + 1, _WEIGHT_AT)
    weighed = [(q.phrase_tsquery(p), idf(n)) for p, n in zip(phrases, evaluation.counts, strict=True)]
    # A syllable's window is bounded by the syllable's own part (it counts some of its occurrences).
    return Match(q.to_tsquery(parsed, any_term=any_term), weighed, segment.avg_length,
                 [spec.whole for spec in specs], terms, any_term, near, evaluation, changed)


def _pg_match(parsed: q.ParsedQuery, any_term: bool) -> Match:
    """Each phrase's idf as FTS5's bm25 computes it (`_idf`), n the documents holding the phrase: from the
    impact index when there is one, else counted on a small index or estimated from the column statistics."""
    with reads.connection().cursor() as cursor:
        current = impact.current(cursor)
    if current is not None:
        return _impact_match(parsed, any_term, *current)
    total, average, exact = _document_count()
    known, rare = ({}, 0.0) if exact else _lexeme_frequencies()
    phrases, terms, near = _phrases(parsed)
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
    return Match(q.to_tsquery(parsed, any_term=any_term), weighed, average, [_whole(p) for p in phrases], terms,
                 any_term, near)


def count(match: Match | None, where_sql: str, where_params: list[Any]) -> int:
    """How many items match, counted up to TOTAL_CAP + 1."""
    if match is None:
        return base.count_unranked(where_sql, where_params)
    if match.evaluation is not None:
        return _impact_count(match, where_sql, where_params, _changed_matching(match, where_sql, where_params))
    return _pg_count(match, where_sql, where_params)


def first_stage(
    match: Match, where_sql: str, where_params: list[Any], limit: int, offset: int
) -> tuple[list[tuple[Any, ...]], int] | None:
    """The page from the impact index's candidates, else the champion lists'; None: the full query."""
    found = None
    if match.evaluation is not None:
        found = _impact_top(match, where_sql, where_params, limit, offset)
    if found is None:
        found = _pg_top(match, where_sql, where_params, limit, offset)
    return found


def narrowed(match: Match, filters: list[tuple[str, list[str]]], since: float | None,
             before: float | None) -> Match:
    """The query's own filters on the documents' columns applied in the impact index's arrays (the SQL checks
    every filter again): a filter that leaves few of many matches no longer has the first stage and the count
    ask the table about the rest. `since` and `before` are the date bounds as timestamps."""
    if match.evaluation is None:
        return match
    with reads.connection().cursor() as cursor:
        mask = impact.allowed(cursor, match.evaluation.segment, filters, since, before)
    if mask is not None:
        match.evaluation = match.evaluation.restricted(mask)
    return match


def _pg_count(match: Match, where_sql: str, where_params: list[Any]) -> int:
    """How many items match on PostgreSQL, counted up to TOTAL_CAP + 1 without ranking: the first rows
    found are read, and all of them only when those hold too few items to reach the cap."""
    cap = base.TOTAL_CAP + 1
    rows_read = 4 * cap
    with reads.connection().cursor() as cursor:
        cursor.execute(
            f"SELECT count(DISTINCT iid), count(*) FROM (SELECT {DOC}.item_id AS iid FROM {DOC} "  # noqa: S608
            f"WHERE {DOC}.vec @@ %s::tsquery AND {where_sql} LIMIT %s) AS c",
            [match.expr, *where_params, rows_read],
        )
        items, rows = cursor.fetchone()
        if items >= cap or rows < rows_read:
            return min(int(items), cap)
        cursor.execute(
            f"SELECT count(DISTINCT {DOC}.item_id) FROM {DOC} "  # noqa: S608
            f"WHERE {DOC}.vec @@ %s::tsquery AND {where_sql}",
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
    match: Match, where_sql: str, where_params: list[Any], limit: int, offset: int
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
    with reads.connection().cursor() as cursor:
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
        with reads.connection().cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT {DOC}.item_id FROM {DOC} WHERE {DOC}.vec @@ %s::tsquery AND {where_sql} "  # noqa: S608
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
    with reads.connection().cursor() as cursor:
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


def _candidates_sql(match: Match, where_sql: str, where_params: list[Any]) -> tuple[str, list[Any]]:
    """The full query's SQL over candidate items only (their ids its first parameter): their documents stand
    in for the table (a CTE of the same name), so every matching variant of a candidate item is scored and
    its best and latest are exact."""
    sql, params = matches_sql(match, where_sql, where_params)
    return (f"WITH {DOC} AS MATERIALIZED (SELECT * FROM {DOC} WHERE item_id = ANY(%s)), "  # noqa: S608
            + sql.removeprefix("WITH ") + base.GROUPED), params


# The impact index's first stage takes the documents of the best IMPACT_DEPTH · (offset + limit) scores
# (at least PG_FIRST_K), four times more while the page is not certain, and ranks at most IMPACT_MAX_ITEMS
# candidate items by SQL (then the full query).
IMPACT_DEPTH = 4
IMPACT_MAX_ITEMS = 20_000


def _changed_matching(match: Match, where_sql: str, where_params: list[Any]) -> set[int]:
    """The items changed since the impact index was built that match now (from the table)."""
    if not match.delta_items:
        return set()
    with reads.connection().cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT {DOC}.item_id FROM {DOC} WHERE {DOC}.item_id = ANY(%s) "  # noqa: S608
            f"AND {DOC}.vec @@ %s::tsquery AND {where_sql}",
            [match.delta_items, match.expr, *where_params],
        )
        return {int(iid) for (iid,) in cursor.fetchall()}


def _impact_top(
    match: Match, where_sql: str, where_params: list[Any], limit: int, offset: int
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
    with reads.connection().cursor() as cursor:
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


def _impact_count(match: Match, where_sql: str, where_params: list[Any], changed: set[int]) -> int:
    """How many items match, up to TOTAL_CAP + 1: the arrays' matching documents (their phrases verified)
    are checked against the filters by id, a slice at a time, until the cap is reached; the changed items
    matching are counted from the table."""
    found = match.evaluation
    assert found is not None
    cap = base.TOTAL_CAP + 1
    items = set(changed)
    docs, owners = found.matched, found.items
    # One document per run of the same item (an item's versions have neighbouring ids); where the filters
    # refuse it, the item's other documents are asked (the filters decide per language version).
    first = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if len(owners) else np.zeros(0, np.int64)
    select = (f"SELECT DISTINCT {DOC}.item_id FROM {DOC} WHERE {DOC}.variant_id = ANY(%s) "  # noqa: S608
              f"AND {where_sql}")
    start, step = 0, cap + cap // 4
    with reads.connection().cursor() as cursor:
        while len(items) < cap and start < len(first):
            chosen = first[start:start + step]
            for ask in (docs[chosen], None):
                if ask is None:
                    refused = set(owners[chosen].tolist()) - items
                    if not refused:
                        break
                    ask = docs[np.isin(owners, np.fromiter(refused, np.int64)) & ~np.isin(docs, docs[chosen])]
                holding = ask[found.verify(ask, scores=False)[0]]
                if len(holding):
                    cursor.execute(select, [holding.tolist(), *where_params])
                    items.update(int(iid) for (iid,) in cursor.fetchall())
            start += len(chosen)
            step *= 2
    return min(len(items), cap)

