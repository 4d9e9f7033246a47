"""The ranking backends: each keeps its word index beside the document table and ranks with FTS5's bm25
(`sqlite`: FTS5 itself; `postgres`: a tsvector, the same sum over `ts_rank_cd`). `current()` is the one of the
default database; `search.services` and `search.indexing` speak to it through `Backend`. Each backend is imported
when first asked for: PostgreSQL's brings numpy (about 0.15 s), which a SQLite installation's processes never need."""

from __future__ import annotations

from typing import Any, Protocol

from django.db import connection

from ttdn.search import query as q
from ttdn.search.backends.base import Match

Rows = list[tuple[Any, ...]]


class Backend(Protocol):
    NAME: str
    VECTOR_MARK: str  # the placeholder of the document row's `vec` column

    # Indexing (inside the indexing transaction, with its cursor).
    def vector(self, fields: dict[str, list[str]]) -> str | None: ...
    def write_words(self, cursor: Any, rows: list[tuple[int, dict[str, list[str]]]]) -> None: ...
    def dropped(self, cursor: Any, id_list: str) -> None: ...
    def added(self, cursor: Any, id_list: str) -> None: ...
    def rebuild_started(self, cursor: Any) -> None: ...
    def rebuild_finished(self, cursor: Any) -> None: ...

    # Searching: lower scores are better; rows are (variant, item, score, item's best, total, state, kind).
    def prepare(self, parsed: q.ParsedQuery, any_term: bool = False) -> Match: ...
    def narrowed(self, match: Match, filters: list[tuple[str, list[str]]], since: float | None,
                 before: float | None) -> Match: ...
    def matches_sql(self, match: Match | None, where_sql: str, where_params: list[Any]) -> tuple[str, list[Any]]: ...
    def count(self, match: Match | None, where_sql: str, where_params: list[Any]) -> int: ...
    def first_stage(self, match: Match, where_sql: str, where_params: list[Any], limit: int,
                    offset: int) -> tuple[Rows, int] | None: ...


def current() -> Backend:
    if connection.vendor == "postgresql":
        from ttdn.search.backends import postgres

        return postgres
    from ttdn.search.backends import sqlite

    return sqlite
