"""Forms of the "staff of my agency" pages. They check shapes (two passwords match, a role is one of
the roles an agency administrator hands out); the services decide everything else."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Role

# The roles an agency administrator may grant and revoke in their own agency, plan roles included.
AGENCY_ROLES = (Role.CONTRIBUTOR, Role.READER, Role.AGENCY_ADMIN, Role.PLAN_MANAGER, Role.PLAN_REPORTER)
# An operator may also grant the central office's roles (translators, who need a language, are granted with
# `ttdn` commands).
OPERATOR_CENTRAL_ROLES = (Role.APPRAISER, Role.PUBLISHER)


def grantable_roles(actor: Any, agency: Any) -> tuple[Role, ...]:
    if getattr(actor, "is_superuser", False) and getattr(agency, "is_central", False):
        return AGENCY_ROLES + OPERATOR_CENTRAL_ROLES
    return AGENCY_ROLES


def agency_role_choices() -> list[tuple[str, Any]]:
    return [(role.value, role.label) for role in AGENCY_ROLES + OPERATOR_CENTRAL_ROLES]


class _PasswordPair(forms.Form):
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password"), data.get("password_confirm")
        if first and second and first != second:
            self.add_error("password_confirm", _("The two passwords are not the same."))
        return data


class StaffCreateForm(_PasswordPair):
    username = forms.CharField(label=_("User name"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles to grant"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=agency_role_choices,
    )

    field_order = ["username", "full_name", "position", "email", "password", "password_confirm", "roles"]

    def __init__(self, *args: Any, roles: tuple[Role, ...] = AGENCY_ROLES, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Initial password")
        self.fields["roles"].choices = [(role.value, role.label) for role in roles]  # type: ignore[attr-defined]


class SetPasswordForm(_PasswordPair):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("New password")
        self.fields["password_confirm"].label = _("New password again")


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(choices=agency_role_choices)
    op = forms.ChoiceField(choices=[("grant", "grant"), ("revoke", "revoke")])
