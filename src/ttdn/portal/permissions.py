"""Who may do what in the portal: declare and cancel alerts, register receiving systems (ttdn.core.access rows)."""

from __future__ import annotations

from typing import Any

from ttdn.accounts.models import Role
from ttdn.accounts.permissions import has_role


def can_alert(user: Any) -> bool:
    """Publishers put material out; they also declare it an alert, update and cancel it."""
    return bool(getattr(user, "is_authenticated", False)) and has_role(user, Role.PUBLISHER)


def can_manage_webhooks(user: Any, agency_id: int | None) -> bool:
    """Operators for any agency; an agency's administrator for the receiving systems of that agency."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    return agency_id is not None and user.agency_id == agency_id and has_role(user, Role.AGENCY_ADMIN)
