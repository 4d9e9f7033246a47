"""The officials' portal pages: alerts (declare, update, cancel) for publishers, CAP senders for operators.

Thin: every change goes through ttdn.portal.services, which authorises it again; rows in ttdn.core.access.
The forms post by htmx (the form comes back in place with its errors) and work without JavaScript.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ttdn.content import permissions as perms
from ttdn.content.models import Item
from ttdn.core.errors import ServiceError

from . import services
from .forms import AlertForm, CancelAlertForm, SenderForm
from .models import Alert, CapSender
from .permissions import can_alert
from .queries import ANONYMOUS, shown


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/forbidden.html", {"message": message}, status=403)


def _status(exc: ServiceError) -> int:
    return exc.status if exc.status in {400, 403, 404, 409} else 400


def _form_error(form: Any, exc: ServiceError) -> None:
    name = exc.details.get("field")
    if name == "event":
        name = f"event_{form.item.source_language}"
    form.add_error(name if name in form.fields else None, str(exc.message))


def _title(item: Item) -> str:
    variants = shown(item)
    variant = next((v for v in variants if v.language == "vi"), variants[0] if variants else None)
    return variant.title if variant else str(item.uid)


@login_required
@require_http_methods(["GET"])
def alerts(request: HttpRequest) -> HttpResponse:
    """Alerts in force and of the last days, and the live public material a publisher may declare one for."""
    if not can_alert(request.user):
        return _forbidden(request, _("Only a publisher may declare, update or cancel an alert."))
    rows = [(alert, _title(alert.item), alert.messages.order_by("-sent", "-id").first())
            for alert in Alert.objects.select_related("item").order_by("-created_at", "-id")[:100]]
    alerted = {alert.item_id for alert, _t, _m in rows if alert.is_active}
    live = [(item, _title(item)) for item in perms.visible_items(ANONYMOUS).prefetch_related("variants")
            .order_by("-published_at", "-id")[:30] if item.pk not in alerted]
    return render(request, "portal/alerts.html", {"rows": rows, "live": live})


def _alert_item(request: HttpRequest, uid: uuid.UUID) -> Item:
    item = perms.visible_items(request.user).filter(uid=uid).select_related("agency").first()
    if item is None:
        raise Http404
    return item


def _alert_context(item: Item, form: AlertForm, cancel_form: CancelAlertForm | None = None) -> dict[str, Any]:
    alert = Alert.objects.filter(item=item).prefetch_related("communes").first()
    return {"item": item, "title": _title(item), "form": form, "alert": alert,
            "cap_messages": list(alert.messages.order_by("-sent", "-id")) if alert else [],
            "cancel_form": cancel_form or CancelAlertForm(),
            "is_live": perms.visible_items(ANONYMOUS).filter(pk=item.pk).exists()}


@login_required
@require_http_methods(["GET", "POST"])
def alert_form(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """Declare a live public item an alert (CAP Alert), or update its alert (CAP Update)."""
    if not can_alert(request.user):
        return _forbidden(request, _("Only a publisher may declare, update or cancel an alert."))
    item = _alert_item(request, uid)
    alert = Alert.objects.filter(item=item).first()
    form = AlertForm(request.POST or None, item=item, alert=alert)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                message = services.do_alert(request.user, item.uid, form.alert_input())  # type: ignore[arg-type]
            except ServiceError as exc:
                _form_error(form, exc)
                status = _status(exc)
            else:
                messages.success(request, _("Sent as CAP %(type)s %(identifier)s.") % {
                    "type": message.get_msg_type_display(), "identifier": message.identifier})
                url = reverse("portal:alert_form", args=[item.uid])
                if request.headers.get("HX-Request"):
                    return HttpResponse(status=204, headers={"HX-Redirect": url})
                return redirect(url)
        else:
            status = 400
    context = _alert_context(item, form)
    if request.headers.get("HX-Request"):
        # htmx swaps only 2xx answers: the form comes back whole, with its errors, in place.
        return render(request, "portal/_alert_form.html", context)
    return render(request, "portal/alert.html", context, status=status)


@login_required
@require_POST
def alert_cancel(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """Cancel the item's alert (a CAP Cancel referencing every earlier message)."""
    if not can_alert(request.user):
        return _forbidden(request, _("Only a publisher may declare, update or cancel an alert."))
    item = _alert_item(request, uid)
    cancel_form = CancelAlertForm(request.POST)
    status = 400
    if cancel_form.is_valid():
        try:
            message = services.do_cancel_alert(request.user, item.uid, cancel_form.cleaned_data["note"])  # type: ignore[arg-type]
        except ServiceError as exc:
            cancel_form.add_error(None, str(exc.message))
            status = _status(exc)
        else:
            messages.success(request, _("The alert was cancelled (CAP Cancel %(identifier)s).") % {
                "identifier": message.identifier})
            return redirect("portal:alert_form", uid=item.uid)
    form = AlertForm(item=item, alert=Alert.objects.filter(item=item).first())
    return render(request, "portal/alert.html", _alert_context(item, form, cancel_form), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def senders(request: HttpRequest) -> HttpResponse:
    """Other alerting systems whose signed CAP messages the hub takes in: operators register them."""
    if not (request.user.is_active and request.user.is_superuser):
        return _forbidden(request, _("Only an operator may register a CAP sender."))
    form = SenderForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.do_register_sender(request.user, data["sender"], data["name"],  # type: ignore[arg-type]
                                                  data["certificate"], data["account"], data["feed_url"])
            except ServiceError as exc:
                name = exc.details.get("field")
                form.add_error(name if name in form.fields else None, str(exc.message))
                status = _status(exc)
            else:
                messages.success(request, _("CAP sender “%(sender)s” registered.") % {"sender": row.sender})
                url = reverse("portal:senders")
                if request.headers.get("HX-Request"):
                    return HttpResponse(status=204, headers={"HX-Redirect": url})
                return redirect(url)
        else:
            status = 400
    context = {"form": form, "senders": CapSender.objects.select_related("account__agency").order_by("name")}
    if request.headers.get("HX-Request"):
        return render(request, "portal/_sender_form.html", context)
    return render(request, "portal/senders.html", context, status=status)
