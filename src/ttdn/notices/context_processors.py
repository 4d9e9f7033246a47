from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def notices(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the bell, counted only if a page shows it."""
    from ttdn.notices.services import unread_count

    user = getattr(request, "user", None)
    return {"notices_unread": SimpleLazyObject(lambda: unread_count(user))}
