"""The desk's API: an item's languages (state, public or not, why), for officials who see the item."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from ttdn.accounts.api import AUTH, errors, request_user
from ttdn.accounts.permissions import is_official
from ttdn.content import permissions as perms
from ttdn.core.errors import NotFound
from ttdn.translation import board

router = Router(tags=["translation"], auth=AUTH)


class LanguageStateOut(Schema):
    language: str
    state: str  # missing, requested, in_progress, translated, reviewed, stale
    public: bool  # public now, or will be with the item
    why: str
    job_state: int | None = None


@router.get("/items/{uid}/languages", response={200: list[LanguageStateOut], **errors(401, 404, 422)},
            summary="Which languages of an item are (or will be) public, and why not the others")
def item_languages(request: HttpRequest, uid: uuid.UUID) -> list[dict[str, Any]]:
    user = request_user(request)
    item = perms.visible_items(user).filter(uid=uid).first()
    if item is None or not is_official(user):
        raise NotFound(_("Not found."))
    return [{"language": c.language, "state": c.state, "public": c.public, "why": str(c.why),
             "job_state": c.job.state if c.job else None} for c in board.item_languages(item)]
