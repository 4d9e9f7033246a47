"""The database went away mid-request (restarted, failed over, unreachable): a 503 in the person's language with
Retry-After, never a traceback. Nothing is half-written: each request's writes are one transaction, which the server
rolled back when the connection died. The next request opens a new connection (CONN_HEALTH_CHECKS)."""

from __future__ import annotations

import json
import logging
import sys

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from ttdn.core.queue import database_unavailable

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
# Machines read JSON: the API, and the border-site nodes' sync protocol.
_MACHINE_PREFIXES = ("/api/", "/sync/")


def is_database_unavailable(exc: BaseException | None) -> bool:
    # The queue's rule (core.queue): a server away, restarting or refusing connections, a link cut, SQLite
    # locked; not a mistake in a statement (a SQLite "no such table" is a bug to show, not a 503).
    return exc is not None and database_unavailable(exc)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    title = _("The service is briefly unavailable")
    message = _("Its database is not answering for a moment (it may be restarting). Nothing you sent was saved "
                "half-way: please try again in a minute.")
    if request.path.startswith(_MACHINE_PREFIXES):
        body = json.dumps({"code": "database_unavailable", "message": str(message)}, ensure_ascii=False)
        response = HttpResponse(body, status=503, content_type="application/json; charset=utf-8")
    else:
        # A page of its own, without the site's layout: the layout reads the database (the user, their roles).
        lang = escape(getattr(request, "LANGUAGE_CODE", "vi"))
        response = HttpResponse(
            f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>503 — {escape(title)}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'></head><body>"
            f"<h1>{escape(title)}</h1><p>{escape(message)}</p></body></html>",
            status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler: a 503 when what failed is the database being away, else core's error page."""
    from ttdn.core import views as core_views

    if is_database_unavailable(sys.exc_info()[1]):
        logger.warning("Database unavailable during %s %s: answered 503", request.method, request.path)
        return unavailable_response(request)
    return core_views.server_error(request)
