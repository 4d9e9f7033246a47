"""The hub's side of the information points: the publishers' page of bulletin classes, and the wake poll a node
asks every few seconds (signed like every node request) to learn at once that an urgent bulletin changed."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST, require_safe

from ttdn.core.errors import ServiceError
from ttdn.core.transactions import reads_primary
from ttdn.points import bulletins, services, views
from ttdn.points.models import BulletinClass, DeviceKind, HubBulletin, HubPlaylist, SiteDevice
from ttdn.sync.hub import services as sync_services


def _hub_only() -> None:
    if settings.ROLE != "hub":
        raise Http404


@reads_primary  # the signature's nonce is written; an emergency is read as the primary has it
@csrf_exempt  # signed by the node's key: no cookie, no session
@require_GET
@never_cache
def wake(request: HttpRequest) -> JsonResponse:
    if settings.ROLE != "hub":
        return JsonResponse({"code": "not_hub", "message": "This is an edge node, not a hub."}, status=404)
    try:
        node = sync_services.authenticate_request(dict(request.headers), "GET", request.get_full_path(), b"")
    except ServiceError as exc:
        return JsonResponse({"code": exc.code, "message": str(exc.message)}, status=exc.status,
                            json_dumps_params={"ensure_ascii": False})
    return JsonResponse({"digest": bulletins.digest_for(node), "now": timezone.now().isoformat()})


class HubBulletinForm(forms.Form):
    item_uid = forms.UUIDField(label=gettext_lazy("Item identifier"))
    bulletin_class = forms.ChoiceField(label=gettext_lazy("Class"), choices=BulletinClass.choices)
    until = forms.DateTimeField(label=gettext_lazy("Until (optional)"), required=False)
    repeat = forms.IntegerField(label=gettext_lazy("Repeats of an emergency on loudspeakers"), min_value=1,
                                max_value=20, initial=3)
    sites = forms.CharField(label=gettext_lazy("Border sites (codes, comma-separated; empty = every site)"),
                            required=False)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "core/forbidden.html",
                  {"message": _("Only publishers give items a bulletin class.")}, status=403)


@login_required
@require_safe
def hub_bulletins(request: HttpRequest) -> HttpResponse:
    _hub_only()
    if not services.can_class_items(request.user):
        return _forbidden(request)
    rows = HubBulletin.objects.select_related("item", "set_by").prefetch_related("sites", "item__variants")[:200]
    return render(request, "points/hub_bulletins.html", {"bulletins": rows, "form": HubBulletinForm()})


@login_required
@require_POST
def hub_bulletin_set(request: HttpRequest) -> HttpResponse:
    _hub_only()
    if not services.can_class_items(request.user):
        return _forbidden(request)
    form = HubBulletinForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(str(e) for e in errors)
            messages.error(request, f"{label}: {text}" if label else text)
        return redirect("points:hub_bulletins")
    c = form.cleaned_data
    data = services.HubBulletinInput(item_uid=c["item_uid"], bulletin_class=c["bulletin_class"], until=c["until"],
                                     repeat=c["repeat"], site_codes=c["sites"].split(","))
    try:
        services.do_set_hub_bulletin(request.user, data)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The bulletin class is set: the sites receive it within seconds."))
    return redirect("points:hub_bulletins")


@login_required
@require_POST
def hub_bulletin_cancel(request: HttpRequest) -> HttpResponse:
    _hub_only()
    if not services.can_class_items(request.user):
        return _forbidden(request)
    try:
        item_uid = uuid.UUID(request.POST.get("item_uid", ""))
    except ValueError:
        messages.error(request, _("Not an item identifier."))
        return redirect("points:hub_bulletins")
    try:
        services.do_cancel_hub_bulletin(request.user, item_uid)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The bulletin is cancelled at every site."))
    return redirect("points:hub_bulletins")


# --------------------------------------------------------------------------------- a site device's playlist


def _site_device(device_id: int) -> SiteDevice:
    device = SiteDevice.objects.select_related("node", "node__site").filter(pk=device_id, revoked=False).first()
    if device is None:
        raise Http404
    return device


@login_required
@require_safe
def hub_device(request: HttpRequest, device_id: int) -> HttpResponse:
    """A site device's playlist: as its node last reported it, and the hub's version (on its way or applied)."""
    _hub_only()
    if not services.can_class_items(request.user):
        return _forbidden_playlists(request)
    device = _site_device(device_id)
    doc, base, pending = services.hub_working_playlist(device)
    hub_version = HubPlaylist.objects.filter(device=device).select_related("set_by").first()
    return render(request, "points/hub_device.html", {
        "device": device, "doc": doc, "base": base, "pending": pending, "hub_version": hub_version,
        "rule_form": views.RuleForm(), "slot_form": views.SlotForm(),
        "is_speaker": device.kind == DeviceKind.SPEAKER,
    })


def _forbidden_playlists(request: HttpRequest) -> HttpResponse:
    return render(request, "core/forbidden.html",
                  {"message": _("Only publishers change the sites' playlists.")}, status=403)


def _edit_from(request: HttpRequest) -> services.HubPlaylistEdit | str:
    """The change the posted form asks for, or the message saying what is wrong with it."""
    action = request.POST.get("action", "")
    if action == "pinned":
        return services.HubPlaylistEdit(pinned=[u for u in request.POST.get("pinned", "").split() if u])
    if action in {"remove_rule", "remove_slot"}:
        try:
            position = int(request.POST.get("position", ""))
        except ValueError:
            return _("No such rule.") if action == "remove_rule" else _("No such slot.")
        if action == "remove_rule":
            return services.HubPlaylistEdit(remove_rule=position)
        return services.HubPlaylistEdit(remove_slot=position)
    if action == "add_rule":
        form: forms.Form = views.RuleForm(request.POST)
        if not form.is_valid():
            return views.form_error_text(form)
        c = form.cleaned_data
        return services.HubPlaylistEdit(add_rule=services.RuleInput(
            topics=views.split_commas(c["topics"]), kinds=c["kinds"], languages=views.split_commas(c["languages"]),
            weekdays=[int(d) for d in c["weekdays"]], hour_from=c["hour_from"], hour_to=c["hour_to"]))
    if action == "add_slot":
        form = views.SlotForm(request.POST)
        if not form.is_valid():
            return views.form_error_text(form)
        c = form.cleaned_data
        return services.HubPlaylistEdit(add_slot=services.SlotInput(
            at=c["at"], languages=views.split_commas(c["languages"]), weekdays=[int(d) for d in c["weekdays"]],
            topics=views.split_commas(c["topics"]), items=c["items"].split(), volume=c["volume"],
            max_minutes=c["max_minutes"]))
    return _("Unknown change.")


@login_required
@require_POST
def hub_device_edit(request: HttpRequest, device_id: int) -> HttpResponse:
    _hub_only()
    if not services.can_class_items(request.user):
        return _forbidden_playlists(request)
    device = _site_device(device_id)
    edit = _edit_from(request)
    if isinstance(edit, str):
        messages.error(request, edit)
        return redirect("points:hub_device", device_id=device.pk)
    try:
        services.do_edit_hub_playlist(request.user, device.pk, edit)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The playlist is changed: the site receives it at its next sync. If the post's "
                                    "officer changed it too, this version wins and the officer is told."))
    return redirect("points:hub_device", device_id=device.pk)
