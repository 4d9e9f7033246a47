"""The word index's migrations keep what is indexed."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.db import connection

from ttdn.content.models import State
from ttdn.search import services as search
from ttdn.search.services import SearchQuery

from ..conftest import World, advance, make_item


def _fts_sql() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_fts'")
        return str(cursor.fetchone()[0])


def _fts_rows() -> list[tuple[Any, ...]]:
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid, title, summary, body, files, meta FROM search_fts ORDER BY rowid")
        return list(cursor.fetchall())


def _found(text: str) -> list[int]:
    return [h.item_id for h in search.search(None, SearchQuery(text=text)).hits]


def test_prefix_indexes_are_added_with_the_content_kept(live_world: World) -> None:
    world: Any = live_world
    item = advance(world, make_item(world, title="Cửa khẩu Lệ Thanh", summary="", body="<p>ນະຄອນ 边境</p>"),
                   State.PUBLISHED)
    asks = ["Lệ Th*", "t*", "ນ*", "边*", "cua khau le thanh"]
    assert all(_found(text) == [item.pk] for text in asks)
    if connection.vendor == "sqlite":
        assert "prefix='1 2 3'" in _fts_sql()
    words = _fts_rows()
    call_command("migrate", "search", "0002", verbosity=0)
    if connection.vendor == "sqlite":
        assert "prefix" not in _fts_sql()
    # The code searches only the current schema: back at 0002, the rows themselves are checked.
    assert _fts_rows() == words
    call_command("migrate", "search", verbosity=0)
    if connection.vendor == "sqlite":
        assert "prefix='1 2 3'" in _fts_sql()
    assert all(_found(text) == [item.pk] for text in asks)


def test_an_index_of_another_format_is_rebuilt_at_migrate(live_world: World, capsys: Any) -> None:
    """A new text pipeline (INDEX_FORMAT) makes the stored tokens differ from the queries': migrate rebuilds."""
    from ttdn.search.models import IndexInfo, SearchDocument

    world: Any = live_world
    item = advance(world, make_item(world, title="Kĩ thuật cửa khẩu", summary=""), State.PUBLISHED)
    call_command("migrate", verbosity=0)
    assert search.index_format()["format"] == search.INDEX_FORMAT  # stamped (it was built item by item)
    capsys.readouterr()
    call_command("migrate", verbosity=1)
    assert "rebuilding the search index" not in capsys.readouterr().out  # the same format: left alone

    IndexInfo.objects.filter(key="format").update(value="1")  # as an earlier version left it
    SearchDocument.objects.update(length=0)
    call_command("migrate", verbosity=1)
    assert "rebuilding the search index" in capsys.readouterr().out
    assert search.index_format()["format"] == search.INDEX_FORMAT
    assert not SearchDocument.objects.filter(length=0).exists()
    assert _found("ky thuat") == [item.pk]
