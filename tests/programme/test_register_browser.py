"""In a real browser, in Vietnamese: a reviewer imports the plan of a province with no registered agencies
(Quảng Trị), registers the three missing ones from the list of names not matched, confirms, and a reporter of one
of them finds on the home page the report it owes, marked overdue, and from there its reports page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from ttdn.accounts import services as accounts
from ttdn.accounts.models import Agency, AgencyKind, Role
from ttdn.documents.plan_draft import Draft
from ttdn.documents.plan_import import missing_agencies
from ttdn.programme.models import Plan, PlanDraft

from ..conftest import PASSWORD, World

pytestmark = pytest.mark.browser

PLAN = Path(__file__).resolve().parents[1] / "documents" / "fixtures" / "unseen" / "quang-tri-appendix-2025.txt"
WANTED = {"Ủy ban nhân dân tỉnh Quảng Trị": AgencyKind.PROVINCIAL_PC,
          "Sở Văn hóa, Thể thao và Du lịch": AgencyKind.DEPARTMENT,
          "Bộ Chỉ huy Bộ đội Biên phòng tỉnh": AgencyKind.BORDER_GUARD_COMMAND}


def test_a_reviewer_registers_the_missing_agencies_and_a_reporter_sees_the_report_due(
    browser_world: World, new_page: Callable[..., Any], live_server: Any
) -> None:
    manager = accounts.do_create_user(None, "central_manager", PASSWORD, agency=browser_world.central,
                                      full_name="Cán bộ Cục", email="cuc@example.vn")
    accounts.do_grant_role(None, manager, Role.PLAN_MANAGER, "")
    base = live_server.url
    page = new_page(manager)
    page.goto(f"{base}/plans/import/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.set_input_files("input[type=file]", str(PLAN))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/plans/import/*/")
    draft = PlanDraft.objects.get()
    table = page.locator("[data-testid=missing-agencies]")
    expect(table).to_be_visible()
    names = missing_agencies(Draft.from_json(draft.data))
    index = {text: names.index(text) for text in WANTED}
    ppc = index["Ủy ban nhân dân tỉnh Quảng Trị"]
    for text, kind in WANTED.items():
        n = index[text]
        page.check(f"#new_{n}_use")
        expect(page.locator(f"#new_{n}_kind")).to_have_value(kind)  # the kind proposed from the name
        if n != ppc:
            page.select_option(f"#new_{n}_parent", f"new:{ppc}")
    expect(page.locator(f"#new_{index['Sở Văn hóa, Thể thao và Du lịch']}_name")).to_have_value(
        "Sở Văn hóa, Thể thao và Du lịch tỉnh Quảng Trị")
    page.click("[data-testid=register]")
    expect(page.locator("#messages")).to_contain_text("Đã đăng ký")
    registered = Agency.objects.filter(province__short_name="Quảng Trị")
    assert registered.count() == 3
    # Matched again: the issuer is chosen in the form, and the three names left the list.
    expect(page.locator("#plan_issuer_agency")).to_have_value(registered.get(kind=AgencyKind.PROVINCIAL_PC).code)
    left = page.locator("[data-testid=missing-agencies] tbody td:nth-child(2)").all_inner_texts()
    assert left and not set(WANTED) & {text.strip() for text in left}
    page.click("[data-testid=confirm]")
    page.wait_for_url("**/plans/*/")
    plan = Plan.objects.get(number="201")
    department = registered.get(kind=AgencyKind.DEPARTMENT)
    assert plan.tasks.filter(lead_agency=department).exists()

    reporter = accounts.do_create_user(None, "qt_reporter", PASSWORD, agency=department, full_name="Phóng viên",
                                       email="qt@example.vn")
    accounts.do_grant_role(None, reporter, Role.PLAN_REPORTER, "")
    owed = new_page(reporter)
    # The home page says what the agency owes, overdue marked, and leads to the reports page.
    owed.goto(f"{base}/")
    due = owed.locator(f"[data-testid=due-{plan.pk}-2025]")
    expect(due).to_be_visible()
    expect(due.locator("[data-testid=overdue]")).to_have_text("Quá hạn")
    due.locator("a").click()
    owed.wait_for_url("**/plans/my-reports/")
    row = owed.locator(f"[data-testid=report-row-{plan.pk}-2025]")
    expect(row).to_be_visible()
    expect(row.locator("[data-testid=overdue]")).to_have_text("Quá hạn")
