"""Server-rendered pages for material. Thin: reads start from `ttdn.content.permissions`, every change goes
through `ttdn.content.services`, and a refused operation (ServiceError) is shown next to the field it is
about, with its status (400/403/409) — never a server error."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    HttpResponseNotModified,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ttdn.accounts.models import Role
from ttdn.accounts.permissions import has_role, is_official, translator_languages
from ttdn.accounts.services import user_for_token
from ttdn.content import ingest, kept_uploads, services
from ttdn.content import permissions as perms
from ttdn.content.files import blobs
from ttdn.content.forms import (
    ItemForm,
    PublishedFilterForm,
    VariantForm,
    item_initial,
    ui_language,
)
from ttdn.content.models import Attachment, Audience, Item, State, Transition, TranslationState, Variant
from ttdn.core import languages, registry
from ttdn.core.errors import ServiceError

logger = logging.getLogger(__name__)

# Sections of "My work" show this many rows; the count says how many there are in all.
SECTION_LIMIT = 50
PAGE_SIZE = 25
EXPIRY_WARNING_DAYS = 14
# Kinds a browser may show in place; anything else (Word documents) is always downloaded.
INLINE_KINDS = frozenset({"pdf", "image", "audio", "video"})


# ------------------------------------------------------------------------------------------ helpers


def _forbidden(request: HttpRequest, message: Any) -> HttpResponse:
    return render(request, "core/forbidden.html", {"message": message}, status=403)


def _item_queryset(user: Any) -> QuerySet[Item]:
    return perms.visible_items(user).select_related("agency", "created_by").prefetch_related(
        "variants", "topics", "target_provinces"
    )


def _visible_item(request: HttpRequest, uid: uuid.UUID) -> Item | HttpResponse:
    """The item if this user may see it. An old link to material taken down says so (410); anything else
    the person may not see is "not found" (404) — for anonymous visitors too, who are never sent to log in
    from a public address, so nothing leaks either way."""
    item = _item_queryset(request.user).filter(uid=uid).first()
    if item is not None:
        return item
    gone = _gone_page(request, uid)
    if gone is not None:
        return gone
    raise Http404


def taken_down(item: Item) -> dict[str, Any] | None:
    """How and when material that was published is no longer shown: withdrawn, expired or archived."""
    if item.published_at is None:
        return None
    now = timezone.now()
    if item.state in perms.GONE_STATES:
        step = item.transitions.filter(to_state=item.state).order_by("-at", "-id").first()
        when = step.at if step else item.state_changed_at
        reason = step.reason if step else ""
        if item.state == State.EXPIRED and item.valid_until:
            when = item.valid_until - dt.timedelta(microseconds=1)  # the last day it was valid
        return {"state": item.state, "at": timezone.localtime(when), "reason": reason}
    if item.state == State.PUBLISHED and item.valid_until and item.valid_until <= now:
        # Past its validity, before the worker's sweep has marked it expired.
        return {"state": State.EXPIRED, "at": timezone.localtime(item.valid_until - dt.timedelta(microseconds=1)),
                "reason": ""}
    return None


def _gone_page(request: HttpRequest, uid: uuid.UUID) -> HttpResponse | None:
    item = Item.objects.filter(uid=uid).prefetch_related("variants").first()
    if item is None:
        return None
    official = is_official(request.user)
    if item.audience != Audience.PUBLIC and not official:
        return None  # the public never had it
    down = taken_down(item)
    if down is None:
        return None
    return render(request, "content/gone.html", {
        "error_status": 410,
        "error_title": _("This material is no longer available"),
        "down": down,
        "show_reason": official,
        "title_variant": item.source_variant() if official else None,
    }, status=410)


def with_visible_item(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Hand the view the item named by `uid` in the URL, or answer as _visible_item says."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, uid: uuid.UUID, *args: Any, **kwargs: Any) -> HttpResponse:
        item = _visible_item(request, uid)
        if isinstance(item, HttpResponse):
            return item
        return view(request, item, *args, **kwargs)

    return wrapper


def _error_status(exc: ServiceError) -> int:
    return exc.status if exc.status in {400, 403, 404, 409} else 400


def _show_error(form: forms.Form, exc: ServiceError, default_field: str | None = None) -> None:
    """Put a service's message next to the field it names, or at the top of the form."""
    name = exc.details.get("field") or default_field
    target = name if name in form.fields else None
    form.add_error(target, str(exc.message))


def _sort_languages(tags: Sequence[str]) -> list[str]:
    order = {lang.tag: i for i, lang in enumerate(languages.LANGUAGES)}
    return sorted(tags, key=lambda t: (order.get(t, len(order)), t))


def ui_variant(item: Item, user: Any = None) -> Variant | None:
    """The variant to title an item with: the UI language's if present (and shown), else the source."""
    variants = perms.shown_variants(user, item, list(item.variants.all()))
    ui = ui_language()
    for variant in variants:
        if variant.language == ui:
            return variant
    return item.source_variant() or (variants[0] if variants else None)


def _raw_html(user: Any) -> bool:
    """The editor's HTML source view is for the central editors; contributors write through the toolbar."""
    return has_role(user, Role.APPRAISER, Role.PUBLISHER)


def _kept_after_error(request: HttpRequest, form: forms.Form, exc: ServiceError | None,
                      kept: list[kept_uploads.KeptUpload]) -> list[kept_uploads.KeptUpload]:
    """A refused form keeps the files it carried for the next try (kept_uploads), unless a file was what was
    refused: then they are all chosen again, as the form says."""
    if "uploads" in form.errors or (exc is not None and exc.details.get("field") == "uploads"):
        kept_uploads.forget(request, kept)
        return []
    return kept_uploads.keep(request, request.FILES.getlist("uploads"), kept)


# --------------------------------------------------------------------------------------------- home


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("content:my_work")
    return redirect("content:published")


# ------------------------------------------------------------------------------------------ my work


@dataclass
class Section:
    key: str
    title: str
    kind: str  # "items", "variants", "missing", "overview"
    rows: list[Any]
    count: int
    empty: str
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _items_section(key: str, title: str, qs: QuerySet[Item], empty: str, note: str = "") -> Section:
    count = qs.count()
    rows = list(qs[:SECTION_LIMIT])
    return Section(key, title, "items", rows, count, empty, note)


def _with_return_reasons(items: list[Item]) -> list[Item]:
    ids = [i.pk for i in items]
    latest: dict[int, Transition] = {}
    for t in Transition.objects.filter(item_id__in=ids, to_state=State.RETURNED).select_related("actor"):
        latest[t.item_id] = t  # ordered by time: the last one wins
    for item in items:
        item.last_return = latest.get(item.pk)  # type: ignore[attr-defined]
    return items


def _my_work_sections(user: Any) -> list[Section]:
    base = _item_queryset(user)
    sections: list[Section] = []
    agency_id = getattr(user, "agency_id", None)

    if has_role(user, Role.CONTRIBUTOR) and agency_id:
        own = base.filter(agency_id=agency_id)
        sections.append(_items_section(
            "drafts", _("Drafts"), own.filter(state=State.DRAFT),
            _("No drafts. Use “Submit material” to start one.")))
        returned = _items_section(
            "returned", _("Returned for changes"), own.filter(state=State.RETURNED).order_by("state_changed_at"),
            _("Nothing has been returned to your agency."))
        returned.rows = _with_return_reasons(returned.rows)
        sections.append(returned)
        sections.append(_items_section(
            "waiting", _("Waiting for appraisal"),
            own.filter(state__in=[State.SUBMITTED, State.IN_APPRAISAL]).order_by("state_changed_at"),
            _("Nothing of yours is waiting for appraisal.")))

    if has_role(user, Role.APPRAISER):
        sections.append(_items_section(
            "to_take", _("Submitted, to take"), base.filter(state=State.SUBMITTED).order_by("state_changed_at"),
            _("No submitted material is waiting.")))
        sections.append(_items_section(
            "in_appraisal", _("In appraisal"), base.filter(state=State.IN_APPRAISAL).order_by("state_changed_at"),
            _("No material is in appraisal.")))

    if has_role(user, Role.PUBLISHER):
        now = timezone.now()
        sections.append(_items_section(
            "to_publish", _("Approved, to publish"), base.filter(state=State.APPROVED).order_by("state_changed_at"),
            _("No approved material is waiting to be published.")))
        sections.append(_items_section(
            "expiring", _("Validity ends within 14 days"),
            base.filter(state=State.PUBLISHED, valid_until__gt=now,
                        valid_until__lte=now + dt.timedelta(days=EXPIRY_WARNING_DAYS)).order_by("valid_until"),
            _("No published material expires in the next 14 days.")))

    langs = sorted(translator_languages(user))
    if has_role(user, Role.TRANSLATOR) and langs:
        on_approved = base.filter(state__in=[State.APPROVED, State.PUBLISHED])
        stale = Q(source_variant__isnull=False, source_revision__lt=F("source_variant__revision"))
        variants = (
            Variant.objects.filter(item__in=on_approved, language__in=langs)
            .filter(Q(translation_state__lt=TranslationState.TRANSLATED) | stale)
            .select_related("item", "item__agency", "source_variant")
            .prefetch_related("item__variants")
            .order_by("item__state_changed_at", "language")
        )
        count = variants.count()
        sections.append(Section(
            "translations", _("Translations to do, in progress or out of date"), "variants",
            list(variants[:SECTION_LIMIT]), count, _("No translation waits for you.")))
        missing: list[tuple[Item, str]] = []
        missing_count = 0
        for lang in langs:
            lacking = on_approved.exclude(variants__language=lang).order_by("state_changed_at")
            missing_count += lacking.count()
            missing.extend((item, lang) for item in lacking[:SECTION_LIMIT])
        sections.append(Section(
            "missing", _("Material without a version in your languages"), "missing",
            missing[:SECTION_LIMIT], missing_count, _("Every approved item has your languages.")))

    if has_role(user, Role.AGENCY_ADMIN) and agency_id:
        own = base.filter(agency_id=agency_id)
        counts = dict(own.order_by().values_list("state").annotate(n=Count("id")))
        overview = _items_section("agency", _("Your agency's material"), own,
                                  _("Your agency has no material yet."))
        overview.kind = "overview"
        overview.extra = {"by_state": [(s, counts.get(s.value, 0)) for s in State if counts.get(s.value)]}
        sections.append(overview)
    return sections


@login_required
@require_safe
def my_work(request: HttpRequest) -> HttpResponse:
    sections = _my_work_sections(request.user)
    return render(request, "content/my_work.html", {
        "sections": sections,
        # What other apps list for this user (plans: the reports their agency owes), through the registry.
        "home_parts": registry.home_parts(request.user),
        "can_create": perms.can_create(request.user),
        "limit": SECTION_LIMIT,
    })


# ---------------------------------------------------------------------------------------- item page


def _item_context(request: HttpRequest, item: Item) -> dict[str, Any]:
    user = request.user
    ui = ui_language()
    variants = list(
        item.variants.select_related("source_variant", "translated_by")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.select_related("asset")))
    )
    variants = perms.shown_variants(user, item, variants)
    order = {tag: i for i, tag in enumerate(_sort_languages([v.language for v in variants]))}
    variants.sort(key=lambda v: (not v.is_source, order[v.language]))
    for variant in variants:
        variant.language_name = languages.name(variant.language, ui)  # type: ignore[attr-defined]
        variant.may_edit = user.is_authenticated and perms.can_translate(  # type: ignore[attr-defined]
            user, item, variant.language)
        variant.may_delete = variant.may_edit and _may_delete(user, variant)  # type: ignore[attr-defined]
    present = {v.language for v in variants}
    addable = []
    if user.is_authenticated:
        addable = [(lang.tag, lang.name(ui)) for lang in languages.LANGUAGES
                   if lang.tag not in present and perms.can_translate(user, item, lang.tag)]
    official = is_official(user)
    transitions = list(item.transitions.select_related("actor")) if official else []
    last_return = None
    if item.state == State.RETURNED:
        last_return = (Transition.objects.filter(item=item, to_state=State.RETURNED)
                       .select_related("actor").order_by("-at", "-id").first())
    actions = perms.available_actions(user, item) if user.is_authenticated else []
    return {
        "item": item,
        "title_variant": ui_variant(item, user),
        "variants": variants,
        "addable_languages": addable,
        "actions": actions,
        "transitions": transitions,
        "show_history": official,
        "show_revisions": perms.sees_unfinished_variants(user, item),
        "taken_down": taken_down(item) if official else None,
        "source_revision": next((v.revision for v in variants if v.is_source), None),
        "last_return": last_return,
        "can_edit": user.is_authenticated and perms.can_edit(user, item),
        "is_live": perms.is_live(item),
        "countries": _country_labels(item.target_countries),
        "valid_until_inclusive": (timezone.localtime(item.valid_until - dt.timedelta(microseconds=1)).date()
                                  if item.valid_until else None),
    }


def _may_delete(user: Any, variant: Variant) -> bool:
    try:
        services.check_delete_variant(user, variant)
    except ServiceError:
        return False
    return True


def _country_labels(codes: Sequence[str]) -> list[str]:
    from ttdn.places.models import Country

    labels = dict(Country.choices)
    return [str(labels.get(code, code)) for code in codes]


@require_safe
@with_visible_item
def item_detail(request: HttpRequest, item: Item) -> HttpResponse:
    return render(request, "content/item_detail.html", _item_context(request, item))


# Workflow steps that take material down from every screen: asked for on a confirmation page first.
CONFIRMED_ACTIONS = frozenset({"withdraw"})


def _withdraw_confirmation(request: HttpRequest, item: Item, reason: str, error: Any = None) -> HttpResponse:
    consequences = [
        _("The material disappears at once from the published list, search and the public pages; its address "
          "says it was withdrawn today."),
        _("Screens, kiosks and loudspeakers at border sites remove it at their next sync."),
        _("The reason is recorded in the history and shown to officials. Withdrawn material cannot be published "
          "again; it can only be archived."),
    ]
    title = ui_variant(item, request.user)
    return _confirm(request, _("Withdraw this material?"), consequences, _("Withdraw"),
                    reverse("content:item_detail", kwargs={"uid": item.uid}),
                    status=400 if error else 200, subject=title.title if title else "",
                    subject_lang=title.language if title else "", reason_field=True, reason_value=reason,
                    error=error, testid="confirm-withdraw")


@login_required
@require_http_methods(["GET", "POST"])
@with_visible_item
def transition(request: HttpRequest, item: Item, action: str) -> HttpResponse:
    step = perms.ACTIONS.get(action)
    if step is None:
        raise Http404
    if request.method == "GET":
        if action not in CONFIRMED_ACTIONS:
            return HttpResponseNotAllowed(["POST"])
        if step not in perms.available_actions(request.user, item):
            return _forbidden(request, _("You may not “%(action)s” this material.") % {"action": step.label})
        return _withdraw_confirmation(request, item, "")
    reason = request.POST.get("reason", "")
    if action in CONFIRMED_ACTIONS and request.POST.get("confirmed") != "1":
        # The confirmation page is for those who may take the step; others are refused, as on GET.
        if step not in perms.available_actions(request.user, item):
            return _forbidden(request, _("You may not “%(action)s” this material.") % {"action": step.label})
        return _withdraw_confirmation(request, item, reason)
    try:
        services.do_transition(request.user, item, action, reason)  # type: ignore[arg-type]
    except ServiceError as exc:
        item.refresh_from_db()
        if action in CONFIRMED_ACTIONS and exc.status == 400:  # no reason given: ask again on the same page
            return _withdraw_confirmation(request, item, reason, error=exc.message)
        context = _item_context(request, item)
        # A refused action that asks for a reason shows its message beside that reason's box.
        inline = step.needs_reason and step in context["actions"]
        context.update({"action_error": {"action": action, "message": exc.message, "reason": reason,
                                         "inline": inline}})
        return render(request, "content/item_detail.html", context, status=_error_status(exc))
    messages.success(request, _("Done: %(action)s.") % {"action": step.label})
    return redirect("content:item_detail", uid=item.uid)


# ----------------------------------------------------------------------------------- create and edit


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not perms.can_create(user):
        return _forbidden(request, _("Only contributors of an agency may submit material."))
    status = 200
    kept: list[kept_uploads.KeptUpload] = []
    if request.method == "POST":
        form = ItemForm(request.POST, request.FILES, raw_html=_raw_html(user))
        kept = kept_uploads.chosen(request)
        status = 400
        failure: ServiceError | None = None
        if form.is_valid():
            try:
                # One service creates and attaches: a refused file leaves no half-made item.
                item = services.do_create_item_with_files(user, form.item_data(),  # type: ignore[arg-type]
                                                          [*kept, *form.cleaned_data["uploads"]])
            except ServiceError as exc:
                _show_error(form, exc)
                status = _error_status(exc)
                failure = exc
            else:
                kept_uploads.forget(request, kept)
                messages.success(request, _("The material was saved as a draft. Submit it for appraisal when "
                                            "it is ready."))
                return redirect("content:item_detail", uid=item.uid)
        kept = _kept_after_error(request, form, failure, kept)
    else:
        form = ItemForm(raw_html=_raw_html(user))
    return render(request, "content/item_form.html", {"form": form, "item": None, "kept": kept}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@with_visible_item
def item_edit(request: HttpRequest, item: Item) -> HttpResponse:
    user = request.user
    if not perms.can_edit(user, item):
        return _forbidden(request, _("You may not edit this material in its present state."))
    initial = item_initial(item)
    status = 200
    kept: list[kept_uploads.KeptUpload] = []
    if request.method == "POST":
        form = ItemForm(request.POST, request.FILES, initial=initial, editing=True, raw_html=_raw_html(user))
        kept = kept_uploads.chosen(request)
        status = 400
        failure: ServiceError | None = None
        if form.is_valid():
            try:
                item = services.do_update_item_with_files(user, item, form.item_data(),  # type: ignore[arg-type]
                                                          [*kept, *form.cleaned_data["uploads"]])
            except ServiceError as exc:
                _show_error(form, exc)
                status = _error_status(exc)
                failure = exc
                item.refresh_from_db()
            else:
                kept_uploads.forget(request, kept)
                messages.success(request, _("Changes saved."))
                return redirect("content:item_detail", uid=item.uid)
        kept = _kept_after_error(request, form, failure, kept)
    else:
        form = ItemForm(initial=initial, editing=True, raw_html=_raw_html(user))
    source = item.source_variant()
    attachments = list(source.attachments.select_related("asset")) if source else []
    return render(request, "content/item_form.html", {
        "form": form, "item": item, "source": source, "attachments": attachments, "kept": kept,
    }, status=status)


@login_required
@require_safe
def variant_add(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """The "add a translation" language picker is a GET form; send it on to that language's page."""
    tag = languages.canonical_tag(request.GET.get("language", ""))
    if tag is None:
        return redirect("content:item_detail", uid=uid)
    return redirect("content:variant_edit", uid=uid, lang=tag)


@login_required
@require_http_methods(["GET", "POST"])
def variant_edit(request: HttpRequest, uid: uuid.UUID, lang: str) -> HttpResponse:
    tag = languages.canonical_tag(lang)
    if tag is None:
        raise Http404
    if tag != lang:
        return redirect("content:variant_edit", uid=uid, lang=tag)
    item = _visible_item(request, uid)
    if isinstance(item, HttpResponse):
        return item
    user = request.user
    ui = ui_language()
    if not perms.can_translate(user, item, tag):
        return _forbidden(request, _("You may not write the %(lang)s version of this material.")
                          % {"lang": languages.name(tag, ui)})
    variant = item.variants.filter(language=tag).first()
    is_source = tag == item.source_language
    state_choice = not is_source and has_role(user, Role.TRANSLATOR, Role.APPRAISER)
    may_review = perms.can_review_translation(user, item)
    current_state = variant.translation_state if variant else TranslationState.IN_PROGRESS
    initial = {
        "title": variant.title if variant else "",
        "summary": variant.summary if variant else "",
        "body": variant.body if variant else "",
        "translation_state": current_state,
    }
    kwargs: dict[str, Any] = {"language": tag, "state_choice": state_choice,
                              "may_review": may_review or current_state == TranslationState.REVIEWED,
                              "raw_html": _raw_html(user)}
    status = 200
    kept: list[kept_uploads.KeptUpload] = []
    if request.method == "POST":
        form = VariantForm(request.POST, request.FILES, initial=initial, **kwargs)
        kept = kept_uploads.chosen(request)
        status = 400
        failure: ServiceError | None = None
        if form.is_valid():
            c = form.cleaned_data
            try:
                chosen = c.get("translation_state")
                wanted = chosen if state_choice and "translation_state" in form.changed_data else None
                services.do_save_variant_with_files(user, item, tag, c["title"], c["summary"],  # type: ignore[arg-type]
                                                    c["body"], [*kept, *c["uploads"]], translation_state=wanted)
            except ServiceError as exc:
                _show_error(form, exc)
                status = _error_status(exc)
                failure = exc
            else:
                kept_uploads.forget(request, kept)
                messages.success(request, _("The %(lang)s version was saved.") % {"lang": languages.name(tag, ui)})
                return redirect(reverse("content:item_detail", kwargs={"uid": item.uid}) + f"#variant-{tag}")
        kept = _kept_after_error(request, form, failure, kept)
    else:
        form = VariantForm(initial=initial, **kwargs)
    source = None if is_source else item.source_variant()
    attachments = list(variant.attachments.select_related("asset")) if variant else []
    return render(request, "content/variant_form.html", {
        "form": form,
        "item": item,
        "variant": variant,
        "language": tag,
        "language_name": languages.name(tag, ui),
        "is_source": is_source,
        "source": source,
        "source_language_name": languages.name(item.source_language, ui),
        "attachments": attachments,
        "kept": kept,
        "title_variant": ui_variant(item, request.user),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@with_visible_item
def variant_delete(request: HttpRequest, item: Item, lang: str) -> HttpResponse:
    """GET: a page saying what removing the version does; its POST removes it."""
    variant = item.variants.filter(language=lang).first()
    if variant is None:
        raise Http404
    name = languages.name(lang, ui_language())
    try:
        services.check_delete_variant(request.user, variant)  # type: ignore[arg-type]
        if request.method == "POST":
            services.do_delete_variant(request.user, variant)  # type: ignore[arg-type]
    except ServiceError as exc:
        if exc.status == 403:
            return _forbidden(request, exc.message)
        messages.error(request, str(exc.message))
        return redirect("content:item_detail", uid=item.uid)
    if request.method == "GET":
        files_count = variant.attachments.count()
        consequences = [
            _("The %(lang)s version is removed from this material: its title, summary and text.") % {"lang": name},
            _("Its %(n)d kept revisions are removed with it.") % {"n": variant.revisions.count()},
        ]
        if files_count:
            consequences.append(_("Its %(n)d attached files are no longer shown with it.") % {"n": files_count})
        if perms.is_live(item):
            consequences.append(_("Screens at border sites stop showing this language at their next sync."))
        consequences.append(_("The removal is recorded in the audit trail. It cannot be undone."))
        return _confirm(request, _("Remove the %(lang)s version?") % {"lang": name}, consequences,
                        _("Remove this version"), reverse("content:item_detail", kwargs={"uid": item.uid}),
                        subject=variant.title, subject_lang=variant.language, testid="confirm-variant-delete")
    messages.success(request, _("The %(lang)s version was removed.") % {"lang": name})
    return redirect("content:item_detail", uid=item.uid)


def _confirm(request: HttpRequest, heading: str, consequences: list[str], confirm_label: str, cancel_url: str,
             *, status: int = 200, **extra: Any) -> HttpResponse:
    """The page a destructive action shows before it is done: what will happen, and one button to do it.
    A page, not a script dialog, so it works without JavaScript and under a strict content policy."""
    return render(request, "core/confirm.html", {
        "heading": heading, "consequences": consequences, "confirm_label": confirm_label,
        "cancel_url": cancel_url, "action_url": request.path, "danger": True, **extra,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@with_visible_item
def attachment_remove(request: HttpRequest, item: Item, pk: int) -> HttpResponse:
    """GET: a page saying what removing the file does; its POST removes it."""
    attachment = Attachment.objects.select_related("variant", "variant__item", "asset").filter(
        pk=pk, variant__item=item).first()
    if attachment is None:
        raise Http404
    back = reverse("content:variant_edit", kwargs={"uid": item.uid, "lang": attachment.variant.language})
    try:
        services.check_detach_file(request.user, attachment)  # type: ignore[arg-type]
        if request.method == "POST":
            services.do_detach_file(request.user, attachment)  # type: ignore[arg-type]
    except ServiceError as exc:
        if exc.status == 403:
            return _forbidden(request, exc.message)
        messages.error(request, str(exc.message))
        return redirect(back)
    if request.method == "GET":
        name = languages.name(attachment.variant.language, ui_language())
        consequences = [
            _("The file “%(file)s” is removed from the %(lang)s version.") % {"file": attachment.filename,
                                                                              "lang": name},
            _("The removal is recorded in the audit trail. To show the file again, it must be uploaded again."),
        ]
        if perms.is_live(item):
            consequences.insert(1, _("Screens at border sites stop showing it at their next sync."))
        return _confirm(request, _("Remove this file?"), consequences, _("Remove this file"), back,
                        subject=attachment.filename, testid="confirm-file-remove")
    messages.success(request, _("The file “%(name)s” was removed.") % {"name": attachment.filename})
    return redirect(back)


# -------------------------------------------------------------------------------------------- files

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 256 * 1024


def _parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """One byte range as (first, last) inclusive; None to send the whole file; False if unsatisfiable.
    Several ranges, or a header we do not understand, get the whole file (RFC 9110 allows that)."""
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first_s, last_s = match.groups()
    if first_s:
        first = int(first_s)
        last = min(int(last_s), size - 1) if last_s else size - 1
        if last_s and int(last_s) < first:
            return None
    else:  # "bytes=-500": the last 500 bytes
        suffix = int(last_s)
        if suffix == 0:
            return False
        first, last = max(size - suffix, 0), size - 1
    if first >= size:
        return False
    return first, last


def _read_range(sha256: str, first: int, last: int) -> Iterator[bytes]:
    with blobs.open_blob(sha256) as fh:
        fh.seek(first)
        left = last - first + 1
        while left > 0:
            chunk = fh.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk


def serve_blob(request: HttpRequest, sha256: str, content_type: str, filename: str | None,
               as_attachment: bool) -> HttpResponseBase:
    """A stored file, with the headers every file gets (ETag, ranges, nosniff, a sandbox); the caller has
    decided who may have it."""
    try:
        size = blobs.blob_size(sha256)  # from a directory or an object store (content.files.blobs)
    except FileNotFoundError:
        logger.error("Blob %s is referenced but missing", sha256)
        raise Http404 from None
    etag = f'"{sha256}"'
    common = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        # Permission is checked on every request, so shared caches must not keep a copy.
        "Cache-Control": "private, no-cache",
        "X-Content-Type-Options": "nosniff",
    }
    if content_type != "application/pdf":
        # Whatever a stored file turns out to hold, it runs no script in our origin if a browser renders it.
        common["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    if filename is not None:
        disposition = content_disposition_header(as_attachment, filename)
        if disposition:
            common["Content-Disposition"] = disposition
    inm = request.headers.get("If-None-Match", "")
    if inm and (inm.strip() == "*" or etag in [t.strip() for t in inm.split(",")]):
        not_modified = HttpResponseNotModified()
        for key, value in common.items():
            not_modified[key] = value
        return not_modified
    wanted = _parse_range(request.headers.get("Range", ""), size)
    if_range = request.headers.get("If-Range")
    if if_range and if_range.strip() != etag:
        wanted = None  # the client holds another version: send it all
    response: HttpResponseBase
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif isinstance(wanted, tuple):
        first, last = wanted
        response = StreamingHttpResponse(_read_range(sha256, first, last), status=206, content_type=content_type)
        response["Content-Length"] = str(last - first + 1)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    else:
        response = FileResponse(blobs.open_blob(sha256), content_type=content_type)
        response["Content-Length"] = str(size)
    for key, value in common.items():
        response[key] = value
    if content_type == "application/pdf":
        # Browsers' PDF viewers run as plugins, which a sandbox or "object-src 'none'" would block; the
        # page policy is not for them (PDFs with scripts or actions were refused on the way in).
        response.csp_exempt = True  # type: ignore[union-attr]
    return response


def _file_user(request: HttpRequest) -> Any:
    """Browsers come with their session; machines with the API token they use for the API."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = user_for_token(header.removeprefix("Bearer ").strip())
        if user is None:
            raise Http404
        return user
    return request.user


def _visible_attachment(request: HttpRequest, sha256: str) -> Attachment:
    user = _file_user(request)
    candidates = (
        Attachment.objects.filter(asset__sha256=sha256, variant__item__in=perms.visible_items(user))
        .select_related("asset", "variant__item")
        .order_by("pk")
    )
    for attachment in candidates:
        item = attachment.variant.item
        # A file of a language version the person is not shown (an unreviewed translation) stays hidden.
        if attachment.variant in perms.shown_variants(user, item, list(item.variants.all())):
            return attachment
    raise Http404


@require_http_methods(["GET", "HEAD"])
def file_download(request: HttpRequest, sha256: str) -> HttpResponseBase:
    attachment = _visible_attachment(request, sha256)
    asset = attachment.asset
    as_attachment = request.GET.get("download") == "1" or asset.file_kind not in INLINE_KINDS
    # Named by the detected type, also for files kept before names were corrected on the way in.
    filename = ingest.stored_name(attachment.filename, asset.mime_type)
    return serve_blob(request, sha256, asset.mime_type, filename, as_attachment)


@require_http_methods(["GET", "HEAD"])
def file_thumb(request: HttpRequest, sha256: str) -> HttpResponseBase:
    asset = _visible_attachment(request, sha256).asset
    if not asset.thumbnail_sha256:
        raise Http404
    return serve_blob(request, asset.thumbnail_sha256, "image/webp", None, False)


# --------------------------------------------------------------------------------------- appraisal


@login_required
@require_safe
def appraisal_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_role(user, Role.APPRAISER):
        return _forbidden(request, _("The appraisal queue is for appraisers."))
    now = timezone.now()
    items = list(
        _item_queryset(user)
        .filter(state__in=[State.SUBMITTED, State.IN_APPRAISAL])
        .order_by("state_changed_at", "id")
    )
    ui = ui_language()
    for item in items:
        tags = _sort_languages([v.language for v in item.variants.all()])
        item.language_tags = [(t, languages.name(t, ui)) for t in tags]  # type: ignore[attr-defined]
        item.waiting = now - item.state_changed_at  # type: ignore[attr-defined]
    return render(request, "content/appraisal_queue.html", {"items": items})


# --------------------------------------------------------------------------------------- published


def _published_queryset(user: Any, form: PublishedFilterForm) -> QuerySet[Item]:
    qs = perms.visible_items(user).filter(perms.live_q())
    if form.is_valid():
        c = form.cleaned_data
        if c.get("kind"):
            qs = qs.filter(kind=c["kind"])
        if c.get("topic"):
            qs = qs.filter(topics__code=c["topic"])
        if c.get("language"):
            # A version this user is shown, as the API's filter, the search path and the rows' languages.
            qs = qs.filter(pk__in=Variant.objects.filter(perms.shown_variants_q(user), language=c["language"])
                           .values("item_id"))
        if c.get("province"):
            qs = qs.filter(target_provinces__pk=int(c["province"]))
        if c.get("date_from"):
            qs = qs.filter(published_at__date__gte=c["date_from"])
        if c.get("date_to"):
            qs = qs.filter(published_at__date__lte=c["date_to"])
    # Subqueries above keep rows unique; distinct() only guards the many-to-many filters.
    return _with_list_variants(qs.distinct()).order_by("-published_at", "-id")


def _with_list_variants(qs: QuerySet[Item]) -> QuerySet[Item]:
    return qs.select_related("agency").prefetch_related(Prefetch("variants", queryset=Variant.objects.only(
        "id", "item_id", "language", "title", "source_variant_id", "translation_state", "revision",
        "source_revision")))


class _SearchedItems:
    """The published list when words are typed: items in the search engine's order, fetched a page at a time
    (the Paginator asks for the count, then one slice)."""

    def __init__(self, user: Any, form: PublishedFilterForm) -> None:
        from ttdn.places.models import AdminUnit
        from ttdn.search import services as search

        c = form.cleaned_data
        province = AdminUnit.objects.filter(pk=int(c["province"])).values_list("key", flat=True).first() \
            if c.get("province") else None
        self.user = user
        self.query = search.SearchQuery(
            text=c["q"],
            kinds=[c["kind"]] if c.get("kind") else (),
            topics=[c["topic"]] if c.get("topic") else (),
            languages=[c["language"]] if c.get("language") else (),
            provinces=[province] if province else (),
            date_from=c.get("date_from"),
            date_to=c.get("date_to"),
            live_only=True,
        )
        self.capped = False  # the search engine stopped counting at its cap: "more than" is shown

    def _run(self, offset: int, limit: int) -> Any:
        from ttdn.search import services as search

        self.query.offset, self.query.limit = offset, limit
        return search.search(self.user, self.query)

    def count(self) -> int:
        results = self._run(0, 1)
        self.capped = results.total_capped
        return int(results.total)

    def __getitem__(self, window: slice) -> list[Item]:
        start = window.start or 0
        ids = [hit.item_id for hit in self._run(start, (window.stop or start + PAGE_SIZE) - start).hits]
        found = {i.pk: i for i in _with_list_variants(Item.objects.filter(pk__in=ids))}
        return [found[pk] for pk in ids if pk in found]


@require_safe
def published(request: HttpRequest) -> HttpResponse:
    # Unbound without a query string; a filter that does not parse is shown with its error.
    form = PublishedFilterForm(request.GET or None)
    items: Any = _published_queryset(request.user, form)
    if form.is_bound and form.is_valid() and form.cleaned_data.get("q", "").strip():
        items = _SearchedItems(request.user, form)  # words typed: the search engine finds and orders
    paginator = Paginator(items, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    ui = ui_language()
    rows = []
    for item in page.object_list:
        shown = perms.shown_variants(request.user, item, list(item.variants.all()))
        tags = _sort_languages([v.language for v in shown])
        rows.append({
            "item": item,
            "title_variant": ui_variant(item, request.user),
            "languages": [(t, languages.name(t, ui)) for t in tags],
        })
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "total": paginator.count,
               "total_capped": getattr(items, "capped", False)}
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    template = "content/_published_results.html" if partial else "content/published.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
