"""Vietnamese first: the web interface is Vietnamese unless the person chose English; the API follows
the client's Accept-Language (machines say what they want)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every response that has none: scripts only from this server's own
    files (no inline script, no eval), so markup that slipped past the sanitiser cannot run."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        self.policy = "; ".join(f"{name} {value}".strip() for name, value in settings.CONTENT_SECURITY_POLICY.items())

    def __call__(self, request: HttpRequest) -> Any:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and not getattr(response, "csp_exempt", False):
            response["Content-Security-Policy"] = self.policy
        return response
