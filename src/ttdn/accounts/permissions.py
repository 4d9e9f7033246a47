"""Who holds which role. Deny by default: a user without a grant can do nothing but log in.

The rules about items (who sees and moves what) live in ttdn.content.permissions and use these helpers.
"""

from __future__ import annotations

from typing import Any

from ttdn.accounts.models import TWO_FACTOR_ROLES, Role, User


def _grants(user: Any) -> list[tuple[str, str]]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_ttdn_grants", None)
    if cached is None:
        cached = list(user.role_grants.values_list("role", "language"))
        user._ttdn_grants = cached
    return cached


def forget_cached_roles(user: User) -> None:
    if hasattr(user, "_ttdn_grants"):
        del user._ttdn_grants


def roles(user: Any) -> set[str]:
    return {role for role, _lang in _grants(user)}


def has_role(user: Any, *wanted: str) -> bool:
    held = roles(user)
    return any(role in held for role in wanted)


def translator_languages(user: Any) -> set[str]:
    return {lang for role, lang in _grants(user) if role == Role.TRANSLATOR and lang}


def is_official(user: Any) -> bool:
    """Any logged-in account with at least one role belongs to an agency's staff."""
    return bool(_grants(user)) or bool(getattr(user, "is_superuser", False) and user.is_active)


def is_central_staff(user: Any) -> bool:
    return has_role(user, Role.APPRAISER, Role.PUBLISHER, Role.TRANSLATOR)


def requires_two_factor(user: Any) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles(user) & {str(r) for r in TWO_FACTOR_ROLES})
