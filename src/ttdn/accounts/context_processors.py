from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, Any]:
    """USER_ROLES: the roles of the person asking, for the templates' menus; HALF_LOGGED_IN: see below."""
    from ttdn.accounts.permissions import roles

    user = getattr(request, "user", None)
    return {"USER_ROLES": sorted(roles(user)), "HALF_LOGGED_IN": _half_logged_in(request, user)}


def _half_logged_in(request: HttpRequest, user: Any) -> bool:
    """Logged in with a password, the second factor still to pass: the header shows no navigation then."""
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return False
    from ttdn.accounts.middleware import OTP_SESSION_KEY
    from ttdn.accounts.permissions import requires_two_factor

    return not request.session.get(OTP_SESSION_KEY) and requires_two_factor(user)
