"""In a real browser: a loudspeaker player pairs, plays its slot when the time comes (Vietnamese then Jarai, at
the slot's volume), an emergency interrupts it and plays as many times as set, and every play reaches the log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ttdn.points import services
from ttdn.points.models import BulletinClass, PlayLog
from ttdn.points.services import PairingInput, SlotInput

from ..conftest import World
from .test_speakers import audio_item

pytestmark = pytest.mark.browser


def test_a_slot_plays_at_its_time_and_an_emergency_interrupts_it(
    browser_world: World, live_server: Any, browser: Any,
) -> None:
    world = browser_world
    news = audio_item(world, "Bản tin sáng")
    alarm = audio_item(world, "Báo động cháy rừng", languages=())
    context = browser.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/points/speaker/")
        code = page.locator("[data-testid=pairing-code] strong")
        code.wait_for()
        device = services.do_pair(world.operator, PairingInput(code=code.inner_text().strip(), name="Loa xã"))
        # A slot a few seconds from now, in local time (the node's clock decides, not the browser's).
        at = timezone.localtime(timezone.now() + timedelta(seconds=8)).time()
        services.do_add_slot(world.operator, device.pk, SlotInput(at=at, languages=["vi", "jra"], weekdays=[],
                                                                  topics=[], items=[str(news.uid)], volume=40))
        page.reload()  # the player asks for its day at start (and every half minute)
        stage = page.locator("#stage")
        page.wait_for_function("() => document.getElementById('stage').dataset.state === 'slot'", timeout=30_000)
        assert page.evaluate("() => document.getElementById('audio').volume") == pytest.approx(0.4)
        page.wait_for_function("() => document.getElementById('stage').dataset.state === 'idle'", timeout=30_000)
        # Both languages in turn, logged with the slot and its volume as soon as the slot ended.
        deadline = timezone.now() + timedelta(seconds=15)
        while PlayLog.objects.count() < 2 and timezone.now() < deadline:
            page.wait_for_timeout(300)
        log = list(PlayLog.objects.order_by("started_at", "id"))
        assert [(p.language, p.volume, p.emergency) for p in log] == [("vi", 40, False), ("jra", 40, False)]

        services.do_set_bulletin(world.operator, alarm.uid, BulletinClass.EMERGENCY, repeat=2)
        page.wait_for_function("() => document.getElementById('stage').dataset.state === 'emergency'",
                               timeout=15_000)
        assert stage.get_attribute("data-uid") == str(alarm.uid)
        assert page.evaluate("() => document.getElementById('audio').volume") == 1
        page.wait_for_function("() => document.getElementById('stage').dataset.state === 'idle'", timeout=30_000)
        deadline = timezone.now() + timedelta(seconds=15)
        while PlayLog.objects.filter(emergency=True).count() < 2 and timezone.now() < deadline:
            page.wait_for_timeout(300)
        assert PlayLog.objects.filter(emergency=True, item_uid=alarm.uid).count() == 2  # repeated as set
    except Exception:
        from ..conftest import ARTIFACTS

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "FAILED-points-speaker.png"))
        raise
    finally:
        context.close()
