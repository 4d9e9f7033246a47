"""Every change to agencies, users, roles, second factors and tokens; and the login checks.

`check_…` validates and authorises, `do_…` writes in one transaction with its audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.accounts import permissions as acl
from ttdn.accounts.models import (
    CENTRAL_ROLES,
    Agency,
    AgencyKind,
    ApiToken,
    LoginThrottle,
    Role,
    RoleGrant,
    TOTPDevice,
    User,
)
from ttdn.core import audit, languages
from ttdn.core.errors import Conflict, PermissionDenied, ServiceError
from ttdn.core.text import clean_line
from ttdn.core.transactions import durable

# ---------------------------------------------------------------------------------------------- agencies

# Sent inside `do_set_successor`'s transaction with actor, agency, successor, on: apps that keep work per agency
# (programme) move what is still open to the successor; accounts does not import them.
agency_succeeded = Signal()
# Sent inside the writing transaction with actor, agency, created when an agency is registered or changed: apps
# that count agencies by kind and place (programme: which agencies report on a plan) follow.
agency_changed = Signal()


@dataclass
class AgencyData:
    code: str
    name: str
    kind: str
    name_en: str = ""
    abbreviation: str = ""
    parent: Agency | None = None
    province_id: int | None = None
    admin_unit_id: int | None = None
    is_central: bool = False
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


def _is_operator(actor: User | None) -> bool:
    # None is the system itself (demo loader, migrations).
    return actor is None or bool(actor.is_superuser)


def check_save_agency(actor: User | None, data: AgencyData) -> None:
    if not _is_operator(actor):
        raise PermissionDenied(_("Only an operator may change the agency tree."))
    if data.kind not in AgencyKind.values:
        raise ServiceError("invalid", _("Unknown kind of agency."), field="kind")
    if not clean_line(data.name):
        raise ServiceError("invalid", _("An agency needs a name."), field="name")
    if data.valid_from and data.valid_to and data.valid_to <= data.valid_from:
        raise ServiceError("invalid", _("An agency cannot end before it starts."), field="valid_to")


def do_save_agency(actor: User | None, data: AgencyData) -> Agency:
    check_save_agency(actor, data)
    with transaction.atomic():
        agency, created = Agency.objects.update_or_create(
            code=data.code,
            defaults={
                "name": clean_line(data.name),
                "name_en": clean_line(data.name_en),
                "abbreviation": clean_line(data.abbreviation),
                "kind": data.kind,
                "parent": data.parent,
                "province_id": data.province_id,
                "admin_unit_id": data.admin_unit_id,
                "is_central": data.is_central,
                "valid_from": data.valid_from,
                "valid_to": data.valid_to,
            },
        )
        audit.record(actor, "accounts.agency.create" if created else "accounts.agency.update", agency,
                     agency_id=agency.pk)
        agency_changed.send(sender=Agency, actor=actor, agency=agency, created=created)
    return agency


def do_register_agency(actor: User, data: AgencyData) -> Agency:
    """A new agency registered by someone its caller has authorised (a plan's reviewer registering, for the plan's
    province, the agencies the plan names that are not yet here: `programme.services.do_register_agencies`).
    Never changes an existing agency; the audit names the person."""
    if data.kind not in AgencyKind.values or data.kind in (AgencyKind.MINISTRY, AgencyKind.CENTRAL_OFFICE):
        raise ServiceError("invalid", _("Unknown kind of agency."), field="kind")
    if not clean_line(data.name):
        raise ServiceError("invalid", _("An agency needs a name."), field="name")
    if Agency.objects.filter(code=data.code).exists():
        raise Conflict(_("An agency with this code already exists."), code="agency_exists")
    agency = Agency.objects.create(
        code=data.code, name=clean_line(data.name), name_en=clean_line(data.name_en),
        abbreviation=clean_line(data.abbreviation), kind=data.kind, parent=data.parent,
        province_id=data.province_id, admin_unit_id=data.admin_unit_id, is_central=False,
        valid_from=data.valid_from, valid_to=data.valid_to)
    audit.record(actor, "accounts.agency.create", agency, agency_id=agency.pk, registered_by=actor.pk)
    agency_changed.send(sender=Agency, actor=actor, agency=agency, created=True)
    return agency


def do_set_successor(actor: User | None, agency: Agency, successor: Agency, on: dt.date) -> Agency:
    """Record a reorganisation: `agency` ends on `on` and `successor` takes its work over."""
    if not _is_operator(actor):
        raise PermissionDenied(_("Only an operator may change the agency tree."))
    if successor.pk == agency.pk:
        raise ServiceError("invalid", _("An agency cannot succeed itself."))
    with transaction.atomic():
        agency.successor = successor
        agency.valid_to = on
        agency.save(update_fields=["successor", "valid_to"])
        audit.record(actor, "accounts.agency.succeeded", agency, agency_id=agency.pk, successor=successor.code,
                     on=on.isoformat())
        # Apps above (plans: open tasks, reports, who reports) follow the successor in the same transaction.
        agency_succeeded.send(sender=Agency, actor=actor, agency=agency, successor=successor, on=on)
    return agency


# ------------------------------------------------------------------------------------------------- users


def _can_manage_users_of(actor: User | None, agency: Agency | None) -> bool:
    if _is_operator(actor):
        return True
    assert actor is not None
    return (
        agency is not None
        and actor.agency_id == agency.pk
        and acl.has_role(actor, Role.AGENCY_ADMIN)
    )


def check_create_user(actor: User | None, username: str, password: str | None, agency: Agency | None) -> str:
    if not _can_manage_users_of(actor, agency):
        raise PermissionDenied(_("You may only create accounts in your own agency."))
    name = clean_line(username)
    if not name or len(name) > 150 or any(c.isspace() for c in name):
        raise ServiceError("invalid", _("A user name is one word of at most 150 characters."), field="username")
    if User.objects.filter(username__iexact=name).exists():
        raise Conflict(_("That user name is taken."), code="username_taken")
    if password is not None:
        try:
            validate_password(password, User(username=name))
        except ValidationError as exc:
            raise ServiceError("weak_password", " ".join(exc.messages), field="password") from exc
    return name


def do_create_user(
    actor: User | None,
    username: str,
    password: str | None,
    *,
    agency: Agency | None,
    full_name: str = "",
    position: str = "",
    email: str = "",
    is_superuser: bool = False,
) -> User:
    with durable():
        return _create_user(actor, username, password, agency=agency, full_name=full_name, position=position,
                            email=email, is_superuser=is_superuser)


def _create_user(actor: User | None, username: str, password: str | None, *, agency: Agency | None,
                 full_name: str, position: str, email: str, is_superuser: bool) -> User:
    name = check_create_user(actor, username, password, agency)
    if is_superuser and not _is_operator(actor):
        raise PermissionDenied(_("Only an operator may create operators."))
    user = User(
        username=name,
        agency=agency,
        full_name=clean_line(full_name),
        position=clean_line(position),
        email=email.strip(),
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    audit.record(actor, "accounts.user.create", user, agency_id=agency.pk if agency else None)
    return user


def check_grant_role(actor: User | None, user: User, role: str, language: str = "") -> str:
    if role not in Role.values:
        raise ServiceError("invalid", _("Unknown role."), field="role")
    if not _can_manage_users_of(actor, user.agency):
        raise PermissionDenied(_("You may only grant roles in your own agency."))
    if role in CENTRAL_ROLES:
        if not (user.agency and user.agency.is_central):
            raise ServiceError("role_needs_central_agency",
                               _("Appraisers, translators and publishers belong to the central office."))
        if not _is_operator(actor):
            raise PermissionDenied(_("Only an operator may grant central roles."))
    tag = ""
    if role == Role.TRANSLATOR:
        tag = languages.canonical_tag(language) or ""
        if not tag:
            raise ServiceError("invalid", _("A translator's grant names the language translated into."),
                               field="language")
    elif role != Role.READER and user.agency is None:
        raise ServiceError("invalid", _("This role needs an agency."), field="agency")
    return tag


def do_grant_role(actor: User | None, user: User, role: str, language: str = "") -> RoleGrant:
    with durable():
        return _grant_role(actor, user, role, language)


def _grant_role(actor: User | None, user: User, role: str, language: str = "") -> RoleGrant:
    tag = check_grant_role(actor, user, role, language)
    grant, _created = RoleGrant.objects.get_or_create(user=user, role=role, language=tag)
    audit.record(actor, "accounts.role.grant", user, agency_id=user.agency_id, role=role, language=tag)
    acl.forget_cached_roles(user)
    return grant


def do_create_staff_member(actor: User | None, username: str, password: str | None, *, agency: Agency | None,
                           roles: list[str], full_name: str = "", position: str = "", email: str = "") -> User:
    """An account with its roles, in one transaction: a refused role leaves no account behind (it is reported
    against the "roles" field)."""
    with durable():
        member = _create_user(actor, username, password, agency=agency, full_name=full_name, position=position,
                              email=email, is_superuser=False)
        for role in roles:
            try:
                _grant_role(actor, member, role)
            except ServiceError as exc:
                exc.details["field"] = "roles"
                raise
    return member


def check_revoke_role(actor: User | None, user: User, role: str) -> None:
    if not _can_manage_users_of(actor, user.agency):
        raise PermissionDenied(_("You may only change roles in your own agency."))
    if actor is not None and actor.pk == user.pk and role == Role.AGENCY_ADMIN and not actor.is_superuser:
        # An agency must not lose its last way to manage itself by a slip of the hand.
        raise Conflict(_("You cannot revoke your own administrator role. Ask another administrator of your agency."),
                       code="own_admin_role")


def do_revoke_role(actor: User | None, user: User, role: str, language: str = "") -> int:
    check_revoke_role(actor, user, role)
    with transaction.atomic():
        deleted, _detail = RoleGrant.objects.filter(user=user, role=role, language=language).delete()
        audit.record(actor, "accounts.role.revoke", user, agency_id=user.agency_id, role=role, language=language)
    acl.forget_cached_roles(user)
    return deleted


def do_set_password(actor: User | None, user: User, password: str) -> None:
    if actor is not None and actor.pk != user.pk and not _can_manage_users_of(actor, user.agency):
        raise PermissionDenied(_("You may not change this password."))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError("weak_password", " ".join(exc.messages), field="password") from exc
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        revoked = _revoke_all_tokens(actor, user, "password")
        audit.record(actor, "accounts.user.password", user, agency_id=user.agency_id, tokens_revoked=revoked)


def check_set_active(actor: User | None, user: User) -> None:
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("You cannot deactivate your own account. Ask another administrator."))
    if not _can_manage_users_of(actor, user.agency):
        raise PermissionDenied(_("You may only manage accounts of your own agency."))
    if user.is_superuser and not _is_operator(actor):
        raise PermissionDenied(_("Only an operator may deactivate an operator."))


def do_set_active(actor: User | None, user: User, active: bool) -> User:
    """Deactivate (or reactivate) an account. A deactivated account cannot log in, and its API tokens are
    revoked for good: reactivating does not bring them back."""
    check_set_active(actor, user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.is_active = active
        user.save(update_fields=["is_active"])
        revoked = 0 if active else _revoke_all_tokens(actor, user, "deactivated")
        audit.record(actor, "accounts.user.reactivate" if active else "accounts.user.deactivate", user,
                     agency_id=user.agency_id, tokens_revoked=revoked)
    return user


# ------------------------------------------------------------------------------------------------- login


def _throttle_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def check_not_locked(username: str) -> None:
    row = LoginThrottle.objects.filter(username=username.lower()).first()
    if row and row.locked_until and row.locked_until > timezone.now():
        minutes = max(1, int((row.locked_until - timezone.now()).total_seconds() // 60) + 1)
        raise PermissionDenied(
            _("Too many failed logins. This account is locked for %(m)d more minutes.") % {"m": minutes},
            code="locked_out",
        )


def do_login_failed(username: str) -> LoginThrottle:
    now = timezone.now()
    with transaction.atomic():
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(username=username.lower())
        if row.first_failure_at is None or now - row.first_failure_at > _throttle_window():
            row.failures = 0
            row.first_failure_at = now
        row.failures += 1
        if row.failures >= settings.LOGIN_MAX_FAILURES:
            row.locked_until = now + _throttle_window()
        row.save()
        user = User.objects.filter(username__iexact=username).first()
        audit.record(None, "accounts.login.failed", user, username=username[:150], failures=row.failures,
                     locked=bool(row.locked_until and row.locked_until > now))
    return row


def do_password_passed(user: User) -> None:
    """The password was right but a second factor is still due: the failure count stays until that factor
    passes, so logging in again and again cannot reset the count of wrong codes."""
    with transaction.atomic():
        audit.record(user, "accounts.login.password", user, agency_id=user.agency_id)


def do_login_succeeded(user: User) -> None:
    """Every factor the user needs has passed: forget the failures."""
    with transaction.atomic():
        LoginThrottle.objects.filter(username=user.username.lower()).delete()
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
        audit.record(user, "accounts.login", user, agency_id=user.agency_id)


def do_logout_recorded(user: User) -> None:
    with transaction.atomic():
        audit.record(user, "accounts.logout", user, agency_id=user.agency_id)


def check_login(request: HttpRequest | None, username: str, password: str) -> User:
    """Password check with lock-out. The second factor, where needed, is checked afterwards."""
    username = clean_line(username)
    check_not_locked(username)
    user = authenticate(request, username=username, password=password)
    if user is None:
        row = do_login_failed(username)
        if row.locked_until and row.locked_until > timezone.now():
            check_not_locked(username)
        raise PermissionDenied(_("Wrong user name or password."), code="bad_credentials")
    assert isinstance(user, User)
    return user


# ------------------------------------------------------------------------------------------------- TOTP


def do_start_totp(user: User) -> TOTPDevice:
    """Give the user a fresh, unconfirmed secret to put in an authenticator app."""
    with transaction.atomic():
        device, _created = TOTPDevice.objects.get_or_create(user=user, defaults={"secret": pyotp.random_base32()})
        if not device.confirmed:
            device.secret = pyotp.random_base32()
            device.save(update_fields=["secret"])
        audit.record(user, "accounts.totp.start", user, agency_id=user.agency_id)
    return device


def totp_uri(device: TOTPDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.username, issuer_name="TTĐN")


def check_totp(user: User, code: str) -> tuple[TOTPDevice, int]:
    check_not_locked(user.username)
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None:
        raise ServiceError("totp_not_set_up", _("Set up your authenticator app first."))
    digits = "".join(ch for ch in code if ch.isdigit())
    totp = pyotp.TOTP(device.secret)
    now = timezone.now()
    reused = False
    for offset in (0, -1, 1):  # one step of clock drift either way
        at = now + dt.timedelta(seconds=30 * offset)
        counter = totp.timecode(at)
        if len(digits) == 6 and secrets.compare_digest(totp.at(at), digits):
            if counter > device.last_counter:
                return device, counter
            reused = True
    do_login_failed(user.username)
    if reused:
        # The right code, but spent already (a replay, or the same code typed twice): the clock is fine.
        raise PermissionDenied(_("This code has already been used. Wait for the next code on your phone "
                                 "(a new one every 30 seconds) and type it."), code="totp_reused")
    raise PermissionDenied(_("That code is not right. Check the time on your phone and try again."),
                           code="bad_totp")


def do_verify_totp(user: User, code: str) -> TOTPDevice:
    device, counter = check_totp(user, code)
    with transaction.atomic():
        first = not device.confirmed
        device.confirmed = True
        device.last_counter = counter
        device.save(update_fields=["confirmed", "last_counter"])
        audit.record(user, "accounts.totp.confirm" if first else "accounts.totp.verify", user,
                     agency_id=user.agency_id)
    return device


def do_set_totp_secret(actor: User | None, user: User, secret: str) -> TOTPDevice:
    """Operators (and the demo loader) may provision a known, confirmed secret."""
    if not _is_operator(actor):
        raise PermissionDenied(_("Only an operator may provision a second factor."))
    try:
        pyotp.TOTP(secret).now()
    except (ValueError, TypeError) as exc:  # binascii.Error is a ValueError
        raise ServiceError("invalid", _("A second-factor key is base32 (letters A–Z, digits 2–7)."),
                           field="secret") from exc
    with transaction.atomic():
        device, _created = TOTPDevice.objects.update_or_create(
            user=user, defaults={"secret": secret, "confirmed": True, "last_counter": 0}
        )
        audit.record(actor, "accounts.totp.provision", user, agency_id=user.agency_id)
    return device


def check_reset_totp(actor: User | None, user: User) -> None:
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("Ask another administrator of your agency to reset your second factor."))
    if not _can_manage_users_of(actor, user.agency):
        raise PermissionDenied(_("You may not reset this person's second factor."))


def do_reset_totp(actor: User | None, user: User) -> None:
    """A lost or replaced phone: remove the second factor, so the person sets a new one up at next login."""
    check_reset_totp(actor, user)
    with transaction.atomic():
        deleted, _detail = TOTPDevice.objects.filter(user=user).delete()
        # Whoever may have had the phone may have had the machine's token too.
        revoked = _revoke_all_tokens(actor, user, "second_factor_reset")
        audit.record(actor, "accounts.totp.reset", user, agency_id=user.agency_id, had_device=bool(deleted),
                     tokens_revoked=revoked)


# ------------------------------------------------------------------------------------------------ tokens


def token_key_hash(token: str) -> str:
    """What `ApiToken.key_hash` keeps of a token's secret."""
    return hashlib.sha256(token.encode()).hexdigest()


def do_create_token(actor: User, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the secret, shown once."""
    if actor.pk != user.pk and not _can_manage_users_of(actor, user.agency):
        raise PermissionDenied(_("You may not create tokens for this account."))
    name = clean_line(name)
    if not name:
        raise ServiceError("invalid", _("Name the token after the machine that will use it."), field="name")
    secret = "ttdn_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:100], key_hash=token_key_hash(secret), prefix=secret[:12])
        audit.record(actor, "accounts.token.create", token, agency_id=user.agency_id, name=token.name)
    return token, secret


def do_revoke_token(actor: User, token: ApiToken) -> None:
    if actor.pk != token.user_id and not _can_manage_users_of(actor, token.user.agency):
        raise PermissionDenied(_("You may not revoke this token."))
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor, "accounts.token.revoke", token, agency_id=token.user.agency_id)


def _revoke_all_tokens(actor: User | None, user: User, reason: str) -> int:
    """Inside the caller's transaction: every live token of the user, each with its audit entry."""
    now = timezone.now()
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at=None))
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit.record(actor, "accounts.token.revoke", token, agency_id=user.agency_id, reason=reason)
    return len(tokens)


def tokens_administered_by(actor: Any) -> QuerySet[ApiToken]:
    """The tokens an administrator may list and revoke: every token for an operator, those of their own
    agency's staff for an agency administrator (as for the accounts themselves); none for anyone else."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return ApiToken.objects.none()
    if actor.is_superuser:
        return ApiToken.objects.all()
    if actor.agency_id is not None and acl.has_role(actor, Role.AGENCY_ADMIN):
        return ApiToken.objects.filter(user__agency_id=actor.agency_id)
    return ApiToken.objects.none()


def user_for_token(secret: str) -> User | None:
    if not secret.startswith("ttdn_"):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=token_key_hash(secret), revoked_at=None).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        # Coarse on purpose: a busy machine should not write on every request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def describe(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "agency": user.agency.name if user.agency else None,
        "roles": sorted(acl.roles(user)),
        "languages": sorted(acl.translator_languages(user)),
    }


# ------------------------------------------------------------------------------------ agency import


def _unit_for(spec: dict[str, Any] | None, province: Any) -> Any:
    from ttdn.places import services as places

    if not spec:
        return None
    old = spec.get("era") == "old"
    candidates = places.find_units(spec["name"], level=spec.get("level"), on=dt.date(2020, 1, 1) if old else None)
    if province is not None and not old:
        candidates = candidates.filter(parent=province)
    return candidates.first()


def do_import_agencies(actor: User | None, rows: list[dict[str, Any]]) -> dict[str, Agency]:
    """Create or update an agency tree from records (code, name, kind, parent, province, admin_unit,
    validity, successor …), parents before children, successors last. All or nothing."""
    from ttdn.places import services as places

    if not _is_operator(actor):
        raise PermissionDenied(_("Only an operator may change the agency tree."))
    codes = [row.get("code") for row in rows]
    if any(not code for code in codes) or len(set(codes)) != len(codes):
        raise ServiceError("invalid", _("Every agency needs a code, and codes must be unique."))
    saved: dict[str, Agency] = {}
    with transaction.atomic():
        pending = {row["code"]: row for row in rows}
        while pending:
            ready = [row for row in pending.values()
                     if not row.get("parent") or row["parent"] in saved or row["parent"] not in pending]
            if not ready:
                raise ServiceError("invalid", _("The agencies' parents form a loop: %(codes)s.")
                                   % {"codes": ", ".join(sorted(pending))})
            for row in ready:
                parent = None
                if row.get("parent"):
                    parent = saved.get(row["parent"]) or Agency.objects.filter(code=row["parent"]).first()
                    if parent is None:
                        raise ServiceError("invalid", _("Agency %(code)s: unknown parent %(parent)s.")
                                           % {"code": row["code"], "parent": row["parent"]})
                province = places.province_for(row["province"]) if row.get("province") else None
                unit = _unit_for(row.get("admin_unit"), province)
                saved[row["code"]] = do_save_agency(actor, AgencyData(
                    code=row["code"], name=row.get("name", ""), name_en=row.get("name_en", ""),
                    abbreviation=row.get("abbreviation", ""), kind=row.get("kind", ""), parent=parent,
                    province_id=province.pk if province else None, admin_unit_id=unit.pk if unit else None,
                    is_central=bool(row.get("is_central")),
                    valid_from=dt.date.fromisoformat(row["valid_from"]) if row.get("valid_from") else None,
                    valid_to=dt.date.fromisoformat(row["valid_to"]) if row.get("valid_to") else None,
                ))
                del pending[row["code"]]
        for row in rows:
            if row.get("successor"):
                successor = saved.get(row["successor"]) or Agency.objects.filter(code=row["successor"]).first()
                if successor is None:
                    raise ServiceError("invalid", _("Agency %(code)s: unknown successor %(successor)s.")
                                       % {"code": row["code"], "successor": row["successor"]})
                on = dt.date.fromisoformat(row["valid_to"]) if row.get("valid_to") else dt.date(2025, 7, 1)
                do_set_successor(actor, saved[row["code"]], successor, on)
    return saved
