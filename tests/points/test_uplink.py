"""Proof of play and device health go up with the node's report, and the hub's nodes page shows them per site
and device, flagging a device silent past its threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client
from django.utils import timezone

from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.content.models import State
from ttdn.places.services import SiteData, do_save_border_site
from ttdn.points import services, uplink
from ttdn.points.models import PlayCount, SiteDevice, SitePlayCount
from ttdn.points.services import PairingInput
from ttdn.sync.hub import services as sync_services
from ttdn.sync.node import report as node_report
from ttdn.sync.transport import keys

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.django_db


def _node(world: World) -> object:
    site = do_save_border_site(None, SiteData(code="le-thanh", name="Cửa khẩu Lệ Thanh", kind="gate_international",
                                              province_id=world.gia_lai.pk, neighbour_country="KH",
                                              languages=["km"]))
    code = sync_services.do_issue_code(None, site)
    return sync_services.do_enroll(code, keys.public_hex(Ed25519PrivateKey.generate()), "box")


def test_plays_and_device_state_reach_the_hub_once(world: World) -> None:
    item = advance(world, make_item(world, title="Tờ gấp"), State.PUBLISHED)
    screen, token = services.do_start_pairing()
    services.do_pair(world.operator, PairingInput(code=screen.pairing_code, name="Màn hình cổng", group="Cổng"))
    quiet, _quiet_token = services.do_start_pairing()
    services.do_pair(world.operator, PairingInput(code=quiet.pairing_code, name="Loa chợ"))
    play = {"uid": str(item.uid), "lang": "vi", "seconds": 20}
    state = {"showing": str(item.uid), "language": "km", "volume": 30, "version": "p/1"}
    services.do_heartbeat(token, {**state, "plays": [play, play, {**play, "lang": "km"}]})

    report = node_report.node_report()
    assert len(report["points"]["devices"]) == 2 and len(report["points"]["plays"]) == 2
    node = _node(world)
    sync_services.do_record_contact(node, report)  # type: ignore[arg-type]
    node_report.do_mark_reported(report)
    # Nothing is sent twice; a later play of the same item and language sends the new absolute figure.
    assert node_report.node_report()["points"]["plays"] == []
    services.do_heartbeat(token, {**state, "plays": [play]})
    again = node_report.node_report()
    assert [(r["lang"], r["plays"], r["seconds"]) for r in again["points"]["plays"]] == [("vi", 3, 60)]
    sync_services.do_record_contact(node, again)  # type: ignore[arg-type]
    sync_services.do_record_contact(node, again)  # resent: harmless
    counts = {c.language: (c.plays, c.seconds) for c in SitePlayCount.objects.filter(node=node)}  # type: ignore[misc]
    assert counts == {"vi": (3, 60), "km": (1, 20)}
    hub_screen = SiteDevice.objects.get(name="Màn hình cổng")
    assert hub_screen.volume == 30 and hub_screen.showing_uid == str(item.uid)
    assert not uplink.is_silent(hub_screen, timezone.now())
    assert uplink.is_silent(SiteDevice.objects.get(name="Loa chợ"), timezone.now())  # never reported
    assert PlayCount.objects.get(language="vi").sent_plays == 2  # the second report was not marked yet

    # Malformed rows are skipped; the rest of the report still lands.
    bad = {"points": {"devices": [{"uid": "nope"}, "x"], "plays": [{"device": "x"}]}}
    sync_services.do_record_contact(node, bad)  # type: ignore[arg-type]
    assert SiteDevice.objects.count() == 2

    operator = Client()
    operator.force_login(world.operator)
    session = operator.session
    session[OTP_SESSION_KEY] = True
    session.save()
    page = operator.get("/sync/nodes/").content.decode()
    assert "Màn hình cổng" in page and "vi: 3" in page and "km: 1" in page
    assert 'data-testid="silent-devices"' in page
    later = timezone.now() + timedelta(minutes=10)
    assert uplink.is_silent(hub_screen, later)
