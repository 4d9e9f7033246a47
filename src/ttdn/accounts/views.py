"""Login with lock-out, the second factor (set-up and check) and logout. Thin: services decide."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from ttdn.accounts import services
from ttdn.accounts.middleware import OTP_SESSION_KEY
from ttdn.accounts.models import TOTPDevice, User
from ttdn.accounts.permissions import requires_two_factor
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
            services.do_login_succeeded(user)
            if requires_two_factor(user):
                request.session["ttdn_after_2fa"] = _next_url(request)
                return redirect("accounts:two_factor")
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
