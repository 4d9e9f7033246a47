"""What both ranking backends share: the document table, BM25's constants, the prepared query (`Match`), the
grouping of ranked variants by item, and the index's stamps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection

from ttdn.search.models import IndexInfo

if TYPE_CHECKING:
    from ttdn.search import impact

DOC = "search_searchdocument"
BM25_K1, BM25_B = 1.2, 0.75  # FTS5's constants
# Items are counted up to this many: counting every match of a common word costs more than the search.
TOTAL_CAP = 1000

GROUPED = """
, g AS (SELECT iid, MIN(s) AS best, MAX(dt) AS latest FROM m GROUP BY iid),
top AS (SELECT iid, best, latest, COUNT(*) OVER () AS total FROM g ORDER BY best, latest DESC, iid DESC
        LIMIT %s OFFSET %s)
SELECT m.vid, m.iid, m.s, top.best, top.total, search_searchdocument.state, search_searchdocument.kind
FROM top JOIN m ON m.iid = top.iid JOIN search_searchdocument ON search_searchdocument.variant_id = m.vid
ORDER BY top.best, top.latest DESC, top.iid DESC, m.s, m.vid
"""


@dataclass
class Match:
    """A parsed query prepared for one backend."""

    expr: str  # the FTS5 expression or tsquery literal that selects the documents
    # PostgreSQL: every phrase of the query (each alternative's, of every term) as a tsquery with its weight
    # (inverse document frequency). A variant's score sums them: FTS5's bm25 counts phrases, not terms.
    phrases: list[tuple[str, float]] = field(default_factory=list)
    avg_length: float = 1.0
    # Each phrase's whole lexemes (a prefix's last token left out): its weight is at most each of theirs
    # (see above postgres._pg_top).
    lexemes: list[tuple[str, ...]] = field(default_factory=list)
    # Each term as its alternatives, each alternative as the indexes of its phrases.
    terms: list[list[list[int]]] = field(default_factory=list)
    any_term: bool = False
    # PostgreSQL: the phrases that are one syllable of a proximity pair counted only near the other (its
    # window, `query.NEAR_WINDOWS`), as FTS5 counts the phrases of `NEAR("a" "b", w)`: index -> (the
    # syllable, the other, the window).
    near: dict[int, tuple[str, str, int]] = field(default_factory=dict)
    # With the impact index: what its arrays say about the query, and the items changed since its build.
    evaluation: impact.Evaluation | None = None
    delta_items: list[int] = field(default_factory=list)
    # SQLite: an expression selecting the same rows without ranking them (the proximity pairs left out), for
    # counting them and finding which of a few match; "" when `expr` is that already.
    rows_expr: str = ""


def unranked_sql(where_sql: str, where_params: list[Any]) -> tuple[str, list[Any]]:
    """The filtered variants (`m`) when no words were typed: every one scores 0, the latest first."""
    cols = f"{DOC}.variant_id AS vid, {DOC}.item_id AS iid"
    return (f"WITH m AS MATERIALIZED (SELECT {cols}, 0.0 AS s, {DOC}.date AS dt FROM {DOC} "  # noqa: S608
            f"WHERE {where_sql})", where_params)


def run(sql: str, params: list[Any], limit: int, offset: int) -> list[tuple[Any, ...]]:
    """The page of a ranked query `m` (see the backends' `matches_sql`), grouped by item, best first."""
    with connection.cursor() as cursor:
        cursor.execute(sql + GROUPED, [*params, limit, offset])
        return list(cursor.fetchall())


def count_unranked(where_sql: str, where_params: list[Any]) -> int:
    """How many items the filters leave, counted up to TOTAL_CAP + 1."""
    sql, params = unranked_sql(where_sql, where_params)
    with connection.cursor() as cursor:
        cursor.execute(sql + " SELECT COUNT(*) FROM (SELECT DISTINCT iid FROM m LIMIT %s) AS c",  # noqa: S608
                       [*params, TOTAL_CAP + 1])
        return int(cursor.fetchone()[0])


def set_info(key: str, value: str) -> None:
    IndexInfo.objects.update_or_create(key=key, defaults={"value": value})
