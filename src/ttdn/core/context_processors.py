from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ttdn import __version__


def ttdn(request: HttpRequest) -> dict[str, Any]:
    # The user's roles (USER_ROLES) and HALF_LOGGED_IN come from ttdn.accounts.context_processors.roles:
    # core knows no accounts.
    from ttdn.core.forms import DAY_PATTERN

    return {"TTDN_VERSION": __version__, "TTDN_ROLE": settings.ROLE, "DAY_PATTERN": DAY_PATTERN}
