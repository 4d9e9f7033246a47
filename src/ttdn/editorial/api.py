"""The appraisal opinion over the API: the checklist asked, an item's opinions, and approving or returning
with an opinion — the only way to approve or return (the bare workflow step refuses both)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from ttdn.accounts.api import AUTH, errors, request_user
from ttdn.accounts.permissions import is_official
from ttdn.content import permissions as perms
from ttdn.content.models import Item
from ttdn.core.errors import NotFound, ServiceError
from ttdn.editorial import services
from ttdn.editorial.models import Opinion

router = Router(tags=["appraisal"], auth=AUTH)


class CriterionOut(Schema):
    code: str
    name: str
    name_en: str
    guidance: str


class CheckIn(Schema):
    criterion: str = Field(..., max_length=64, description="The criterion's code (GET /api/v1/appraisal-criteria).")
    passed: bool
    note: str = Field("", max_length=services.NOTE_MAX, description="Required when the criterion failed.")


class OpinionIn(Schema):
    decision: Literal["approve", "return"]
    checks: list[CheckIn] = Field(..., max_length=200, description="Every criterion asked, marked.")
    comment: str = Field("", max_length=services.COMMENT_MAX)


class CheckOut(Schema):
    criterion: str
    name: str
    passed: bool
    note: str


class OpinionOut(Schema):
    id: int
    decision: str
    appraiser: str
    comment: str
    created_at: dt.datetime
    checks: list[CheckOut]


def _opinion_out(opinion: Opinion) -> dict[str, Any]:
    return {
        "id": opinion.pk, "decision": opinion.decision, "appraiser": opinion.appraiser_name,
        "comment": opinion.comment, "created_at": opinion.created_at,
        "checks": [{"criterion": c.criterion.code, "name": c.criterion_name, "passed": c.passed, "note": c.note}
                   for c in opinion.checks.all()],
    }


def _official_item(request: HttpRequest, uid: uuid.UUID) -> Item:
    """Opinions are internal: officials who see the item (as the opinion's printable page)."""
    user = request_user(request)
    item = perms.visible_items(user).filter(uid=uid).select_related("agency").first()
    if item is None or not is_official(user):
        raise NotFound(_("Not found."))
    return item


@router.get("/appraisal-criteria", response={200: list[CriterionOut], **errors(401, 422)},
            summary="The appraisal checklist asked now")
def list_criteria(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"code": c.code, "name": c.name, "name_en": c.name_en, "guidance": c.guidance}
            for c in services.asked_criteria()]


@router.get("/items/{uid}/opinions", response={200: list[OpinionOut], **errors(401, 404, 422)},
            summary="An item's appraisal opinions, oldest first")
def list_opinions(request: HttpRequest, uid: uuid.UUID) -> list[dict[str, Any]]:
    item = _official_item(request, uid)
    opinions = item.opinions.order_by("created_at", "pk").prefetch_related("checks__criterion")
    return [_opinion_out(o) for o in opinions]


@router.post("/items/{uid}/opinions", response={201: OpinionOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Approve or return the item with the appraisal opinion")
def record_opinion(request: HttpRequest, uid: uuid.UUID, payload: OpinionIn) -> Status:
    item = _official_item(request, uid)
    by_code = {c.code: c.pk for c in services.asked_criteria()}
    checks: dict[int, tuple[bool | None, str]] = {}
    for check in payload.checks:
        if check.criterion not in by_code:
            raise ServiceError("invalid", _("“%(code)s” is not a criterion asked now; see /api/v1/appraisal-criteria.")
                               % {"code": check.criterion}, field="checks")
        checks[by_code[check.criterion]] = (check.passed, check.note)
    opinion = services.do_appraise(request_user(request), item,
                                   services.OpinionData(payload.decision, checks, payload.comment))
    return Status(201, _opinion_out(Opinion.objects.prefetch_related("checks__criterion").get(pk=opinion.pk)))
