from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, Any]:
    """USER_ROLES: the roles of the person asking, for the templates' menus."""
    from ttdn.accounts.permissions import roles

    return {"USER_ROLES": sorted(roles(getattr(request, "user", None)))}
