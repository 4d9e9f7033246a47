"""One place where every change to an item is announced, inside the writing transaction.

The content services call `item_changed` after each write; other apps (search index, the change feed for
border-site nodes) register a listener in their AppConfig.ready(), so they follow every change without the
content services knowing about them, and a failing listener rolls the whole change back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar

from django.db.models import F
from django.utils import timezone

Listener = Callable[[list[int]], None]
_listeners: list[Listener] = []
_catch_ups: list[Callable[[], int]] = []
# Set by a writer whose transaction should stay short (a border-site node applying a batch): listeners then
# do in it only what must be exact at commit (drop what is no longer true) and queue the rest for catch_up().
_deferring: ContextVar[bool] = ContextVar("ttdn_changes_deferring", default=False)


def on_items_changed(listener: Listener) -> Listener:
    """Register `listener(item_ids)`; called inside the transaction that changed those items."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def on_catch_up(work: Callable[[], int]) -> Callable[[], int]:
    """Register `work()`: finishes what listeners queued while deferring, returns how many items it did."""
    if work not in _catch_ups:
        _catch_ups.append(work)
    return work


@contextlib.contextmanager
def deferring() -> Iterator[None]:
    """Inside this block, listeners may queue their heavy work for `catch_up()` after the commit."""
    token = _deferring.set(True)
    try:
        yield
    finally:
        _deferring.reset(token)


def is_deferring() -> bool:
    return _deferring.get()


def catch_up() -> int:
    """Run the work listeners queued while deferring (each in its own transactions); safe to call any time,
    and again after a crash: the queues live in the database."""
    return sum(work() for work in list(_catch_ups))


def notify(item_ids: Iterable[int]) -> None:
    """Tell the listeners, without touching the items (for writers that set `version` themselves)."""
    ids = sorted(set(item_ids))
    if not ids:
        return
    for listener in list(_listeners):
        listener(ids)


def item_changed(*item_ids: int, touch_updated_at: bool = False) -> None:
    """Bump the version of these items and tell the listeners."""
    from ttdn.content.models import Item

    fields: dict[str, object] = {"version": F("version") + 1}
    if touch_updated_at:
        fields["updated_at"] = timezone.now()
    Item.objects.filter(pk__in=item_ids).update(**fields)
    notify(item_ids)
