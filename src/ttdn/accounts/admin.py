"""Read-only admin for agencies, users and their grants. Changes go through ttdn.accounts.services.

Secrets never show here: no password hash, no TOTP secret, no API token hash.
"""

from __future__ import annotations

from django.contrib import admin

from ttdn.accounts.models import Agency, ApiToken, LoginThrottle, RoleGrant, User
from ttdn.core.admin import ReadOnlyAdmin, ReadOnlyInline


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "kind", "province", "is_central", "valid_from", "valid_to", "successor")
    list_filter = ("kind", "is_central")
    search_fields = ("name", "name_en", "code", "abbreviation")
    list_select_related = ("province", "successor")
    readonly_fields = ("code", "name", "name_en", "abbreviation", "kind", "parent", "province", "admin_unit",
                       "is_central", "valid_from", "valid_to", "successor")


class RoleGrantInline(ReadOnlyInline):
    model = RoleGrant
    fields = ("role", "language", "granted_at")
    readonly_fields = fields


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "full_name", "agency", "is_active", "is_superuser", "last_login")
    list_filter = ("is_active", "is_superuser", "agency")
    search_fields = ("username", "full_name", "email")
    list_select_related = ("agency",)
    # No password hash.
    fields = ("username", "full_name", "position", "email", "agency", "preferred_language", "is_active",
              "is_staff", "is_superuser", "last_login", "date_joined")
    readonly_fields = fields
    inlines = [RoleGrantInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "language", "granted_at")
    list_filter = ("role", "language")
    search_fields = ("user__username", "user__full_name")
    list_select_related = ("user",)
    readonly_fields = ("user", "role", "language", "granted_at")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    # Never the key hash.
    fields = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields


@admin.register(LoginThrottle)
class LoginThrottleAdmin(ReadOnlyAdmin):
    list_display = ("username", "failures", "first_failure_at", "locked_until")
    search_fields = ("username",)
    readonly_fields = ("username", "failures", "first_failure_at", "locked_until")
