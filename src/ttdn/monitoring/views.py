"""The desk's pages: the review queue, a story with its copies, sources and their health, watch lists, the
digest with its charts, the DOCX and the CSV. Thin: reading through services' scoped querysets, changes
through services."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from ttdn.accounts.models import User
from ttdn.content.models import ItemKind
from ttdn.core import languages
from ttdn.core.errors import ServiceError
from ttdn.monitoring import charts, services
from ttdn.monitoring import digest as digests
from ttdn.monitoring.models import Article, Collection, CollectionKind, Feed, Outlet, Review, TermKind, Verdict


def _user(request: HttpRequest) -> User:
    # Every view that changes something is behind login_required: the user is an account.
    assert isinstance(request.user, User)
    return request.user


def _forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    return render(request, "core/forbidden.html",
                  {"message": message or _("Press monitoring is for the provincial desks and central editors.")},
                  status=403)


def _desk(view: Any) -> Any:
    @functools.wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.can_use_monitoring(request.user):
            return _forbidden(request)
        return view(request, *args, **kwargs)
    return login_required(inner)


def _sources_admin(view: Any) -> Any:
    @functools.wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.can_manage_sources(request.user):
            return _forbidden(request, _("Only operators and agency administrators manage press sources."))
        return view(request, *args, **kwargs)
    return login_required(inner)


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(label=gettext_lazy("The story is"),
                                choices=[c for c in Verdict.choices if c[0] != Verdict.NEW])
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    response_kind = forms.ChoiceField(label=gettext_lazy("Response as"), required=False,
                                      choices=[(k.value, k.label) for k in services.RESPONSE_KINDS])


class OutletForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Outlet"), max_length=200)
    country = forms.CharField(label=gettext_lazy("Country (two letters: VN, LA, KH, CN, TH)"), max_length=2)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=languages.choices)
    homepage = forms.URLField(label=gettext_lazy("Home page"), required=False, max_length=500, assume_scheme="https")
    feeds = forms.CharField(label=gettext_lazy("Feeds or news sitemaps (one address a line)"),
                            widget=forms.Textarea(attrs={"rows": 3}), max_length=20000)
    collections = forms.MultipleChoiceField(label=gettext_lazy("Collections"), required=False,
                                            widget=forms.CheckboxSelectMultiple, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["collections"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = list(Collection.objects.values_list("code", "name"))


class TermForm(forms.Form):
    term = forms.CharField(label=gettext_lazy("Term"), max_length=300)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=languages.choices)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=TermKind.choices, initial=TermKind.OTHER)
    alert = forms.BooleanField(label=gettext_lazy("Alert at once when a story names it"), required=False)


class ThresholdsForm(forms.Form):
    fast_copies = forms.IntegerField(label=gettext_lazy("Alert when a story is carried by this many outlets"),
                                     required=False, min_value=0, max_value=services.MAX_FAST_COPIES,
                                     help_text=gettext_lazy("Empty: the hub's setting; 0: no such alerts."))
    fast_hours = forms.IntegerField(label=gettext_lazy("within this many hours"), required=False, min_value=1,
                                    max_value=services.MAX_FAST_HOURS,
                                    help_text=gettext_lazy("Empty: the hub's setting."))


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for field_name, errors in form.errors.items():
        label = form.fields[field_name].label if field_name in form.fields else ""
        text = " ".join(str(e) for e in errors)
        messages.error(request, f"{label}: {text}" if label else text)


@require_safe
@_desk
def queue(request: HttpRequest) -> HttpResponse:
    verdict = request.GET.get("state", Verdict.NEW)
    if verdict not in Verdict.values and verdict != "all":
        verdict = Verdict.NEW
    collection = request.GET.get("collection", "")[:64]
    language = languages.canonical_tag(request.GET.get("language", "")) or ""
    rows = services.queue(request.user, None if verdict == "all" else verdict, collection=collection,
                          language=language)[:200]
    return render(request, "monitoring/queue.html", {
        "reviews": rows, "state": verdict, "states": [("all", _("All")), *Verdict.choices],
        "collections": Collection.objects.all(), "collection": collection, "language": language,
        "languages": languages.choices(),
    })


@require_safe
@_desk
def story(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found, reviews = services.get_review(request.user, pk)
    except ServiceError as exc:
        raise Http404(str(exc.message)) from exc
    articles = list(found.articles.filter(duplicate=False).select_related("outlet").order_by("found_at"))
    mentions = sorted({m for a in articles for m in a.mentions.values_list("term__term", flat=True)})
    for review in reviews:
        review.may_review = services.can_review(request.user, review)  # type: ignore[attr-defined]
        review.hours = services.response_hours(review)  # type: ignore[attr-defined]
    return render(request, "monitoring/story.html", {
        "story": found, "reviews": reviews, "articles": articles, "mentions": mentions,
        "form": ReviewForm(initial={"response_kind": ItemKind.ORIENTATION_NOTE}),
    })


@require_POST
@_desk
def review(request: HttpRequest, pk: int) -> HttpResponse:
    row = Review.objects.filter(pk=pk, watch_list__in=services.desk_lists(request.user)).first()
    if row is None:
        raise Http404(_("No such story."))
    form = ReviewForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("monitoring:story", pk=row.story_id)
    try:
        done = services.do_review(_user(request), row, form.cleaned_data["verdict"], form.cleaned_data["note"],
                                  form.cleaned_data["response_kind"] or ItemKind.ORIENTATION_NOTE)
    except ServiceError as exc:
        if exc.status == 403:
            return _forbidden(request, str(exc.message))
        messages.error(request, str(exc.message))
        return redirect("monitoring:story", pk=row.story_id)
    if done.response_id and form.cleaned_data["verdict"] == Verdict.NEEDS_RESPONSE:
        messages.success(request, _("A draft response is open in the workflow."))
    else:
        messages.success(request, _("The review is saved."))
    return redirect("monitoring:story", pk=row.story_id)


@require_safe
@_desk
def sources(request: HttpRequest) -> HttpResponse:
    feeds = Feed.objects.select_related("outlet").order_by("paused_at", "-failures", "outlet__name")
    return render(request, "monitoring/sources.html", {
        "feeds": feeds,
        "outlets": Outlet.objects.filter(retired_at__isnull=True).prefetch_related("collections", "feeds"),
        "may_manage": services.can_manage_sources(request.user), "collection_form": CollectionForm(),
        "collections": Collection.objects.prefetch_related("outlets"),
        "failed_articles": Article.objects.filter(status="failed").select_related("outlet")
        .order_by("-found_at")[:50],
    })


@_sources_admin
def outlet_new(request: HttpRequest) -> HttpResponse:
    form = OutletForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.do_save_outlet(_user(request), _outlet_data(form))
            except ServiceError as exc:
                _service_error(form, exc)
            else:
                messages.success(request, _("The outlet is added; its feeds are polled from the next pass."))
                return redirect("monitoring:sources")
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(request, "monitoring/outlet_form.html", {"form": form})


def _outlet_data(form: OutletForm) -> services.OutletData:
    return services.OutletData(
        name=form.cleaned_data["name"], country=form.cleaned_data["country"],
        language=form.cleaned_data["language"], homepage=form.cleaned_data["homepage"] or "",
        feeds=form.cleaned_data["feeds"].splitlines(), collections=form.cleaned_data["collections"])


def _service_error(form: forms.Form, exc: ServiceError) -> None:
    field = exc.details.get("field")
    form.add_error(field if field in form.fields else None, str(exc.message))


@_sources_admin
def outlet_edit(request: HttpRequest, pk: int) -> HttpResponse:
    outlet = get_object_or_404(Outlet, pk=pk, retired_at__isnull=True)
    if request.method == "POST":
        form = OutletForm(request.POST)
        if form.is_valid():
            try:
                services.do_update_outlet(_user(request), outlet, _outlet_data(form))
            except ServiceError as exc:
                _service_error(form, exc)
            else:
                messages.success(request, _("The outlet is saved; new feeds are polled from the next pass."))
                return redirect("monitoring:sources")
    elif request.method == "GET":
        form = OutletForm(initial={
            "name": outlet.name, "country": outlet.country, "language": outlet.language, "homepage": outlet.homepage,
            "feeds": "\n".join(outlet.feeds.values_list("url", flat=True)),
            "collections": list(outlet.collections.values_list("code", flat=True))})
    else:
        return HttpResponse(status=405)
    read = outlet.articles.filter(status="done").count()
    return render(request, "monitoring/outlet_form.html", {"form": form, "outlet": outlet, "read": read})


@require_POST
@_sources_admin
def outlet_delete(request: HttpRequest, pk: int) -> HttpResponse:
    outlet = get_object_or_404(Outlet, pk=pk, retired_at__isnull=True)
    try:
        done = services.do_delete_outlet(_user(request), outlet)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect("monitoring:sources")
    if done.retired:
        messages.success(request, _("“%(name)s” is no longer followed. Its %(n)d articles already read are kept with "
                                    "their stories and reviews.") % {"name": outlet.name, "n": done.articles_kept})
    else:
        messages.success(request, _("“%(name)s” is deleted.") % {"name": outlet.name})
    return redirect("monitoring:sources")


class CollectionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Collection"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Groups outlets"), choices=CollectionKind.choices)


@require_POST
@_sources_admin
def collection_add(request: HttpRequest) -> HttpResponse:
    form = CollectionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("monitoring:sources")
    try:
        services.do_save_collection(_user(request), "", form.cleaned_data["name"], form.cleaned_data["kind"])
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The collection is saved; choose it for outlets when adding them."))
    return redirect("monitoring:sources")


@require_POST
@_sources_admin
def feed_resume(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(Feed, pk=pk)
    services.do_resume_feed(_user(request), feed)
    messages.success(request, _("The feed is polled again from the next pass."))
    return redirect("monitoring:sources")


@require_safe
@_desk
def watch_lists(request: HttpRequest) -> HttpResponse:
    lists = services.desk_lists(request.user).select_related("agency", "province").prefetch_related("terms")
    from ttdn.monitoring import alerts

    rows = []
    for watch in lists:
        copies, hours = alerts.thresholds(watch.fast_copies, watch.fast_hours)
        rows.append((watch, ThresholdsForm(initial={"fast_copies": watch.fast_copies, "fast_hours": watch.fast_hours},
                                           prefix=f"w{watch.pk}"), copies, hours,
                     services.can_edit_list(request.user, watch)))
    return render(request, "monitoring/watch_lists.html", {"lists": lists, "rows": rows, "form": TermForm()})


@require_POST
@_desk
def thresholds(request: HttpRequest, pk: int) -> HttpResponse:
    watch = services.desk_lists(request.user).filter(pk=pk).select_related("agency").first()
    if watch is None:
        raise Http404(_("No such watch list."))
    form = ThresholdsForm(request.POST, prefix=f"w{watch.pk}")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("monitoring:watch_lists")
    try:
        services.do_set_thresholds(_user(request), watch, form.cleaned_data["fast_copies"],
                                   form.cleaned_data["fast_hours"])
    except ServiceError as exc:
        if exc.status == 403:
            return _forbidden(request, str(exc.message))
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The desk's alert thresholds are saved; they apply from the next pass."))
    return redirect("monitoring:watch_lists")


@require_POST
@_desk
def term_add(request: HttpRequest, pk: int) -> HttpResponse:
    watch = services.desk_lists(request.user).filter(pk=pk).select_related("agency").first()
    if watch is None:
        raise Http404(_("No such watch list."))
    form = TermForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("monitoring:watch_lists")
    try:
        services.do_add_term(_user(request), watch, form.cleaned_data["term"], form.cleaned_data["language"],
                             form.cleaned_data["kind"], form.cleaned_data["alert"])
    except ServiceError as exc:
        if exc.status == 403:
            return _forbidden(request, str(exc.message))
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The term is added."))
    return redirect("monitoring:watch_lists")


def _period(request: HttpRequest) -> str:
    period = request.GET.get("period", "daily")
    return period if period in digests.PERIODS else "daily"


@require_safe
@_desk
def digest(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    result = digests.build(request.user, period)
    quality = digests.weekly_quality(request.user)
    return render(request, "monitoring/digest.html", {
        "chart_inaccurate": charts.stacked_bars([(d, {"%": s}) for d, s, _h in quality],
                                                _("Share of inaccurate reports per week (%)")),
        "chart_response": charts.stacked_bars([(d, {"h": h}) for d, _s, h in quality],
                                              _("Median hours to a published response per week")),
        "digest": result, "period": period,
        "chart_country": charts.stacked_bars(result.per_day, _("Stories per day by country")),
        "chart_language": charts.stacked_bars(result.per_day_language, _("Stories per day by language")),
    })


@require_safe
@_desk
def digest_docx(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    data = digests.digest_docx(request.user, period)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="press-digest-{period}-{day}.docx"'
    return response


@require_safe
@_desk
def stories_csv(request: HttpRequest) -> HttpResponse:
    days = request.GET.get("days", "")
    since = timezone.now() - dt.timedelta(days=int(days)) if days.isdigit() and 0 < int(days) <= 3660 else None
    response = HttpResponse(digests.stories_csv(request.user, since), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="press-stories.csv"'
    return response
