"""The product's URLs plus four views that fail on purpose, to see the error pages as people would."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from ttdn.urls import handler400, handler403, handler404, handler500
from ttdn.urls import urlpatterns as product


def _bad(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


def _denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def _database_away(request: HttpRequest) -> HttpResponse:
    # What Django raises when the server shuts down under a query: its OperationalError from psycopg's (57P01).
    from psycopg.errors import AdminShutdown

    raise OperationalError("terminating connection due to administrator command") from AdminShutdown(
        "terminating connection due to administrator command")


urlpatterns = [
    path("test-errors/400/", _bad),
    path("test-errors/403/", _denied),
    path("test-errors/500/", _broken),
    path("test-errors/503/", _database_away),
    *product,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
