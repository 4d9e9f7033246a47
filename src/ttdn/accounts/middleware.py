"""Holds users who must use a second factor on the two-factor pages until they have passed it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

OTP_SESSION_KEY = "ttdn_otp_verified"

# Paths a half-logged-in user may still reach: the second-factor step itself, logging out, static files,
# the language switch. The API has its own check (session auth requires the second factor too).
_OPEN_PREFIXES = ("/accounts/login/", "/accounts/two-factor/", "/accounts/logout/", "/static/", "/i18n/", "/api/")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(OTP_SESSION_KEY)
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            from ttdn.accounts.permissions import requires_two_factor

            if requires_two_factor(user):
                if request.method == "GET":
                    request.session["ttdn_after_2fa"] = request.get_full_path()
                return redirect("accounts:two_factor")
        return self.get_response(request)
