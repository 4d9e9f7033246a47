"""The editorial side of `ttdn demo`: the demo material's approvals and returns carry an appraisal opinion
like any other (every criterion passed; a return says why in its comment)."""

from __future__ import annotations

from ttdn.accounts.models import User
from ttdn.content import demo as content_demo
from ttdn.content.models import Item
from ttdn.editorial import services


def appraise(actor: User, item: Item, decision: str, reason: str) -> None:
    checks: dict[int, tuple[bool | None, str]] = {c.pk: (True, "") for c in services.asked_criteria()}
    services.do_appraise(actor, item, services.OpinionData(decision, checks, comment=reason))


content_demo.appraise = appraise
