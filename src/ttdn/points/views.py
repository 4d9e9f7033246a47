"""The officer's device page on the node, and the player's own endpoints (token in the X-Points-Token header:
no cookie, so no cross-site request can act as a device). Thin: changes go through services."""

from __future__ import annotations

import functools
import json
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from ttdn.content.models import ItemKind
from ttdn.core.errors import ServiceError
from ttdn.points import services
from ttdn.points.models import Bulletin, BulletinClass, Device, Orientation

TOKEN_HEADER = "X-Points-Token"  # noqa: S105 (a header name, not a secret)


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _error(exc: ServiceError) -> JsonResponse:
    return _json(exc.as_dict(), status=exc.status)


# --------------------------------------------------------------------------------------- officer pages


class PairForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code shown on the device"), max_length=20)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    group = forms.CharField(label=gettext_lazy("Group"), max_length=100, required=False)
    orientation = forms.ChoiceField(label=gettext_lazy("Orientation"), choices=Orientation.choices)


class RuleForm(forms.Form):
    topics = forms.CharField(label=gettext_lazy("Topic codes (comma-separated, empty = any)"), required=False)
    kinds = forms.MultipleChoiceField(label=gettext_lazy("Kinds (none = any)"), choices=ItemKind.choices,
                                      required=False, widget=forms.CheckboxSelectMultiple)
    languages = forms.CharField(label=gettext_lazy("Languages (comma-separated, empty = all)"), required=False)
    weekdays = forms.MultipleChoiceField(
        label=gettext_lazy("Weekdays (none = every day)"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(str(i), n) for i, n in enumerate([
            gettext_lazy("Monday"), gettext_lazy("Tuesday"), gettext_lazy("Wednesday"), gettext_lazy("Thursday"),
            gettext_lazy("Friday"), gettext_lazy("Saturday"), gettext_lazy("Sunday")])])
    hour_from = forms.IntegerField(label=gettext_lazy("From hour"), min_value=0, max_value=23, initial=0)
    hour_to = forms.IntegerField(label=gettext_lazy("To hour"), min_value=1, max_value=24, initial=24)


class BulletinForm(forms.Form):
    item_uid = forms.UUIDField(label=gettext_lazy("Item identifier"))
    bulletin_class = forms.ChoiceField(label=gettext_lazy("Class"), choices=BulletinClass.choices)
    until = forms.DateTimeField(label=gettext_lazy("Until (optional)"), required=False)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "content/forbidden.html",
                  {"message": _("Only the node's officers manage its devices.")}, status=403)


@login_required
@require_safe
def devices(request: HttpRequest) -> HttpResponse:
    if not services.can_manage(request.user):
        return _forbidden(request)
    now = timezone.now()
    rows = list(Device.objects.filter(paired_at__isnull=False).prefetch_related("rules"))
    for device in rows:
        device.silent = services.is_silent(device, now)  # type: ignore[attr-defined]
    bulletins = Bulletin.objects.filter(cancelled_at__isnull=True).exclude(bulletin_class=BulletinClass.NORMAL)
    return render(request, "points/devices.html", {
        "devices": rows, "pair_form": PairForm(), "rule_form": RuleForm(), "bulletin_form": BulletinForm(),
        "bulletins": bulletins,
    })


def _officers_only(view: Any) -> Any:
    """The node's officers only, checked before anything the request carries is looked at."""
    @functools.wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.can_manage(request.user):
            return _forbidden(request)
        return view(request, *args, **kwargs)
    return inner


def _service_redirect(request: HttpRequest, call: Any, ok: str) -> HttpResponse:
    try:
        call()
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, ok)
    return redirect("points:devices")


def _form_errors(request: HttpRequest, form: forms.Form) -> HttpResponse:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        text = " ".join(str(e) for e in errors)
        messages.error(request, f"{label}: {text}" if label else text)
    return redirect("points:devices")


@login_required
@require_POST
@_officers_only
def pair(request: HttpRequest) -> HttpResponse:
    form = PairForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    data = services.PairingInput(**form.cleaned_data)
    return _service_redirect(request, lambda: services.do_pair(request.user, data), _("The device is paired."))


@login_required
@require_POST
@_officers_only
def revoke(request: HttpRequest, device_id: int) -> HttpResponse:
    return _service_redirect(request, lambda: services.do_revoke(request.user, device_id),
                             _("The pairing is revoked: the device shows nothing more."))


@login_required
@require_POST
@_officers_only
def add_rule(request: HttpRequest, device_id: int) -> HttpResponse:
    form = RuleForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    c = form.cleaned_data
    data = services.RuleInput(topics=_split(c["topics"]), kinds=c["kinds"], languages=_split(c["languages"]),
                              weekdays=[int(d) for d in c["weekdays"]], hour_from=c["hour_from"],
                              hour_to=c["hour_to"])
    return _service_redirect(request, lambda: services.do_add_rule(request.user, device_id, data),
                             _("The playlist rule is added."))


@login_required
@require_POST
@_officers_only
def set_pinned(request: HttpRequest, device_id: int) -> HttpResponse:
    uids = [u for u in request.POST.get("pinned", "").split() if u]
    return _service_redirect(request, lambda: services.do_set_pinned(request.user, device_id, uids),
                             _("The pinned items are saved."))


@login_required
@require_POST
@_officers_only
def bulletin(request: HttpRequest) -> HttpResponse:
    if request.POST.get("cancel"):
        try:
            item_uid = uuid.UUID(request.POST["cancel"])
        except ValueError:
            messages.error(request, _("Not an item identifier."))
            return redirect("points:devices")
        return _service_redirect(request, lambda: services.do_cancel_bulletin(request.user, item_uid),
                                 _("The bulletin is cancelled."))
    form = BulletinForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    c = form.cleaned_data
    return _service_redirect(
        request, lambda: services.do_set_bulletin(request.user, c["item_uid"], c["bulletin_class"], c["until"]),
        _("The bulletin class is set."))


# --------------------------------------------------------------------------------------- the player


@require_safe
@never_cache
def player(request: HttpRequest) -> HttpResponse:
    return render(request, "points/player.html", {})


@csrf_exempt  # no cookie is involved: the device is known by the token it was given here
@require_POST
def player_start(request: HttpRequest) -> JsonResponse:
    device, token = services.do_start_pairing()
    return _json({"token": token, "code": device.pairing_code}, status=201)


def _device(request: HttpRequest) -> Device:
    return services.device_for_token(request.headers.get(TOKEN_HEADER))


@require_safe
def player_playlist(request: HttpRequest) -> JsonResponse:
    try:
        device = _device(request)
    except ServiceError as exc:
        return _error(exc)
    if not device.is_paired:
        return _json({"paired": False, "code": device.pairing_code})
    return _json(services.playlist(device))


@require_safe
def player_alert(request: HttpRequest) -> JsonResponse:
    try:
        device = _device(request)
    except ServiceError as exc:
        return _error(exc)
    if not device.is_paired:
        return _json({"paired": False, "code": device.pairing_code})
    return _json(services.alerts(device))


@csrf_exempt  # token in a header, no cookie
@require_POST
def player_heartbeat(request: HttpRequest) -> JsonResponse:
    try:
        # Who is asking first: a stranger learns nothing of what a heartbeat must hold.
        services.device_for_token(request.headers.get(TOKEN_HEADER))
    except ServiceError as exc:
        return _error(exc)
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _json({"code": "bad_heartbeat", "message": _("A heartbeat is a JSON object.")}, status=400)
    try:
        services.do_heartbeat(request.headers.get(TOKEN_HEADER), payload)
    except ServiceError as exc:
        return _error(exc)
    return _json({"ok": True})
