"""The bounded first stage of each backend ranks exactly like the full query over every match, also after
the index changed under it (PostgreSQL's champion lists are built once and then kept by index_items)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from ttdn.content import services as content
from ttdn.content.models import State
from ttdn.core.models import AuditEntry
from ttdn.search import query as q
from ttdn.search import services as search
from ttdn.search.backends import base
from ttdn.search.backends import postgres as pg
from ttdn.search.backends import sqlite as sqlite_backend
from ttdn.search.services import SearchQuery

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.django_db

ASKS = [
    ("cua khau", 3, 0), ("cua khau", 3, 2), ("cua khau", 1, 7), ("khau", 5, 0), ("bien gioi", 4, 0),
    ("bien gioi cua", 2, 1), ("cua khau bien", 10, 0), ("khau cua*", 2, 0), ('"cua khau" bien', 3, 0),
    ("bien xyzzy", 3, 0), ("gioi", 2, 3), ("cua", 10, 0), ("khau", 1, 0),
]


def _published(world: World, title: str, body: str, summary: str = "") -> Any:
    return advance(world, make_item(world, title=title, body=f"<p>{body}</p>", summary=summary), State.PUBLISHED)


def _page(results: search.SearchResults) -> list[tuple[Any, ...]]:
    return [(h.item_id, round(h.score, 9), [(v.language, round(v.score, 9), v.matched) for v in h.variants])
            for h in results.hits]


def _run(user: Any = None, asks: list[tuple[str, int, int]] = ASKS) -> list[tuple[Any, ...]]:
    out = []
    for text, limit, offset in asks:
        r = search.search(user, SearchQuery(text=text, limit=limit, offset=offset))
        out.append((text, limit, offset, _page(r), r.total, r.total_capped, r.relaxed))
    return out


def _compare(world: World, monkeypatch: pytest.MonkeyPatch, asks: list[tuple[str, int, int]] = ASKS) -> int:
    """The fast path's pages equal the exact query's; returns how many asks the fast path answered."""
    answered = []
    fast_top = pg._pg_top if connection.vendor == "postgresql" else sqlite_backend._sqlite_top

    def counting(*args: Any) -> Any:
        found = fast_top(*args)
        answered.append(found is not None)
        return found

    with monkeypatch.context() as m:
        if connection.vendor == "postgresql":
            m.setattr(pg, "_pg_top", lambda *args: None)
        else:
            m.setattr(sqlite_backend, "MAX_K", 0)
        exact = {None: _run(None, asks), "publisher": _run(world.publisher, asks)}
    with monkeypatch.context() as m:
        if connection.vendor == "postgresql":
            m.setattr(pg, "_pg_top", counting)
        else:
            m.setattr(sqlite_backend, "_sqlite_top", counting)
        assert _run(None, asks) == exact[None]
        assert _run(world.publisher, asks) == exact["publisher"]
    return sum(answered)


# Where each setting lives: the champion lists' in the PostgreSQL backend, the first stage's in SQLite's.
_OWNER: dict[str, Any] = {"TOPLIST_MIN_DF": pg, "TOPLIST_SIZE": pg, "TOPLIST_SAMPLE": pg, "PG_FIRST_K": pg,
                          "FIRST_K": sqlite_backend, "TOTAL_CAP": base}


def _tiny_lists(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """Lists, first stages and the count cap small enough for a handful of items to exercise every bound."""
    for name, value in {"TOPLIST_MIN_DF": 2, "TOPLIST_SIZE": size, "TOPLIST_SAMPLE": 1, "PG_FIRST_K": 1,
                        "FIRST_K": 1, "TOTAL_CAP": 6}.items():
        monkeypatch.setattr(_OWNER[name], name, value)


def test_first_stage_ranks_like_the_full_query(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _tiny_lists(monkeypatch, size=3)
    monkeypatch.setattr(pg, "PG_MAX_TERMS", 16)
    items = []
    for n in range(9):
        title = ["Cửa khẩu biên giới", "Quy định cửa khẩu", "Tài liệu", "Biên giới đất liền"][n % 4] + f" {n}"
        body = " ".join(["cửa khẩu"] * (n % 3 + 1) + ["biên giới"] * (n % 2) + ["chữ"] * (n * 7))
        items.append(_published(world, title, body, summary="Khẩu hiệu" if n % 5 == 0 else ""))
    content.do_save_variant(world.appraiser, items[2], "en", "Cua khau border gate", "", "<p>cua khau</p>")
    make_item(world, title="Cửa khẩu cửa khẩu nháp", body="<p>cửa khẩu biên giới</p>")  # a draft
    if connection.vendor == "postgresql":
        lexemes = search.do_build_toplists()
        assert lexemes >= 4  # cua, khau, bien, gioi at least
        assert search.index_format()["toplists"] == pg.TOPLIST_FORMAT
        audited = AuditEntry.objects.filter(action="search.index.toplists").latest("pk")
        assert audited.actor_label == "system" and audited.data == {"lexemes": lexemes}
    assert _compare(world, monkeypatch) > 0

    # After the lists were built: a new item that weighs more than any listed one, an edited one, a
    # withdrawn one, and enough new words to move the average length (the lists' bounds are converted).
    _published(world, "Cửa khẩu", "cửa khẩu cửa khẩu biên giới")
    content.do_save_variant(world.appraiser, items[4], "en", "Cửa khẩu cửa khẩu", "", "<p>biên giới</p>")
    content.do_save_variant(world.appraiser, items[2], "en", "Cua", "", "<p>khau</p>")
    advance(world, items[1], State.WITHDRAWN)
    for n in range(3):
        _published(world, f"Văn bản {n}", " ".join(["chữ khác"] * 200) + " cửa khẩu")
    assert _compare(world, monkeypatch) > 0


# Phrases: quoted words and Lao/Khmer runs (the phrase of their cluster pairs), alone and with words.
PHRASE_ASKS = [
    ('"cua khau"', 3, 0), ('"cua khau"', 2, 2), ('"bien gioi" cua', 3, 0), ("ແຂວງ", 3, 0), ("ແຂວງ", 2, 1),
    ("ຂວງກ", 3, 0), ("ດ່ານ ແຂວງ", 2, 0), ("ព្រំដែន", 3, 0), ("ព្រំដែន cua", 2, 0), ('"khau cua"', 3, 0),
]


def test_first_stage_ranks_phrases_like_the_full_query(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A phrase term is bounded by its lexemes' lists (a phrase weighs at most each of its lexemes): the
    same pages as the exact query, with documents holding the lexemes often but the phrase rarely."""
    _tiny_lists(monkeypatch, size=8)
    lao = ["ແຂວງກວາງບິ່ງ", "ດ່ານຊາຍແດນ ແຂວງ", "ຂວງ ແກ ວງກ", "ແຂວງ ແຂວງ ແຂວງ"]
    khmer = ["ច្រកព្រំដែន", "ព្រំ ដែន", "ព្រំដែនព្រំដែន"]
    for n in range(10):
        title = ["Cửa khẩu biên giới", "Khẩu cửa", "Tài liệu", lao[n % 4]][n % 4] + f" {n}"
        body = " ".join(["cửa khẩu"] * (n % 3) + ["khẩu", "cửa"] * (n % 4) + [lao[n % 4]] * (n % 3)
                        + [khmer[n % 3]] * (n % 2 + 1) + ["biên giới"] * (n % 2) + ["chữ"] * (n * 5))
        _published(world, title, body, summary=khmer[n % 3] if n % 3 == 0 else "")
    if connection.vendor == "postgresql":
        search.do_build_toplists()
    answered = _compare(world, monkeypatch, PHRASE_ASKS)
    if connection.vendor == "postgresql":
        assert answered >= len(PHRASE_ASKS)  # every phrase ask was answered by the first stage


def test_reindex_stamps_the_index_format(world: World) -> None:
    _published(world, "Cửa khẩu", "cửa khẩu")
    search.do_reindex_all()
    stamps = search.index_format()
    assert stamps["format"] == search.INDEX_FORMAT
    if connection.vendor == "postgresql":
        assert stamps["toplists"] == pg.TOPLIST_FORMAT and float(stamps["toplist_avg_length"]) >= 1


def test_toplists_command(world: World, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from django.core.management import CommandError, call_command

    if connection.vendor != "postgresql":
        with pytest.raises(CommandError):
            call_command("toplists")
        return
    monkeypatch.setattr(pg, "TOPLIST_MIN_DF", 0)
    monkeypatch.setattr(pg, "TOPLIST_SAMPLE", 1)
    _published(world, "Cửa khẩu", "cửa khẩu")
    call_command("toplists")
    assert "champion lists" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_toplist WHERE lexeme = 'khau'")
        assert cursor.fetchone()[0] >= 1


def test_a_phrase_weighs_at_most_each_of_its_lexemes(world: World) -> None:
    """The bound the first stage puts on a phrase term (see services._pg_top): under ts_rank_cd, a phrase's
    weighted count is at most each of its lexemes', also with overlapping and repeated occurrences and the
    phrase's words in other fields."""
    if connection.vendor != "postgresql":
        return
    texts = [("cửa khẩu cửa", "khẩu cửa khẩu cửa khẩu khẩu khẩu cửa"), ("Cửa", "khẩu cửa cửa cửa khẩu"),
             ("ແຂວງແຂວງແຂວງ", "ແຂວງ ຂວງ ແຂ"), ("ព្រំដែនព្រំ", "ដែនព្រំដែន ព្រំ"), ("Khẩu", "cửa khẩu " * 300)]
    for title, body in texts:
        _published(world, title, body, summary=body[:40])
    phrases = [("cua", "khau"), ("khau", "cua"), ("cua", "khau", "cua"), ("ແຂ", "ຂວ", "ວງ"), ("ວງ", "ແຂ"),
               ("ព្រំ", "រំដែ", "ដែន"), ("ដែន", "នព្")]
    checked = 0
    with connection.cursor() as cursor:
        for tokens in phrases:
            phrase = q.phrase_tsquery(q.Phrase(tokens))
            rank = f"ts_rank_cd('{pg.PG_WEIGHTS}'::float4[], vec, %s::tsquery, 0)"
            cursor.execute(
                f"SELECT {rank}, least({', '.join([rank] * len(tokens))}) FROM search_searchdocument "  # noqa: S608
                "WHERE vec @@ %s::tsquery",
                [phrase, *(q._lexeme(t) for t in tokens), phrase],
            )
            for whole, least in cursor.fetchall():
                assert whole <= least * (1 + 1e-6)
                checked += 1
    assert checked >= len(texts)


# Runs ICU cuts into words (the run's pairs, or its words anywhere: every phrase of the query is weighed on
# its own, as FTS5 weighs them), and relaxed queries whose rare word has no list (its documents are read).
ALTERNATIVE_ASKS = [
    ("ດ່ານແຂວງ", 3, 0), ("ດ່ານແຂວງ", 2, 2), ("ຊາຍແດນແຂວງ", 3, 0), ("ແຂວງກວາງ", 2, 0), ("ຂວງກ", 3, 0),
    ("khau hiếm", 3, 0), ("khau hiếm", 2, 1), ("ແຂວງ hiếm", 3, 0), ("cua zzz", 3, 0),
]


def test_first_stage_ranks_alternatives_and_rare_words_like_the_full_query(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tiny_lists(monkeypatch, size=8)
    lao = ["ດ່ານແຂວງ", "ດ່ານ ແຂວງ", "ແຂວງ ຊາຍແດນ ດ່ານ", "ຊາຍແດນແຂວງກວາງ", "ແຂວງ ແຂວງ"]
    for n in range(12):
        title = ["Cửa khẩu", lao[n % 5], "Khẩu hiệu", lao[(n + 2) % 5]][n % 4] + f" {n}"
        body = " ".join([lao[n % 5]] * (n % 3 + 1) + ["cửa khẩu"] * (n % 4) + ["chữ"] * (n * 3)
                        + (["hiếm"] if n == 7 else []))
        _published(world, title, body)
    if connection.vendor == "postgresql":
        search.do_build_toplists()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_toplexeme WHERE lexeme = 'hiem'")
            assert cursor.fetchone()[0] == 0  # a word in one document has no list: its documents are read
    answered = _compare(world, monkeypatch, ALTERNATIVE_ASKS)
    if connection.vendor == "postgresql":
        assert answered >= len(ALTERNATIVE_ASKS)
