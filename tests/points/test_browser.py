"""In a real browser: a screen opens the player, shows its code, an officer pairs it on the node's page; it
rotates its playlist with `lang` on every element, and an emergency interrupts it within 2 seconds;
a withdrawn item leaves it without a reload."""

from __future__ import annotations

import time
from typing import Any

import pytest

from ttdn.accounts.services import do_set_totp_secret
from ttdn.content.models import State
from ttdn.points import services
from ttdn.points.models import BulletinClass, Device
from ttdn.points.services import RuleInput

from ..conftest import TOTP_SECRET, World, advance, make_item

pytestmark = pytest.mark.browser


def test_paired_screen_rotates_and_an_emergency_interrupts_it(
    browser_world: World, live_server: Any, new_page: Any, browser: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = browser_world
    monkeypatch.setitem(services.DURATIONS, "leaflet", 2)  # a fast clock for the rotation
    first = advance(world, make_item(world, title="Tờ gấp thứ nhất"), State.PUBLISHED)
    second = advance(world, make_item(world, title="Tờ gấp thứ hai"), State.PUBLISHED)
    alert = advance(world, make_item(world, title="Cảnh báo lũ quét", summary="Sơ tán ngay khỏi bờ suối."),
                    State.PUBLISHED)
    do_set_totp_secret(None, world.operator, TOTP_SECRET)
    # Before the screen is paired: a screen that fetched its first playlist between its rule and the
    # bulletin began its rotation with another item (seen once under the whole suite).
    services.do_set_bulletin(world.operator, first.uid, BulletinClass.PRIORITY)

    context = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    try:
        screen = context.new_page()
        screen.goto(f"{live_server.url}/points/player/")
        code = screen.locator("[data-testid=pairing-code] strong")
        code.wait_for()
        shown_code = code.inner_text().strip()
        assert len(shown_code) == services.CODE_LENGTH

        officer = new_page(world.operator)
        officer.goto(f"{live_server.url}/points/")
        form = officer.locator("[data-testid=pair-form]")
        form.locator("#id_code").fill(shown_code)
        form.locator("#id_name").fill("Màn hình cổng Lệ Thanh")
        form.locator("button[type=submit]").click()
        officer.wait_for_url("**/points/")
        assert "Màn hình cổng Lệ Thanh" in officer.locator("table").inner_text()
        device = Device.objects.get(name="Màn hình cổng Lệ Thanh")
        services.do_add_rule(world.operator, device.pk, RuleInput(topics=[], kinds=["leaflet"], languages=[],
                                                                  weekdays=[]))

        # The screen leaves its code and rotates: the priority item first, then the others.
        slide = screen.locator("#stage article.slide")
        slide.wait_for()
        seen = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and len(set(seen)) < 3:
            uid = slide.get_attribute("data-uid")
            if uid and (not seen or seen[-1] != uid):
                seen.append(uid)
            screen.wait_for_timeout(200)
        assert seen[0] == str(first.uid)
        assert {str(first.uid), str(second.uid), str(alert.uid)} <= set(seen)
        assert screen.evaluate("() => [...document.querySelectorAll('*')].filter(e => !e.lang).length") == 0
        assert screen.locator("#stage h1").get_attribute("lang") == "vi"

        services.do_set_bulletin(world.operator, alert.uid, BulletinClass.EMERGENCY)
        started = time.monotonic()
        screen.locator("#emergency:not([hidden])").wait_for(timeout=5000)
        assert time.monotonic() - started <= 2.5  # one poll a second, plus the page's own work
        assert "Cảnh báo lũ quét" in screen.locator("#emergency").inner_text()
        box = screen.locator("#emergency").bounding_box()
        assert box is not None and box["width"] == 1920 and box["height"] == 1080  # full screen

        services.do_cancel_bulletin(world.operator, alert.uid)
        screen.locator("#emergency").wait_for(state="hidden", timeout=5000)

        # Withdrawn (here the node's copy changes as a sync would change it): it leaves the rotation without
        # the page being reloaded.
        screen.evaluate("() => { window.notReloaded = true; }")
        advance(world, second, State.WITHDRAWN)
        screen.wait_for_timeout(2500)
        after = set()
        for _ in range(30):
            after.add(slide.get_attribute("data-uid"))
            screen.wait_for_timeout(200)
        assert str(second.uid) not in after and str(first.uid) in after
        assert screen.evaluate("() => window.notReloaded === true")

        # Heartbeats reach the node; revoking the pairing sends the screen back to a new code.
        screen.evaluate("() => 0")
        officer.goto(f"{live_server.url}/points/")
        officer.locator(f"[data-testid=device-{device.pk}] button[type=submit]").click()
        officer.wait_for_url("**/points/")
        screen.locator("[data-testid=pairing-code]").wait_for(timeout=5000)
        assert screen.locator("#stage article.slide").count() == 0
    except Exception:
        from ..conftest import ARTIFACTS

        ARTIFACTS.mkdir(exist_ok=True)
        for n, page in enumerate(context.pages):
            page.screenshot(path=str(ARTIFACTS / f"FAILED-points-screen-{n}.png"))
        raise
    finally:
        context.close()


def test_expired_item_leaves_an_offline_screen(
    browser_world: World, live_server: Any, browser: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from ttdn.points.services import PairingInput

    world = browser_world
    monkeypatch.setitem(services.DURATIONS, "leaflet", 1)
    lasting = advance(world, make_item(world, title="Còn hiệu lực"), State.PUBLISHED)
    brief = advance(world, make_item(world, title="Hết hạn ngay",
                                     valid_until=timezone.now() + timedelta(seconds=12)), State.PUBLISHED)
    context = browser.new_context(locale="vi-VN", viewport={"width": 1080, "height": 1920})
    try:
        screen = context.new_page()
        screen.goto(f"{live_server.url}/points/player/")
        code = screen.locator("[data-testid=pairing-code] strong")
        code.wait_for()
        services.do_pair(world.operator, PairingInput(code=code.inner_text(), name="Màn hình dọc",
                                                      orientation="portrait"))
        device = Device.objects.get(name="Màn hình dọc")
        services.do_add_rule(world.operator, device.pk, RuleInput(topics=[], kinds=[], languages=[], weekdays=[]))
        slide = screen.locator("#stage article.slide")
        slide.wait_for()
        seen = set()
        for _ in range(15):
            seen.add(slide.get_attribute("data-uid"))
            screen.wait_for_timeout(200)
        assert seen == {str(lasting.uid), str(brief.uid)}
        context.set_offline(True)  # the node is out of reach from here on
        reach = "() => fetch('/points/player/', {cache: 'no-store'}).then(() => 'online', () => 'offline')"
        assert screen.evaluate(reach) == "offline"
        assert brief.valid_until is not None
        while timezone.now() < brief.valid_until + timedelta(seconds=1):
            screen.wait_for_timeout(250)
        later = set()
        for _ in range(15):
            later.add(slide.get_attribute("data-uid"))
            screen.wait_for_timeout(200)
        assert later == {str(lasting.uid)}
    finally:
        context.close()


def test_plays_kept_while_the_node_is_away_stay_small_and_all_reach_it(
    browser_world: World, live_server: Any, browser: Any,
) -> None:
    """The device's play buffer (device.js) in chromium against the node: a screen's plays of one item and language
    add up in one entry however many there are while heartbeats fail; a loudspeaker's logged plays stay whole and
    go at most 1,000 per heartbeat; a node out of reach or answering 503 keeps them; once the node answers, every
    play is counted (before: a buffer growing for as long as the node was away, then refused whole past 1,000
    entries; a 503 answer lost them)."""
    from ttdn.points.models import PlayCount, PlayLog
    from ttdn.points.services import PairingInput

    world = browser_world
    one = advance(world, make_item(world, title="Tờ gấp một"), State.PUBLISHED)
    two = advance(world, make_item(world, title="Tờ gấp hai"), State.PUBLISHED)
    device, token = services.do_start_pairing()
    services.do_pair(world.operator, PairingInput(code=device.pairing_code, name="Màn hình chợ"))
    context = browser.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/points/player/")
        page.evaluate("""(token) => { window.__d = window.PointsDevice({version: "test/1", tokenKey: "test-token",
                                       stage: document.createElement("div")}); window.__d.token = token; }""", token)
        page.route("**/points/player/heartbeat", lambda route: route.abort())  # the node out of reach
        page.evaluate("""([one, two]) => {
            for (let i = 0; i < 3000; i++) { window.__d.addPlay({uid: one, lang: "vi", seconds: 12}); }
            for (let i = 0; i < 1500; i++) { window.__d.addPlay({uid: two, lang: "km", seconds: 20}); }
            for (let i = 0; i < 1200; i++) {
              window.__d.addPlay({uid: one, lang: "vi", seconds: 30, at: new Date().toISOString(), volume: 70});
            }
        }""", [str(one.uid), str(two.uid)])
        total = "window.__d.plays.reduce((n, p) => n + (p.count || 1), 0)"
        for _attempt in range(3):  # heartbeats fail: what they carried comes back into the buffer
            assert page.evaluate(f"async () => {{ await window.__d.heartbeat({{}}); return {total}; }}") == 5700
        assert page.evaluate("() => window.__d.plays.length") == 2 + 1200
        page.unroute("**/points/player/heartbeat")
        # The node reached but busy (its database restarting answers 503 in JSON): the plays are kept as well.
        page.route("**/points/player/heartbeat", lambda route: route.fulfill(
            status=503, content_type="application/json", headers={"Retry-After": "5"},
            body='{"code": "unavailable", "message": "D\u1ecbch v\u1ee5 t\u1ea1m th\u1eddi gi\u00e1n \u0111o\u1ea1n"}'))
        assert page.evaluate(f"async () => {{ await window.__d.heartbeat({{}}); return {total}; }}") == 5700
        assert not PlayCount.objects.exists()

        page.unroute("**/points/player/heartbeat")
        # 1,000 entries at most in one heartbeat, the other 202 at the next one.
        left = page.evaluate("async () => { await window.__d.heartbeat({}); return window.__d.plays.length; }")
        assert left == 202 and PlayLog.objects.count() >= 1200 - 202
        assert page.evaluate("async () => { await window.__d.heartbeat({}); return window.__d.plays.length; }") == 0
        counts = {(c.item_uid, c.language): (c.plays, c.seconds) for c in PlayCount.objects.all()}
        assert counts == {(one.uid, "vi"): (3000 + 1200, 3000 * 12 + 1200 * 30), (two.uid, "km"): (1500, 1500 * 20)}
        assert PlayLog.objects.count() == 1200
    finally:
        context.close()
