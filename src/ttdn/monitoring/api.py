"""The press-monitoring part of the API: the stories of the caller's desks, as the review queue shows them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from ttdn.accounts.api import errors, request_user
from ttdn.core.errors import PermissionDenied
from ttdn.monitoring import services
from ttdn.monitoring.models import Verdict

router = Router(tags=["monitoring"])


class StoriesQuery(Schema):
    state: str | None = Field(None, max_length=32, description="a review state (new, accurate, positive, "
                                                               "needs_response, irrelevant); all when empty")
    days: int = Field(7, ge=1, le=366, description="stories first seen within this many days")


class StoryOut(Schema):
    id: int
    title: str
    language: str
    first_seen_at: dt.datetime
    copies: int
    outlets: int
    desk: str
    review_state: str
    response_uid: str | None
    answered_at: dt.datetime | None


@router.get("/stories", response={200: list[StoryOut], **errors(401, 403, 422)},
            summary="Stories of my desks, newest day and most republished first")
def list_stories(request: HttpRequest, query: Query[StoriesQuery]) -> list[dict[str, Any]]:
    user = request_user(request)
    if not services.can_use_monitoring(user):
        raise PermissionDenied(_("Press monitoring is for the provincial desks and central editors."))
    state = query.state if query.state in Verdict.values else None
    since = timezone.now() - dt.timedelta(days=query.days)
    rows = services.queue(user, state, since=since)[:500]
    return [{"id": r.story_id, "title": r.story.title, "language": r.story.language,
             "first_seen_at": r.story.first_seen_at, "copies": r.story.copies, "outlets": r.story.outlets,
             "desk": r.watch_list.name, "review_state": r.verdict,
             "response_uid": str(r.response.uid) if r.response else None, "answered_at": r.answered_at}
            for r in rows]
