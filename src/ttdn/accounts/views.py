"""Login with lock-out, the second factor (set-up and check), logout, and the "staff of my agency" pages
of agency administrators. Thin: services decide, and a refused operation (ServiceError) is shown next to
the field it is about, with its status (400/403/409)."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from ttdn.accounts import services
from ttdn.accounts.forms import RoleChangeForm, SetPasswordForm, StaffCreateForm, grantable_roles
from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.accounts.models import Agency, Role, RoleGrant, TOTPDevice, User
from ttdn.accounts.permissions import has_role, requires_two_factor
from ttdn.core.errors import ServiceError


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    error = None
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "")
        try:
            user = services.check_login(request, username, request.POST.get("password", ""))
        except ServiceError as exc:
            error = exc.message
        else:
            login(request, user)
            if requires_two_factor(user):
                services.do_password_passed(user)
                request.session["ttdn_after_2fa"] = _next_url(request)
                return redirect("accounts:two_factor")
            services.do_login_succeeded(user)
            return redirect(_next_url(request))
    status = 200 if error is None else 400
    return render(request, "accounts/login.html", {"error": error, "username": username,
                                                   "next": _next_url(request)}, status=status)


@login_required
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not requires_two_factor(user) or request.session.get(OTP_SESSION_KEY):
        return redirect("/")
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None or not device.confirmed:
        device = device or services.do_start_totp(user)
    error = None
    if request.method == "POST":
        try:
            services.do_verify_totp(user, request.POST.get("code", ""))
        except ServiceError as exc:
            error = exc.message
            if exc.code == "locked_out":
                logout(request)
                return redirect("accounts:login")
        else:
            services.do_login_succeeded(user)
            request.session.cycle_key()
            request.session[OTP_SESSION_KEY] = True
            return redirect(request.session.pop("ttdn_after_2fa", "/"))
    context = {"error": error, "enrolling": not device.confirmed}
    if not device.confirmed:
        uri = services.totp_uri(device)
        svg = io.BytesIO()
        qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage).save(svg)
        context.update({"qr_svg": svg.getvalue().decode(), "secret": device.secret})
    return render(request, "accounts/two_factor.html", context, status=200 if error is None else 400)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if isinstance(request.user, User):
        services.do_logout_recorded(request.user)
    logout(request)
    return redirect("accounts:login")


# ------------------------------------------------------------------------------------ staff of my agency


def _forbidden(request: HttpRequest, message: Any) -> HttpResponse:
    return render(request, "core/forbidden.html", {"message": message}, status=403)


def _error_status(exc: ServiceError) -> int:
    return exc.status if exc.status in {400, 403, 404, 409} else 400


def _show_error(form: forms.Form, exc: ServiceError, default_field: str | None = None) -> None:
    """Put a service's message next to the field it names, or at the top of the form."""
    name = exc.details.get("field") or default_field
    target = name if name in form.fields else None
    form.add_error(target, str(exc.message))


STAFF_AGENCY_KEY = "ttdn_staff_agency"


def _agency_admin(request: HttpRequest) -> User | HttpResponse:
    """The logged-in agency administrator (or operator), or the response to send instead.

    `actor.staff_agency` is the agency whose staff the pages show: an administrator's own; for an operator
    the one chosen on the staff page (?agency=…, remembered in the session), at first their own."""
    user = request.user
    assert isinstance(user, User)
    if user.is_superuser and user.is_active:
        chosen = str(request.GET.get("agency") or request.session.get(STAFF_AGENCY_KEY) or user.agency_id or "")
        agency = Agency.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if agency is None:
            agency = user.agency or Agency.objects.order_by("name").first()
        if agency is None:
            return _forbidden(request, _("There is no agency yet."))
        request.session[STAFF_AGENCY_KEY] = agency.pk
        user.staff_agency = agency  # type: ignore[attr-defined]
        return user
    if not has_role(user, Role.AGENCY_ADMIN) or user.agency_id is None:
        return _forbidden(request, _("This page is for agency administrators."))
    user.staff_agency = user.agency  # type: ignore[attr-defined]
    return user


def _managed(actor: User) -> Agency:
    agency: Agency = actor.staff_agency  # type: ignore[attr-defined]
    return agency


def agency_admin_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Hand the view the logged-in agency administrator, or answer as _agency_admin says."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = _agency_admin(request)
        if isinstance(actor, HttpResponse):
            return actor
        return view(request, actor, *args, **kwargs)

    return wrapper


def _staff_member(actor: User, pk: int) -> User:
    """A user of the actor's own agency; anyone else does not exist here."""
    member = User.objects.filter(pk=pk, agency_id=_managed(actor).pk).select_related("agency").first()
    if member is None:
        raise Http404
    return member


def _role_labels(grants: list[RoleGrant]) -> list[str]:
    labels = []
    for grant in sorted(grants, key=lambda g: (g.role, g.language)):
        label = str(Role(grant.role).label) if grant.role in Role.values else grant.role
        labels.append(f"{label} ({grant.language})" if grant.language else label)
    return labels


def _staff_page(request: HttpRequest, actor: User, form: StaffCreateForm, status: int = 200) -> HttpResponse:
    agency = _managed(actor)
    members = list(
        User.objects.filter(agency_id=agency.pk)
        .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role", "language")))
        .order_by("username")
    )
    for member in members:
        member.role_labels = _role_labels(list(member.role_grants.all()))  # type: ignore[attr-defined]
    return render(request, "accounts/staff.html", {
        "agency": agency, "members": members, "form": form,
        "agencies": Agency.objects.order_by("name") if actor.is_superuser else None,
    }, status=status)


@login_required
@sensitive_post_parameters("password", "password_confirm")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
@agency_admin_view
def staff_view(request: HttpRequest, actor: User) -> HttpResponse:
    roles = grantable_roles(actor, _managed(actor))
    if request.method != "POST":
        return _staff_page(request, actor, StaffCreateForm(roles=roles))
    form = StaffCreateForm(request.POST, roles=roles)
    if not form.is_valid():
        return _staff_page(request, actor, form, status=400)
    data = form.cleaned_data
    try:
        # One service: a refused role leaves no account behind.
        member = services.do_create_staff_member(
            actor, data["username"], data["password"], agency=_managed(actor), roles=list(data["roles"]),
            full_name=data["full_name"], position=data["position"], email=data["email"],
        )
    except ServiceError as exc:
        _show_error(form, exc, default_field="username")
        return _staff_page(request, actor, form, status=_error_status(exc))
    messages.success(request, _("The account “%(name)s” was created.") % {"name": member.username})
    return redirect("accounts:staff")


def _refused(request: HttpRequest, actor: User, member: User, exc: ServiceError) -> HttpResponse:
    """A change the service refused: the member's page with the message beside the forms, and its status."""
    return _member_page(request, actor, member, error=str(exc.message), status=_error_status(exc))


def _confirm(request: HttpRequest, member: User, heading: Any, consequences: list[Any], label: Any,
             hidden: list[tuple[str, str]], testid: str) -> HttpResponse:
    """The page asking an administrator to confirm a change to a member's access (POST with confirmed=1)."""
    return render(request, "core/confirm.html", {
        "heading": heading, "subject": f"{member.display_name()} · {member.username}",
        "consequences": [*consequences, _("The change is recorded in the audit trail with your name.")],
        "action_url": request.path, "confirm_label": label, "hidden": hidden,
        "cancel_url": reverse("accounts:staff_user", args=[member.pk]), "danger": True, "testid": testid,
    })


def _member_page(request: HttpRequest, actor: User, member: User, *, password_form: SetPasswordForm | None = None,
                 error: str | None = None, status: int = 200) -> HttpResponse:
    grants = list(member.role_grants.order_by("role", "language"))
    held = {g.role for g in grants if not g.language}
    role_rows = [(role.value, role.label, role.value in held) for role in grantable_roles(actor, _managed(actor))]
    return render(request, "accounts/staff_user.html", {
        "agency": _managed(actor),
        "member": member,
        "role_labels": _role_labels(grants),
        "role_rows": role_rows,
        "password_form": password_form or SetPasswordForm(),
        "error": error,
        "is_self": member.pk == actor.pk,
        "tokens": services.tokens_administered_by(actor).filter(user=member).order_by("-created_at", "-id"),
    }, status=status)


@login_required
@never_cache
@require_http_methods(["GET"])
@agency_admin_view
def staff_user_view(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    return _member_page(request, actor, _staff_member(actor, pk))


@login_required
@csrf_protect
@require_POST
@agency_admin_view
def staff_role_view(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    member = _staff_member(actor, pk)
    form = RoleChangeForm(request.POST)
    if not form.is_valid() or form.cleaned_data["role"] not in grantable_roles(actor, _managed(actor)):
        return _member_page(request, actor, member, error=_("Choose one of the roles shown."), status=400)
    role, op = form.cleaned_data["role"], form.cleaned_data["op"]
    label = Role(role).label
    removed = 0
    try:
        if op == "grant":
            services.do_grant_role(actor, member, role)
        elif request.POST.get("confirmed") != "1":
            services.check_revoke_role(actor, member, role)
            return _confirm(request, member, _("Revoke the role “%(role)s”?") % {"role": label}, [
                _("%(name)s can no longer do what the role “%(role)s” allows: pages and API calls that need it "
                  "are refused from their next request.") % {"name": member.display_name(), "role": label},
                _("Material and reports they already wrote stay as they are; their other roles are kept."),
                _("You can grant the role again later on this page."),
            ], _("Revoke the role"), [("role", role), ("op", op)], "confirm-role-revoke")
        else:
            removed = services.do_revoke_role(actor, member, role)
    except ServiceError as exc:
        return _refused(request, actor, member, exc)
    if op == "grant":
        messages.success(request, _("The role “%(role)s” was granted to %(name)s.")
                         % {"role": label, "name": member.display_name()})
    elif removed:
        messages.success(request, _("The role “%(role)s” was revoked from %(name)s.")
                         % {"role": label, "name": member.display_name()})
    else:
        messages.info(request, _("%(name)s did not hold the role “%(role)s”.")
                      % {"role": label, "name": member.display_name()})
    return redirect("accounts:staff_user", pk=member.pk)


@login_required
@sensitive_post_parameters("password", "password_confirm")
@csrf_protect
@never_cache
@require_POST
@agency_admin_view
def staff_password_view(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    member = _staff_member(actor, pk)
    form = SetPasswordForm(request.POST)
    if not form.is_valid():
        return _member_page(request, actor, member, password_form=form, status=400)
    try:
        services.do_set_password(actor, member, form.cleaned_data["password"])
    except ServiceError as exc:
        if exc.status == 403:
            return _forbidden(request, exc.message)
        _show_error(form, exc, default_field="password")
        return _member_page(request, actor, member, password_form=form, status=_error_status(exc))
    messages.success(request, _("A new password was set for %(name)s.") % {"name": member.display_name()})
    return redirect("accounts:staff_user", pk=member.pk)


@login_required
@csrf_protect
@require_POST
@agency_admin_view
def staff_totp_reset_view(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    member = _staff_member(actor, pk)
    try:
        if request.POST.get("confirmed") != "1":
            services.check_reset_totp(actor, member)
            return _confirm(request, member, _("Reset the second factor?"), [
                _("The codes of %(name)s's authenticator app stop working at once.") % {"name": member.display_name()},
                _("At their next login they set up a new second factor by scanning a new key with their phone."),
                _("Their API tokens are revoked: whoever had the phone may have had the machine too."),
            ], _("Reset the second factor"), [], "confirm-totp-reset")
        services.do_reset_totp(actor, member)
    except ServiceError as exc:
        return _refused(request, actor, member, exc)
    messages.success(request, _("The second factor of %(name)s was reset; they set up a new one at their next "
                                "login.") % {"name": member.display_name()})
    return redirect("accounts:staff_user", pk=member.pk)


@login_required
@csrf_protect
@require_POST
@agency_admin_view
def staff_token_revoke_view(request: HttpRequest, actor: User, pk: int, token_id: int) -> HttpResponse:
    member = _staff_member(actor, pk)
    token = services.tokens_administered_by(actor).filter(user=member, pk=token_id).select_related("user").first()
    if token is None:
        raise Http404
    if token.revoked_at is None:
        try:
            services.do_revoke_token(actor, token)
        except ServiceError as exc:
            return _refused(request, actor, member, exc)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:staff_user", pk=member.pk)


@login_required
@csrf_protect
@require_POST
@agency_admin_view
def staff_active_view(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    member = _staff_member(actor, pk)
    active = request.POST.get("active") == "1"
    try:
        if not active and request.POST.get("confirmed") != "1":
            services.check_set_active(actor, member)
            return _confirm(request, member, _("Deactivate this account?"), [
                _("%(name)s can no longer log in; a session they have open ends at its next request.")
                % {"name": member.display_name()},
                _("Their API tokens are revoked for good: reactivating the account does not bring them back."),
                _("What they wrote stays, signed with their name."),
            ], _("Deactivate the account"), [("active", "0")], "confirm-deactivate")
        services.do_set_active(actor, member, active)
    except ServiceError as exc:
        return _refused(request, actor, member, exc)
    if active:
        messages.success(request, _("The account of %(name)s was reactivated.") % {"name": member.display_name()})
    else:
        messages.success(request, _("The account of %(name)s was deactivated and its API tokens revoked.")
                         % {"name": member.display_name()})
    return redirect("accounts:staff_user", pk=member.pk)
