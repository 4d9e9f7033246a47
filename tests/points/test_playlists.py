"""Playlists edited on the node by the post's officer and at the hub by a publisher: the node reports its
version, the hub's travels in the batches, and when both changed the same playlist the hub's version wins and the
officer is told (with what they had). Hub and node are one database here (their tables differ); the real sync
across processes is tests/points/test_playlist_sync.py."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client
from django.utils import timezone

from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.core.errors import ServiceError
from ttdn.core.models import AuditEntry
from ttdn.places.services import SiteData, do_save_border_site
from ttdn.points import playlists, services
from ttdn.points.models import Device, HubPlaylist, PlaylistConflict, SiteDevice
from ttdn.points.services import HubPlaylistEdit, PairingInput, RuleInput, SlotInput
from ttdn.sync.hub import services as sync_services
from ttdn.sync.models import EdgeNode
from ttdn.sync.node import report as node_report
from ttdn.sync.transport import keys

from ..conftest import World

pytestmark = pytest.mark.django_db

A, B, C = (str(uuid.UUID(int=n)) for n in (1, 2, 3))


def _node(world: World) -> EdgeNode:
    site = do_save_border_site(None, SiteData(code="le-thanh", name="Cửa khẩu Lệ Thanh", kind="gate_international",
                                              province_id=world.gia_lai.pk, neighbour_country="KH",
                                              languages=["km"]))
    code = sync_services.do_issue_code(None, site)
    return sync_services.do_enroll(code, keys.public_hex(Ed25519PrivateKey.generate()), "box")


def _screen(world: World, name: str = "Màn hình cổng") -> Device:
    device, _token = services.do_start_pairing()
    services.do_pair(world.operator, PairingInput(code=device.pairing_code, name=name))
    return Device.objects.get(pk=device.pk)


def _contact(node: EdgeNode) -> None:
    """The node reports to the hub (and marks it reported), as at the end of a sync pass."""
    report = node_report.node_report()
    sync_services.do_record_contact(node, report)
    node_report.do_mark_reported(report)


def _batch(node: EdgeNode) -> dict[str, Any]:
    return {"playlists": playlists.snapshot_for(node)}


def _officer_page(world: World) -> str:
    client = Client()
    client.force_login(world.operator)
    session = client.session
    session[OTP_SESSION_KEY] = True
    session.save()
    return client.get("/points/").content.decode()


def test_hub_edits_reach_the_node_and_the_hub_wins_when_both_changed(world: World) -> None:
    node = _node(world)
    screen = _screen(world)
    services.do_add_rule(world.operator, screen.pk, RuleInput(topics=[], kinds=["leaflet"], languages=[],
                                                              weekdays=[]))
    services.do_set_pinned(world.operator, screen.pk, [A])
    screen.refresh_from_db()
    assert screen.playlist_revision == 2
    _contact(node)
    site_device = SiteDevice.objects.get(device_uid=screen.uid)
    assert site_device.playlist == {"pinned": [A], "rules": [{
        "topics": [], "kinds": ["leaflet"], "languages": [], "weekdays": [], "hour_from": 0, "hour_to": 24}],
        "slots": []}
    assert site_device.playlist_revision == 2

    # Only the hub changed it: applied at the next batch, nobody is told of a conflict.
    with pytest.raises(ServiceError) as refused:
        services.do_edit_hub_playlist(world.operator, site_device.pk, HubPlaylistEdit(pinned=[B]))
    assert refused.value.code == "forbidden"  # publishers decide what the sites show
    services.do_edit_hub_playlist(world.publisher, site_device.pk, HubPlaylistEdit(pinned=[B, A]))
    playlists.receive(_batch(node))
    screen.refresh_from_db()
    assert screen.pinned == [B, A] and screen.rules.count() == 1 and screen.hub_playlist_at is not None
    assert not PlaylistConflict.objects.exists()
    _contact(node)
    site_device.refresh_from_db()
    assert site_device.playlist["pinned"] == [B, A] and site_device.hub_playlist_at == screen.hub_playlist_at

    # Only the officer changes it afterwards: it stays, and the hub learns it.
    services.do_set_pinned(world.operator, screen.pk, [C])
    playlists.receive(_batch(node))  # the hub's version is already applied: nothing happens
    screen.refresh_from_db()
    assert screen.pinned == [C]
    _contact(node)
    site_device.refresh_from_db()
    assert site_device.playlist["pinned"] == [C] and site_device.playlist_revision == 3

    # Both change it while the link is down: the officer adds a rule, a publisher removes the first rule.
    services.do_add_rule(world.operator, screen.pk, RuleInput(topics=["bien-gioi"], kinds=[], languages=["vi"],
                                                              weekdays=[5, 6], hour_from=6, hour_to=18))
    services.do_edit_hub_playlist(world.publisher, site_device.pk, HubPlaylistEdit(remove_rule=0))
    services.do_edit_hub_playlist(world.publisher, site_device.pk, HubPlaylistEdit(add_rule=RuleInput(
        topics=[], kinds=["video"], languages=[], weekdays=[])))
    # The second edit built on the first (still on its way) and kept its base.
    assert HubPlaylist.objects.get().base_revision == 3
    playlists.receive(_batch(node))
    screen.refresh_from_db()
    assert [(r.kinds, r.topics) for r in screen.rules.all()] == [(["video"], [])]  # the hub's version won
    assert screen.pinned == [C]
    conflict = PlaylistConflict.objects.get()
    assert conflict.device == screen and conflict.seen_at is None
    assert [r["topics"] for r in conflict.officer_version["rules"]] == [[], ["bien-gioi"]]
    assert AuditEntry.objects.filter(action="points.playlist_from_hub").count() == 2

    # The officer is told on the devices page, with what they had, until they mark it read.
    page = _officer_page(world)
    assert f'data-testid="conflict-{screen.uid}"' in page and "bien-gioi" in page
    with pytest.raises(ServiceError):
        services.do_mark_conflict_seen(world.reader, conflict.pk)
    services.do_mark_conflict_seen(world.operator, conflict.pk)
    assert 'data-testid="playlist-conflicts"' not in _officer_page(world)

    # The hub learns it happened; an old snapshot imported late (a USB bundle) changes nothing.
    _contact(node)
    site_device.refresh_from_db()
    assert site_device.playlist_conflict_at == conflict.at
    old = _batch(node)
    old["playlists"][0]["changed_at"] = (timezone.now() - dt.timedelta(days=1)).isoformat()
    old["playlists"][0]["document"] = {"pinned": [], "rules": [], "slots": []}
    playlists.receive(old)
    assert Device.objects.get(pk=screen.pk).pinned == [C]
    assert PlaylistConflict.objects.count() == 1


def test_a_loudspeaker_schedule_is_a_playlist_too(world: World) -> None:
    node = _node(world)
    device, _token = services.do_start_pairing(kind="speaker")
    services.do_pair(world.operator, PairingInput(code=device.pairing_code, name="Loa chợ"))
    services.do_add_slot(world.operator, device.pk, SlotInput(at=dt.time(6, 0), languages=["vi", "jra"],
                                                              weekdays=[], topics=["bien-gioi"], items=[]))
    _contact(node)
    site_device = SiteDevice.objects.get(device_uid=device.uid)
    assert [s["at"] for s in site_device.playlist["slots"]] == ["06:00"]
    services.do_edit_hub_playlist(world.publisher, site_device.pk, HubPlaylistEdit(add_slot=SlotInput(
        at=dt.time(17, 30), languages=["vi"], weekdays=[], topics=[], items=[A], volume=90)))
    playlists.receive(_batch(node))
    slots = list(Device.objects.get(pk=device.pk).slots.all())
    assert [(s.at, s.volume, s.languages) for s in slots] == [(dt.time(6), 70, ["vi", "jra"]),
                                                             (dt.time(17, 30), 90, ["vi"])]
    assert not PlaylistConflict.objects.exists()  # the officer had not changed it since the report


def test_bad_playlists_are_refused_at_the_hub_and_skipped_at_the_node(world: World) -> None:
    node = _node(world)
    screen = _screen(world)
    _contact(node)
    site_device = SiteDevice.objects.get(device_uid=screen.uid)
    for edit, code in [
        (HubPlaylistEdit(remove_rule=0), "not_found"),  # a rule the playlist does not have
        (HubPlaylistEdit(pinned=["not-a-uid"]), "bad_playlist"),
        (HubPlaylistEdit(add_rule=RuleInput(topics=[], kinds=["poster"], languages=[], weekdays=[])), "bad_kind"),
        (HubPlaylistEdit(add_slot=SlotInput(at=dt.time(6), languages=["vi"], weekdays=[], topics=["x"], items=[])),
         "not_speaker"),  # a screen has no daily schedule
    ]:
        with pytest.raises(ServiceError) as refused:
            services.do_edit_hub_playlist(world.publisher, site_device.pk, edit)
        assert refused.value.code == code
    assert not HubPlaylist.objects.exists()

    # A malformed entry (a forged or damaged batch) is skipped; the next, good one still lands.
    now = timezone.now().isoformat()
    good = {"device": str(screen.uid), "base": 0, "changed_at": now, "document": {"pinned": [A]}}
    playlists.receive({"playlists": [
        "x", {"device": "nope"}, {**good, "base": -1}, {**good, "changed_at": "2026-01-01T00:00:00"},
        {**good, "document": {"rules": [{"hour_from": 30}]}}, {**good, "document": {"pinned": "x"}}, good,
    ]})
    screen.refresh_from_db()
    assert screen.pinned == [A] and not PlaylistConflict.objects.exists()
    playlists.receive({"playlists": None})  # an older hub's batch


def test_the_hub_page_changes_a_site_device_playlist(world: World) -> None:
    node = _node(world)
    screen = _screen(world, "Màn hình chợ biên giới")
    _contact(node)
    site_device = SiteDevice.objects.get(device_uid=screen.uid)
    client = Client()
    client.force_login(world.publisher)
    session = client.session
    session[OTP_SESSION_KEY] = True
    session.save()
    page = f"/points/hub/devices/{site_device.pk}/"
    assert "Màn hình chợ biên giới" in client.get(page).content.decode()
    edit = f"{page}edit"
    client.post(edit, {"action": "add_rule", "topics": "bien-gioi, y-te", "languages": "vi", "weekdays": ["0", "6"],
                       "hour_from": "6", "hour_to": "20"})
    client.post(edit, {"action": "pinned", "pinned": f"{A}\n{B}"})
    hub = HubPlaylist.objects.get(device=site_device)
    assert hub.document == {"pinned": [A, B], "rules": [{"topics": ["bien-gioi", "y-te"], "kinds": [],
                                                         "languages": ["vi"], "weekdays": [0, 6], "hour_from": 6,
                                                         "hour_to": 20}], "slots": []}
    shown = client.get(page).content.decode()
    assert "bien-gioi, y-te" in shown and 'data-testid="hub-playlist"' in shown
    refused = client.post(edit, {"action": "add_rule", "hour_from": "9", "hour_to": "3"}, follow=True)
    assert HubPlaylist.objects.get(device=site_device).document == hub.document
    assert refused.status_code == 200
    assert client.post(edit, {"action": "remove_rule", "position": "x"}).status_code == 302
    # Not a publisher: refused.
    other = Client()
    other.force_login(world.contributor)
    session = other.session
    session[OTP_SESSION_KEY] = True
    session.save()
    assert other.post(edit, {"action": "pinned", "pinned": ""}).status_code == 403
    assert HubPlaylist.objects.get(device=site_device).document["pinned"] == [A, B]
