from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ttdn import __version__


def ttdn(request: HttpRequest) -> dict[str, Any]:
    from ttdn.accounts.permissions import roles

    user = getattr(request, "user", None)
    return {"TTDN_VERSION": __version__, "TTDN_ROLE": settings.ROLE, "USER_ROLES": sorted(roles(user))}
