"""Campaign pages: the list, the form with its live preview (htmx), the campaign with its dashboard, the
subscriber import and the do-not-contact list. Thin: every change goes through `services`."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ttdn.content.models import Item
from ttdn.core import languages
from ttdn.core.errors import ServiceError
from ttdn.core.views import report_outcome
from ttdn.outreach import permissions as perms
from ttdn.outreach import services
from ttdn.outreach.figures import campaign_figures as _figures
from ttdn.outreach.figures import preview as _preview
from ttdn.outreach.forms import DEFAULT_LANGUAGES, AreaResultForm, CampaignForm, DoNotContactForm, ImportForm
from ttdn.outreach.models import Campaign, CampaignKind, CampaignState, DoNotContact, Message, MessageState, Subscriber


def _campaign_or_404(request: HttpRequest, pk: int) -> Campaign:
    campaign = Campaign.objects.select_related("agency", "created_by", "approved_by").filter(pk=pk).first()
    if campaign is None or not perms.can_view(request.user, campaign.agency_id):
        raise Http404
    return campaign


def _campaign_to_change(request: HttpRequest, pk: int, allowed: Callable[[Any, int], bool]) -> Campaign:
    """The campaign, for a form of its page that changes it: not found for those `allowed` refuses."""
    campaign = _campaign_or_404(request, pk)
    if not allowed(request.user, campaign.agency_id):
        raise Http404
    return campaign


def _back_to_campaign(request: HttpRequest, pk: int, change: Callable[[], object], done: str) -> HttpResponse:
    """Make the change through the service and go back to the campaign's page with its refusal or `done`."""
    report_outcome(request, change, done)
    return redirect("outreach:campaign", pk=pk)


def _commune_choices(user: Any) -> list[tuple[str, str]]:
    from ttdn.places.models import AdminUnit, UnitLevel

    province_id = getattr(getattr(user, "agency", None), "province_id", None)
    current = AdminUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True)
    with_subscribers = set(Subscriber.objects.exclude(commune__isnull=True).values_list("commune_id", flat=True)
                           .distinct()[:5000])
    if province_id:
        current = current.filter(Q(parent_id=province_id) | Q(parent__parent_id=province_id)
                                 | Q(pk__in=with_subscribers))
    else:
        current = current.filter(pk__in=with_subscribers)
    return [(str(pk), name) for pk, name in current.order_by("name").values_list("pk", "name")[:5000]]


def _text_languages(item_texts: dict[str, str]) -> list[str]:
    present = set(Subscriber.objects.filter(opted_out_at__isnull=True).values_list("language", flat=True).distinct())
    wanted = set(DEFAULT_LANGUAGES) | present | set(item_texts)
    return sorted(wanted, key=lambda tag: (tag != "vi", tag))


@login_required
@require_safe
def campaigns(request: HttpRequest) -> HttpResponse:
    if not perms.sees_list(request.user):
        raise DjangoPermissionDenied
    qs = Campaign.objects.select_related("agency").annotate(n=Count("messages"))
    user: Any = request.user
    if not perms.sees_all_agencies(user):
        qs = qs.filter(agency_id=user.agency_id)
    return render(request, "outreach/campaigns.html", {
        "campaigns": qs[:200], "may_prepare": perms.may_prepare_somewhere(user),
        "awaiting": [c for c in qs[:200] if c.state == CampaignState.AWAITING_APPROVAL]})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not perms.may_prepare_somewhere(user):
        raise DjangoPermissionDenied
    item: Item | None = None
    item_texts: dict[str, str] = {}
    uid = request.POST.get("item") or request.GET.get("item") or ""
    if uid:
        item = Item.objects.filter(uid=uid).prefetch_related("variants").first() if _is_uuid(uid) else None
        if item is None:
            raise Http404
        try:
            item_texts = services.texts_from_item(user, item)
        except ServiceError as refused:
            messages.error(request, str(refused.message))
            return redirect("outreach:campaigns")
    text_languages = _text_languages(item_texts)
    initial: dict[str, Any] = {"item": uid, **{f"text_{lang}": t for lang, t in item_texts.items()}}
    if item is not None:
        initial["title"] = str(item)[:200]
    form = CampaignForm(request.POST or None, initial=initial, text_languages=text_languages,
                        commune_choices=_commune_choices(user))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.do_create_campaign(user, form.data_for_service(item.pk if item else None))
        except ServiceError as refused:
            form.add_error(None, str(refused.message))
        else:
            messages.success(request, _("Campaign saved as a draft. Submit it for approval when it is ready."))
            return redirect("outreach:campaign", pk=campaign.pk)
    texts = {lang: str(form[f"text_{lang}"].value() or "") for lang in text_languages}
    preview = _preview(texts, bool(form["no_accents"].value()), _int(form["segment_limit"].value(), 3), [])
    return render(request, "outreach/campaign_form.html", {"form": form, "item": item, "preview": preview})


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _int(value: Any, default: int) -> int:
    try:
        return max(1, min(10, int(value)))
    except (TypeError, ValueError):
        return default


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The live preview of the form's texts (htmx swaps it in as the person types)."""
    if not perms.may_prepare_somewhere(request.user):
        raise DjangoPermissionDenied
    texts = {key[5:]: str(request.POST.get(key, ""))[:2000] for key in request.POST
             if key.startswith("text_") and languages.get(key[5:]) is not None}
    commune_ids = [int(x) for x in request.POST.getlist("communes") if x.isdigit()][:5000]
    data = _preview(texts, request.POST.get("no_accents") in ("on", "true", "1"),
                    _int(request.POST.get("segment_limit"), 3), commune_ids)
    return render(request, "outreach/_preview.html", {"preview": data})


@login_required
@require_safe
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    c = _campaign_or_404(request, pk)
    user: Any = request.user
    texts: dict[str, str] = {t.language: t.text for t in c.texts.all()}
    commune_ids = list(c.communes.values_list("pk", flat=True))
    return render(request, "outreach/campaign.html", {
        "campaign": c, "figures": _figures(c), "preview": _preview(texts, c.no_accents, c.segment_limit, commune_ids),
        "communes": c.communes.all(),
        "may_submit": c.state == CampaignState.DRAFT and perms.can_prepare(user, c.agency_id),
        "may_approve": (c.state == CampaignState.AWAITING_APPROVAL and perms.can_approve_role(user, c.agency_id)
                        and c.created_by_id != user.pk),
        "may_run": perms.can_run(user, c.agency_id),
        "may_prepare_voice": perms.can_prepare(user, c.agency_id) and c.state not in (CampaignState.FINISHED,
                                                                                      CampaignState.CANCELLED),
        "area_form": _area_form(c) if c.kind == CampaignKind.AREA else None,
        "voices": _voices(c, texts),
        "area_results": c.area_results.select_related("operator", "commune").order_by("commune__name")
        if c.kind == CampaignKind.AREA else []})


def _voices(c: Campaign, texts: dict[str, str]) -> list[dict[str, Any]]:
    from ttdn.outreach import voice

    clips = {v.language: v for v in c.voice_clips.select_related("asset")}
    return [{"language": lang, "language_name": languages.name(lang), "clip": clips.get(lang),
             "can_speak": voice.can_speak(lang)} for lang in texts]


@login_required
@require_safe
def figures(request: HttpRequest, pk: int) -> HttpResponse:
    c = _campaign_or_404(request, pk)
    return render(request, "outreach/_figures.html", {"campaign": c, "figures": _figures(c)})


ACTIONS: dict[str, Callable[[Any, int, str], Campaign]] = {
    "submit": lambda user, pk, reason: services.do_submit(user, pk),
    "approve": lambda user, pk, reason: services.do_approve(user, pk),
    "reject": lambda user, pk, reason: services.do_reject(user, pk, reason),
    "pause": lambda user, pk, reason: services.do_move(user, pk, "pause"),
    "resume": lambda user, pk, reason: services.do_move(user, pk, "resume"),
    "cancel": lambda user, pk, reason: services.do_move(user, pk, "cancel"),
}


@login_required
@require_POST
def campaign_action(request: HttpRequest, pk: int) -> HttpResponse:
    _campaign_to_change(request, pk, perms.can_run)
    action = request.POST.get("action", "")
    run = ACTIONS.get(action)
    if run is None:
        messages.error(request, _("Unknown action."))
        return redirect("outreach:campaign", pk=pk)
    done = {"submit": _("Submitted for approval."), "approve": _("Approved: sending starts."),
            "reject": _("Returned to its author."), "pause": _("Paused."), "resume": _("Resumed."),
            "cancel": _("Cancelled.")}[action]
    return _back_to_campaign(request, pk, lambda: run(request.user, pk, request.POST.get("reason", "")), done)


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_safe
def results_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    c = _campaign_or_404(request, pk)
    writer = csv.writer(_Echo())
    header = [_("Number"), _("Operator"), _("Language"), _("Commune"), _("State"), _("Reason"), _("Segments"),
              _("Sent at"), _("Done at")]
    labels: dict[str, str] = {str(value): str(label) for value, label in MessageState.choices}

    def rows() -> Any:
        yield "\ufeff" + writer.writerow(header)
        qs = (Message.objects.filter(campaign=c).order_by("pk")
              .values_list("number", "operator__name", "language", "commune__name", "state", "reason", "segments",
                           "submitted_at", "done_at"))
        for number, op, lang, commune, state, reason, segs, sent, done in qs.iterator(chunk_size=2000):
            yield writer.writerow([number, op, lang, commune or "", labels.get(state, state), reason, segs,
                                   timezone.localtime(sent).isoformat() if sent else "",
                                   timezone.localtime(done).isoformat() if done else ""])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="chien-dich-{c.pk}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def subscribers(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not perms.may_prepare_somewhere(user):
        raise DjangoPermissionDenied
    choices = _commune_choices(user)
    form = ImportForm(request.POST or None, request.FILES or None, commune_choices=choices)
    report = None
    if request.method == "POST" and form.is_valid():
        commune = form.cleaned_data["commune"]
        try:
            report = services.do_import_subscribers(user, form.cleaned_data["file"],
                                                    commune_id=int(commune) if commune else None,
                                                    language=form.cleaned_data["language"] or "")
        except ServiceError as refused:
            form.add_error("file", str(refused.message))
    counts = (Subscriber.objects.filter(opted_out_at__isnull=True).values("commune__name", "language")
              .annotate(n=Count("pk")).order_by("commune__name", "language")[:500])
    return render(request, "outreach/subscribers.html", {"form": form, "report": report, "counts": counts})


@login_required
@require_http_methods(["GET", "POST"])
def do_not_contact(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not perms.manages_do_not_contact(user):
        raise DjangoPermissionDenied
    form = DoNotContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.do_add_do_not_contact(user, form.cleaned_data["numbers"].splitlines(),
                                                   form.cleaned_data["reason"])
        except ServiceError as refused:
            form.add_error("numbers", str(refused.message))
        else:
            messages.success(request, _("%(n)d number(s) added to the do-not-contact list.") % {"n": added})
            return redirect("outreach:do_not_contact")
    since = timezone.now() - timedelta(days=365)
    return render(request, "outreach/do_not_contact.html", {
        "form": form, "entries": DoNotContact.objects.order_by("-added_at")[:200],
        "count": DoNotContact.objects.count(), "recent": DoNotContact.objects.filter(added_at__gte=since).count()})


@login_required
@require_safe
def area_order(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The area broadcast order for the operators, once approved."""
    from ttdn.outreach import area

    c = _campaign_or_404(request, pk)
    if c.kind != CampaignKind.AREA or fmt not in ("xlsx", "csv", "docx"):
        raise Http404
    if c.state not in (CampaignState.APPROVED, CampaignState.FINISHED):
        messages.error(request, _("The order can be exported once the campaign is approved."))
        return redirect("outreach:campaign", pk=pk)
    body, kind = {
        "xlsx": (area.order_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "csv": (area.order_csv, "text/csv; charset=utf-8"),
        "docx": (area.order_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    }[fmt]
    response = HttpResponse(body(c), content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="lenh-phat-{c.pk}.{fmt}"'
    return response


def _area_form(c: Campaign, data: Any = None) -> AreaResultForm:
    from ttdn.outreach.models import Operator

    return AreaResultForm(data, operators=[(str(pk), name) for pk, name in Operator.objects.values_list("pk", "name")],
                          communes=[(str(pk), name) for pk, name in c.communes.values_list("pk", "name")])


@login_required
@require_POST
def area_results(request: HttpRequest, pk: int) -> HttpResponse:
    c = _campaign_to_change(request, pk, perms.can_run)
    form = _area_form(c, request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("outreach:campaign", pk=pk)
    d = form.cleaned_data
    result = services.AreaResultData(int(d["operator"]), int(d["commune"]), d["subscribers"], d["delivered"],
                                     d["cost"])
    return _back_to_campaign(request, pk, lambda: services.do_enter_area_results(
        request.user, pk, [result], final=d["final"]), _("Results recorded."))


@login_required
@require_POST
def voice_make(request: HttpRequest, pk: int) -> HttpResponse:
    _campaign_to_change(request, pk, perms.can_prepare)
    return _back_to_campaign(request, pk, lambda: services.do_make_voice(
        request.user, pk, request.POST.get("language", "")), _("The voice message is ready."))


@login_required
@require_POST
def voice_upload(request: HttpRequest, pk: int) -> HttpResponse:
    _campaign_to_change(request, pk, perms.can_prepare)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the recording to upload."))
        return redirect("outreach:campaign", pk=pk)
    return _back_to_campaign(request, pk, lambda: services.do_upload_voice(
        request.user, pk, request.POST.get("language", ""), upload), _("The recording will be used for this language."))


@login_required
@require_safe
def voice_audio(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    """The clip as stored (MP3 …), or as WAV at a rate the operator's platform takes (?wav=8000)."""
    from ttdn.content.files.blobs import open_blob
    from ttdn.outreach import voice
    from ttdn.outreach.models import VoiceClip, VoiceSource

    c = _campaign_or_404(request, pk)
    clip = VoiceClip.objects.select_related("asset").filter(campaign=c, language=language).first()
    if clip is None:
        raise Http404
    wav_rate = request.GET.get("wav", "")
    if wav_rate:
        if clip.source != VoiceSource.SYNTHESIZED or not wav_rate.isdigit() or int(wav_rate) not in voice.EXPORT_RATES:
            raise Http404
        samples, rate = voice.synthesize(clip.text, language)  # the same reading, made again at full quality
        body = voice.to_wav(voice.resample(samples, rate, int(wav_rate)), int(wav_rate))
        response = HttpResponse(body, content_type="audio/wav")
        response["Content-Disposition"] = f'attachment; filename="tin-nhan-{c.pk}-{language}-{wav_rate}hz.wav"'
        return response
    with open_blob(clip.asset.sha256) as fh:
        data = fh.read()
    response = HttpResponse(data, content_type=clip.asset.mime_type)
    if request.GET.get("download"):
        name = f"tin-nhan-{c.pk}-{language}{_ext(clip.asset.mime_type)}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _ext(mime: str) -> str:
    return {"audio/mpeg": ".mp3", "audio/ogg": ".ogg", "audio/mp4": ".m4a", "audio/webm": ".webm"}.get(mime, "")
