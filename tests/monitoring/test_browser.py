"""In a real browser: a story flagged as needing a response becomes a draft item of the desk's agency; once it
is appraised and published, the story shows it as answered, with the time it took."""

from __future__ import annotations

from typing import Any

import pytest

from ttdn.content.models import Item, State
from ttdn.monitoring import services
from ttdn.monitoring.models import Review, Verdict

from ..conftest import World, advance
from .stories import outlet, story_about

pytestmark = pytest.mark.browser


def test_needs_response_becomes_a_published_answer(browser_world: World, live_server: Any, new_page: Any) -> None:
    world = browser_world
    services.do_create_watch_list(world.contributor, world.gl_dept)
    story = story_about(lang="en", outlets=[outlet("Vientiane Daily", "LA", "en"), outlet("Phnom Penh Post", "KH",
                                                                                         "en")])
    page = new_page(world.contributor)
    page.goto(f"{live_server.url}/monitoring/")
    page.locator(f"[data-testid=story-{story.pk}] a").click()
    page.wait_for_url(f"**/monitoring/stories/{story.pk}/")
    assert "2 bài đăng trên 2 cơ quan báo chí." in page.locator("main").inner_text()
    form = page.locator("[data-testid=review-form]")
    form.locator("#id_verdict").select_option(Verdict.NEEDS_RESPONSE)
    form.locator("#id_note").fill("Bài viết nêu sai số liệu về diện tích rừng.")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/monitoring/stories/{story.pk}/")
    response = page.locator("[data-testid=response]")
    assert "Bản nháp" in response.inner_text()

    review = Review.objects.get(story=story)
    item = Item.objects.get(pk=review.response_id)
    assert item.state == State.DRAFT and item.agency_id == world.gl_dept.pk
    # The draft opens in the workflow, citing the outlets that carried the story.
    response.locator("a").click()
    page.wait_for_url(f"**/items/{item.uid}/")
    assert "Vientiane Daily" in page.locator("main").inner_text()

    advance(world, item, State.PUBLISHED)  # appraised and published by the central editors
    page.goto(f"{live_server.url}/monitoring/stories/{story.pk}/")
    assert page.locator("[data-testid=answered]").is_visible()
    assert "Đã phản hồi" in page.locator("[data-testid=answered]").inner_text()
    page.goto(f"{live_server.url}/monitoring/?state=needs_response")
    assert "đã phản hồi" in page.locator(f"[data-testid=story-{story.pk}]").inner_text()
