"""The product's URLs plus three views that fail on purpose, to see the error pages as people would."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
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


urlpatterns = [
    path("test-errors/400/", _bad),
    path("test-errors/403/", _denied),
    path("test-errors/500/", _broken),
    *product,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
