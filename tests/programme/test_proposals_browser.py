"""In a real browser, in Vietnamese: a department's plan proposes two training classes and billboards at three
border communes that are not border sites yet. The reviewer registers the communes from the list of places not
matched, accepts both proposals (choosing the new course's kind, giving the hours), confirms, and finds the classes
in the training registry and the billboards planned at the new sites."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Role
from ttdn.documents.plan_draft import Draft, EquipmentProposal
from ttdn.places.models import BorderSite, Equipment, EquipmentStatus
from ttdn.programme.models import CourseKind, Plan, PlanDraft, TrainingClass

from ..conftest import PASSWORD, World

pytestmark = pytest.mark.browser

PLAN = Path(__file__).resolve().parents[1] / "documents" / "fixtures" / "unseen" / "gia-lai-department-2025.txt"
COMMUNES = ["Ia Dom", "Ia Nan", "Ia Pnôn"]


def _proposal_prefixes(draft: PlanDraft) -> dict[str, str]:
    typed = Draft.from_json(draft.data)
    return {p.kind: f"prop_{n}_{m}_" for n, task in enumerate(typed.tasks) for m, p in enumerate(task.proposals)}


def test_a_reviewer_registers_the_communes_and_accepts_the_classes_and_billboards(
    browser_world: World, new_page: Callable[..., Any], live_server: Any
) -> None:
    manager = accounts.do_create_user(None, "gl_manager", PASSWORD, agency=browser_world.gl_dept,
                                      full_name="Cán bộ Sở", email="so@example.vn")
    accounts.do_grant_role(None, manager, Role.PLAN_MANAGER, "")
    base = live_server.url
    page = new_page(manager)
    page.goto(f"{base}/plans/import/")
    page.set_input_files("input[type=file]", str(PLAN))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/plans/import/*/")
    draft = PlanDraft.objects.get()

    sites = page.locator("[data-testid=missing-sites]")
    expect(sites).to_be_visible()
    for i, name in enumerate(COMMUNES):
        expect(page.locator(f"#site_{i}_kind")).to_have_value("border_commune")  # from "xã" before the name
        page.fill(f"#site_{i}_name", f"Xã {name}")
        expect(page.locator(f"#site_{i}_commune")).to_have_value(name)
        page.check(f"#site_{i}_use")
    page.click("[data-testid=register]")
    expect(page.locator("#messages")).to_contain_text("Đã đăng ký")
    expect(page.locator("[data-testid=missing-sites]")).to_have_count(0)
    registered = {s.name: s.code for s in BorderSite.objects.filter(name__in=[f"Xã {c}" for c in COMMUNES])}
    assert len(registered) == 3

    prefixes = _proposal_prefixes(draft)
    training, billboards = prefixes["training_class"], prefixes["equipment"]
    # What the plan says is filled in: two classes of 40 in August 2025, at the venue it names.
    expect(page.locator(f"#{training}classes")).to_have_value("2")
    expect(page.locator(f"#{training}capacity")).to_have_value("40")
    expect(page.locator(f"#{training}month")).to_have_value("08/2025")
    expect(page.locator(f"#{training}venue")).to_have_value("Xã Ia Dom và xã Ia O")
    # The billboards' communes are now the sites just registered.
    for k, name in enumerate(COMMUNES):
        expect(page.locator(f"#{billboards}site_{k}")).to_have_value(registered[f"Xã {name}"])
    page.check(f"#{training}accept")
    # The kind of the new course is proposed from the task's words.
    expect(page.locator(f"#{training}course_kind")).to_have_value(CourseKind.FOREIGN_INFORMATION)
    page.fill(f"#{training}hours", "16")
    page.check(f"#{billboards}accept")
    page.click("[data-testid=confirm]")
    page.wait_for_url("**/plans/*/")

    plan = Plan.objects.get(symbol="KH-SVHTTDL")
    classes = TrainingClass.objects.filter(title__contains=plan.reference)
    assert classes.count() == 2
    assert {(c.start, c.capacity, c.duration_hours) for c in classes} == {(dt.date(2025, 8, 1), 40, 16)}
    planned = Equipment.objects.filter(site__code__in=registered.values(), kind="billboard",
                                       status=EquipmentStatus.PLANNED)
    assert planned.count() == 3
    draft.refresh_from_db()
    assert draft.plan_id == plan.pk
    equipment = next(p for t in Draft.from_json(draft.data).tasks for p in t.proposals
                     if isinstance(p, EquipmentProposal))
    assert equipment.accepted

    page.goto(f"{base}/plans/training/")
    expect(page.locator("main")).to_contain_text(classes.first().title[:40])
    page.goto(f"{base}/plans/equipment/")
    expect(page.locator("main")).to_contain_text("Xã Ia Pnôn")
