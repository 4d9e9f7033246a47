"""A deferring writer (a border-site node applying a batch): the changed items leave the index inside its
transaction and come back after the commit through `changes.catch_up()`, queued in the database."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from ttdn.content import changes
from ttdn.content.models import Audience, Item, Variant
from ttdn.search import indexing
from ttdn.search import services as search
from ttdn.search.models import PendingIndex, SearchDocument
from ttdn.search.services import SearchQuery

from ..conftest import World
from .test_search import find, published

pytestmark = pytest.mark.django_db


def _indexed(item: Any) -> int:
    return SearchDocument.objects.filter(item_id=item.pk).count()


def test_deferred_change_drops_at_once_and_returns_after_catch_up(world: World) -> None:
    item = published(world, "Quy chế khu vực biên giới đất liền")
    other = published(world, "Biên giới và cửa khẩu")
    assert set(find("bien gioi")) == {"Quy chế khu vực biên giới đất liền", "Biên giới và cửa khẩu"}

    with transaction.atomic(), changes.deferring():
        Variant.objects.filter(item=item).update(title="Quy chế biên giới mới")
        changes.notify([item.pk])
        # Inside the writer's transaction the item is already out of the index: nothing stale is found.
        assert _indexed(item) == 0
    assert find("bien gioi") == ["Biên giới và cửa khẩu"]
    assert list(PendingIndex.objects.values_list("item_id", flat=True)) == [item.pk]
    assert _indexed(other) == 1  # untouched

    assert changes.catch_up() == 1
    assert set(find("bien gioi")) == {"Quy chế biên giới mới", "Biên giới và cửa khẩu"}
    assert find("quy che bien gioi moi") == ["Quy chế biên giới mới"]
    assert not PendingIndex.objects.exists()
    assert changes.catch_up() == 0  # nothing left: running it again does nothing


def test_a_restricted_item_is_never_shown_from_a_stale_entry(world: World) -> None:
    item = published(world, "Tài liệu nội bộ về tuần tra biên giới")
    assert find("tuan tra") == ["Tài liệu nội bộ về tuần tra biên giới"]
    with transaction.atomic(), changes.deferring():
        Item.objects.filter(pk=item.pk).update(audience=Audience.OFFICIALS)
        changes.notify([item.pk])
    # Before the catch-up the public finds nothing (the old entry said "public"), after it still nothing.
    assert find("tuan tra") == []
    changes.catch_up()
    assert find("tuan tra") == []
    assert _indexed(item) == 1
    assert find("tuan tra", user=world.contributor) == ["Tài liệu nội bộ về tuần tra biên giới"]


def test_a_failed_catch_up_keeps_the_queue(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    items = [published(world, f"Tờ gấp cửa khẩu số {n}") for n in range(5)]
    with transaction.atomic(), changes.deferring():
        changes.notify([i.pk for i in items])
    assert find("to gap cua khau") == []
    real = search.index_items
    calls = [0]

    def failing(ids: Any) -> None:
        calls[0] += 1
        if calls[0] == 2:
            raise RuntimeError("power cut")
        real(ids)

    monkeypatch.setattr(indexing, "index_items", failing)
    with pytest.raises(RuntimeError):
        search.index_pending(batch=2)
    # The first batch of two committed; the failed one rolled back and stays queued with the rest.
    assert PendingIndex.objects.count() == 3
    assert len(find("to gap cua khau")) == 2
    monkeypatch.setattr(indexing, "index_items", real)
    assert changes.catch_up() == 3
    assert len(find("to gap cua khau")) == 5
    assert not PendingIndex.objects.exists()


def _words_of(variant_ids: list[int]) -> int:
    """Rows of SQLite's word index for these variants (PostgreSQL keeps the words in the document row)."""
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM search_fts WHERE rowid IN ({','.join(map(str, variant_ids))})")  # noqa: S608
        return int(cursor.fetchone()[0])


def test_deleted_items_leave_the_queue_and_the_word_index(world: World) -> None:
    item = published(world, "Tờ gấp sẽ bị xoá")
    other = published(world, "Tờ gấp xoá ngay")
    variant_ids = list(Variant.objects.filter(item__in=[item, other]).values_list("pk", flat=True))
    assert _words_of(variant_ids) == (2 if connection.vendor == "sqlite" else 0)
    with transaction.atomic(), changes.deferring():
        changes.notify([item.pk])
        Item.objects.filter(pk=item.pk).delete()
    assert changes.catch_up() == 1
    assert not SearchDocument.objects.filter(item_id=item.pk).exists()
    assert not PendingIndex.objects.exists()
    # Deleted without any listener: the database's cascade takes the documents, the trigger their words.
    Item.objects.filter(pk=other.pk).delete()
    assert not SearchDocument.objects.filter(item_id=other.pk).exists()
    assert _words_of(variant_ids) == 0


def test_reindex_all_empties_the_queue(world: World) -> None:
    item = published(world, "Hướng dẫn xuất nhập cảnh")
    with transaction.atomic(), changes.deferring():
        changes.notify([item.pk])
    search.do_reindex_all()
    assert not PendingIndex.objects.exists()
    assert search.search(None, SearchQuery(text="xuat nhap canh")).total == 1
