from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def notices(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the bell, counted only if a page shows it."""
    from ttdn.accounts.middleware import OTP_SESSION_KEY
    from ttdn.accounts.permissions import requires_two_factor
    from ttdn.notices.services import unread_count

    user = getattr(request, "user", None)
    # Not before the second factor is passed: the page behind it must not be reachable, even the bell.
    show = bool(user is not None and user.is_authenticated) and (
        bool(getattr(request, "session", {}).get(OTP_SESSION_KEY)) or not requires_two_factor(user))
    return {"notices_unread": SimpleLazyObject(lambda: unread_count(user)), "show_notice_bell": show}
