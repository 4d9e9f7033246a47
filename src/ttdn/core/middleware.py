"""Vietnamese first: the web interface is Vietnamese unless the person chose English; the API follows
the client's Accept-Language (machines say what they want). Also the Content-Security-Policy, and the static
files (WhiteNoise, its index built once per process)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from whitenoise.middleware import WhiteNoiseMiddleware


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


# The app folders' static files as WhiteNoise indexes them (a stat, a content type and the headers of every file),
# per configuration. Django's test client builds the whole middleware chain anew for every client, and indexing the
# ~360 files took ~0.1 s of CPU each time: most of a permission-matrix case. A server builds its chain once per
# process, so there this changes nothing.
_FINDER_FILES: dict[tuple[str, ...], dict[str, Any]] = {}


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, with the index of the app folders' static files built once per process and configuration.
    STATIC_ROOT (what collectstatic wrote) is still indexed by each instance, as WhiteNoise does."""

    files: dict[str, Any]  # URL → WhiteNoise's StaticFile

    def add_files_from_finders(self) -> None:
        key = self._finder_key()
        found = _FINDER_FILES.get(key)
        if found is None:
            own: dict[str, Any] = self.files
            self.files = {}
            try:
                super().add_files_from_finders()
                found = self.files
            finally:
                self.files = own
            _FINDER_FILES[key] = found
        # As WhiteNoise does: a file of the app folders wins over the collected one of the same URL.
        self.files.update(found)

    def _finder_key(self) -> tuple[str, ...]:
        """Everything the index depends on: where the files are found, how their headers are made, and the
        collected manifest (it decides which names count as hashed, hence cacheable for years)."""
        names = ("INSTALLED_APPS", "STATICFILES_DIRS", "STATICFILES_FINDERS", "STATIC_URL", "STATIC_ROOT", "STORAGES",
                 "DEBUG", "FORCE_SCRIPT_NAME")
        values = [repr(getattr(settings, name, None)) for name in names]
        values += [repr(getattr(settings, name)) for name in dir(settings) if name.startswith("WHITENOISE_")]
        try:
            manifest = os.stat(staticfiles_storage.path(staticfiles_storage.manifest_name))  # type: ignore[attr-defined]
            values.append(f"{manifest.st_mtime_ns}:{manifest.st_size}")
        except (OSError, AttributeError, NotImplementedError):
            values.append("-")
        return tuple(values)
