"""The one django-ninja API: /api/v1/…, described by /api/openapi.json, browsable at /api/docs (offline).

Every error leaves as JSON `{"code": "...", "message": "...", "details": ...}` with a stable code and a
message in the request's language; this module maps every exception the handlers can meet to that.
Authentication (token, session, anonymous) lives in `ttdn.accounts.api` and is re-exported here.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ninja
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.html import escape, json_script
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase

from ttdn.accounts.api import (
    AUTH,
    PUBLIC_AUTH,
    CsrfFailed,
    ErrorOut,
    InvalidToken,
    SessionAuth,
    TokenAuth,
    admin_tokens_router,
    allow_anonymous,
    me_router,
    tokens_router,
)
from ttdn.content.api import items_router, languages_router, topics_router
from ttdn.core.errors import ServiceError
from ttdn.editorial.api import router as editorial_router
from ttdn.monitoring.api import router as monitoring_router
from ttdn.ops.unavailable import is_database_unavailable, unavailable_response
from ttdn.outreach.api import router as outreach_router
from ttdn.portal.api import router as portal_router
from ttdn.programme.api import router as programme_router
from ttdn.search.api import router as search_router
from ttdn.sync.api import router as sync_router
from ttdn.translation.api import router as translation_router

__all__ = ["AUTH", "PUBLIC_AUTH", "ErrorOut", "SessionAuth", "TokenAuth", "allow_anonymous", "api"]

logger = logging.getLogger(__name__)

# Default code and message for each status an HttpError (or Django) can carry.
_STATUS_CODES: dict[int, tuple[str, Any]] = {
    400: ("bad_request", _("The request could not be read.")),
    401: ("unauthenticated", _("Authentication required: send an API token or log in.")),
    403: ("forbidden", _("You may not do this.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("This method is not allowed here.")),
    413: ("too_large", _("The request is too large.")),
    429: ("throttled", _("Too many requests; try again later.")),
}


def error_body(code: str, message: Any, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if details is not None:
        body["details"] = details
    return body


def json_error(status: int, code: str, message: Any, details: Any = None) -> HttpResponse:
    """An error response for places outside the ninja operations (routing, method not allowed)."""
    return HttpResponse(
        json.dumps(error_body(code, message, details), ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def transport_error(status: int, path: str, accept_language: str = "") -> bytes | None:
    """The body of an error the HTTP server answers by itself, before Django sees the request (a body over
    the server's limit: 413), in the API's shape and the caller's language; None outside the API."""
    from django.utils import translation
    from django.utils.translation.trans_real import parse_accept_lang_header

    if not path.startswith("/api/"):
        return None
    language = "vi"
    for tag, _q in parse_accept_lang_header(accept_language or ""):
        try:
            language = translation.get_supported_language_variant(tag)
            break
        except LookupError:
            continue
    code, message = _STATUS_CODES.get(status, ("bad_request", _STATUS_CODES[400][1]))
    with translation.override(language):
        return json.dumps(error_body(code, message), ensure_ascii=False).encode()


# -------------------------------------------------------------------------------------- offline docs

_NINJA_STATIC = Path(ninja.__file__).resolve().parent / "static" / "ninja"
_DOC_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.png": "image/png",
}


class OfflineSwagger(DocsBase):
    """Swagger UI from the files django-ninja ships, served by this API: no CDN, works offline."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        # JSON inside <script> is not HTML-decoded: json_script escapes only <, > and &, as \u003C etc.
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        assets = request.path.rstrip("/") + "/assets/"
        csrf = escape(get_token(request))  # "Try it out" with the browser session needs it
        html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(api.title)}</title>
<link rel="stylesheet" href="{assets}swagger-ui.css">
<link rel="icon" href="{assets}favicon.png" type="image/png">
</head>
<body data-csrf-token="{csrf}" data-api-csrf="true">
{json_script(settings, "swagger-settings")}
<div id="swagger-ui"></div>
<script src="{assets}swagger-ui-bundle.js"></script>
<script src="{assets}swagger-ui-init.js"></script>
</body>
</html>"""
        return HttpResponse(html)


def _doc_asset(request: HttpRequest, name: str) -> HttpResponseBase:
    if name not in _DOC_ASSETS:
        return json_error(404, "not_found", _("Not found."))
    response = FileResponse((_NINJA_STATIC / name).open("rb"), content_type=_DOC_ASSETS[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response


# ------------------------------------------------------------------------------------------- the API


def _json_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Routing-level failures (Http404 outside an operation, 405) as JSON too."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return json_error(404, "not_found", _STATUS_CODES[404][1])
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = json_error(405, "method_not_allowed", _STATUS_CODES[405][1])
            response["Allow"] = allowed
        return response

    functools.update_wrapper(wrapper, view, assigned=("__module__", "__doc__"), updated=())
    wrapper.csrf_exempt = getattr(view, "csrf_exempt", False)  # type: ignore[attr-defined]
    return wrapper


def _no_route(request: HttpRequest, rest: str = "") -> HttpResponse:
    return json_error(404, "not_found", _STATUS_CODES[404][1])


class TTDNApi(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_errors(pattern.callback)
        if self.docs_url:
            urls.append(path(f"{self.docs_url.strip('/')}/assets/<str:name>", _doc_asset, name="docs-asset"))
        # Anything else under /api/ is a JSON 404, never Django's HTML page.
        urls.append(re_path(r"^(?P<rest>.*)$", _no_route, name="no-route"))
        return urls


api = TTDNApi(
    title="TTĐN API",
    version="1",
    description=(
        "Approved multilingual public information for Vietnam's border areas. "
        "Authenticate with `Authorization: Bearer ttdn_…` (API tokens) or the browser session "
        "(CSRF token required for unsafe methods). Published public material can be read without "
        "credentials. Errors are JSON: `{\"code\", \"message\", \"details\"?}`."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=OfflineSwagger(),
    auth=AUTH,
)

api.add_router("v1/items", items_router)
api.add_router("v1", editorial_router)
api.add_router("v1/me", me_router)
api.add_router("v1/tokens", tokens_router)
api.add_router("v1/admin/tokens", admin_tokens_router)
api.add_router("v1/topics", topics_router)
api.add_router("v1/languages", languages_router)
api.add_router("v1/search", search_router)
api.add_router("v1/sync", sync_router)
api.add_router("v1/plans", programme_router)
api.add_router("v1/monitoring", monitoring_router)
api.add_router("v1/translation", translation_router)
api.add_router("v1/portal", portal_router)
api.add_router("v1/outreach", outreach_router)


# ---------------------------------------------------------------------------------------------- errors


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors
    ]
    body = error_body("validation_error", gettext("The request is not valid."), details)
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if isinstance(exc, InvalidToken):
        body = error_body(InvalidToken.code, exc.message)
    else:
        body = error_body("unauthenticated", _STATUS_CODES[401][1])
    response = api.create_response(request, body, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="ttdn"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, CsrfFailed):
        body = error_body(CsrfFailed.code, exc.message)
    else:
        code, message = _STATUS_CODES.get(exc.status_code, ("error", exc.message))
        body = error_body(code, message)
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body("not_found", _STATUS_CODES[404][1]), status=404)


@api.exception_handler(DjangoPermissionDenied)
def _forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    return api.create_response(request, error_body("forbidden", _STATUS_CODES[403][1]), status=403)


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Includes RequestDataTooBig / TooManyFieldsSent from Django's request parsing.
    if isinstance(exc, RequestDataTooBig):
        return api.create_response(request, error_body("too_large", _STATUS_CODES[413][1]), status=413)
    logger.warning("Suspicious API request %s %s: %s", request.method, request.path, exc)
    return api.create_response(request, error_body("bad_request", _STATUS_CODES[400][1]), status=400)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
def _unreadable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A multipart body without a usable boundary, or a client that went away mid-upload.
    return api.create_response(request, error_body("bad_request", _STATUS_CODES[400][1]), status=400)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if is_database_unavailable(exc):
        logger.warning("Database unavailable during %s %s: answered 503", request.method, request.path)
        return unavailable_response(request)
    logger.exception("Unhandled error in %s %s", request.method, request.path)
    body = error_body("server_error", _("Something went wrong on the server. The error has been logged."))
    return api.create_response(request, body, status=500)
