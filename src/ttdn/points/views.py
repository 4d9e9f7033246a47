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
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from ttdn.content.models import ItemKind
from ttdn.core.errors import ServiceError
from ttdn.core.views import report_outcome
from ttdn.points import kiosk as kiosk_data
from ttdn.points import services
from ttdn.points.models import Bulletin, BulletinClass, Device, DeviceKind, Orientation, PlaylistConflict

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
    idle_seconds = forms.IntegerField(label=gettext_lazy("Kiosks: back to the start screen after (seconds)"),
                                      min_value=3, max_value=3600, initial=90, required=False)


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


class SlotForm(forms.Form):
    at = forms.TimeField(label=gettext_lazy("Time (HH:MM)"))
    languages = forms.CharField(label=gettext_lazy("Languages in the order played (comma-separated, e.g. vi, jra)"))
    weekdays = RuleForm.base_fields["weekdays"]
    topics = forms.CharField(label=gettext_lazy("Topic codes of the audio items (comma-separated)"), required=False)
    items = forms.CharField(label=gettext_lazy("Pinned items (identifiers, one per line)"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    volume = forms.IntegerField(label=gettext_lazy("Volume (0–100)"), min_value=0, max_value=100, initial=70)
    max_minutes = forms.IntegerField(label=gettext_lazy("Longest (minutes)"), min_value=1, max_value=180,
                                     initial=30)


class BulletinForm(forms.Form):
    item_uid = forms.UUIDField(label=gettext_lazy("Item identifier"))
    bulletin_class = forms.ChoiceField(label=gettext_lazy("Class"), choices=BulletinClass.choices)
    until = forms.DateTimeField(label=gettext_lazy("Until (optional)"), required=False)


def split_commas(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "core/forbidden.html",
                  {"message": _("Only the node's officers manage its devices.")}, status=403)


@login_required
@require_safe
def devices(request: HttpRequest) -> HttpResponse:
    if not services.can_manage(request.user):
        return _forbidden(request)
    now = timezone.now()
    rows = list(Device.objects.filter(paired_at__isnull=False).prefetch_related("rules", "slots"))
    for device in rows:
        device.silent = services.is_silent(device, now)  # type: ignore[attr-defined]
    for device in rows:
        if device.kind == DeviceKind.SPEAKER and device.revoked_at is None:
            # What plays when today, and the last plays: the officer's proof that the schedule runs.
            device.today = services.speaker_day(device, timezone.localdate(now), now)  # type: ignore[attr-defined]
            device.recent = list(device.log.all()[:20])  # type: ignore[attr-defined]
            for slot in device.slots.all():
                slot.unspoken = services.unspoken(slot.languages)  # type: ignore[attr-defined]
    bulletins = Bulletin.objects.filter(cancelled_at__isnull=True).exclude(bulletin_class=BulletinClass.NORMAL)
    # The hub's version replaced the officer's own changes: said until they mark it read.
    conflicts = PlaylistConflict.objects.filter(seen_at__isnull=True).select_related("device")[:50]
    return render(request, "points/devices.html", {
        "devices": rows, "pair_form": PairForm(), "rule_form": RuleForm(), "bulletin_form": BulletinForm(),
        "slot_form": SlotForm(), "bulletins": bulletins, "conflicts": conflicts,
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
    report_outcome(request, call, ok)
    return redirect("points:devices")


def form_error_text(form: forms.Form) -> str:
    out = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        text = " ".join(str(e) for e in errors)
        out.append(f"{label}: {text}" if label else text)
    return " ".join(out)


def _form_errors(request: HttpRequest, form: forms.Form) -> HttpResponse:
    messages.error(request, form_error_text(form))
    return redirect("points:devices")


@login_required
@require_POST
@_officers_only
def pair(request: HttpRequest) -> HttpResponse:
    form = PairForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    data = services.PairingInput(**{**form.cleaned_data, "idle_seconds": form.cleaned_data["idle_seconds"] or 90})
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
    data = services.RuleInput(topics=split_commas(c["topics"]), kinds=c["kinds"],
                              languages=split_commas(c["languages"]),
                              weekdays=[int(d) for d in c["weekdays"]], hour_from=c["hour_from"],
                              hour_to=c["hour_to"])
    return _service_redirect(request, lambda: services.do_add_rule(request.user, device_id, data),
                             _("The playlist rule is added."))


@login_required
@require_POST
@_officers_only
def remove_rule(request: HttpRequest, device_id: int) -> HttpResponse:
    try:
        rule_id = int(request.POST.get("rule", ""))
    except ValueError:
        messages.error(request, _("No such rule."))
        return redirect("points:devices")
    return _service_redirect(request, lambda: services.do_remove_rule(request.user, device_id, rule_id),
                             _("The playlist rule is removed."))


@login_required
@require_POST
@_officers_only
def conflict_seen(request: HttpRequest, conflict_id: int) -> HttpResponse:
    return _service_redirect(request, lambda: services.do_mark_conflict_seen(request.user, conflict_id),
                             _("Marked as read."))


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
def add_slot(request: HttpRequest, device_id: int) -> HttpResponse:
    form = SlotForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form)
    c = form.cleaned_data
    data = services.SlotInput(at=c["at"], languages=split_commas(c["languages"]),
                              weekdays=[int(d) for d in c["weekdays"]],
                              topics=split_commas(c["topics"]), items=c["items"].split(), volume=c["volume"],
                              max_minutes=c["max_minutes"])
    return _service_redirect(request, lambda: services.do_add_slot(request.user, device_id, data),
                             _("The slot is added to the loudspeaker's day."))


@login_required
@require_POST
@_officers_only
def remove_slot(request: HttpRequest, device_id: int) -> HttpResponse:
    try:
        slot_id = int(request.POST.get("slot", ""))
    except ValueError:
        messages.error(request, _("No such slot."))
        return redirect("points:devices")
    return _service_redirect(request, lambda: services.do_remove_slot(request.user, device_id, slot_id),
                             _("The slot is removed."))


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
    payload: Any = {}
    if request.content_type == "application/json":  # the device says what it is (no body: a screen)
        try:
            payload = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            payload = None
    kind = payload.get("kind", DeviceKind.SCREEN) if isinstance(payload, dict) else None
    try:
        if not isinstance(kind, str):
            raise ServiceError("bad_kind", _("Unknown kind of device."))
        device, token = services.do_start_pairing(kind=kind)
    except ServiceError as exc:
        return _error(exc)
    return _json({"token": token, "code": device.pairing_code}, status=201)


@require_safe
@never_cache
def speaker(request: HttpRequest) -> HttpResponse:
    return render(request, "points/speaker.html", {})


@require_safe
def speaker_programme(request: HttpRequest) -> JsonResponse:
    device = _paired_device(request)
    if not isinstance(device, Device):
        return device
    return _json(services.speaker_programme(device))


@require_safe
def speech(request: HttpRequest, uid: uuid.UUID, lang: str, version: int) -> HttpResponse | FileResponse:
    """An item's language version read aloud (MP3), for loudspeakers: what anyone on the site's network may hear
    of live public material, at the version the programme named (a changed or withdrawn item: 404)."""
    item = services.showable(timezone.now()).filter(uid=uid).prefetch_related("variants").first()
    if item is None or item.version != version:
        return _json({"code": "not_found", "message": _("No such item.")}, status=404)
    try:
        path = services.speech_file(item, lang)
    except ServiceError as exc:
        return _error(exc)
    response = FileResponse(path.open("rb"), content_type="audio/mpeg")
    response["Cache-Control"] = "private, max-age=3600"  # the version is in the address
    return response


@require_safe
@never_cache
def kiosk(request: HttpRequest) -> HttpResponse:
    return render(request, "points/kiosk.html", {})


@require_safe
def kiosk_catalogue(request: HttpRequest) -> JsonResponse:
    device = _paired_device(request)
    if not isinstance(device, Device):
        return device
    now = timezone.now()
    return _json(kiosk_data.catalogue(device, services.showable(now), services.site_languages(), now))


def _paired_device(request: HttpRequest) -> Device | JsonResponse:
    """The paired device the request's token names, or the answer to send instead: the refusal, or the pairing
    code while nobody has paired it yet (the device's page keeps showing it)."""
    try:
        device = _device(request)
    except ServiceError as exc:
        return _error(exc)
    if not device.is_paired:
        return _json({"paired": False, "code": device.pairing_code})
    return device


def _device(request: HttpRequest) -> Device:
    return services.device_for_token(request.headers.get(TOKEN_HEADER))


@require_safe
def player_playlist(request: HttpRequest) -> JsonResponse:
    device = _paired_device(request)
    if not isinstance(device, Device):
        return device
    return _json(services.current_playlist(device))


@require_safe
def player_alert(request: HttpRequest) -> JsonResponse:
    device = _paired_device(request)
    if not isinstance(device, Device):
        return device
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
