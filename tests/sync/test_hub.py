"""The hub side in one process: the feed, targeting, enrolment, signed requests, bundles down to the bit,
the dashboard and the count the plans use; and the edge role's read-only web."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client, override_settings
from django.utils import timezone

from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.accounts.models import User
from ttdn.content import changes
from ttdn.content import services as content
from ttdn.content.models import Item, State
from ttdn.core.errors import PermissionDenied, ServiceError
from ttdn.places.models import BorderSite
from ttdn.places.services import SiteData, do_save_border_site
from ttdn.sync.hub import feed, services
from ttdn.sync.models import EdgeNode, FeedEntry, LocalCount
from ttdn.sync.transport import bundle, keys, wire

from ..conftest import World, advance, make_item
from .hubtool import pdf_bytes


def _site(world: World, code: str = "pc-ia-chia", kind: str = "border_post", country: str = "KH") -> BorderSite:
    return do_save_border_site(None, SiteData(code=code, name=code, kind=kind, province_id=world.gia_lai.pk,
                                              neighbour_country=country, languages=["km"]))


def _node(world: World, site: BorderSite | None = None) -> tuple[EdgeNode, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    code = services.do_issue_code(None, site or _site(world))
    return services.do_enroll(code, keys.public_hex(key), "box"), key


def _published(world: World, **kw: Any) -> Item:
    return advance(world, make_item(world, **kw), State.PUBLISHED)


def test_every_change_is_in_the_feed_in_order(world: World) -> None:
    before = FeedEntry.objects.count()
    item = make_item(world)
    advance(world, item, State.PUBLISHED)
    entries = list(FeedEntry.objects.filter(item_uid=item.uid).values_list("seq", flat=True))
    assert len(entries) == FeedEntry.objects.count() - before == 5  # created, then four workflow steps
    assert entries == sorted(entries)
    with override_settings(ROLE="edge"):
        content.do_transition(world.publisher, item, "withdraw", reason="Hết hiệu lực")
    assert FeedEntry.objects.filter(item_uid=item.uid).count() == 5, "an edge node keeps no feed"


def test_targeting_decides_records_and_tombstones(world: World) -> None:
    post, _key = _node(world)
    commune, _key2 = _node(world, _site(world, "xa-ia-o", "border_commune"))
    public = _published(world)
    officials = _published(world, title="Hướng dẫn nội bộ", audience="officials")
    other = _published(world, title="Tin Đắk Lắk")
    other.target_provinces.set([world.dak_lak])
    laos_only = _published(world, title="Cho Lào", target_countries=["LA"])
    km = content.do_save_variant(world.appraiser, public, "km", "ព្រំដែន", "", "<p>ព្រំដែន</p>")
    content.do_set_translation_state(world.appraiser, km, 40)
    content.do_save_variant(world.appraiser, public, "lo", "ຊາຍແດນ", "", "<p>ຊາຍແດນ</p>")  # not reviewed
    ids = [public.pk, officials.pk, other.pk, laos_only.pk]

    batch = feed.render_for(post, ids)
    assert {r["uid"] for r in batch["records"]} == {str(public.uid), str(officials.uid)}
    assert {t["uid"] for t in batch["tombstones"]} == {str(other.uid), str(laos_only.uid)}
    record = next(r for r in batch["records"] if r["uid"] == str(public.uid))
    assert {v["language"] for v in record["variants"]} == {"vi", "km"}  # no unreviewed Lao, no other language

    for_commune = feed.render_for(commune, ids)
    assert {r["uid"] for r in for_commune["records"]} == {str(public.uid)}
    assert str(officials.uid) in {t["uid"] for t in for_commune["tombstones"]}
    with pytest.raises(ServiceError):
        services.do_set_targeting(None, commune, audience="officials")

    epoch = post.targeting_epoch
    post = services.do_set_targeting(None, post, languages_=[], audience="public")
    assert post.targeting_epoch == epoch + 1
    assert set(feed.targeted_versions(post)) == {str(public.uid)}
    assert feed.targeted_versions(post)[str(public.uid)][1] == ["vi"]


def test_a_feed_batch_is_bounded_by_records_and_passes_over_other_sites_entries(world: World) -> None:
    post, _key = _node(world)
    start = feed.high_water_mark()
    # Twelve items for another province (tombstones for this node), then three for it; each has several
    # feed entries (created, the workflow's steps, one more change).
    for n in range(12):
        other = _published(world, title=f"Tin Đắk Lắk {n}")
        other.target_provinces.set([world.dak_lak])
        changes.item_changed(other.pk)
    mine = [_published(world, title=f"Tin Gia Lai {n}") for n in range(3)]
    changes.item_changed(mine[0].pk)
    entries = FeedEntry.objects.filter(seq__gt=start).count()

    def pulled(limit: int) -> list[dict[str, Any]]:
        after, batches = start, []
        while True:
            batch = feed.feed_batch(post, after, limit=limit)
            batches.append(batch)
            assert batch["from"] == after and batch["to"] > after
            after = batch["to"]
            if not batch["more"]:
                return batches

    # Pages of 4 entries: the other province's entries are passed over 20 per batch (4 records' worth of
    # tombstones), not 4 per round trip; an item comes once per batch, as a record or a tombstone.
    batches = pulled(4)
    assert len(batches) < entries / 4
    for batch in batches:
        uids = [r["uid"] for r in batch["records"]] + [t["uid"] for t in batch["tombstones"]]
        assert len(uids) == len(set(uids))
        assert len(batch["records"]) + len(batch["tombstones"]) / feed.TOMBSTONES_PER_RECORD < 4 + 4
    records = {r["uid"] for b in batches for r in b["records"]}
    tombstones = {t["uid"] for b in batches for t in b["tombstones"]}
    assert records == {str(i.uid) for i in mine}
    assert len(tombstones) == 12 and not tombstones & records
    # One big page (bundles): the same content in one batch.
    (whole,) = pulled(10**6)
    assert {r["uid"] for r in whole["records"]} == records
    assert {t["uid"] for t in whole["tombstones"]} == tombstones


def test_enrolment_codes_are_one_time_and_expire(world: World) -> None:
    site = _site(world)
    code = services.do_issue_code(None, site, valid_hours=1)
    first = keys.public_hex(Ed25519PrivateKey.generate())
    node = services.do_enroll(code.lower().replace("-", " "), first)  # as typed by someone reading it aloud
    assert node.site == site and node.audience == "officials" and node.languages == ["km"]
    with pytest.raises(PermissionDenied):
        services.do_enroll(code, keys.public_hex(Ed25519PrivateKey.generate()))
    expired = services.do_issue_code(None, site, valid_hours=1)
    with pytest.raises(PermissionDenied):
        with override_settings(USE_TZ=True):
            from ttdn.sync.models import EnrolmentCode

            EnrolmentCode.objects.filter(used_at__isnull=True).update(expires_at=timezone.now() - dt.timedelta(1))
            services.do_enroll(expired, keys.public_hex(Ed25519PrivateKey.generate()))
    with pytest.raises(ServiceError):
        services.do_enroll(services.do_issue_code(None, site), "not-a-key")
    with pytest.raises(PermissionDenied):
        services.do_issue_code(world.publisher, site)


def _signed(client: Client, node: EdgeNode, key: Ed25519PrivateKey, path: str, *, stamp: float | None = None,
            nonce: str | None = None, body: bytes = b"", sign_path: str | None = None) -> Any:
    stamp_text = f"{stamp if stamp is not None else time.time():.3f}"
    nonce = nonce or secrets.token_hex(16)
    method = "POST" if body else "GET"
    message = keys.request_message(method, sign_path or path, stamp_text, nonce, body)
    headers = {"X-Ttdn-Node": str(node.uid), "X-Ttdn-Time": stamp_text, "X-Ttdn-Nonce": nonce,
               "X-Ttdn-Signature": keys.sign(key, message)}
    if body:
        return client.post(path, body, content_type="application/json", headers=headers)
    return client.get(path, headers=headers)


def test_a_feed_read_while_a_publish_commits_is_refused_not_answered_empty(
        world: World, client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """A publish holds the feed's lock while it commits. A node asking then must not be told "nothing new" (its
    sync would end "ok" without what was just published, a USB bundle would travel empty): it gets a 503 to retry."""
    from django.db import connection, connections

    node, key = _node(world)
    item = _published(world)
    if connection.vendor != "postgresql":
        # SQLite commits writers one at a time, in order: the feed is never busy and is always answered.
        assert feed.feed_batch(node, 0)["records"]
        return
    monkeypatch.setattr(feed, "FEED_BUSY_WAIT", 0.3)
    writer = connections.create_connection("default")  # another session: a publish in flight
    try:
        with writer.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock_shared(%s)", [feed._FEED_LOCK])
        with pytest.raises(ServiceError) as refused:
            feed.feed_batch(node, 0)
        assert refused.value.code == "feed_busy" and refused.value.status == 503
        answer = _signed(client, node, key, "/sync/feed?after=0&epoch=1")
        assert answer.status_code == 503 and answer["Retry-After"] == "2"
        assert answer.json()["code"] == "feed_busy"
    finally:
        with writer.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock_all()")
        writer.close()
    # The publish committed: the same request is answered with the item.
    answer = _signed(client, node, key, "/sync/feed?after=0&epoch=1")
    batch = wire.decode(answer.content, answer["X-Ttdn-Batch-Signature"], keys.public_hex(keys.hub_key()))
    assert [r["uid"] for r in batch["records"]] == [str(item.uid)]


def test_every_request_is_signed_and_checked(world: World, client: Client) -> None:
    node, key = _node(world)
    item = _published(world)
    ok = _signed(client, node, key, "/sync/feed?after=0&epoch=1")
    assert ok.status_code == 200
    batch = wire.decode(ok.content, ok["X-Ttdn-Batch-Signature"], keys.public_hex(keys.hub_key()))
    assert [r["uid"] for r in batch["records"]] == [str(item.uid)] and batch["to"] >= 1

    nonce = secrets.token_hex(16)
    assert _signed(client, node, key, "/sync/feed?after=0&epoch=1", nonce=nonce).status_code == 200
    replay = _signed(client, node, key, "/sync/feed?after=0&epoch=1", nonce=nonce)
    assert replay.status_code == 401 and replay.json()["code"] == "replayed"
    skewed = _signed(client, node, key, "/sync/feed?after=0", stamp=time.time() - 600)
    assert skewed.status_code == 401 and skewed.json()["code"] == "clock_skew"
    other = _signed(client, node, Ed25519PrivateKey.generate(), "/sync/feed?after=0")
    assert other.status_code == 401 and other.json()["code"] == "bad_signature"
    moved = _signed(client, node, key, "/sync/feed?after=0", sign_path="/sync/feed?after=5")
    assert moved.status_code == 401
    stranger = client.get("/sync/feed", headers={"X-Ttdn-Node": "00000000-0000-0000-0000-000000000000",
                                                 "X-Ttdn-Nonce": "abcdefgh12345678"})
    assert stranger.status_code == 401 and stranger.json()["code"] == "unknown_node"
    assert client.get("/sync/feed").status_code == 401

    report = {"applied_seq": 3, "epoch": 1, "version": "0.1.0", "free_disk": 10**9,
              "counts": [{"day": "2026-01-02", "uid": str(item.uid), "kind": "view", "count": 4}]}
    up = _signed(client, node, key, "/sync/uplink", body=json.dumps(report).encode())
    assert up.status_code == 200
    node.refresh_from_db()
    assert node.last_applied_seq == 3 and node.free_disk_bytes == 10**9
    assert node.display_counts.get().count == 4

    services.do_revoke_node(None, node, "Thiết bị bị mất")
    revoked = _signed(client, node, key, "/sync/feed?after=0&epoch=1")
    assert revoked.status_code == 403 and revoked.json()["code"] == "node_revoked"
    assert "thu hồi" in revoked.json()["message"] and "revoked" in revoked.json()["message"]


def _bundle(world: World, tmp_path: Path) -> tuple[Path, EdgeNode]:
    node, _key = _node(world)
    item = make_item(world)
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf_bytes(random.Random(1).randbytes(150_000)))
    content.do_attach_file(world.contributor, item.variants.get(), path, "doc.pdf")
    advance(world, item, State.PUBLISHED)
    return services.do_export_bundle(None, [node], tmp_path / "b.tar"), node


def test_a_bundle_with_any_flipped_bit_or_another_key_is_refused(world: World, tmp_path: Path) -> None:
    path, node = _bundle(world, tmp_path)
    hub_public = keys.public_hex(keys.hub_key())
    good = bundle.verify(path, lambda m: hub_public)
    assert str(node.uid) in good.manifest["nodes"] and len(good.offsets) > 3
    data = path.read_bytes()
    # Positions in every region: headers, manifest, signature, batch, chunk data, padding, the end blocks.
    positions = {0, 100, 148, 257, 511, 512, 600, len(data) - 1, len(data) - 700}
    for offset, size in good.offsets.values():
        positions.update({offset - 512, offset - 512 + 124, offset, offset + size // 2, offset + size - 1})
        if size % 512:
            positions.add(offset + size)  # the first padding byte
    positions.update(random.Random(7).sample(range(len(data)), 40))
    flipped = tmp_path / "flipped.tar"
    for pos in sorted(positions):
        bad = bytearray(data)
        bad[pos] ^= 1 << (pos % 8)
        flipped.write_bytes(bytes(bad))
        with pytest.raises(bundle.BundleRejected):
            bundle.verify(flipped, lambda m: hub_public)
    truncated = tmp_path / "short.tar"
    truncated.write_bytes(data[:-512])
    with pytest.raises(bundle.BundleRejected):
        bundle.verify(truncated, lambda m: hub_public)

    # Signed by another key: refused.
    stranger = Ed25519PrivateKey.generate()
    original = keys.hub_key
    try:
        keys.hub_key = lambda: stranger  # type: ignore[assignment]
        forged = services.do_export_bundle(None, [node], tmp_path / "forged.tar")
    finally:
        keys.hub_key = original  # type: ignore[assignment]
    with pytest.raises(bundle.BundleRejected):
        bundle.verify(forged, lambda m: hub_public)


def test_sites_equipped_and_online(world: World) -> None:
    post, _key = _node(world)
    commune, _key2 = _node(world, _site(world, "xa-ia-o", "border_commune"))
    assert services.sites_equipped_and_online() == 0
    services.do_record_contact(post, {"applied_seq": 1})
    services.do_record_contact(commune, {"applied_seq": 1})
    assert services.sites_equipped_and_online() == 2
    assert services.sites_equipped_and_online(world.gia_lai) == 2
    assert services.sites_equipped_and_online(world.dak_lak.pk) == 0
    EdgeNode.objects.filter(pk=commune.pk).update(last_contact_at=timezone.now() - dt.timedelta(days=2))
    assert services.sites_equipped_and_online() == 1
    assert services.sites_equipped_and_online(within=dt.timedelta(days=3)) == 2
    services.do_revoke_node(None, post)
    assert services.sites_equipped_and_online() == 0


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    session = client.session
    session[OTP_SESSION_KEY] = True
    session.save()
    return client


def test_dashboard_of_nodes(world: World, client: Client) -> None:
    post, _key = _node(world)
    services.do_record_contact(post, {"applied_seq": 0, "version": "0.1.0", "free_disk": 5 * 1024**3})
    page = _login(client, world.operator).get("/sync/nodes/")
    assert page.status_code == 200
    html = page.content.decode()
    assert str(post.uid) in html and "5.0 GB" in html.replace(",", ".") and "Đang kết nối" in html
    assert _login(Client(), world.agency_admin).get("/sync/nodes/").status_code == 200
    assert _login(Client(), world.reader).get("/sync/nodes/").status_code == 403
    assert Client().get("/sync/nodes/").status_code == 302


def test_edge_web_is_read_only_and_counts_views(world: World) -> None:
    item = _published(world)
    with override_settings(ROLE="edge"):
        client = Client()
        assert client.get(f"/items/{item.uid}/").status_code == 200
        assert client.get(f"/items/{item.uid}/").status_code == 200
        assert LocalCount.objects.get(item_uid=item.uid, kind="view").count == 2
        login = client.get("/accounts/login/")
        assert login.status_code == 200
        _login(client, world.contributor)
        refused = client.post("/items/new/", {"title": "x"})
        assert refused.status_code == 403 and "máy chủ trung tâm" in refused.content.decode()
        api = client.post("/api/v1/items", {}, content_type="application/json")
        assert api.status_code == 403 and api.json()["code"] == "read_only_node"
        assert client.post("/accounts/logout/").status_code in {200, 302}


def test_sync_window_wraps_midnight() -> None:
    from ttdn.sync.management.commands.sync import in_window, parse_window

    night = parse_window("22:00-05:00")
    assert in_window(dt.time(23, 30), night) and in_window(dt.time(4, 59), night)
    assert not in_window(dt.time(12, 0), night) and not in_window(dt.time(5, 0), night)
    day = parse_window("08:00-17:00")
    assert in_window(dt.time(8, 0), day) and not in_window(dt.time(17, 0), day)
    assert in_window(dt.time(3, 0), None)


def test_one_bundle_for_several_nodes(world: World, tmp_path: Path) -> None:
    _path, post = _bundle(world, tmp_path)
    commune, _key = _node(world, _site(world, "xa-ia-o", "border_commune"))
    both = services.do_export_bundle(None, [post, commune], tmp_path / "both.tar")
    verified = bundle.verify(both, lambda m: keys.public_hex(keys.hub_key()))
    assert set(verified.manifest["nodes"]) == {str(post.uid), str(commune.uid)}
    chunk_names = [m[0] for m in verified.manifest["members"] if m[0].startswith("chunks/")]
    assert chunk_names and len(chunk_names) == len(set(chunk_names)), "a chunk both nodes need is carried once"
    services.do_revoke_node(None, commune)
    commune.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.do_export_bundle(None, [post, commune], tmp_path / "refused.tar")
    assert not (tmp_path / "refused.tar").exists()


GOOD_COUNT = {"day": "2026-01-02", "uid": "8c6f1f9e-6f3a-4c1e-9a43-8d1d2b3c4e5f", "kind": "view", "count": 4}
GOOD_ACK = {"bundle_id": "b-1", "status": "applied", "applied_seq": 2}


@pytest.mark.parametrize(("field", "value"), [
    ("applied_seq", "3"), ("applied_seq", -1), ("applied_seq", 10**20), ("applied_seq", True),
    ("epoch", [1]), ("epoch", 2**40), ("version", {"v": 1}), ("free_disk", "lots"), ("free_disk", 1.5),
    ("counts", "many"), ("counts", [1, 2]), ("counts", [{**GOOD_COUNT, "day": 20260102}]),
    ("counts", [{**GOOD_COUNT, "uid": None}]), ("counts", [{**GOOD_COUNT, "count": "4"}]),
    ("counts", [{**GOOD_COUNT, "count": 2**40}]), ("counts", [{**GOOD_COUNT, "kind": 7}]),
    ("acks", {"bundle_id": "x"}), ("acks", [{**GOOD_ACK, "bundle_id": None}]),
    ("acks", [{**GOOD_ACK, "status": 1}]), ("acks", [{**GOOD_ACK, "applied_seq": "2"}]),
    ("formats", [1]), ("formats", {"bundle": "1"}), ("formats", {"bundle": [1.5]}), ("formats", {"batch": [True]}),
    ("formats", {"bundle": list(range(1, 30))}), ("formats", {"bundle": [10**6]}),
])
def test_an_uplink_with_a_wrong_type_is_refused_with_the_field_named(world: World, client: Client, field: str,
                                                                     value: Any) -> None:
    from ttdn.sync.models import Heartbeat

    node, key = _node(world)
    report = {"applied_seq": 3, "epoch": 1, "version": "0.1.0", "free_disk": 10**9, "counts": [GOOD_COUNT],
              "acks": [GOOD_ACK], field: value}
    answer = _signed(client, node, key, "/sync/uplink", body=json.dumps(report).encode())
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "bad_request" and f"“{field}”" in answer.json()["message"]
    assert not Heartbeat.objects.filter(node=node).exists()  # nothing half-recorded
    good = _signed(client, node, key, "/sync/uplink", body=json.dumps({**report, field: None}).encode())
    assert good.status_code == 200 and Heartbeat.objects.filter(node=node).count() == 1


@pytest.mark.parametrize("query", ["after=99999999999999999999&epoch=1", "after=0&epoch=99999999999999999999",
                                   "after=0&epoch=1&applied=99999999999999999999", "after=x&epoch=1"])
def test_a_feed_request_with_numbers_out_of_range_is_refused(world: World, client: Client, query: str) -> None:
    node, key = _node(world)
    answer = _signed(client, node, key, f"/sync/feed?{query}")
    assert answer.status_code == 400 and answer.json()["code"] == "bad_request"
    node.refresh_from_db()
    assert node.last_applied_seq == 0
