"""Error pages in the person's language, inside the site's layout. Django's default 500 handler renders
without the request (no language switch, no header); ours renders the full page and falls back to plain
text if even that fails (the database may be what broke). And how a form's change is reported on the next page."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.utils.translation import gettext as _

from ttdn.core.errors import ServiceError

logger = logging.getLogger(__name__)


def report_outcome(request: HttpRequest, change: Callable[[], object], done: str) -> None:
    """Make a form's change through its service; the next page tells the person the service's refusal, or `done`."""
    try:
        change()
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, done)


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood"),
        403: _("You may not open this page"),
        404: _("Page not found"),
        500: _("Something went wrong on our side"),
    }


def _page(request: HttpRequest, status: int, context: dict[str, Any] | None = None) -> HttpResponse:
    return render(request, f"{status}.html", {"error_status": status, "error_title": _titles()[status],
                                              **(context or {})}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent after its page expired (or from elsewhere): say so in the person's language."""
    return render(request, "403_csrf.html", {"error_status": 403, "error_title": _("The form has expired")},
                  status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, {"request_path": request.path})


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return _page(request, 500)
    except Exception:  # the layout needs the database (the user, their roles); it may be what failed
        logger.exception("The 500 page could not be rendered in the site's layout")
        return HttpResponseServerError(
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>500</title></head><body><h1>"
            f"{_('Something went wrong on our side')}</h1><p>{_('Please try again in a few minutes.')}</p>"
            "</body></html>",
            content_type="text/html; charset=utf-8",
        )
