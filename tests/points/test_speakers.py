"""Loudspeaker schedules on a controllable clock: daily slots on their weekdays, languages in turn, priority
first, only what may be played at the slot's time, the slot's length; the play log from heartbeats; bad input."""

from __future__ import annotations

import logging
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tests.portal.conftest import TRANSLATIONS
from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.content import changes
from ttdn.content import services as content
from ttdn.content.models import State, Topic, TranslationState
from ttdn.core.errors import ServiceError
from ttdn.points import services, tasks
from ttdn.points.models import BulletinClass, DeviceKind, PlayCount, PlayLog
from ttdn.points.services import PairingInput, SlotInput

from ..conftest import World, advance, coming_monday, make_item

pytestmark = pytest.mark.django_db
MEDIA = Path(__file__).parents[1] / "fixtures" / "media"
MONDAY_5 = coming_monday(5)  # local time, before the morning slot


def audio_item(world: World, title: str, languages: tuple[str, ...] = ("jra",), **kw: Any) -> Any:
    item = make_item(world, title=title, kind="audio", **kw)
    content.do_attach_file(world.contributor, item.variants.get(language="vi"), MEDIA / "sample.ogg", "vi.ogg")
    advance(world, item, State.IN_APPRAISAL)
    for lang in languages:
        t, s = TRANSLATIONS[lang]
        variant = content.do_save_variant(world.appraiser, item, lang, t, s, f"<p>{t}</p>")
        content.do_set_translation_state(world.appraiser, variant, TranslationState.REVIEWED)
        content.do_attach_file(world.appraiser, variant, MEDIA / "sample.mp3", f"{lang}.mp3")
    item.refresh_from_db()
    return advance(world, item, State.PUBLISHED)


def speaker(world: World) -> tuple[Any, str]:
    device, token = services.do_start_pairing(kind=DeviceKind.SPEAKER)
    services.do_pair(world.operator, PairingInput(code=device.pairing_code, name="Cụm loa xã Ia O"))
    device.refresh_from_db()
    return device, token


def test_slots_play_their_languages_in_turn_priority_first_on_their_days(world: World) -> None:
    Topic.objects.get_or_create(code="phap-luat", defaults={"name": "Pháp luật"})
    news = audio_item(world, "Bản tin sáng", topics=["phap-luat"])
    pinned = audio_item(world, "Thông báo của đồn")
    urgent = audio_item(world, "Phòng chống dịch", languages=())
    ending = audio_item(world, "Hết hạn trước chiều", topics=["phap-luat"],
                        valid_until=MONDAY_5 + timedelta(hours=8))
    no_audio = advance(world, make_item(world, title="Không có âm thanh", topics=["phap-luat"]), State.PUBLISHED)
    device, _token = speaker(world)
    morning = services.do_add_slot(world.operator, device.pk, SlotInput(
        at=time(6, 0), languages=["vi", "jra"], weekdays=[], topics=["phap-luat"], items=[str(pinned.uid)],
        volume=80))
    services.do_add_slot(world.operator, device.pk, SlotInput(
        at=time(17, 30), languages=["vi"], weekdays=[0, 2, 4], topics=["phap-luat"], items=[], volume=60))
    services.do_set_bulletin(world.operator, urgent.uid, BulletinClass.PRIORITY)

    day = services.speaker_day(device, MONDAY_5.date(), MONDAY_5)
    assert [(s["start"][11:16], s["volume"]) for s in day] == [("06:00", 80), ("17:30", 60)]
    played = [(e["uid"], e["lang"]) for e in day[0]["entries"]]
    vi = [u for u, lang in played if lang == "vi"]
    # Priority first, then the pinned, then the topic's items; Vietnamese all through, then Jarai.
    assert vi[:2] == [str(urgent.uid), str(pinned.uid)]
    assert set(vi[2:]) == {str(news.uid), str(ending.uid), str(no_audio.uid)}
    assert [lang for _u, lang in played] == ["vi"] * 5 + ["jra"] * 3  # the priority item has no Jarai audio
    # The item without audio is read aloud in Vietnamese; no speech engine reads Jarai, and the slot says so.
    assert (str(no_audio.uid), "vi") in played and (str(no_audio.uid), "jra") not in played
    assert day[0]["unspoken"] == ["jra"] and day[1]["unspoken"] == []
    # The evening slot: the item expired by then is not in it; Tuesday has no evening slot.
    assert str(ending.uid) not in {e["uid"] for e in day[1]["entries"]}
    tuesday = services.speaker_day(device, MONDAY_5.date() + timedelta(days=1), MONDAY_5)
    assert [s["start"][11:16] for s in tuesday] == ["06:00"]
    # A withdrawn item leaves the schedule without anyone touching the player.
    advance(world, news, State.WITHDRAWN)
    again = services.speaker_day(device, MONDAY_5.date(), MONDAY_5)
    assert str(news.uid) not in {e["uid"] for e in again[0]["entries"]}
    # A slot's length bounds it: one minute holds only the first items (unknown lengths count a minute).
    services.do_remove_slot(world.operator, device.pk, morning.pk)
    services.do_add_slot(world.operator, device.pk, SlotInput(at=time(6, 0), languages=["vi"], weekdays=[],
                                                              topics=["phap-luat"], items=[], max_minutes=1))
    short = services.speaker_day(device, MONDAY_5.date(), MONDAY_5)[0]["entries"]
    assert short and sum(e["seconds"] for e in short) <= 60
    # The player's answer: today's and tomorrow's slots, and its own version to notice changes.
    answer = services.speaker_programme(device, MONDAY_5)
    assert answer["paired"] and len(answer["slots"]) >= 3 and answer["version"]


def test_bad_slots_are_refused_with_a_reason(world: World) -> None:
    device, _token = speaker(world)
    screen, _t = services.do_start_pairing()
    services.do_pair(world.operator, PairingInput(code=screen.pairing_code, name="Màn hình"))
    good = {"at": time(6, 0), "languages": ["vi"], "weekdays": [], "topics": ["x"], "items": []}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"languages": []}, "no_language"), ({"languages": ["klingon"]}, "bad_language"),
        ({"weekdays": [7]}, "bad_weekday"), ({"volume": 101}, "bad_volume"), ({"max_minutes": 0}, "bad_length"),
        ({"items": ["nope"]}, "bad_uid"), ({"topics": [], "items": []}, "empty_slot"),
    ]
    for change, code in cases:
        with pytest.raises(ServiceError) as bad:
            services.do_add_slot(world.operator, device.pk, SlotInput(**{**good, **change}))
        assert bad.value.code == code and str(bad.value.message)
    with pytest.raises(ServiceError) as not_speaker:
        services.do_add_slot(world.operator, screen.pk, SlotInput(**good))
    assert not_speaker.value.code == "not_speaker"
    with pytest.raises(ServiceError) as forbidden:
        services.do_add_slot(world.reader, device.pk, SlotInput(**good))
    assert forbidden.value.code == "forbidden"
    assert not device.slots.exists()


def test_plays_go_to_the_log_and_the_counts(world: World) -> None:
    item = audio_item(world, "Bản tin")
    device, token = speaker(world)
    slot = services.do_add_slot(world.operator, device.pk, SlotInput(at=time(6, 0), languages=["vi", "jra"],
                                                                     weekdays=[], topics=[], items=[str(item.uid)]))
    at = timezone.now().isoformat()
    services.do_heartbeat(token, {"showing": "", "volume": 80, "version": "points-speaker/1", "plays": [
        {"uid": str(item.uid), "lang": "vi", "seconds": 61, "at": at, "slot": slot.pk, "volume": 80},
        {"uid": str(item.uid), "lang": "jra", "seconds": 58, "at": at, "slot": 999999, "volume": 80},
        {"uid": str(item.uid), "lang": "vi", "seconds": 61, "at": at, "emergency": True, "volume": 100},
        {"uid": str(item.uid), "lang": "vi", "seconds": 5},  # a screen's play: counted, not logged
    ]})
    log = list(PlayLog.objects.order_by("id"))
    assert [(p.language, p.slot_id, p.emergency) for p in log] == [("vi", slot.pk, False), ("jra", None, False),
                                                                   ("vi", None, True)]
    assert PlayCount.objects.get(language="vi").plays == 3
    for bad in ({"at": "yesterday"}, {"at": "2026-12-07T06:00:00"}, {"at": at, "slot": "one"},
                {"at": at, "volume": 300}):
        with pytest.raises(ServiceError) as refused:
            services.do_heartbeat(token, {"plays": [{"uid": str(item.uid), "lang": "vi", "seconds": 1, **bad}]})
        assert refused.value.code == "bad_heartbeat"
    assert PlayLog.objects.count() == 3


def test_items_without_audio_are_read_aloud_and_kept_by_version(world: World) -> None:
    Topic.objects.get_or_create(code="bien-gioi", defaults={"name": "Biên giới"})
    text = advance(world, make_item(world, title="Thông báo lịch tuần tra", topics=["bien-gioi"],
                                    summary="Đồn biên phòng thông báo lịch tuần tra tháng này."), State.PUBLISHED)
    device, _token = speaker(world)
    services.do_add_slot(world.operator, device.pk, SlotInput(at=time(6, 0), languages=["vi", "jra"], weekdays=[],
                                                              topics=["bien-gioi"], items=[]))
    entries = services.speaker_day(device, MONDAY_5.date(), MONDAY_5)[0]["entries"]
    assert [(e["uid"], e["lang"], e["speech"]) for e in entries] == [(str(text.uid), "vi", True)]
    estimated = entries[0]["seconds"]
    url = entries[0]["url"]
    assert url.endswith(f"/{text.uid}/vi/{text.version}.mp3")

    # Anyone on the site's network fetches it like the material's files; made once, then kept as a file.
    answer = Client().get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "audio/mpeg"
    mp3 = b"".join(answer.streaming_content)  # type: ignore[attr-defined]
    assert len(mp3) > 2000 and (mp3[:3] == b"ID3" or mp3[0] == 0xFF)
    cached = list((Path(settings.DATA_DIR) / services.SPEECH_DIR).glob(f"{text.uid}-vi-v{text.version}-*.mp3"))
    assert len(cached) == 1
    made = cached[0].stat().st_mtime_ns
    assert b"".join(Client().get(url).streaming_content) == mp3  # type: ignore[attr-defined]
    assert cached[0].stat().st_mtime_ns == made
    # Once made, the schedule counts its real length.
    again = services.speaker_day(device, MONDAY_5.date(), MONDAY_5)[0]["entries"][0]
    assert again["seconds"] >= 1 and (again["seconds"], estimated) != (0, 0)

    # Another version's address, a language nobody speaks here, an item not live: nothing.
    assert Client().get(url.replace(f"/{text.version}.mp3", f"/{text.version + 1}.mp3")).status_code == 404
    assert Client().get(url.replace("/vi/", "/jra/")).status_code == 404
    advance(world, text, State.WITHDRAWN)
    assert Client().get(url).status_code == 404


def test_an_emergency_without_audio_is_read_aloud(world: World) -> None:
    item = advance(world, make_item(world, title="Cảnh báo lũ quét", summary="Sơ tán ngay."), State.PUBLISHED)
    device, _token = speaker(world)
    services.do_set_bulletin(world.operator, item.uid, BulletinClass.EMERGENCY)
    (emergency,) = services.speaker_programme(device)["emergency"]
    (variant,) = emergency["variants"]
    assert variant["audio"] is None and variant["speech"].endswith(f"/{item.uid}/vi/{item.version}.mp3")


def test_speech_is_made_ahead_after_a_batch_once_and_unspoken_languages_are_said(
        world: World, django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture) -> None:
    """The real node apply across processes is tests/points/test_playlist_sync.py; here the batch receiver, the
    task (run at once by the tests' task backend) and a second run."""
    Topic.objects.get_or_create(code="bien-gioi", defaults={"name": "Biên giới"})
    patrol = advance(world, make_item(world, title="Thông báo lịch tuần tra", topics=["bien-gioi"],
                                      summary="Đồn biên phòng thông báo lịch tuần tra tháng này."), State.PUBLISHED)
    recorded = audio_item(world, "Bản tin có ghi âm", topics=["bien-gioi"])
    flood = advance(world, make_item(world, title="Cảnh báo lũ quét", summary="Sơ tán ngay."), State.PUBLISHED)
    other = advance(world, make_item(world, title="Không ai đọc"), State.PUBLISHED)
    speech_dir = Path(settings.DATA_DIR) / services.SPEECH_DIR

    mine = [str(i.uid) for i in (patrol, recorded, flood, other)]

    def made() -> dict[str, int]:  # this test's files (the directory is the test process's)
        return {p.name: p.stat().st_mtime_ns for p in speech_dir.glob("*.mp3") if p.name[:36] in mine}

    def batch(part: dict[str, Any]) -> list[Any]:
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            tasks.after_batch(part)
        return list(callbacks)

    # No loudspeaker at the site: a batch makes nothing.
    assert batch({"records": [{"uid": str(patrol.uid)}]}) == [] and not made()
    device, _token = speaker(world)
    # 23:59: a slot still to come today whenever the test runs (the officer's page shows today's).
    services.do_add_slot(world.operator, device.pk, SlotInput(at=time(23, 59), languages=["vi", "jra"],
                                                              weekdays=[], topics=["bien-gioi"], items=[]))
    services.do_set_bulletin(world.operator, flood.uid, BulletinClass.EMERGENCY)
    # A batch bringing nothing (an empty feed pass): nothing either.
    assert batch({"records": [], "tombstones": []}) == [] and not made()
    officer = Client()
    officer.force_login(world.operator)
    session = officer.session
    session[OTP_SESSION_KEY] = True
    session.save()
    mark = f'data-testid="speech-{patrol.uid}-vi">('
    assert f"{mark}tạo khi phát lần đầu)" in officer.get("/points/").content.decode()

    with caplog.at_level(logging.INFO, logger="ttdn.points"):
        assert len(batch({"records": [{"uid": str(patrol.uid)}]})) == 1
    first = made()
    # The slot's text item and the emergency, in Vietnamese; not the recorded item, nor what no loudspeaker reads.
    assert sorted(name.split("-vi-v")[0] for name in first) == sorted([str(patrol.uid), str(flood.uid)])
    assert not any(str(recorded.uid) in n or str(other.uid) in n for n in first)
    assert "2 made" in caplog.text and "recordings only): jra" in caplog.text
    assert f"{mark}đã tạo sẵn)" in officer.get("/points/").content.decode()  # the officer sees it made
    # What the player is told now matches the made file: its real length.
    entry = next(e for s in services.speaker_programme(device)["slots"] for e in s["entries"]
                 if e["uid"] == str(patrol.uid))
    assert entry["speech"] and (speech_dir / next(n for n in first if str(patrol.uid) in n)).with_suffix(
        ".json").exists()

    # A second run (another batch, the hourly run) makes nothing and keeps the files.
    again = tasks.pregenerate_speech.call()
    assert again == {"made": [], "kept": 2, "failed": [], "unspoken": ["jra"]}, again
    assert made() == first
    # A new version of the item (as a batch brings it: new text, the hub's version) is made anew; the old
    # version's file goes.
    patrol.variants.filter(language="vi").update(title="Lịch tuần tra mới")
    changes.item_changed(patrol.pk)
    patrol.refresh_from_db()
    third = tasks.pregenerate_speech.call()
    assert third["made"] == [f"{patrol.uid}/vi"] and third["kept"] == 1
    assert {n.split("-vi-v")[0] for n in made()} == {str(patrol.uid), str(flood.uid)} and len(made()) == 2
