"""The transaction of a service. Every `do_…` is its own transaction, never wrapped by a caller: it opens
`durable()`, which refuses to run inside another transaction (Django raises RuntimeError), so a view or a
task cannot compose two services into one and hold locks across them. An operation that needs several steps
in one transaction is a service of its own, built from the other services' inner (`_…`) functions.

Builders of data — the demo, test fixtures, benchmarks — may open `bulk_load()`: one transaction around many
services, each of which then runs as a savepoint inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import transaction

_bulk_loading: ContextVar[bool] = ContextVar("ttdn_bulk_loading", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def durable() -> transaction.Atomic:
    """The service's transaction: the outermost one (a savepoint only inside `bulk_load`)."""
    return transaction.atomic(durable=not _bulk_loading.get())


def service(func: Callable[P, R]) -> Callable[P, R]:
    """Run the whole function as a service's transaction (`durable()`)."""

    @wraps(func)
    def inner(*args: P.args, **kwargs: P.kwargs) -> R:
        with durable():
            return func(*args, **kwargs)

    return inner


@contextmanager
def bulk_load() -> Iterator[None]:
    """One transaction around many services, for builders of data only (never a request or a task)."""
    token = _bulk_loading.set(True)
    try:
        with transaction.atomic():
            yield
    finally:
        _bulk_loading.reset(token)


READS_PRIMARY = "ttdn_reads_primary"


def reads_primary(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a view answering GET that writes: all its request's reads go to the primary database, never to a
    streaming replica (`ttdn.ops.replica` looks for the mark before the view runs). A row read from a replica up
    to its lag old and then written back would undo what others wrote meanwhile. Put it outermost."""
    setattr(view, READS_PRIMARY, True)
    return view
