"""End to end in a real browser, in the Vietnamese interface: a contributor submits a PDF, an appraiser
returns it with a reason (through the appraisal opinion), the contributor fixes and resubmits, the appraiser
approves, a publisher publishes, and the material appears in the published list.

Assertions use element ids / data-testid and data (titles, reasons), not interface wording, since
the Vietnamese catalogue is produced separately."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF
from playwright.sync_api import expect

from ttdn.content.models import Attachment, Item, State

from ..conftest import World
from ..editorial.browser_steps import record_opinion

pytestmark = pytest.mark.browser

TITLE = "Quy định về khu vực biên giới đất liền tỉnh Gia Lai"
FIXED_TITLE = "Quy định về khu vực biên giới đất liền tỉnh Gia Lai (bản sửa)"
REASON = "Bổ sung căn cứ pháp lý và ngày ban hành ở trang 1."
ITEM_URL = re.compile(r"/items/[0-9a-f-]{36}/(#.*)?$")


def make_pdf(path: Path) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=16)
    pdf.cell(text="Border area regulations - Gia Lai")
    pdf.output(str(path))
    return path


def state_of(page: Any) -> Any:
    return page.locator("[data-testid=item-state]")


def test_submit_return_fix_approve_publish(
    browser_world: World, new_page: Callable[..., Any], live_server: Any, tmp_path: Path, artifacts: Path
) -> None:
    world = browser_world
    base = live_server.url
    pdf = make_pdf(tmp_path / "Quy định biên giới.pdf")

    # 1. The contributor submits material with a PDF.
    contributor = new_page(world.contributor)
    expect(contributor.locator("html")).to_have_attribute("lang", "vi")
    contributor.goto(f"{base}/items/new/")
    form = contributor.locator("[data-testid=item-form]")
    expect(form).to_have_attribute("data-upload-progress", "")
    expect(form.locator("progress[data-progress]")).to_have_count(1)
    contributor.select_option("#id_kind", "publication")
    contributor.fill("#id_title", TITLE)
    contributor.fill("#id_summary", "Những điều cần biết khi vào khu vực biên giới.")
    contributor.fill("#id_body", "<p>Mang theo giấy tờ tùy thân.</p>")
    contributor.check(f"input[name=target_provinces][value='{world.gia_lai.pk}']")
    contributor.check("input[name=target_countries][value=LA]")
    contributor.check("#id_no_state_secrets")
    contributor.set_input_files("#id_uploads", [str(pdf)])
    contributor.screenshot(path=str(artifacts / "workflow-0-form.png"), full_page=True)
    contributor.click("[data-testid=save-item]")
    contributor.wait_for_url(ITEM_URL)
    expect(contributor.locator("html")).to_have_attribute("lang", "vi")
    expect(contributor.locator("[data-testid=item-title]")).to_contain_text(TITLE)
    expect(contributor.locator("[data-testid=attachments]")).to_contain_text("Quy định biên giới.pdf")
    expect(state_of(contributor)).to_have_attribute("data-state", "draft")
    item = Item.objects.get()
    assert Attachment.objects.filter(variant__item=item, asset__file_kind="pdf").count() == 1
    item_url = f"{base}/items/{item.uid}/"
    contributor.screenshot(path=str(artifacts / "workflow-1-draft.png"), full_page=True)
    contributor.click("[data-testid=action-submit]")
    expect(state_of(contributor)).to_have_attribute("data-state", "submitted")

    # 2. The appraiser takes it from the queue and returns it with a reason.
    appraiser = new_page(world.appraiser)
    appraiser.goto(f"{base}/appraisal/")
    expect(appraiser.locator("html")).to_have_attribute("lang", "vi")
    appraiser.screenshot(path=str(artifacts / "workflow-queue.png"), full_page=True)
    appraiser.click(f"[data-testid='start-{item.uid}']")
    appraiser.wait_for_url(ITEM_URL)
    expect(state_of(appraiser)).to_have_attribute("data-state", "in_appraisal")
    record_opinion(appraiser, "return", comment=REASON)
    expect(state_of(appraiser)).to_have_attribute("data-state", "returned")

    # 3. The contributor reads the reason, edits, and submits again.
    contributor.goto(f"{base}/my-work/")
    contributor.screenshot(path=str(artifacts / "workflow-my-work-contributor.png"), full_page=True)
    expect(contributor.locator("[data-testid=section-returned] [data-testid=return-reason]")).to_contain_text(REASON)
    contributor.goto(item_url)
    expect(contributor.locator("[data-testid=return-reason-text]")).to_have_text(REASON)
    contributor.screenshot(path=str(artifacts / "workflow-2-returned.png"), full_page=True)
    contributor.click("[data-testid=edit-item]")
    expect(contributor.locator("#id_title")).to_have_value(TITLE)
    expect(contributor.locator("#id_language")).to_be_disabled()
    contributor.fill("#id_title", FIXED_TITLE)
    contributor.check("#id_no_state_secrets")
    contributor.click("[data-testid=save-item]")
    contributor.wait_for_url(ITEM_URL)
    expect(contributor.locator("[data-testid=item-title]")).to_contain_text(FIXED_TITLE)
    contributor.click("[data-testid=action-submit]")
    expect(state_of(contributor)).to_have_attribute("data-state", "submitted")

    # 4. The appraiser approves.
    appraiser.goto(item_url)
    appraiser.click("[data-testid=action-start_appraisal]")
    expect(state_of(appraiser)).to_have_attribute("data-state", "in_appraisal")
    expect(appraiser.locator("[data-testid=history]")).to_contain_text(REASON)
    record_opinion(appraiser, "approve")
    expect(state_of(appraiser)).to_have_attribute("data-state", "approved")

    # 5. The publisher finds it in "My work" and publishes it.
    publisher = new_page(world.publisher)
    publisher.screenshot(path=str(artifacts / "workflow-my-work-publisher.png"), full_page=True)
    publisher.locator("[data-testid=section-to_publish]").get_by_role("link", name=FIXED_TITLE).click()
    publisher.wait_for_url(ITEM_URL)
    publisher.click("[data-testid=action-publish]")
    expect(state_of(publisher)).to_have_attribute("data-state", "published")
    item.refresh_from_db()
    assert item.state == State.PUBLISHED

    # 6. Anyone sees it in the published list; the filters update the list in place (htmx).
    visitor = new_page()
    visitor.goto(f"{base}/published/")
    expect(visitor.locator("html")).to_have_attribute("lang", "vi")
    titles = visitor.locator("[data-testid=published-title]")
    expect(titles).to_have_count(1)
    expect(titles.first).to_have_text(FIXED_TITLE)
    visitor.fill("#id_q", "không có tài liệu này")
    expect(visitor.locator("[data-testid=no-results]")).to_be_visible()
    expect(visitor).to_have_url(re.compile(r"[?&]q="))
    visitor.fill("#id_q", "biên giới")
    expect(titles).to_have_count(1)
    visitor.select_option("#id_kind", "video")
    expect(visitor.locator("[data-testid=no-results]")).to_be_visible()
    visitor.select_option("#id_kind", "publication")
    expect(titles).to_have_text([FIXED_TITLE])
    visitor.screenshot(path=str(artifacts / "workflow-3-published.png"), full_page=True)
    titles.first.click()
    visitor.wait_for_url(ITEM_URL)
    expect(visitor.locator("[data-testid=history]")).to_have_count(0)  # the public does not see who did what
    with visitor.expect_download() as download_info:
        visitor.locator("[data-testid=attachments] a[download]").click()
    assert download_info.value.suggested_filename == "Quy định biên giới.pdf"
