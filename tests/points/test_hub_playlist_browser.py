"""In a real browser at the hub: a publisher opens a site device's playlist page, adds a rule and pins items
through its forms, saves, and sees the new version on its way; once the node has applied it and reported, the
page says it is applied at the site. A wrong rule is refused with a reason in Vietnamese and changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import transaction

from ttdn.points import playlists
from ttdn.points.models import Device, HubPlaylist, SiteDevice

from ..conftest import World
from .test_playlists import _contact, _node, _screen

pytestmark = pytest.mark.browser

A, B = (str(uuid.UUID(int=n)) for n in (21, 22))


def test_a_publisher_edits_a_site_screens_playlist_on_the_hub_page(
        browser_world: World, live_server: Any, new_page: Any) -> None:
    world = browser_world
    node = _node(world)
    screen = _screen(world, "Màn hình cửa khẩu Lệ Thanh")
    _contact(node)  # the node reported the screen and its (empty) playlist
    site_device = SiteDevice.objects.get(device_uid=screen.uid)

    page = new_page(world.publisher)
    url = f"{live_server.url}/points/hub/devices/{site_device.pk}/"
    page.goto(url)
    assert "Màn hình cửa khẩu Lệ Thanh" in page.locator("h1").inner_text()
    hub = page.locator("[data-testid=hub-playlist]")
    assert hub.locator("h2").inner_text() == "Sửa danh sách phát"

    # A rule: two topics, in Vietnamese and Khmer, on Monday and Sunday from 06 to 20.
    hub.locator("summary", has_text="Thêm quy tắc").click()
    rule_form = hub.locator("form:has(input[name=action][value=add_rule])")
    rule_form.locator("#id_topics").fill("bien-gioi, y-te")
    rule_form.locator("#id_languages").fill("vi, km")
    rule_form.locator("#id_weekdays_0").check()
    rule_form.locator("#id_weekdays_6").check()
    rule_form.locator("#id_hour_from").fill("6")
    rule_form.locator("#id_hour_to").fill("20")
    rule_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Đã đổi danh sách phát" in page.locator("#messages").inner_text()
    hub = page.locator("[data-testid=hub-playlist]")
    assert hub.locator("h2").inner_text() == "Phiên bản của trung tâm, đang chuyển đến điểm"
    assert "bien-gioi, y-te · * · vi, km · 0,6 · 6–20h" in hub.locator("ol").first.inner_text()

    # Pinned items, one per line in the text box; saved, they show in the version on its way.
    hub.locator("#hub-pinned").fill(f"{A}\n{B}\n")
    hub.locator("[data-testid=hub-pinned-form] button[type=submit]").click()
    page.wait_for_load_state()
    hub = page.locator("[data-testid=hub-playlist]")
    assert f"{A}, {B}" in hub.locator(".playlist-doc").inner_text()
    assert hub.locator("#hub-pinned").input_value().split() == [A, B]

    # A rule whose hours run backwards: refused, in Vietnamese, and the version stays as it was.
    before = HubPlaylist.objects.get(device=site_device).document
    hub.locator("summary", has_text="Thêm quy tắc").click()
    rule_form = hub.locator("form:has(input[name=action][value=add_rule])")
    rule_form.locator("#id_hour_from").fill("20")
    rule_form.locator("#id_hour_to").fill("6")
    rule_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    refusal = page.locator("#messages .error").inner_text()
    assert "giờ" in refusal.lower(), refusal
    assert HubPlaylist.objects.get(device=site_device).document == before == {
        "pinned": [A, B], "rules": [{"topics": ["bien-gioi", "y-te"], "kinds": [], "languages": ["vi", "km"],
                                     "weekdays": [0, 6], "hour_from": 6, "hour_to": 20}], "slots": []}

    # The node's next sync applies it, its report says so: the page shows it applied at the site.
    with transaction.atomic():  # as the node's batch applies it (apply.on_batch)
        playlists.receive({"playlists": playlists.snapshot_for(node)})
    assert Device.objects.get(pk=screen.pk).pinned == [A, B]
    _contact(node)
    page.goto(url)
    hub = page.locator("[data-testid=hub-playlist]")
    assert hub.locator("h2").inner_text() == "Sửa danh sách phát"
    assert "đã được áp dụng tại điểm" in hub.inner_text()
    site = page.locator("[data-testid=site-playlist]").inner_text()
    assert f"{A}, {B}" in site and "bien-gioi, y-te" in site
