"""In a real browser: a contributor submits; the appraiser sees the bell's count (refreshed by htmx), opens
the notice, records an opinion and approves; the publisher schedules the publication; the sweep publishes
it at that time (a controlled clock) and the contributor is told."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ttdn.cli import sweep_once
from ttdn.content import services as content
from ttdn.content.models import State
from ttdn.editorial.models import Opinion, Schedule

from ..conftest import World, make_item
from .browser_steps import record_opinion

pytestmark = pytest.mark.browser

TITLE = "Hướng dẫn qua lại cửa khẩu quốc tế Lệ Thanh"


def test_submit_notice_opinion_schedule_and_sweep(
    browser_world: World, new_page: Callable[..., Any], live_server: Any, artifacts: Path
) -> None:
    world = browser_world
    base = live_server.url
    item = make_item(world, title=TITLE)
    item_url = f"{base}/items/{item.uid}/"

    # The appraiser is at work before anything arrives: no unread notice.
    appraiser = new_page(world.appraiser)
    expect(appraiser.locator("[data-testid=notice-bell]")).to_have_attribute("data-unread", "0")

    # 1. The contributor submits.
    contributor = new_page(world.contributor)
    contributor.goto(item_url)
    contributor.click("[data-testid=action-submit]")
    expect(contributor.locator("[data-testid=item-state]")).to_have_attribute("data-state", "submitted")

    # 2. The appraiser's bell counts it without a reload (htmx refreshes it when the tab is looked at).
    appraiser.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(appraiser.locator("[data-testid=notice-count]")).to_have_text("1")
    appraiser.screenshot(path=str(artifacts / "notices-1-bell.png"))
    appraiser.click("[data-testid=notice-bell]")
    appraiser.wait_for_url("**/notices/")
    notice = appraiser.locator("[data-testid=notice]").filter(has_text=TITLE)
    expect(notice.locator("[data-testid=notice-unread]")).to_have_count(1)
    appraiser.screenshot(path=str(artifacts / "notices-2-list.png"), full_page=True)
    notice.locator("[data-testid=notice-open]").click()
    appraiser.wait_for_url(item_url)
    expect(appraiser.locator("[data-testid=notice-bell]")).to_have_attribute("data-unread", "0")

    # 3. The appraiser takes it, records the opinion and approves.
    appraiser.click("[data-testid=action-start_appraisal]")
    expect(appraiser.locator("[data-testid=item-state]")).to_have_attribute("data-state", "in_appraisal")
    # A failed criterion cannot be approved: the form says so and keeps what was entered.
    appraiser.click("[data-testid=appraise]")
    for code in ("facts", "sensitivity", "sources"):
        appraiser.locator(f"[data-testid=criterion-{code}] input[value=pass]").check()
    appraiser.locator("[data-testid=criterion-sovereignty] input[value=fail]").check()
    appraiser.locator("[data-testid=criterion-sovereignty] textarea").fill("Bản đồ thiếu Hoàng Sa.")
    appraiser.click("[data-testid=opinion-approve]")
    expect(appraiser.locator("[data-testid=opinion-error]")).to_be_visible()
    expect(appraiser.locator("[data-testid=criterion-sovereignty] textarea")).to_have_value("Bản đồ thiếu Hoàng Sa.")
    appraiser.goto(item_url)
    record_opinion(appraiser, "approve", comment="Đủ điều kiện xuất bản.")
    expect(appraiser.locator("[data-testid=item-state]")).to_have_attribute("data-state", "approved")
    expect(appraiser.locator("[data-testid=history] [data-testid=opinion]")).to_contain_text("Đủ điều kiện xuất bản.")
    appraiser.screenshot(path=str(artifacts / "notices-3-opinion.png"), full_page=True)
    opinion = Opinion.objects.get(item=item)
    assert opinion.decision == "approve" and all(c.passed for c in opinion.checks.all())
    appraiser.click("[data-testid=opinion-print]")
    expect(appraiser.locator("[data-testid=opinion-table] tbody tr")).to_have_count(4)

    # 4. The publisher is told, and schedules it for tomorrow morning, Vietnam time.
    publisher = new_page(world.publisher)
    expect(publisher.locator("[data-testid=notice-count]")).to_have_text("1")
    publisher.goto(item_url)
    when = timezone.localtime(timezone.now() + dt.timedelta(days=1)).replace(hour=7, minute=30, second=0,
                                                                             microsecond=0)
    publisher.click("[data-testid=schedule-details] > summary")
    publisher.fill("#id_date", when.strftime("%d/%m/%Y"))
    publisher.fill("#id_time", "07:30")
    publisher.click("[data-testid=schedule-submit]")
    publisher.wait_for_url(item_url)
    expect(publisher.locator("[data-testid=schedule]")).to_contain_text(when.strftime("%d/%m/%Y 07:30"))
    expect(publisher.locator("[data-testid=item-state]")).to_have_attribute("data-state", "approved")
    publisher.goto(f"{base}/my-work/")
    expect(publisher.locator("[data-testid=scheduled-badge]")).to_contain_text("Đã lên lịch")
    publisher.screenshot(path=str(artifacts / "notices-4-scheduled.png"), full_page=True)
    assert Schedule.objects.get(item=item).publish_at == when

    # 5. The sweep a minute early leaves it; at 07:30 it publishes it.
    sweep_once(when - dt.timedelta(minutes=1))
    item.refresh_from_db()
    assert item.state == State.APPROVED
    sweep_once(when)
    publisher.goto(item_url)
    expect(publisher.locator("[data-testid=item-state]")).to_have_attribute("data-state", "published")
    contributor.goto(f"{base}/notices/")
    expect(contributor.locator("[data-testid=notice][data-kind='content.published']")).to_contain_text(TITLE)
    contributor.screenshot(path=str(artifacts / "notices-5-published.png"), full_page=True)
    content.do_transition(world.publisher, item, "withdraw", reason="Hết thời hạn sử dụng.")
    contributor.reload()
    expect(contributor.locator("[data-testid=notice][data-kind='content.withdrawn']")).to_contain_text(
        "Hết thời hạn sử dụng.")
