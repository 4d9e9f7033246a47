"""Where a search's own SQL reads: the database the project's router gives this request's reads (a streaming replica
while `ttdn.ops.replica` allows it, else the primary). Decided once per search, so that every statement of one search
reads the same server (the index segment a process keeps is tied to the server it was read from)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

_alias: ContextVar[str | None] = ContextVar("ttdn_search_alias", default=None)


def connection() -> BaseDatabaseWrapper:
    """The connection of the search under way; the primary outside one (indexing, the worker, the tests' calls)."""
    return connections[_alias.get() or DEFAULT_DB_ALIAS]


def from_replica() -> bool:
    return (_alias.get() or DEFAULT_DB_ALIAS) != DEFAULT_DB_ALIAS


@contextmanager
def one_server() -> Iterator[None]:
    from ttdn.search.models import SearchDocument

    token = _alias.set(router.db_for_read(SearchDocument))
    try:
        yield
    finally:
        _alias.reset(token)
