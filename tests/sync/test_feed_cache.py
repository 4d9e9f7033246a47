"""The hub's feed page cache: nodes of one targeting share a built page, nodes of another never see it, and a
publish, an edit or a withdrawal (each a feed entry) is answered with a new page. Through the signed endpoint, as a
node asks, and on both backends."""

from __future__ import annotations

import secrets
import time
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ttdn.content import services as content
from ttdn.content.models import Item, State
from ttdn.places.models import AdminUnit, BorderSite
from ttdn.places.services import SiteData, do_save_border_site
from ttdn.sync.hub import feed, services
from ttdn.sync.models import EdgeNode
from ttdn.sync.transport import keys, wire

from ..conftest import World, advance, make_item

Node = tuple[EdgeNode, Ed25519PrivateKey]


def _site(code: str, province: AdminUnit, kind: str = "border_post", country: str = "KH") -> BorderSite:
    return do_save_border_site(None, SiteData(code=code, name=code, kind=kind, province_id=province.pk,
                                              neighbour_country=country, languages=["km"]))


def _node(site: BorderSite) -> Node:
    key = Ed25519PrivateKey.generate()
    return services.do_enroll(services.do_issue_code(None, site), keys.public_hex(key), "box"), key


def _published(world: World, **kw: Any) -> Item:
    return advance(world, make_item(world, **kw), State.PUBLISHED)


def _read(client: Client, node: Node, after: int, limit: int = 1000) -> tuple[dict[str, Any], int]:
    """The node's signed feed request, its batch as the node verifies and reads it, and the answer's size."""
    edge, key = node
    path = f"/sync/feed?after={after}&epoch={edge.targeting_epoch}&limit={limit}"
    stamp, nonce = f"{time.time():.3f}", secrets.token_hex(16)
    answer = client.get(path, headers={
        "X-Ttdn-Node": str(edge.uid), "X-Ttdn-Time": stamp, "X-Ttdn-Nonce": nonce,
        "X-Ttdn-Signature": keys.sign(key, keys.request_message("GET", path, stamp, nonce, b""))})
    assert answer.status_code == 200, answer.content
    batch = wire.decode(answer.content, answer["X-Ttdn-Batch-Signature"], keys.public_hex(keys.hub_key()))
    return batch, len(answer.content)


def _uids(batch: dict[str, Any], part: str = "records") -> set[str]:
    return {entry["uid"] for entry in batch[part]}


def test_nodes_of_one_targeting_share_a_page_each_in_its_own_envelope(world: World, client: Client) -> None:
    site = _site("pc-ia-chia", world.gia_lai)
    first, second = _node(site), _node(site)
    item = _published(world)
    feed.PAGES.clear()
    hits, misses = feed.PAGES.hits, feed.PAGES.misses

    mine, _size = _read(client, first, 0)
    assert (feed.PAGES.hits - hits, feed.PAGES.misses - misses) == (0, 1)
    theirs, _size = _read(client, second, 0)
    assert (feed.PAGES.hits - hits, feed.PAGES.misses - misses) == (1, 1), "the second node's page was built again"
    assert _uids(mine) == _uids(theirs) == {str(item.uid)}
    assert mine["records"] == theirs["records"] and mine["to"] == theirs["to"]
    # The envelope is each node's own: a node refuses a batch made for another.
    assert mine["node"] == str(first[0].uid) and theirs["node"] == str(second[0].uid)
    # The cached answer is byte for byte the batch built whole.
    for edge, _key in (first, second):
        assert feed.feed_batch_json(edge, 0) == wire.dumps(feed.feed_batch(edge, 0))


def test_a_page_never_reaches_a_node_of_another_targeting(world: World, client: Client) -> None:
    post = _node(_site("pc-ia-chia", world.gia_lai))
    commune = _node(_site("xa-ia-o", world.gia_lai, kind="border_commune"))  # public audience only
    elsewhere = _node(_site("pc-dak-ruieng", world.dak_lak))
    public = _published(world, title="Cho Gia Lai")
    officials = _published(world, title="Hướng dẫn nội bộ", audience="officials")
    km = content.do_save_variant(world.appraiser, public, "km", "ព្រំដែន", "", "<p>ព្រំដែន</p>")
    content.do_set_translation_state(world.appraiser, km, 40)
    feed.PAGES.clear()

    for_post, _size = _read(client, post, 0)
    for_commune, _size = _read(client, commune, 0)
    for_elsewhere, _size = _read(client, elsewhere, 0)
    assert len(feed.PAGES) == 3, "each targeting has its own page"
    assert _uids(for_post) == {str(public.uid), str(officials.uid)}
    assert _uids(for_commune) == {str(public.uid)} and str(officials.uid) in _uids(for_commune, "tombstones")
    assert not _uids(for_elsewhere)
    assert {str(public.uid), str(officials.uid)} <= _uids(for_elsewhere, "tombstones")
    record = next(r for r in for_post["records"] if r["uid"] == str(public.uid))
    assert {v["language"] for v in record["variants"]} == {"vi", "km"}
    # Asked again (the pages now cached), each node still gets only its own.
    assert _read(client, commune, 0)[0]["records"] == for_commune["records"]
    assert not _read(client, elsewhere, 0)[0]["records"]


def test_a_publish_an_edit_and_a_withdrawal_are_each_a_new_page(world: World, client: Client) -> None:
    site = _site("pc-ia-chia", world.gia_lai)
    node, neighbour = _node(site), _node(site)
    old = _published(world, title="Tin cũ")
    feed.PAGES.clear()
    before, _size = _read(client, node, 0)
    assert _uids(before) == {str(old.uid)}

    new = _published(world, title="Tin mới")
    after_publish, _size = _read(client, neighbour, 0)  # the same cursor and limit as the cached page
    assert _uids(after_publish) == {str(old.uid), str(new.uid)} and after_publish["to"] > before["to"]
    since, _size = _read(client, node, before["to"])
    assert _uids(since) == {str(new.uid)}

    km = content.do_save_variant(world.appraiser, new, "km", "ព្រំដែន", "", "<p>ព្រំដែន</p>")  # a translation added
    content.do_set_translation_state(world.appraiser, km, 40)
    edited, _size = _read(client, neighbour, since["to"])
    (record,) = edited["records"]
    assert record["uid"] == str(new.uid) and {v["language"] for v in record["variants"]} == {"vi", "km"}

    content.do_transition(world.publisher, old, "withdraw", reason="Hết hiệu lực")
    withdrawn, _size = _read(client, node, 0)
    assert _uids(withdrawn) == {str(new.uid)}
    assert {t["uid"]: t["reason"] for t in withdrawn["tombstones"]} == {str(old.uid): State.WITHDRAWN}


def test_nothing_new_is_answered_without_reading_the_feed(world: World, client: Client) -> None:
    node = _node(_site("pc-ia-chia", world.gia_lai))
    _published(world)
    hwm = feed.high_water_mark()
    with CaptureQueriesContext(connection) as queries:
        batch, size = _read(client, node, hwm)
    assert batch["records"] == batch["tombstones"] == [] and batch["to"] == hwm and batch["more"] is False
    feed_reads = [q["sql"] for q in queries.captured_queries if "sync_feedentry" in q["sql"]]
    assert len(feed_reads) == 1 and "ORDER BY" in feed_reads[0], feed_reads  # the high-water mark only
    assert size < 400


def test_the_cache_keeps_the_recently_used_pages_within_its_bytes_and_age() -> None:
    pages = feed.PageCache(max_bytes=1000, max_age=60.0)
    for n in range(5):
        pages.put(n, bytes(200))
    assert pages.size == 1000 and len(pages) == 5
    assert pages.get(0) == bytes(200)  # used: now the most recent
    pages.put(5, bytes(200))
    assert pages.get(1) is None and pages.get(0) is not None and pages.size == 1000
    pages.put(6, bytes(300))  # more than a quarter of the whole: not kept
    assert pages.get(6) is None and pages.size == 1000
    pages.put(0, bytes(100))  # the same key again replaces the page
    assert pages.size == 900 and pages.get(0) == bytes(100)

    young = feed.PageCache(max_bytes=1000, max_age=0.05)
    young.put("page", b"{}")
    assert young.get("page") == b"{}"
    time.sleep(0.1)
    assert young.get("page") is None and young.size == 0
