"""The pieces every plan page shares: who may open them, how a refusal is shown, downloads."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from ttdn.core.errors import ServiceError
from ttdn.programme import permissions as perms

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def forbidden(request: HttpRequest, message: Any) -> HttpResponse:
    return render(request, "programme/forbidden.html", {"message": message}, status=403)


def error_status(exc: ServiceError) -> int:
    return exc.status if exc.status in {400, 403, 404, 409} else 400


def plan_user(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Logged in, with a plan role (or an operator): everyone else is refused before anything is read."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not perms.is_plan_user(request.user):
            return forbidden(request, _("These pages are for plan managers and plan reporters."))
        return view(request, *args, **kwargs)

    return wrapper


def with_plan(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Hand the view the plan named by `pk`, if the user may see it (404 otherwise: nothing leaks)."""

    @plan_user
    @functools.wraps(view)
    def wrapper(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponseBase:
        plan = perms.visible_plans(request.user).filter(pk=pk).select_related(
            "coordinating_agency", "issuing_agency").first()
        if plan is None:
            raise Http404
        return view(request, plan, *args, **kwargs)

    return wrapper


def download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def form_error(form: forms.Form, exc: ServiceError) -> None:
    name = exc.details.get("field")
    form.add_error(name if name in form.fields else None, str(exc.message))
