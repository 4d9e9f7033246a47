"""The SQLite backend: an FTS5 table (`search_fts`, one column per field) finds and ranks the language
variants with `bm25()` and the column weights; the document table's columns filter them.

A search reads the best k matches from the word index first (FTS5 ranks them itself), filters those rows,
and doubles k while too few items are certain, up to MAX_K (then the exact query over every match).
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from ttdn.search import query as q
from ttdn.search.backends import base
from ttdn.search.backends.base import DOC, Match

NAME = "sqlite-fts5"
# Column weights: a word in the title counts ten times one in the body (PostgreSQL's classes are in the
# same ratios, see postgres.PG_WEIGHTS).
FTS5_WEIGHTS = (10.0, 5.0, 1.0, 1.0, 1.0)
FTS_COLUMNS = ("title", "summary", "body", "files", "meta")
# The first stage: the best FIRST_K matches from the word index, doubled while too few items qualify under
# the filters, up to MAX_K (then the exact query over every match).
FIRST_K = 200
MAX_K = 16_000
_BM25 = "bm25(search_fts, " + ", ".join(str(w) for w in FTS5_WEIGHTS) + ")"
# The index's document rows carry no vector here: the words are in search_fts.
VECTOR_MARK = "%s"


# ------------------------------------------------------------------------------------------- indexing


def vector(fields: dict[str, list[str]]) -> None:
    """The document row's `vec` column: unused on SQLite."""
    return None


def write_words(cursor: Any, rows: list[tuple[int, dict[str, list[str]]]]) -> None:
    """The variants' words into the FTS5 table (rowid = variant id), one column per field."""
    if rows:
        cursor.executemany(
            "INSERT INTO search_fts (rowid, title, summary, body, files, meta) VALUES (%s, %s, %s, %s, %s, %s)",
            [(vid, *(" ".join(fields[n]) for n in FTS_COLUMNS)) for vid, fields in rows],
        )


def dropped(cursor: Any, id_list: str) -> None:
    """These items' documents were deleted: a trigger removed their words with them."""


def added(cursor: Any, id_list: str) -> None:
    """These items' documents were written (and their words with them): nothing more to keep."""


def rebuild_started(cursor: Any) -> None:
    cursor.execute("DELETE FROM search_fts")  # first: the documents' trigger then finds no words


def rebuild_finished(cursor: Any) -> None:
    cursor.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")


# ------------------------------------------------------------------------------------------- searching


def prepare(parsed: q.ParsedQuery, any_term: bool = False) -> Match:
    expr = q.to_fts5(parsed, any_term=any_term)
    rows_expr = q.to_fts5(parsed, any_term=any_term, proximity=False) if parsed.pairs else ""
    return Match(expr, rows_expr=rows_expr)


def _rows_expr(match: Match) -> str:
    """The expression selecting the match's rows, cheapest first: without the proximity pairs, which only rank."""
    return match.rows_expr or match.expr


def narrowed(match: Match, filters: list[tuple[str, list[str]]], since: float | None,
             before: float | None) -> Match:
    """No arrays to narrow here: the SQL applies the filters."""
    return match


def matches_sql(match: Match | None, where_sql: str, where_params: list[Any]) -> tuple[str, list[Any]]:
    """The ranked, filtered variants (`m`): lower s is better."""
    if match is None:
        return base.unranked_sql(where_sql, where_params)
    weights = ", ".join(str(w) for w in FTS5_WEIGHTS)
    cols = f"{DOC}.variant_id AS vid, {DOC}.item_id AS iid"
    return (
        f"WITH m AS MATERIALIZED (SELECT {cols}, f.s AS s, {DOC}.date AS dt "  # noqa: S608
        f"FROM (SELECT rowid AS rid, bm25(search_fts, {weights}) AS s FROM search_fts WHERE search_fts MATCH %s) AS f "
        # CROSS JOIN keeps the word index as the outer loop: SQLite would otherwise start from the document
        # table's state index and run the full-text query once per published document.
        f"CROSS JOIN {DOC} ON {DOC}.variant_id = f.rid WHERE {where_sql})",
        [match.expr, *where_params],
    )


def count(match: Match | None, where_sql: str, where_params: list[Any]) -> int:
    """How many items match, counted up to TOTAL_CAP + 1."""
    if match is None:
        return base.count_unranked(where_sql, where_params)
    # Unranked and unmaterialised: SQLite stops reading the word index at the cap. The proximity pairs left
    # out: they select the same rows.
    sql = (f"SELECT COUNT(*) FROM (SELECT DISTINCT {DOC}.item_id FROM "  # noqa: S608
           f"(SELECT rowid AS rid FROM search_fts WHERE search_fts MATCH %s) AS f "
           f"CROSS JOIN {DOC} ON {DOC}.variant_id = f.rid WHERE {where_sql} LIMIT %s)")
    with connection.cursor() as cursor:
        cursor.execute(sql, [_rows_expr(match), *where_params, base.TOTAL_CAP + 1])
        return int(cursor.fetchone()[0])


def first_stage(
    match: Match, where_sql: str, where_params: list[Any], limit: int, offset: int
) -> tuple[list[tuple[Any, ...]], int] | None:
    return _sqlite_top(match, where_sql, where_params, limit, offset)


def _sqlite_top(
    match: Match, where_sql: str, where_params: list[Any], limit: int, offset: int
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
                    f"WITH c AS MATERIALIZED (SELECT * FROM {DOC} WHERE variant_id IN ({ids})) "  # noqa: S608
                    f"SELECT variant_id, item_id, date, state, kind FROM c AS {DOC} WHERE {where_sql}",
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
        total = len(items) if complete else count(match, where_sql, where_params)
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
                f"WITH c AS MATERIALIZED (SELECT * FROM {DOC} WHERE item_id IN ({','.join(map(str, best))})) "  # noqa: S608
                f"SELECT variant_id, item_id, state, kind FROM c AS {DOC} WHERE {where_sql}",
                where_params,
            )
            others = {vid: (iid, state, kind) for vid, iid, state, kind in cursor.fetchall() if vid not in known}
            if others:
                # Which of them match at all, unranked first: bm25() counts every phrase's documents over the
                # whole index once per statement (a pass over each syllable's list, several per proximity
                # pair), and most other versions are in other languages and match nothing.
                cursor.execute(
                    f"SELECT rowid FROM search_fts WHERE search_fts MATCH %s "  # noqa: S608
                    f"AND rowid BETWEEN %s AND %s AND +rowid IN ({','.join(map(str, others))})",
                    [_rows_expr(match), min(others), max(others)],
                )
                others = {vid: others[vid] for (vid,) in cursor.fetchall()}
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

