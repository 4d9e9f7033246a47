"""Steps shared by browser tests: recording an appraisal opinion as an appraiser would."""

from __future__ import annotations

from typing import Any

from ttdn.editorial.models import Criterion


def record_opinion(page: Any, decision: str, comment: str = "", failed: dict[str, str] | None = None) -> None:
    """From the item page: open the opinion form, mark every criterion (those in `failed` failed with their
    note, the others passed), write the comment, and approve or return."""
    failed = failed or {}
    page.click("[data-testid=appraise]")
    page.wait_for_url("**/appraise/")
    for criterion in Criterion.objects.filter(active=True):
        box = page.locator(f"[data-testid=criterion-{criterion.code}]")
        if criterion.code in failed:
            box.locator("input[value=fail]").check()
            box.locator("textarea").fill(failed[criterion.code])
        else:
            box.locator("input[value=pass]").check()
    if comment:
        page.fill("#id_comment", comment)
    page.click(f"[data-testid=opinion-{decision}]")
    page.wait_for_url("**/items/*/")
