"""Pages for the appraisal opinion (form, print, DOCX) and for scheduling publication. Thin: every change
goes through ttdn.editorial.services; reads start from ttdn.content.permissions."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ttdn.accounts.permissions import is_official
from ttdn.content import permissions as perms
from ttdn.content.models import Item
from ttdn.core.errors import ServiceError
from ttdn.editorial import services
from ttdn.editorial.forms import OpinionForm, ScheduleForm
from ttdn.editorial.models import Decision, Opinion, Schedule


def _item(request: HttpRequest, uid: uuid.UUID) -> Item:
    item = perms.visible_items(request.user).select_related("agency").filter(uid=uid).first()
    if item is None:
        raise Http404
    return item


def _status(exc: ServiceError) -> int:
    return exc.status if exc.status in {400, 403, 404, 409} else 400


@login_required
@require_http_methods(["GET", "POST"])
def appraise(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    item = _item(request, uid)
    user = request.user
    may = [a for a in (Decision.APPROVE, Decision.RETURN) if perms.can_do(user, item, perms.ACTIONS[a])]
    if not may:
        return render(request, "core/forbidden.html", {
            "message": _("The opinion is recorded by an appraiser while the material is in appraisal."),
        }, status=403)
    criteria = services.asked_criteria()
    status = 200
    if request.method == "POST":
        form = OpinionForm(request.POST, criteria=criteria)
        decision = request.POST.get("decision", "")
        status = 400
        if form.is_valid():
            try:
                services.do_appraise(user, item, form.opinion_data(decision))  # type: ignore[arg-type]
            except ServiceError as exc:
                name = exc.details.get("field")
                form.add_error(name if name in form.fields else None, str(exc.message))
                status = _status(exc)
            else:
                done = _("The material was approved.") if decision == Decision.APPROVE else _(
                    "The material was returned to its agency for changes.")
                messages.success(request, done + " " + _("The appraisal opinion is in its history."))
                return redirect("content:item_detail", uid=item.uid)
    else:
        form = OpinionForm(criteria=criteria)
    source = item.source_variant()
    return render(request, "editorial/appraise.html", {
        "item": item, "form": form, "title": source.title if source else "", "may": may,
    }, status=status)


def _opinion(request: HttpRequest, pk: int) -> Opinion:
    opinion = Opinion.objects.select_related("item", "item__agency", "appraiser").filter(pk=pk).first()
    if opinion is None or not is_official(request.user) or not perms.can_view(request.user, opinion.item):
        raise Http404
    return opinion


@login_required
@require_safe
def opinion_print(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = _opinion(request, pk)
    return render(request, "editorial/opinion_print.html", {"opinion": opinion, "checks": opinion.checks.all()})


@login_required
@require_safe
def opinion_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from ttdn.editorial.exports import opinion_docx as build

    opinion = _opinion(request, pk)
    response = HttpResponse(build(opinion), content_type=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    stamp = timezone.localtime(opinion.created_at).strftime("%Y%m%d")
    response["Content-Disposition"] = content_disposition_header(True, f"y-kien-tham-dinh-{stamp}-{opinion.pk}.docx")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    item = _item(request, uid)
    if not perms.can_do(request.user, item, perms.ACTIONS["publish"]):
        return render(request, "core/forbidden.html", {
            "message": _("Only a publisher may schedule the publication of approved material."),
        }, status=403)
    status = 200
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                at = services.do_schedule_publication(request.user, item, form.publish_at())  # type: ignore[arg-type]
            except ServiceError as exc:
                form.add_error("date" if exc.details.get("field") == "publish_at" else None, str(exc.message))
                status = _status(exc)
            else:
                messages.success(request, _("The material will be published on %(when)s.") % {
                    "when": timezone.localtime(at.publish_at).strftime("%d/%m/%Y %H:%M")})
                return redirect("content:item_detail", uid=item.uid)
    else:
        form = ScheduleForm()
    source = item.source_variant()
    current = Schedule.objects.filter(item=item).first()
    return render(request, "editorial/schedule.html", {
        "item": item, "form": form, "title": source.title if source else "", "current": current,
    }, status=status)


@login_required
@require_POST
def schedule_cancel(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    item = _item(request, uid)
    try:
        services.do_cancel_schedule(request.user, item)  # type: ignore[arg-type]
    except ServiceError as exc:
        if exc.status == 403:
            return render(request, "core/forbidden.html", {"message": exc.message}, status=403)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The scheduled publication was cancelled; the material stays approved."))
    return redirect("content:item_detail", uid=item.uid)


