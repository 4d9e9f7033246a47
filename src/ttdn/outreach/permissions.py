"""Who may prepare, approve, run and see campaigns — the rule table `ttdn.core.access` states the same rows.

Prepare: the agency's contributors (the department, or whom it authorises by that role). Approve: the agency's
administrator or a central publisher, never the person who prepared it. See: those, and operators.
"""

from __future__ import annotations

from typing import Any

from ttdn.accounts.models import Role
from ttdn.accounts.permissions import roles


def _own(user: Any, agency_id: int | None) -> bool:
    return agency_id is not None and getattr(user, "agency_id", None) == agency_id


def can_prepare(user: Any, agency_id: int | None) -> bool:
    return Role.CONTRIBUTOR in roles(user) and _own(user, agency_id)


def may_prepare_somewhere(user: Any) -> bool:
    return Role.CONTRIBUTOR in roles(user) and getattr(user, "agency_id", None) is not None


def can_approve_role(user: Any, agency_id: int | None) -> bool:
    held = roles(user)
    return Role.PUBLISHER in held or (Role.AGENCY_ADMIN in held and _own(user, agency_id))


def can_view(user: Any, agency_id: int | None) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return can_prepare(user, agency_id) or can_approve_role(user, agency_id)


def can_run(user: Any, agency_id: int | None) -> bool:
    """Pause, resume, cancel: whoever prepares or approves the agency's campaigns."""
    return can_prepare(user, agency_id) or can_approve_role(user, agency_id)


def sees_list(user: Any) -> bool:
    held = roles(user)
    return bool(held & {Role.CONTRIBUTOR, Role.AGENCY_ADMIN, Role.PUBLISHER}) or bool(
        getattr(user, "is_superuser", False) and user.is_active)


def manages_do_not_contact(user: Any) -> bool:
    return bool(roles(user) & {Role.CONTRIBUTOR, Role.AGENCY_ADMIN, Role.PUBLISHER})


def sees_all_agencies(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or Role.PUBLISHER in roles(user)
