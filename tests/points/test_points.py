"""Information points: pairing, playlists with day-parting on a controllable clock, bulletin classes,
withdrawal and expiry, heartbeats and their bad input."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.content import services as content
from ttdn.content.models import State, Topic
from ttdn.core.errors import ServiceError
from ttdn.core.models import AuditEntry
from ttdn.points import services
from ttdn.points.models import BulletinClass, Device, PlayCount, PlaylistRule
from ttdn.points.services import PairingInput, RuleInput

from ..conftest import World, advance, coming_monday, make_item

pytestmark = pytest.mark.django_db

# A Monday at 10:00 local time (Asia/Ho_Chi_Minh), the controllable clock of these tests.
MONDAY_10 = coming_monday(10)


def _published(world: World, title: str, **kw: Any) -> Any:
    return advance(world, make_item(world, title=title, **kw), State.PUBLISHED)


def _paired(world: World, name: str = "Màn hình cổng") -> tuple[Device, str]:
    device, token = services.do_start_pairing()
    services.do_pair(world.operator, PairingInput(code=device.pairing_code.lower(), name=name))
    device.refresh_from_db()
    return device, token


def _uids(data: dict[str, Any], key: str = "items") -> list[str]:
    return [e["uid"] for e in data[key]]


def test_pairing_by_code_then_token_then_revocation(world: World) -> None:
    device, token = services.do_start_pairing()
    assert len(device.pairing_code) == services.CODE_LENGTH and not device.is_paired
    with pytest.raises(ServiceError) as refused:
        services.do_pair(world.reader, PairingInput(code=device.pairing_code, name="X"))
    assert refused.value.code == "forbidden"
    with pytest.raises(ServiceError) as bad:
        services.do_pair(world.operator, PairingInput(code="ZZZZZZ", name="X"))
    assert bad.value.code == "bad_code"
    # Dashes, spaces and case do not matter when the code is read off the screen.
    code = device.pairing_code
    services.do_pair(world.operator, PairingInput(code=f"{code[:3]}-{code[3:]}".lower(), name="Màn hình 1",
                                                  group="Cổng", orientation="portrait"))
    assert services.device_for_token(token).is_paired
    assert AuditEntry.objects.filter(action="points.pair").count() == 1
    # The code cannot pair a second time.
    with pytest.raises(ServiceError):
        services.do_pair(world.operator, PairingInput(code=code, name="Again"))
    services.do_revoke(world.operator, device.pk)
    with pytest.raises(ServiceError) as revoked:
        services.device_for_token(token)
    assert revoked.value.code == "revoked_device" and revoked.value.status == 401


def test_expired_code_is_refused(world: World) -> None:
    device, _token = services.do_start_pairing(now=timezone.now() - timedelta(days=2))
    with pytest.raises(ServiceError) as bad:
        services.do_pair(world.operator, PairingInput(code=device.pairing_code, name="X"))
    assert bad.value.code == "bad_code"


def test_rules_topics_kinds_and_day_parting(world: World) -> None:
    Topic.objects.create(code="bien-gioi", name="Biên giới")
    border = _published(world, "Quy chế biên giới", topics=["bien-gioi"], kind="article")
    image = _published(world, "Ảnh cửa khẩu", kind="image")
    officials = _published(world, "Chỉ cho cán bộ", topics=["bien-gioi"], audience="officials")
    draft = make_item(world, title="Bản nháp", topics=["bien-gioi"])
    device, _token = _paired(world)
    # Weekday mornings: the border topic; weekends all day: images.
    services.do_add_rule(world.operator, device.pk, RuleInput(topics=["bien-gioi"], kinds=[], languages=[],
                                                              weekdays=[0, 1, 2, 3, 4], hour_from=6, hour_to=12))
    services.do_add_rule(world.operator, device.pk, RuleInput(topics=[], kinds=["image"], languages=[],
                                                              weekdays=[5, 6]))
    monday = services.playlist(device, MONDAY_10)
    assert _uids(monday) == [str(border.uid)]  # never the officials-only item or the draft
    assert str(officials.uid) not in json.dumps(monday) and str(draft.uid) not in json.dumps(monday)
    assert services.playlist(device, MONDAY_10 + timedelta(hours=3))["items"] == []  # 13:00: no rule applies
    saturday = services.playlist(device, MONDAY_10 + timedelta(days=5))
    assert _uids(saturday) == [str(image.uid)]
    entry = saturday["items"][0]
    assert entry["duration"] == services.DURATIONS["image"] and entry["variants"][0]["lang"] == "vi"


def test_rule_that_matches_nothing_gives_an_empty_playlist(world: World) -> None:
    _published(world, "Tờ gấp")
    device, _token = _paired(world)
    services.do_add_rule(world.operator, device.pk,
                         RuleInput(topics=["khong-co"], kinds=[], languages=[], weekdays=[]))
    data = services.playlist(device, timezone.now())
    assert data["items"] == [] and data["ticker"] == [] and data["emergency"] == []
    with pytest.raises(ServiceError) as bad:
        services.do_add_rule(world.operator, device.pk, RuleInput(topics=[], kinds=[], languages=[],
                                                                  weekdays=[7], hour_from=8, hour_to=6))
    assert bad.value.code == "bad_weekday"
    with pytest.raises(ServiceError) as hours:
        services.do_add_rule(world.operator, device.pk, RuleInput(topics=[], kinds=[], languages=[],
                                                                  weekdays=[], hour_from=8, hour_to=6))
    assert hours.value.code == "bad_hours"
    assert device.rules.count() == 1


def test_bulletin_classes_order_and_emergency(world: World) -> None:
    first = _published(world, "Thông báo thường")
    second = _published(world, "Thông báo ưu tiên")
    third = _published(world, "Cảnh báo lũ")
    notice = _published(world, "Tin ngắn", kind="sms")
    device, _token = _paired(world)
    services.do_add_rule(world.operator, device.pk, RuleInput(topics=[], kinds=[], languages=[], weekdays=[]))
    now = timezone.now()
    before = services.playlist(device, now)
    assert _uids(before) == [str(third.uid), str(second.uid), str(first.uid)]  # newest first
    assert _uids(before, "ticker") == [str(notice.uid)]
    services.do_set_bulletin(world.operator, first.uid, BulletinClass.PRIORITY)
    services.do_set_bulletin(world.operator, third.uid, BulletinClass.EMERGENCY)
    after = services.playlist(device, now)
    assert _uids(after) == [str(first.uid), str(second.uid)]
    assert after["items"][0]["class"] == "priority"
    assert _uids(after, "emergency") == [str(third.uid)]
    assert after["version"] != before["version"]
    assert _uids(services.alerts(device, now), "emergency") == [str(third.uid)]
    # An emergency reaches a device whatever its rules say.
    other, _t = _paired(world, "Loa")
    assert _uids(services.alerts(other, now), "emergency") == [str(third.uid)]
    services.do_cancel_bulletin(world.operator, third.uid)
    assert services.alerts(device, now)["emergency"] == []
    with pytest.raises(ServiceError):
        services.do_set_bulletin(world.reader, second.uid, BulletinClass.EMERGENCY)
    draft = make_item(world, title="Nháp")
    with pytest.raises(ServiceError) as hidden:
        services.do_set_bulletin(world.operator, draft.uid, BulletinClass.EMERGENCY)
    assert hidden.value.code == "not_showable"


def test_withdrawn_and_expired_items_leave_the_playlist(world: World) -> None:
    now = timezone.now()
    keep = _published(world, "Còn hiệu lực")
    gone = _published(world, "Sẽ bị thu hồi")
    brief = _published(world, "Hết hạn sớm", valid_until=now + timedelta(hours=1))
    device, _token = _paired(world)
    services.do_set_pinned(world.operator, device.pk, [str(gone.uid), str(keep.uid), str(brief.uid)])
    device.refresh_from_db()
    data = services.playlist(device, now)
    assert _uids(data) == [str(gone.uid), str(keep.uid), str(brief.uid)]
    # The expiry travels with the entry, so the player checks it against the node's clock even offline.
    assert data["items"][2]["until"] == brief.valid_until.isoformat()
    assert str(brief.uid) not in _uids(services.playlist(device, now + timedelta(hours=2)))
    advance(world, gone, State.WITHDRAWN)
    assert _uids(services.playlist(device, now)) == [str(keep.uid), str(brief.uid)]
    with pytest.raises(ServiceError) as bad:
        services.do_set_pinned(world.operator, device.pk, ["not-a-uid"])
    assert bad.value.code == "bad_uid"


def test_heartbeat_and_play_counts(world: World) -> None:
    item = _published(world, "Tờ gấp")
    device, token = _paired(world)
    payload = {"showing": str(item.uid), "language": "vi", "since": timezone.now().isoformat(), "volume": 40,
               "version": "points-player/1",
               "plays": [{"uid": str(item.uid), "lang": "vi", "seconds": 12},
                         {"uid": str(item.uid), "lang": "vi", "seconds": 11}]}
    services.do_heartbeat(token, payload)
    services.do_heartbeat(token, {**payload, "plays": [{"uid": str(item.uid), "lang": "lo", "seconds": 12}]})
    # Plays kept while the node was away come added up: their number and their seconds.
    services.do_heartbeat(token, {**payload, "plays": [{"uid": str(item.uid), "lang": "lo", "seconds": 36000,
                                                        "count": 3000}]})
    device.refresh_from_db()
    assert device.showing_uid == str(item.uid) and device.volume == 40 and device.last_seen_at
    counts = {c.language: (c.plays, c.seconds) for c in PlayCount.objects.filter(device=device)}
    assert counts == {"vi": (2, 23), "lo": (3001, 36012)}
    assert not services.is_silent(device)
    assert services.is_silent(device, timezone.now() + timedelta(seconds=device.silent_after_seconds + 1))


@pytest.mark.parametrize("payload, message", [
    ([1, 2], "đối tượng JSON"),
    ({"showing": "abc"}, "showing"),
    ({"volume": 300}, "volume"),
    ({"volume": True}, "volume"),
    ({"since": "yesterday"}, "since"),
    ({"version": "x" * 100}, "version"),
    ({"plays": [{"uid": "00000000-0000-0000-0000-000000000001", "lang": "vi"}]}, "seconds"),
    ({"plays": "many"}, "plays"),
    ({"plays": [{"uid": "00000000-0000-0000-0000-000000000001", "lang": "vi", "seconds": 1} for _ in range(1001)]},
     "plays"),
    *[({"plays": [{"uid": "00000000-0000-0000-0000-000000000001", "lang": "vi", "seconds": 1, "count": c}]},
       "count") for c in (0, True, "2", 100_001)],
    ({"plays": [{"uid": "00000000-0000-0000-0000-000000000001", "lang": "vi", "seconds": 1, "count": 2,
                 "at": "2026-12-07T06:00:00+07:00"}]}, "count"),  # a logged play is one play
    ({"plays": [{"uid": "00000000-0000-0000-0000-000000000001", "lang": "vi", "seconds": 2 * 86400 + 1,
                 "count": 2}]}, "seconds"),
])
def test_malformed_heartbeat_is_refused_and_writes_nothing(world: World, payload: Any, message: str) -> None:
    device, token = _paired(world)
    with pytest.raises(ServiceError) as bad:
        services.do_heartbeat(token, payload)
    assert bad.value.code == "bad_heartbeat" and message in str(bad.value.message)
    device.refresh_from_db()
    assert device.last_seen_at is None and not PlayCount.objects.exists()


def test_player_endpoints_over_http(world: World) -> None:
    item = _published(world, "Tờ gấp")
    client = Client()
    assert client.get("/points/player/").status_code == 200
    started = client.post("/points/player/start").json()
    headers = {"HTTP_X_POINTS_TOKEN": started["token"]}
    assert client.get("/points/player/playlist", **headers).json() == {"paired": False, "code": started["code"]}
    assert client.get("/points/player/playlist").status_code == 401
    # The officer pairs it through the node's page.
    officer = Client()
    officer.force_login(world.operator)
    session = officer.session
    session[OTP_SESSION_KEY] = True  # as if the second factor had been passed
    session.save()
    page = officer.post("/points/pair", {"code": started["code"], "name": "Màn hình", "orientation": "landscape"},
                        follow=True)
    assert page.status_code == 200
    assert "Đã ghép nối thiết bị." in page.content.decode() or "The device is paired." in page.content.decode()
    device = Device.objects.get(name="Màn hình")
    officer.post(f"/points/devices/{device.pk}/rules", {"hour_from": 0, "hour_to": 24})
    data = client.get("/points/player/playlist", **headers).json()
    assert _uids(data) == [str(item.uid)]
    assert client.get("/points/player/alert", **headers).json()["version"] == data["version"]
    bad = client.post("/points/player/heartbeat", data=b"{not json", content_type="application/json", **headers)
    assert bad.status_code == 400 and bad.json()["code"] == "bad_heartbeat"
    ok = client.post("/points/player/heartbeat", data=json.dumps({"showing": str(item.uid)}),
                     content_type="application/json", **headers)
    assert ok.status_code == 200
    officer.post(f"/points/devices/{device.pk}/revoke")
    revoked = client.post("/points/player/heartbeat", data=json.dumps({}), content_type="application/json",
                          **headers)
    assert revoked.status_code == 401 and revoked.json()["code"] == "revoked_device"
    assert client.get("/points/player/alert", **headers).status_code == 401
    # Not an officer: the page is refused.
    reader = Client()
    reader.force_login(world.reader)
    assert reader.get("/points/").status_code == 403
    assert officer.get("/points/").status_code == 200


def test_several_languages_of_one_item_only_reviewed_ones(world: World) -> None:
    item = _published(world, "Quy chế biên giới")
    km = content.do_save_variant(world.appraiser, item, "km", "ព្រំដែន", "", "<p>ព្រំដែន</p>")
    content.do_set_translation_state(world.appraiser, km, 40)
    content.do_save_variant(world.appraiser, item, "lo", "ຊາຍແດນ", "", "<p>ຊາຍແດນ</p>")  # not reviewed
    device, _token = _paired(world)
    services.do_add_rule(world.operator, device.pk, RuleInput(topics=[], kinds=[], languages=[], weekdays=[]))
    entry = services.playlist(device)["items"][0]
    assert [v["lang"] for v in entry["variants"]] == ["vi", "km"]  # the source first, never an unreviewed one
    services.do_add_rule(world.operator, device.pk, RuleInput(topics=[], kinds=[], languages=["km"], weekdays=[]))
    PlaylistRule.objects.filter(device=device, languages=[]).delete()
    assert [v["lang"] for v in services.playlist(device)["items"][0]["variants"]] == ["km"]


def test_on_an_edge_node_devices_are_managed_but_material_stays_read_only(world: World) -> None:
    item = _published(world, "Tờ gấp")
    with override_settings(ROLE="edge"):
        client = Client()
        started = client.post("/points/player/start")
        assert started.status_code == 201
        officer = Client()
        officer.force_login(world.operator)
        session = officer.session
        session[OTP_SESSION_KEY] = True
        session.save()
        officer.post("/points/pair", {"code": started.json()["code"], "name": "Màn hình", "orientation": "portrait"})
        device = Device.objects.get(name="Màn hình")
        assert device.orientation == "portrait"
        assert officer.post("/points/bulletins", {"item_uid": str(item.uid),
                                                  "bulletin_class": "emergency"}).status_code == 302
        headers = {"HTTP_X_POINTS_TOKEN": started.json()["token"]}
        alert = client.get("/points/player/alert", **headers).json()
        assert [e["uid"] for e in alert["emergency"]] == [str(item.uid)]
        beat = client.post("/points/player/heartbeat", data=json.dumps({"volume": 10}),
                           content_type="application/json", **headers)
        assert beat.status_code == 200
        # The hub's material is still not editable here.
        assert officer.post(f"/items/{item.uid}/edit/", {}).status_code == 403


def test_device_endpoints_keep_a_bounded_number_of_queries(world: World) -> None:
    """What every device asks all the time (20 screens at a node: an alert poll each second) costs a fixed small
    number of queries whatever the amount of material, and a screen with the same rules as another does not
    rebuild the playlist the other one built (the node's p95, issue 15)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.points.test_speakers import speaker

    def queries(method: str, url: str, token: str, body: dict[str, Any] | None = None) -> int:
        with CaptureQueriesContext(connection) as captured:
            if method == "get":
                answer = client.get(url, HTTP_X_POINTS_TOKEN=token)
            else:
                answer = client.post(url, json.dumps(body), content_type="application/json",
                                     HTTP_X_POINTS_TOKEN=token)
        assert answer.status_code == 200, answer.content
        return len(captured.captured_queries)

    client = Client()
    screens = [_paired(world, f"Màn hình {n}") for n in range(3)]
    for device, _token in screens:
        services.do_add_rule(world.operator, device.pk, RuleInput(topics=[], kinds=[], languages=[], weekdays=[]))
    kiosk, kiosk_token = services.do_start_pairing(kind="kiosk")
    services.do_pair(world.operator, PairingInput(code=kiosk.pairing_code, name="Ki-ốt"))
    _loudspeaker, speaker_token = speaker(world)
    counts: list[dict[str, int]] = []
    for size in (2, 12):
        while len(services.showable(timezone.now())) < size:
            _published(world, f"Tin {len(counts)} {timezone.now().timestamp()}")
        first, token = screens[0]
        rebuilt = {"playlist": queries("get", "/points/player/playlist", token)}
        seen = {
            # The other screens (same rule): the first one's playlist, no rebuild.
            "others": max(queries("get", "/points/player/alert", t) for _d, t in screens[1:]),
            "alert": queries("get", "/points/player/alert", token),
            "playlist": queries("get", "/points/player/playlist", token),
            "heartbeat": queries("post", "/points/player/heartbeat", token,
                                 {"showing": "", "plays": [{"uid": str(first.uid), "lang": "vi", "seconds": 5}]}),
            "catalogue": queries("get", "/points/kiosk/catalogue", kiosk_token),
            "programme": queries("get", "/points/speaker/programme", speaker_token),
        }
        counts.append({**seen, "rebuilt": rebuilt["playlist"]})
    small, large = counts
    # Nothing grows with the material (a heartbeat's first play of the day adds its count row: 3 more).
    assert {k: v for k, v in small.items() if k != "heartbeat"} == {
        k: v for k, v in large.items() if k != "heartbeat"}, counts
    # The device, the state of the material and bulletins (two aggregates); a rebuild adds a fixed few, and a
    # screen with the same rule as one that rebuilt reads only its rules (one query more).
    assert large["alert"] == large["playlist"] == 3 and large["others"] == 4, counts
    assert large["rebuilt"] <= 8 and large["catalogue"] <= 6 and large["programme"] <= 7, counts
    assert max(small["heartbeat"], large["heartbeat"]) <= 12, counts
