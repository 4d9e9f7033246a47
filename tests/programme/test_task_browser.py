"""In a real browser, in Vietnamese: a plan manager adds a task to the plan by hand, lands on its page, corrects
its title; and an end date before the start is explained in the form without anything being written."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from ttdn.programme.models import Task

from ..conftest import PASSWORD, World
from .conftest import build_pw

pytestmark = pytest.mark.browser

TITLE = "Phát hành tờ gấp song ngữ Việt - Lào tại cửa khẩu"
NEW_TITLE = "Phát hành tờ gấp song ngữ Việt - Lào, Việt - Campuchia tại cửa khẩu"


def test_manager_adds_a_task_then_corrects_its_title(
    browser_world: World, new_page: Callable[..., Any], live_server: Any
) -> None:
    pw = build_pw(browser_world, password=PASSWORD)
    base = live_server.url
    section = pw.plan.sections.get(key="II.1")
    parent = pw.plan.tasks.get(key="II.1.a")
    before = Task.objects.count()

    page = new_page(pw.manager)
    page.goto(f"{base}/plans/{pw.plan.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    add = page.locator("[data-testid=task-new]")
    expect(add).to_have_text("Thêm nhiệm vụ")
    add.click()
    page.wait_for_url(f"**/plans/{pw.plan.pk}/tasks/new/")
    page.fill("#id_key", "II.1.c")
    page.fill("#id_title", TITLE)
    page.select_option("#id_section", str(section.pk))
    page.select_option("#id_parent", str(parent.pk))
    page.select_option("#id_lead_agency", str(pw.world.gl_dept.pk))
    page.select_option("#id_timeframe_kind", "period")
    page.fill("#id_start", "2022-01-01")
    page.fill("#id_end", "2022-06-30")
    page.click("[data-testid=task-form] button[type=submit]")

    page.wait_for_url(re.compile(rf"/plans/{pw.plan.pk}/tasks/\d+/$"))
    task = Task.objects.get(plan=pw.plan, key="II.1.c")
    assert Task.objects.count() == before + 1
    assert page.url == f"{base}/plans/{pw.plan.pk}/tasks/{task.pk}/"
    expect(page.locator("h1")).to_have_text(f"II.1.c {TITLE}")
    expect(page.locator("[data-testid=task-section]")).to_have_text("II.1 Thông tin, tuyên truyền")
    link = page.locator("[data-testid=task-parent] a")
    expect(link).to_have_text(f"II.1.a {parent.title}")
    expect(link).to_have_attribute("href", f"/plans/{pw.plan.pk}/tasks/{parent.pk}/")
    expect(page.locator("main")).to_contain_text("01/01/2022 – 30/06/2022")

    edit = page.locator("[data-testid=task-edit]")
    expect(edit).to_have_text("Sửa")
    edit.click()
    page.wait_for_url(f"**/plans/{pw.plan.pk}/tasks/{task.pk}/edit/")
    expect(page.locator("#id_title")).to_have_value(TITLE)
    page.fill("#id_title", NEW_TITLE)
    page.click("[data-testid=task-form] button[type=submit]")
    page.wait_for_url(f"**/plans/{pw.plan.pk}/tasks/{task.pk}/")
    expect(page.locator("h1")).to_have_text(f"II.1.c {NEW_TITLE}")
    task.refresh_from_db()
    assert task.title == NEW_TITLE
    assert Task.objects.count() == before + 1


def test_an_end_before_the_start_is_explained_in_the_page_and_nothing_is_created(
    browser_world: World, new_page: Callable[..., Any], live_server: Any
) -> None:
    pw = build_pw(browser_world, password=PASSWORD)
    base = live_server.url
    before = list(Task.objects.order_by("pk").values_list("pk", "key", "title", "start", "end"))

    page = new_page(pw.manager)
    page.goto(f"{base}/plans/{pw.plan.pk}/")
    page.click("[data-testid=task-new]")
    page.wait_for_url(f"**/plans/{pw.plan.pk}/tasks/new/")
    page.fill("#id_key", "II.1.c")
    page.fill("#id_title", TITLE)
    page.select_option("#id_lead_agency", str(pw.world.gl_dept.pk))
    page.select_option("#id_timeframe_kind", "period")
    page.fill("#id_start", "2022-06-30")
    page.fill("#id_end", "2022-01-01")
    page.click("[data-testid=task-form] button[type=submit]")

    expect(page.locator("[data-testid=task-form] .errorlist")).to_contain_text(
        "Ngày kết thúc không được trước ngày bắt đầu.")
    assert page.url == f"{base}/plans/{pw.plan.pk}/tasks/new/"
    # What was typed is kept, so the person only corrects the date.
    expect(page.locator("#id_title")).to_have_value(TITLE)
    expect(page.locator("#id_end")).to_have_value("2022-01-01")
    assert list(Task.objects.order_by("pk").values_list("pk", "key", "title", "start", "end")) == before
