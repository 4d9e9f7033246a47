"""In a real browser: an editor asks for Lao and Khmer translations of a published item; the translator into
Lao takes a memory suggestion for one sentence and types the others (saved segment by segment by htmx, by the
keyboard), sends it for review; the editor approves it as the second person. The Lao version is then public,
and the hub hands it to a border-site node whose site reads Lao at its next sync."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from ttdn.content.models import State, TranslationState, Variant
from ttdn.translation.models import Job, JobState, MemoryUnit
from ttdn.translation.segmenter import source_hash

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.browser

TITLE = "Quy chế khu vực biên giới đất liền"
LAO_TITLE = "ລະບຽບການເຂດຊາຍແດນທາງບົກ"


def test_request_translate_with_memory_review_and_public(
    browser_world: World, new_page: Callable[..., Any], live_server: Any, artifacts: Path
) -> None:
    world = browser_world
    base = live_server.url
    item = advance(world, make_item(world, title=TITLE), State.PUBLISHED)
    # The memory holds the title from an earlier leaflet, one word apart: a fuzzy match.
    MemoryUnit.objects.create(source_language="vi", target_language="lo", source="Quy chế khu vực biên giới",
                              target=LAO_TITLE, source_hash=source_hash("Quy chế khu vực biên giới"),
                              target_hash=source_hash(LAO_TITLE), kind="leaflet")

    # 1. The editor asks for Lao and Khmer at once, from the item's languages page.
    editor = new_page(world.appraiser)
    editor.goto(f"{base}/translation/items/{item.uid}/")
    expect(editor.locator("[data-testid=languages] tr[data-lang=lo]")).to_have_attribute("data-state", "missing")
    editor.check("input[name=languages][value=lo]")
    editor.check("input[name=languages][value=km]")
    editor.click("[data-testid=request-submit]")
    expect(editor.locator("[data-testid=languages] tr[data-lang=lo]")).to_have_attribute("data-state", "requested")
    expect(editor.locator("[data-testid=languages] tr[data-lang=km]")).to_have_attribute("data-state", "requested")
    job = Job.objects.get(item=item, language="lo")

    # 2. The translator into Lao finds it in their queue and translates.
    translator = new_page(world.translator_lo)
    translator.goto(f"{base}/translation/")
    translator.click("[data-testid=queue-translate]")
    translator.wait_for_url(f"**/translation/jobs/{job.pk}/")
    first = translator.locator("#seg-0")
    suggestion = first.locator("[data-testid=suggestion]")
    expect(suggestion).to_contain_text(LAO_TITLE)
    suggestion.click()
    expect(translator.locator("#seg-0 [data-testid=target]")).to_have_value(LAO_TITLE)
    translator.screenshot(path=str(artifacts / "translation-1-editor.png"), full_page=True)
    rows = translator.locator("[data-testid=segment]")
    for n in range(1, rows.count()):
        area = translator.locator(f"#seg-{n} [data-testid=target]")
        area.fill(f"ປະໂຫຍກ {n}")
        area.press("Control+Enter")
        expect(translator.locator(f"#seg-{n}")).to_have_attribute("data-stale", "no")
    for n in range(rows.count()):
        translator.wait_for_function(
            f"() => document.querySelector('#seg-{n} [data-testid=target]').value !== ''")
    # Every segment reached the server, the first one labelled as coming from the memory.
    translator.wait_for_function("() => !document.querySelector('.htmx-request')")
    saved = list(job.segments.order_by("position").values_list("target", "origin"))
    assert saved[0] == (LAO_TITLE, "fuzzy") and all(t for t, _o in saved)
    translator.reload()
    translator.click("[data-testid=submit-job]")
    expect(translator.locator("[data-testid=job-state]")).to_have_attribute("data-state", str(JobState.TRANSLATED))

    # 3. The editor reviews, as the second person, and approves.
    editor.goto(f"{base}/translation/jobs/{job.pk}/")
    editor.click("[data-testid=approve-job]")
    expect(editor.locator("[data-testid=job-state]")).to_have_attribute("data-state", str(JobState.APPROVED))
    editor.goto(f"{base}/translation/items/{item.uid}/")
    expect(editor.locator("[data-testid=languages] tr[data-lang=lo]")).to_have_attribute("data-public", "yes")
    expect(editor.locator("[data-testid=languages] tr[data-lang=km]")).to_have_attribute("data-public", "no")
    editor.screenshot(path=str(artifacts / "translation-2-languages.png"), full_page=True)
    variant = Variant.objects.get(item=item, language="lo")
    assert variant.translation_state == TranslationState.REVIEWED and variant.title == LAO_TITLE

    # 4. The public sees the Lao version on the item's page.
    public = new_page()
    public.goto(f"{base}/items/{item.uid}/")
    expect(public.locator(f"[lang=lo]:has-text('{LAO_TITLE}')").first).to_be_visible()

    # 5. The hub's records for a node at a site reading Lao carry the Lao version.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ttdn.places.services import SiteData, do_save_border_site
    from ttdn.sync.hub import feed
    from ttdn.sync.hub import services as sync
    from ttdn.sync.transport import keys

    site = do_save_border_site(None, SiteData(code="tr-post", name="Đồn Biên phòng Ia Chia", kind="border_post",
                                              province_id=world.gia_lai.pk, neighbour_country="LA", languages=["lo"]))
    node = sync.do_enroll(sync.do_issue_code(None, site), keys.public_hex(Ed25519PrivateKey.generate()), "tr")
    batch = json.dumps(feed.records_batch(node, [str(item.uid)]), ensure_ascii=False)
    assert LAO_TITLE in batch
