from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ttdn import __version__


def ttdn(request: HttpRequest) -> dict[str, Any]:
    from ttdn.accounts.permissions import roles

    user = getattr(request, "user", None)
    from ttdn.core.forms import DAY_PATTERN

    return {"TTDN_VERSION": __version__, "TTDN_ROLE": settings.ROLE, "USER_ROLES": sorted(roles(user)),
            "DAY_PATTERN": DAY_PATTERN, "HALF_LOGGED_IN": _half_logged_in(request, user)}


def _half_logged_in(request: HttpRequest, user: Any) -> bool:
    """Logged in with a password, the second factor still to pass: the header shows no navigation then."""
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return False
    from ttdn.accounts.middleware import OTP_SESSION_KEY
    from ttdn.accounts.permissions import requires_two_factor

    return not request.session.get(OTP_SESSION_KEY) and requires_two_factor(user)
