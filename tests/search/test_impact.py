"""PostgreSQL's impact index (search.impact): the pages, totals and relaxed queries it answers equal the full
query's over every match, before and after the material changes under it; it leaves changed items to the
table, steps aside when too much changed, and the worker rebuilds it. On SQLite there is none."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from ttdn.content import services as content
from ttdn.content.models import State
from ttdn.core.models import AuditEntry
from ttdn.search import impact
from ttdn.search import query as q
from ttdn.search import services as search
from ttdn.search.backends import base
from ttdn.search.backends import postgres as pg
from ttdn.search.models import IndexInfo
from ttdn.search.services import SearchQuery
from ttdn.search.tasks import rebuild_impact_index

from ..conftest import World, advance, make_item, province

pytestmark = pytest.mark.django_db

# (text, limit, offset, filters)
ASKS: list[tuple[str, int, int, dict[str, Any]]] = [
    ("cua khau", 3, 0, {}), ("cua khau", 2, 2, {}), ("cua khau", 1, 7, {}), ("khau", 5, 0, {}),
    ("bien gioi", 4, 0, {}), ("bien gioi cua", 2, 1, {}), ("cua khau bien", 10, 0, {}), ("khau cua*", 2, 0, {}),
    ('"cua khau" bien', 3, 0, {}), ('"cua khau"', 2, 1, {}), ('"khau cua"', 3, 0, {}), ("bien xyzzy", 3, 0, {}),
    ("gioi", 2, 3, {}), ("cua", 10, 0, {}), ("ch*", 3, 0, {}), ("bien gi*", 2, 0, {}), ("ແຂວງ", 3, 0, {}),
    ("ດ່ານແຂວງ", 2, 0, {}), ("ຂວງກ", 3, 0, {}), ("ព្រំដែន cua", 2, 0, {}), ("khau hiếm", 3, 0, {}),
    ("cua", 3, 0, {"languages": ["en"]}), ("khau", 2, 0, {"kinds": ["article"]}), ("cua zzz", 3, 1, {}),
    ("cua khau", 0, 0, {}), ('"cua khau"', 0, 0, {}),  # the count alone
    # Filters the arrays apply too (the SQL checks them again): topics, provinces, languages and kinds together.
    ("cua khau", 3, 0, {"topics": ["du-lich"]}), ("khau", 2, 1, {"topics": ["du-lich", "an-ninh"]}),
    ("cua", 3, 0, {"provinces": ["Gia Lai"]}), ("cua", 3, 0, {"provinces": ["Đắk Lắk"]}),
    ('"cua khau"', 2, 0, {"topics": ["an-ninh"], "kinds": ["leaflet"]}), ("ແຂວງ", 2, 0, {"languages": ["vi"]}),
    ("cua", 0, 0, {"topics": ["du-lich"]}), ("cua khau zzz", 3, 0, {"topics": ["an-ninh"]}),
    ("cua khau", 3, 0, {"date_from": "today"}), ("cua khau", 3, 0, {"date_to": "yesterday"}),
    ("khau", 2, 1, {"date_from": "today", "date_to": "today", "topics": ["du-lich"]}),
]
DAYS = {"today": 0, "yesterday": -1}
LAO = ["ດ່ານແຂວງ", "ດ່ານ ແຂວງ", "ແຂວງ ຊາຍແດນ ດ່ານ", "ຊາຍແດນແຂວງກວາງ", "ແຂວງ ແຂວງ"]
KHMER = ["ច្រកព្រំដែន", "ព្រំ ដែន", "ព្រំដែនព្រំដែន"]


def _published(world: World, title: str, body: str, **kw: Any) -> Any:
    return advance(world, make_item(world, title=title, body=f"<p>{body}</p>", **kw), State.PUBLISHED)


def _corpus(world: World) -> list[Any]:
    content.do_save_topic(None, "du-lich", "Du lịch", "Tourism")
    content.do_save_topic(None, "an-ninh", "An ninh", "Security")
    items = []
    for n in range(14):
        title = ["Cửa khẩu biên giới", "Khẩu cửa", LAO[n % 5], "Biên giới đất liền", "Chữ"][n % 5] + f" {n}"
        body = " ".join(["cửa khẩu"] * (n % 3) + ["khẩu", "cửa"] * (n % 4) + [LAO[n % 5]] * (n % 3)
                        + [KHMER[n % 3]] * (n % 2 + 1) + ["biên giới"] * (n % 2) + ["chữ"] * (n * 4)
                        + (["hiếm"] if n == 9 else []))
        topics = ["du-lich"] * (n % 2 == 0) + ["an-ninh"] * (n % 3 == 1)
        items.append(_published(world, title, body, kind="article" if n % 3 == 0 else "leaflet", topics=topics))
    content.do_save_variant(world.appraiser, items[2], "en", "Cua khau border gate", "", "<p>cua khau cua</p>")
    make_item(world, title="Cửa khẩu cửa khẩu nháp", body="<p>cửa khẩu biên giới</p>")  # a draft
    return items


def _page(results: search.SearchResults) -> list[tuple[Any, ...]]:
    return [(h.item_id, round(h.score, 9), [(v.language, round(v.score, 9), v.matched) for v in h.variants])
            for h in results.hits]


def _run(user: Any) -> list[tuple[Any, ...]]:
    out = []
    for text, limit, offset, filters in ASKS:
        if "provinces" in filters:  # by name here: their keys are the database's
            filters = {**filters, "provinces": [province(name).key for name in filters["provinces"]]}
        for key in ("date_from", "date_to"):  # relative to the day the test runs
            if key in filters:
                filters = {**filters, key: timezone.localdate() + dt.timedelta(days=DAYS[filters[key]])}
        r = search.search(user, SearchQuery(text=text, limit=limit, offset=offset, **filters))
        out.append((text, limit, offset, _page(r), r.total, r.total_capped, r.relaxed))
    return out


def _small(monkeypatch: pytest.MonkeyPatch) -> None:
    """The index used on a handful of documents, with first stages and a cap small enough to exercise
    every bound and every slice of the count."""
    monkeypatch.setattr(impact, "MIN_DOCUMENTS", 0)
    for name, value in {"PG_FIRST_K": 1, "IMPACT_DEPTH": 1, "TOTAL_CAP": 4}.items():
        monkeypatch.setattr(base if name == "TOTAL_CAP" else pg, name, value)


def _built(world: World, monkeypatch: pytest.MonkeyPatch) -> list[Any] | None:
    """The small corpus, its impact index built on PostgreSQL; None on SQLite, which keeps no such index
    (the command refuses there and the worker's task does nothing)."""
    _small(monkeypatch)
    items = _corpus(world)
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError):
            call_command("impact_index")
        assert rebuild_impact_index.call() == 0
        return None
    search.do_build_impact_index()
    return items


def _compare(world: World, monkeypatch: pytest.MonkeyPatch) -> int:
    """The impact index's pages equal the full query's (same idf: both from the index); returns how many asks
    it answered."""
    answered = []
    impact_top = pg._impact_top

    def counting(*args: Any) -> Any:
        found = impact_top(*args)
        answered.append(found is not None)
        return found

    with monkeypatch.context() as m:
        m.setattr(pg, "_impact_top", lambda *args: None)
        m.setattr(pg, "_pg_top", lambda *args: None)
        m.setattr(pg, "_impact_count", lambda match, *args: pg._pg_count(match, *args[:2]))
        exact = {None: _run(None), "publisher": _run(world.publisher)}
    with monkeypatch.context() as m:
        m.setattr(pg, "_impact_top", counting)
        assert _run(None) == exact[None]
        assert _run(world.publisher) == exact["publisher"]
    return sum(answered)


def test_impact_index_ranks_like_the_full_query(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _small(monkeypatch)
    items = _corpus(world)
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError):
            call_command("impact_index")
        assert rebuild_impact_index.call() == 0  # the worker's task: nothing to do on SQLite
        return
    lexemes = search.do_build_impact_index()
    assert lexemes > 20
    assert search.index_format()["impact"]
    audited = AuditEntry.objects.filter(action="search.index.impact").latest("pk")
    assert audited.actor_label == "system" and audited.data == {"lexemes": lexemes}
    with connection.cursor() as cursor:
        assert impact.current(cursor) is not None
    answered = _compare(world, monkeypatch)
    assert answered >= len(ASKS) - 4  # every ask with a match and a page, on both users' views

    # Changes after the build: a new item that outweighs every other, an edited variant, a withdrawn item and
    # a deleted language version. They are ranked from the table; the withdrawn item is gone at once.
    newest = _published(world, "Cửa khẩu cửa khẩu", "cửa khẩu cửa khẩu biên giới ແຂວງ")
    content.do_save_variant(world.appraiser, items[4], "en", "Cửa khẩu cửa khẩu", "", "<p>biên giới</p>")
    advance(world, items[1], State.WITHDRAWN)
    content.do_delete_variant(world.appraiser, items[2].variants.get(language="en"))
    with connection.cursor() as cursor:
        current = impact.current(cursor)
    assert current is not None and {newest.pk, items[1].pk, items[2].pk, items[4].pk} <= set(current[1])
    hits = search.search(None, SearchQuery(text="cua khau", limit=20)).hits
    assert hits[0].item_id == newest.pk and items[1].pk not in {h.item_id for h in hits}
    assert _compare(world, monkeypatch) >= len(ASKS) - 4

    # The worker's rebuild absorbs the changes once enough items changed.
    monkeypatch.setattr(impact, "REBUILD_AFTER", 100)
    assert rebuild_impact_index.call() == 0
    monkeypatch.setattr(impact, "REBUILD_AFTER", 4)
    assert rebuild_impact_index.call() > 20
    with connection.cursor() as cursor:
        current = impact.current(cursor)
    assert current is not None and current[1] == []
    assert _compare(world, monkeypatch) >= len(ASKS) - 4


def test_too_many_changes_set_the_index_aside(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    items = _built(world, monkeypatch)
    if items is None:
        return
    monkeypatch.setattr(impact, "DELTA_MAX", 1)
    content.do_save_variant(world.appraiser, items[3], "en", "Cua khau", "", "<p>khau</p>")
    with connection.cursor() as cursor:
        assert impact.current(cursor) is not None
    content.do_save_variant(world.appraiser, items[5], "en", "Cua khau", "", "<p>khau</p>")
    with connection.cursor() as cursor:
        assert impact.current(cursor) is None  # two items changed: every search ranks from the table
    used = []
    monkeypatch.setattr(pg, "_impact_top", lambda *args: used.append(1))
    found = search.search(None, SearchQuery(text="cua khau", limit=20))
    assert not used and {items[3].pk, items[5].pk} <= {h.item_id for h in found.hits}


def test_filter_sets_and_dates_come_from_the_build(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each filter value's documents and each document's date, as the build stored them, are the table's."""
    if _built(world, monkeypatch) is None:
        return
    with connection.cursor() as cursor:
        current = impact.current(cursor)
        assert current is not None
        segment = current[0]
        cursor.execute("SELECT variant_id, language, kind, provinces, topics, extract(epoch FROM date) "
                       "FROM search_searchdocument")
        rows = cursor.fetchall()
        expected: dict[tuple[str, str], set[int]] = {}
        for vid, language, kind, provinces, topics, _seconds in rows:
            for key in [("language", language), ("kind", kind)] + [("provinces", p) for p in provinces.split()] + [
                    ("topics", t) for t in topics.split()]:
                expected.setdefault(key, set()).add(vid)
        assert {k for k, _v in expected if k == "provinces"} and {k for k, _v in expected if k == "topics"}
        wanted = [*expected, ("language", "xx"), ("provinces", "no-such-province")]
        sets = impact._filter_sets(cursor, segment, wanted)
        assert {key: set(sets[key].tolist()) for key in expected} == expected
        assert len(sets[("language", "xx")]) == 0 and len(sets[("provinces", "no-such-province")]) == 0
        dates = impact._dates(cursor, segment)
        assert {vid: dates[vid] for vid, *_rest in rows} == {vid: float(seconds) for vid, *_rest, seconds in rows}
        # Two values of one filter: either; two filters: both.
        language, kind = next(iter(expected))[1], next(k for k in expected if k[0] == "kind")[1]
        mask = impact.allowed(cursor, segment, [("language", [language, "xx"]), ("kind", [kind])])
        assert mask is not None
        both = expected[("language", language)] & expected[("kind", kind)]
        assert set(np.flatnonzero(mask).tolist()) == both


def test_an_index_of_an_earlier_format_is_not_read_and_is_rebuilt(world: World, monkeypatch: pytest.MonkeyPatch,
                                                                  ) -> None:
    if _built(world, monkeypatch) is None:
        return
    IndexInfo.objects.filter(key="impact_format").update(value="2")  # as an earlier version left it
    with connection.cursor() as cursor:
        assert impact.current(cursor) is None
    assert impact.outdated() and impact.changed_items() == 0
    assert rebuild_impact_index.call() > 20  # the worker does not wait for changes
    assert not impact.outdated()
    with connection.cursor() as cursor:
        assert impact.current(cursor) is not None
    assert rebuild_impact_index.call() == 0


def test_bounds_hold_for_phrases_and_are_exact_for_words(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The arrays' matches are the tsquery's once the phrases' places are looked at (before, a superset); their
    score of a matched document is the SQL's own for words and prefixes, and at least the SQL's for phrases
    of several lexemes (the weights of the places the phrase starts at, or before that the least of its
    lexemes' weighted counts)."""
    if _built(world, monkeypatch) is None:
        return
    checked = 0
    kinds = set()
    for text in ["cua khau", "ch*", '"cua khau"', "ດ່ານແຂວງ", "ຂວງກ", '"khau cua" bien', "bien gi*", "ព្រំដែន",
                 "khau"]:
        parsed = q.parse(text)
        match = pg.prepare(parsed)
        found = match.evaluation
        # The proximity pairs ("cua khau") are phrases of several lexemes too.
        exact = all(len(p.tokens) == 1 for term in parsed.terms for alt in term.alternatives for p in alt) and not (
            parsed.pairs)
        kinds.add(exact)
        assert found is not None and found.scored is exact
        sql, params = pg.matches_sql(match, "1=1", [])
        with connection.cursor() as cursor:
            cursor.execute(sql + " SELECT vid, -s FROM m", params)  # noqa: S608
            scores = dict(cursor.fetchall())
        loose = dict(zip(found.matched.tolist(), found.bound.tolist(), strict=True))
        holds, tight = found.verify(found.matched)
        bounds = dict(zip(found.matched[holds].tolist(), tight[holds].tolist(), strict=True))
        assert set(scores) <= set(loose)  # before their places are looked at, phrases match a superset
        assert set(scores) == set(bounds)  # after, exactly the tsquery's matches
        for vid, score in scores.items():
            assert loose[vid] >= bounds[vid] * (1 - 1e-6) and bounds[vid] >= score * (1 - 1e-6)
            if exact:
                assert bounds[vid] == pytest.approx(score, rel=1e-6) == loose[vid]
            checked += 1
    assert checked > 30 and kinds == {True, False}


def test_impact_index_command(world: World, capsys: Any) -> None:
    _published(world, "Cửa khẩu", "cửa khẩu")
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError):
            call_command("impact_index")
        return
    call_command("impact_index")
    assert "impact index" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute("SELECT df FROM search_posting WHERE lexeme = 'khau'")
        assert cursor.fetchone()[0] >= 1
    search.do_reindex_all()  # a full reindex builds a new one and forgets the old
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT segment) FROM search_posting")
        assert cursor.fetchone()[0] == 1


def test_a_phrase_ending_in_a_prefix_finds_its_words_in_the_documents_vectors(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the prefix's words would cost more to read from the arrays than the documents asked (a short
    prefix on a large corpus), their places come from those documents' vectors: the pages stay the full
    query's."""
    if _built(world, monkeypatch) is None:
        return
    monkeypatch.setattr(impact, "PREFIX_ARRAYS_PER_DOCUMENT", 0)
    stems: list[str] = []
    original = impact._prefix_places

    def reading(cursor: Any, docs: Any, stem: str) -> Any:
        stems.append(stem)
        return original(cursor, docs, stem)

    monkeypatch.setattr(impact, "_prefix_places", reading)
    assert _compare(world, monkeypatch) >= len(ASKS) - 4
    assert {"cua", "gi"} <= set(stems)  # "khau cua*", "bien gi*"


def test_a_small_cache_drops_arrays_and_ranks_the_same(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond the cache's budget the least recently used arrays are dropped (and read again when asked): the
    pages stay the full query's, and what is counted as held is what the entries kept add up to, a word's
    parts not counting again the list they share."""
    if _built(world, monkeypatch) is None:
        return
    monkeypatch.setattr(impact, "_cache_bytes", lambda: 600)
    assert _compare(world, monkeypatch) >= len(ASKS) - 4
    segment = impact._LOADED["current"]
    tables = {id(segment.lists): segment.lists, id(segment.positions): segment.positions,
              id(segment.parts): segment.parts}
    assert {(table, key) for table, entries in tables.items() for key in entries} == set(segment.counted)
    assert segment.cached == sum(segment.counted.values())
    assert len(segment.parts) + len(segment.lists) < 20  # most were dropped
    impact._keep(segment, segment.lists, "word", (np.zeros(10, np.int32), np.zeros(10, np.float32)))
    impact._keep(segment, segment.parts, "word", (*segment.lists["word"], np.zeros(10)))
    assert segment.counted[(id(segment.parts), "word")] == 80  # only its own BM25 parts


def test_lists_are_stored_in_document_order(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build writes every lexeme's arrays by document whatever order the table yields its rows in (the
    reader bisects them as they are): with the table's rows in descending order, each list's ids still ascend,
    and its counts and positions are the documents' own."""
    import numpy as np

    if _built(world, monkeypatch) is None:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks run now: the table can be rewritten
        cursor.execute("CREATE INDEX search_doc_descending ON search_searchdocument (variant_id DESC)")
        cursor.execute("CLUSTER search_searchdocument USING search_doc_descending")
        cursor.execute("SELECT array_agg(variant_id) FROM search_searchdocument")
        scanned = cursor.fetchone()[0]
        assert scanned != sorted(scanned)
    search.do_build_impact_index()
    with connection.cursor() as cursor:
        cursor.execute("SELECT u.lexeme, d.variant_id, u.positions FROM search_searchdocument AS d "
                       "CROSS JOIN LATERAL unnest(d.vec) AS u ORDER BY u.lexeme, d.variant_id")
        expected: dict[str, list[tuple[int, list[int]]]] = {}
        for lexeme, vid, where in cursor.fetchall():
            expected.setdefault(lexeme, []).append((vid, list(where)))
        cursor.execute("SELECT lexeme, ids, counts, positions FROM search_posting")
        rows = cursor.fetchall()
    assert len(rows) == len(expected)
    several = 0
    for lexeme, ids_b, counts_b, positions_b in rows:
        ids = np.frombuffer(ids_b, ">i4").tolist()
        counts = np.frombuffer(counts_b, ">i2").astype(np.int64)
        where = np.split(np.frombuffer(positions_b, ">i2"), np.cumsum(counts)[:-1])
        assert list(zip(ids, [w.tolist() for w in where], strict=True)) == expected[lexeme]
        several += len(ids) > 1
    assert several > 10
    impact._LOADED.clear()  # read the lists again, as a new process would
    assert _compare(world, monkeypatch) >= len(ASKS) - 4


def test_a_change_committed_during_a_build_stays_listed(live_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build reads the documents and the changes it absorbs in one snapshot: an item edited by another
    connection while it runs is left out of the new arrays' trust and still found from the table."""
    import threading

    from django.db import connections

    from ttdn.search.models import IndexInfo

    world = live_world
    _small(monkeypatch)
    items = _corpus(world)
    if connection.vendor != "postgresql":
        return
    edited = items[6]
    original = IndexInfo.objects.update_or_create
    done: list[bool] = []

    def edit_elsewhere() -> None:
        try:
            content.do_save_variant(world.appraiser, edited, "en", "Zyxwv border notice", "", "<p>zyxwv</p>")
            done.append(True)
        finally:
            connections.close_all()

    def edit_during_the_build(*args: Any, **kwargs: Any) -> Any:
        if not done:  # the build's snapshot is taken: another connection commits an edit now
            thread = threading.Thread(target=edit_elsewhere)
            thread.start()
            thread.join()
        return original(*args, **kwargs)

    monkeypatch.setattr(IndexInfo.objects, "update_or_create", edit_during_the_build)
    assert search.do_build_impact_index() > 20
    monkeypatch.undo()
    _small(monkeypatch)
    assert done == [True]
    with connection.cursor() as cursor:
        current = impact.current(cursor)
    assert current is not None and edited.pk in current[1]  # the edit stays listed, ranked from the table
    found = search.search(world.publisher, SearchQuery(text="zyxwv", limit=5))  # a translation not yet reviewed
    assert [h.item_id for h in found.hits] == [edited.pk]


def test_within_is_isin() -> None:
    """The phrases' membership test by bisection answers as np.isin, for sorted and unsorted pools."""
    rng = np.random.default_rng(7)
    for size in (0, 1, 5, 400):
        keys = rng.integers(0, 300, size)
        for pool in (np.sort(rng.integers(0, 300, 250)), rng.integers(0, 300, 250), np.zeros(0, np.int64),
                     np.array([42])):
            assert (impact._within(keys, pool) == np.isin(keys, pool)).all()
