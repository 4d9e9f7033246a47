"""One place where every change to an item is announced, inside the writing transaction.

The content services call `item_changed` after each write; other apps (search index, the change feed for
border-site nodes) register a listener in their AppConfig.ready(), so they follow every change without the
content services knowing about them, and a failing listener rolls the whole change back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import F
from django.utils import timezone

Listener = Callable[[list[int]], None]
_listeners: list[Listener] = []


def on_items_changed(listener: Listener) -> Listener:
    """Register `listener(item_ids)`; called inside the transaction that changed those items."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


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
