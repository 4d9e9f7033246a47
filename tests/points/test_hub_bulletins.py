"""Bulletin classes given at the hub: who may give them, what each node's batches carry (only items it receives,
a bulletin narrowed to other sites as cancelled), the wake poll's digest, and the node applying them (the hub's
newer decision wins, an older one never comes back, malformed entries are skipped)."""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client
from django.utils import timezone

from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.content.models import Item, State
from ttdn.core.errors import ServiceError
from ttdn.core.models import AuditEntry
from ttdn.places.models import BorderSite
from ttdn.places.services import SiteData, do_save_border_site
from ttdn.points import bulletins, services
from ttdn.points.models import Bulletin, BulletinClass, HubBulletin
from ttdn.points.services import HubBulletinInput
from ttdn.sync.hub import feed
from ttdn.sync.hub import services as sync_services
from ttdn.sync.models import EdgeNode
from ttdn.sync.transport import keys

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.django_db


def _site(world: World, code: str) -> BorderSite:
    return do_save_border_site(None, SiteData(code=code, name=code, kind="border_post", province_id=world.gia_lai.pk,
                                              neighbour_country="KH", languages=["km"]))


def _node(world: World, site: BorderSite) -> tuple[EdgeNode, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    return sync_services.do_enroll(sync_services.do_issue_code(None, site), keys.public_hex(key), "box"), key


def _published(world: World, title: str = "Cảnh báo lũ quét", **kw: Any) -> Item:
    return advance(world, make_item(world, title=title, **kw), State.PUBLISHED)


def _emergency(world: World, item: Item, sites: list[str] | None = None, **kw: Any) -> HubBulletin:
    return services.do_set_hub_bulletin(world.publisher, HubBulletinInput(
        item_uid=item.uid, bulletin_class=BulletinClass.EMERGENCY, site_codes=sites, **kw))


def test_only_publishers_class_items_and_bad_input_is_refused(world: World) -> None:
    _site(world, "pc-ia-chia")
    item = _published(world)
    draft = make_item(world, title="Bản nháp")
    for user in (world.contributor, world.appraiser, world.operator, world.reader):
        with pytest.raises(ServiceError) as refused:
            _emergency(world.__class__(**{**world.__dict__, "publisher": user}), item)
        assert refused.value.code == "forbidden"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"bulletin_class": "loud"}, "bad_class"),
        ({"until": timezone.now() - timedelta(minutes=1)}, "bad_until"),
        ({"repeat": 0}, "bad_repeat"),
        ({"site_codes": ["pc-ia-chia", "nowhere"]}, "bad_site"),
        ({"item_uid": draft.uid}, "not_classable"),
        ({"item_uid": uuid.uuid4()}, "not_found"),
    ]
    for change, code in cases:
        data = {"item_uid": item.uid, "bulletin_class": BulletinClass.EMERGENCY, **change}
        with pytest.raises(ServiceError) as bad:
            services.do_set_hub_bulletin(world.publisher, HubBulletinInput(**data))
        assert bad.value.code == code
        assert str(bad.value.message)
    assert not HubBulletin.objects.exists()
    bulletin = _emergency(world, item, ["pc-ia-chia"], repeat=5)
    assert [s.code for s in bulletin.sites.all()] == ["pc-ia-chia"]
    services.do_cancel_hub_bulletin(world.publisher, item.uid)
    assert set(AuditEntry.objects.filter(action__startswith="points.hub_bulletin").values_list("action", flat=True)) \
        == {"points.hub_bulletin", "points.hub_bulletin_cancel"}


def test_batches_carry_the_bulletins_of_the_items_each_node_receives(world: World) -> None:
    here, there = _site(world, "pc-ia-chia"), _site(world, "pc-ia-o")
    node_here, _k = _node(world, here)
    node_there, _k2 = _node(world, there)
    flood = _published(world, "Cảnh báo lũ quét")
    officials = _published(world, "Chỉ cán bộ", audience="officials")
    elsewhere = _published(world, "Tỉnh khác")
    elsewhere.target_provinces.set([world.dak_lak])
    for item in (flood, officials, elsewhere):
        _emergency(world, item)
    batch = feed.feed_batch(node_here, 0)
    # What the node receives (the feed's own rule), nothing else.
    received = set(feed.targeted_versions(node_here))
    assert {e["uid"] for e in batch["bulletins"]} == received & {str(flood.uid), str(officials.uid)}
    assert str(flood.uid) in received and str(elsewhere.uid) not in received
    entry = next(e for e in batch["bulletins"] if e["uid"] == str(flood.uid))
    assert entry["class"] == "emergency" and not entry["cancelled"]
    before = bulletins.digest_for(node_there)
    # Narrowed to the other site: for this node it is cancelled (it may have received it before).
    _emergency(world, flood, ["pc-ia-o"])

    def flood_entry(node: EdgeNode) -> dict[str, Any]:
        return next(e for e in feed.feed_batch(node, 0)["bulletins"] if e["uid"] == str(flood.uid))

    assert flood_entry(node_here)["cancelled"] is True
    assert flood_entry(node_there)["cancelled"] is False
    assert bulletins.digest_for(node_there) != before
    # A withdrawn item leaves the snapshot with the item itself (its tombstone does the rest).
    advance(world, flood, State.WITHDRAWN)
    assert str(flood.uid) not in {e["uid"] for e in feed.feed_batch(node_there, 0)["bulletins"]}


def test_the_node_applies_the_hub_decisions_newest_first_over_its_officer(world: World) -> None:
    node_site = _site(world, "pc-ia-chia")
    node, _key = _node(world, node_site)
    item = _published(world)
    # The node's officer had classed it priority; the hub's later emergency wins.
    services.do_set_bulletin(world.operator, item.uid, BulletinClass.PRIORITY)
    _emergency(world, item, repeat=4)
    first = feed.feed_batch(node, 0)
    bulletins.receive(first)
    local = Bulletin.objects.get(item_uid=item.uid)
    assert (local.bulletin_class, local.repeat, local.cancelled_at, local.set_by) == ("emergency", 4, None, None)
    assert AuditEntry.objects.filter(action="points.bulletin_from_hub").count() == 1
    bulletins.receive(first)  # again: nothing changes, nothing is recorded twice
    assert AuditEntry.objects.filter(action="points.bulletin_from_hub").count() == 1

    services.do_cancel_hub_bulletin(world.publisher, item.uid)
    cancelled = feed.feed_batch(node, 0)
    bulletins.receive(cancelled)
    assert Bulletin.objects.get(item_uid=item.uid).cancelled_at is not None
    # An old bundle imported late does not bring the emergency back.
    bulletins.receive(first)
    assert Bulletin.objects.get(item_uid=item.uid).cancelled_at is not None
    # The officer may class it again locally after the hub's decision; the hub's next decision wins again.
    services.do_set_bulletin(world.operator, item.uid, BulletinClass.PRIORITY)
    bulletins.receive(cancelled)
    assert Bulletin.objects.get(item_uid=item.uid).bulletin_class == "priority"

    # Malformed entries are skipped, the good ones land; a batch from a hub without bulletins changes nothing.
    other = _published(world, "Tin khác")
    good = {"uid": str(other.uid), "class": "priority", "until": None, "repeat": 2, "cancelled": False,
            "changed_at": timezone.now().isoformat()}
    bad_entries: list[Any] = [None, 7, {"uid": "x"}, {**good, "class": "loud"}, {**good, "changed_at": "soon"},
                              {**good, "changed_at": "2026-12-07T10:00:00"}, {**good, "until": "never"}]
    bulletins.receive({"bulletins": [*bad_entries, good]})
    assert Bulletin.objects.get(item_uid=other.uid).bulletin_class == "priority"
    bulletins.receive({"records": []})
    assert Bulletin.objects.count() == 2


def test_the_node_screen_shows_a_hub_emergency_first(world: World) -> None:
    site = _site(world, "pc-ia-chia")
    node, _key = _node(world, site)
    item = _published(world)
    _emergency(world, item, until=timezone.now() + timedelta(hours=2))
    bulletins.receive(feed.feed_batch(node, 0))
    device, _token = services.do_start_pairing()
    services.do_pair(world.operator, services.PairingInput(code=device.pairing_code, name="Màn hình"))
    device.refresh_from_db()
    shown = services.alerts(device)
    assert [e["uid"] for e in shown["emergency"]] == [str(item.uid)]
    # After its end, the class lapses by itself even if the node hears nothing more.
    assert services.alerts(device, timezone.now() + timedelta(hours=3))["emergency"] == []


def _signed_get(client: Client, node: EdgeNode, key: Ed25519PrivateKey, path: str) -> Any:
    stamp, nonce = f"{time.time():.3f}", secrets.token_hex(16)
    headers = {"X-Ttdn-Node": str(node.uid), "X-Ttdn-Time": stamp, "X-Ttdn-Nonce": nonce,
               "X-Ttdn-Signature": keys.sign(key, keys.request_message("GET", path, stamp, nonce, b""))}
    return client.get(path, headers=headers)


def test_the_wake_poll_is_signed_and_moves_with_urgent_changes(world: World, client: Client) -> None:
    site = _site(world, "pc-ia-chia")
    node, key = _node(world, site)
    path = "/points/hub/wake"
    assert client.get(path).status_code == 401
    stranger = Ed25519PrivateKey.generate()
    assert _signed_get(client, node, stranger, path).status_code == 401
    first = _signed_get(client, node, key, path).json()["digest"]
    assert _signed_get(client, node, key, path).json()["digest"] == first
    item = _published(world)
    _emergency(world, item)
    second = _signed_get(client, node, key, path).json()["digest"]
    assert second != first
    services.do_cancel_hub_bulletin(world.publisher, item.uid)
    assert _signed_get(client, node, key, path).json()["digest"] not in {first, second}


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    session = client.session
    session[OTP_SESSION_KEY] = True
    session.save()
    return client


def test_the_publishers_page_sets_and_cancels(world: World, client: Client) -> None:
    _site(world, "pc-ia-chia")
    item = _published(world)
    _login(client, world.contributor)
    assert client.get("/points/hub/bulletins").status_code == 403
    _login(client, world.publisher)
    page = client.get("/points/hub/bulletins")
    assert page.status_code == 200
    answer = client.post("/points/hub/bulletins/set", {"item_uid": str(item.uid), "bulletin_class": "emergency",
                                                       "repeat": "3", "sites": "nowhere"}, follow=True)
    assert not HubBulletin.objects.exists()
    assert "nowhere" in answer.content.decode()  # the error names the unknown site, in Vietnamese by default
    client.post("/points/hub/bulletins/set", {"item_uid": str(item.uid), "bulletin_class": "emergency",
                                              "repeat": "3", "sites": "pc-ia-chia"})
    assert HubBulletin.objects.get().bulletin_class == "emergency"
    assert str(item.uid) in client.get("/points/hub/bulletins").content.decode()
    client.post("/points/hub/bulletins/cancel", {"item_uid": str(item.uid)})
    assert HubBulletin.objects.get().cancelled_at is not None
