"""The desk's pages: the board, an item's languages, the segmented editor and the job's actions. Thin: every
change goes through ttdn.translation.services; what may be seen starts from ttdn.content.permissions."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ttdn.accounts.models import Role
from ttdn.accounts.permissions import has_role, is_official
from ttdn.content import permissions as perms
from ttdn.content.models import Item, State
from ttdn.core import languages
from ttdn.core.errors import ServiceError
from ttdn.translation import board, services, suggestions
from ttdn.translation.forms import BoardFilter, RequestForm
from ttdn.translation.models import Job, JobState, Segment

DESK_ROLES = (Role.APPRAISER, Role.PUBLISHER, Role.TRANSLATOR)


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/forbidden.html", {"message": message}, status=403)


def _status(exc: ServiceError) -> int:
    return exc.status if exc.status in {400, 403, 404, 409} else 400


@login_required
@require_safe
def board_page(request: HttpRequest) -> HttpResponse:
    """Items × languages, for central editors, publishers and translators."""
    if not has_role(request.user, *DESK_ROLES):
        return _forbidden(request, _("The translation board is for central editors, publishers and translators."))
    form = BoardFilter(request.GET or None)
    items = perms.visible_items(request.user).filter(
        state__in=[State.IN_APPRAISAL, State.APPROVED, State.PUBLISHED]).select_related("agency")
    columns = list(board.BOARD_LANGUAGES)
    wanted_state = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["province"] is not None:
            items = items.filter(Q(agency__province=data["province"]) | Q(target_provinces=data["province"]))
        if data["topic"] is not None:
            items = items.filter(topics=data["topic"])
        if data["kind"]:
            items = items.filter(kind=data["kind"])
        if data["language"]:
            columns = [data["language"]]
        wanted_state = data["state"]
    items = items.distinct().order_by("-updated_at", "-id")
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    cells = board.cells_for(rows, columns)
    table = [(item, cells[item.pk]) for item in rows
             if not wanted_state or any(c.state == wanted_state for c in cells[item.pk])]
    return render(request, "translation/board.html", {
        "form": form, "page": page, "table": table,
        "columns": [(c, languages.name(c)) for c in columns],
        "queues": services.jobs_waiting(request.user),  # type: ignore[arg-type]
        "filters": _without_page(request),
    })


def _without_page(request: HttpRequest) -> str:
    """The board's filters as a query string, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _item(request: HttpRequest, uid: uuid.UUID) -> Item:
    item = perms.visible_items(request.user).select_related("agency").filter(uid=uid).first()
    if item is None or not is_official(request.user):
        raise Http404
    return item


def _request_form(item: Item, data: Any = None) -> RequestForm:
    return RequestForm(data, source_language=item.source_language,
                       translators=_all_translators(item), reviewers=services.reviewers_for(item))


def _all_translators(item: Item) -> list[Any]:
    seen: dict[int, Any] = {}
    for lang in languages.BY_TAG:
        for user in services.translators_for(item, lang):
            seen.setdefault(user.pk, user)
    return list(seen.values())


def _item_context(request: HttpRequest, item: Item, form: RequestForm | None) -> dict[str, Any]:
    source = item.source_variant()
    may_request = services.is_desk_editor(request.user) and item.state in services.REQUESTABLE_STATES
    return {
        "item": item, "title": source.title if source else "", "cells": board.item_languages(item),
        "may_request": may_request, "form": form if form is not None else (_request_form(item) if may_request
                                                                           else None),
        "jobs": [j for j in item.translation_jobs.select_related("translator", "reviewer")
                 if services.may_see_job(request.user, j)],
    }


@login_required
@require_safe
def item_languages(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """Which languages of an item are (or will be) public, and why not the others."""
    item = _item(request, uid)
    return render(request, "translation/item.html", _item_context(request, item, None))


@login_required
@require_POST
def request_jobs(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    item = _item(request, uid)
    if not services.is_desk_editor(request.user):
        return _forbidden(request, _("Only a central editor may ask for translations."))
    form = _request_form(item, request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            jobs = services.do_request(request.user, item, services.RequestData(  # type: ignore[arg-type]
                languages=data["languages"], from_language=data["from_language"],
                translator_id=data["translator"], reviewer_id=data["reviewer"], due=data["due"]))
        except ServiceError as exc:
            name = exc.details.get("field")
            form.add_error(name if name in form.fields else None, str(exc.message))
            status = _status(exc)
        else:
            messages.success(request, _("Translations asked for: %(langs)s.") % {
                "langs": ", ".join(languages.name(j.language) for j in jobs)})
            return redirect("translation:item", uid=item.uid)
    return render(request, "translation/item.html", _item_context(request, item, form), status=status)


def _job(request: HttpRequest, pk: int) -> Job:
    job = Job.objects.select_related("item", "item__agency", "translator", "reviewer").filter(pk=pk).first()
    if job is None or not services.may_see_job(request.user, job):
        raise Http404
    return job


def _segment_context(request: HttpRequest, job: Job, segment: Segment, editable: bool,
                     error: str = "") -> dict[str, Any]:
    return {"job": job, "s": segment, "editable": editable, "error": error,
            "suggestions": suggestions.for_segment(job, segment) if editable else [],
            "terms": suggestions.terms_in(job, segment),
            "warnings": suggestions.warnings_for(job, segment)}


@login_required
@require_safe
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The segmented editor: source and target side by side by sentence."""
    job = _job(request, pk)
    editable = services.may_edit_segments(request.user, job)
    segments = list(job.segments.order_by("position"))
    user = request.user
    may_review = job.state == JobState.TRANSLATED and _may(services.check_review, user, job)
    return render(request, "translation/job.html", {
        "job": job, "item": job.item, "title": (job.item.source_variant() or job.item).__str__(),
        "rows": [_segment_context(request, job, s, editable) for s in segments],
        "editable": editable, "may_review": may_review,
        "may_submit": editable and job.state in services.OPEN_STATES,
        "may_sign_off": services.is_desk_editor(user) and any(s.stale for s in segments),
        "may_assign": services.is_desk_editor(user) and job.state < JobState.APPROVED,
        "translators": services.translators_for(job.item, job.language),
        "reviewers": services.reviewers_for(job.item),
        "language_name": languages.name(job.language),
        "from_name": languages.name(job.from_language),
        "done": sum(1 for s in segments if s.target and not s.stale), "total": len(segments),
        "sms": _sms_budget(job, segments),
    })


def _sms_budget(job: Job, segments: list[Segment]) -> dict[str, Any] | None:
    """For an SMS text: how many message parts the translation (its text, as it will be sent) takes."""
    from ttdn.translation import checks, segmenter

    if job.item.kind != "sms":
        return None
    rows = [(s.part, s.block, s.tag, s.wrap, s.target) for s in segments if s.part != "title"]
    _title, summary, body = segmenter.rebuild(rows, job.language)
    from ttdn.core.text import html_to_text

    text = " ".join(t for t in (summary, html_to_text(body)) if t)
    parts = checks.sms_parts(text) if text else 0
    return {"parts": parts, "limit": checks.SmsBudgetCheck.PARTS, "over": parts > checks.SmsBudgetCheck.PARTS,
            "length": len(text)}


def _may(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except ServiceError:
        return False
    return True


@login_required
@require_POST
def save_segment(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """Save one sentence (htmx: the row comes back; without htmx: back to the editor)."""
    job = _job(request, pk)
    segment = job.segments.filter(position=position).first()
    if segment is None:
        raise Http404
    error, status = "", 200
    try:
        segment = services.do_save_segment(request.user, segment, request.POST.get("target", ""),  # type: ignore[arg-type]
                                           request.POST.get("origin", "typed"))
    except ServiceError as exc:
        error, status = str(exc.message), _status(exc)
        if status == 403:
            return _forbidden(request, error)
    job.refresh_from_db()
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect("translation:job", pk=job.pk)
    editable = services.may_edit_segments(request.user, job)
    if error:
        segment.target = request.POST.get("target", "")[:services.TARGET_MAX]
    return render(request, "translation/_segment.html", _segment_context(request, job, segment, editable, error),
                  status=status)


ACTIONS = ("submit", "approve", "return", "assign", "minor")


@login_required
@require_POST
def job_action(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        messages.error(request, _("Unknown action."))
        return redirect("translation:job", pk=job.pk)
    user: Any = request.user
    try:
        if action == "submit":
            services.do_submit(user, job)
            messages.success(request, _("Sent for review."))
        elif action == "approve":
            services.do_approve(user, job)
            messages.success(request, _("The translation is approved; it is public with the material."))
        elif action == "return":
            per = {int(k.removeprefix("comment_")): str(v) for k, v in request.POST.items()
                   if k.startswith("comment_") and k.removeprefix("comment_").isdigit()}
            services.do_return(user, job, request.POST.get("comment", ""), per)
            messages.success(request, _("The translation went back to its translator."))
        elif action == "assign":
            services.do_assign(user, job, _int(request.POST.get("translator")), _int(request.POST.get("reviewer")),
                               _date(request.POST.get("due")))
            messages.success(request, _("The job is assigned."))
        else:
            services.do_sign_off_minor(user, job)
            messages.success(request, _("The source edit is signed off as minor; the translation stays valid."))
    except ServiceError as exc:
        if exc.status == 403:
            return _forbidden(request, str(exc.message))
        messages.error(request, str(exc.message))
    return redirect("translation:job", pk=job.pk)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _date(value: str | None) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise ServiceError("invalid", _("The due date is not a date."), field="due") from None


# ------------------------------------------------------------------------------------- exchange files

# An XLIFF file goes back in a hidden field of the confirmation form: a job's file is small.
XLIFF_MAX = 4 * 1024 * 1024


def _download(data: bytes, name: str, kind: str) -> HttpResponse:
    from django.utils.http import content_disposition_header

    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _upload(request: HttpRequest, limit: int) -> bytes:
    upload = request.FILES.get("file")
    if upload is None:
        raise ServiceError("invalid", _("Choose a file."), field="file")
    if upload.size is not None and upload.size > limit:
        raise ServiceError("bad_file", _("The file is larger than %(n)d MB.") % {"n": limit // (1024 * 1024)},
                           field="file")
    return upload.read(limit + 1)[:limit + 1]


@login_required
@require_safe
def job_xliff(request: HttpRequest, pk: int) -> HttpResponse:
    """The job as an XLIFF file (2.0, or 1.2 for older tools) for an outside translator."""
    from ttdn.translation import exchange

    job = _job(request, pk)
    version = "1.2" if request.GET.get("version") == "1.2" else "2.0"
    name = f"ttdn-{job.item.uid}-{job.from_language}-{job.language}-xliff{version.replace('.', '')}.xlf"
    return _download(exchange.export_xliff(job, version), name, "application/xliff+xml")


@login_required
@require_POST
def job_xliff_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Bring a translated XLIFF file back: first the comparison (nothing written), then, confirmed, exactly
    the changes shown."""
    import base64
    import binascii

    from ttdn.translation import exchange

    job = _job(request, pk)
    user: Any = request.user
    if not services.may_edit_segments(user, job):
        return _forbidden(request, _("You may not work on this translation."))
    context: dict[str, Any] = {"job": job, "item": job.item, "language_name": languages.name(job.language)}
    try:
        if request.POST.get("confirm") == "1":
            try:
                data = base64.b64decode(request.POST.get("data", ""), validate=True)
            except (binascii.Error, ValueError):
                raise ServiceError("bad_file", _("The file could not be read; upload it again."),
                                   field="file") from None
            count = services.do_import_xliff(user, job, data, request.POST.get("shown", ""))
            messages.success(request, _("%(n)d sentences were taken from the file.") % {"n": count})
            return redirect("translation:job", pk=job.pk)
        data = _upload(request, XLIFF_MAX)
        if len(data) > XLIFF_MAX:
            raise ServiceError("bad_file", _("The file is larger than %(n)d MB.") % {"n": XLIFF_MAX // 1048576},
                               field="file")
        changes = exchange.read_xliff(job, data)
    except ServiceError as exc:
        context["error"] = str(exc.message)
        return render(request, "translation/xliff_import.html", context, status=_status(exc))
    context.update(changes=changes, shown=services.changes_digest(changes),
                   data=base64.b64encode(data).decode())
    return render(request, "translation/xliff_import.html", context)


def _pair(request: HttpRequest) -> tuple[str, str]:
    source = languages.canonical_tag(request.GET.get("source", "vi")) or "vi"
    target = languages.canonical_tag(request.GET.get("target", "lo")) or "lo"
    return source, target


def _references_page(request: HttpRequest, read: Any, apply: Any, done: str) -> HttpResponse | None:
    """The POST half of the glossary and memory pages: read the file, apply it, say how many."""
    user: Any = request.user
    if not services.is_desk_editor(user):
        return _forbidden(request, _("Only a central editor may change the glossary or the memory."))
    try:
        entries = read(_upload(request, 20 * 1024 * 1024), request.POST.get("format", ""))
        count = apply(user, entries)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return None
    messages.success(request, done % {"n": count})
    return redirect(request.path)


@login_required
def glossary(request: HttpRequest) -> HttpResponse:
    """The glossary of a language pair; TBX and CSV out, and in for central editors."""
    from ttdn.translation import exchange
    from ttdn.translation.models import Term

    if not has_role(request.user, Role.APPRAISER, Role.TRANSLATOR):
        return _forbidden(request, _("The glossary is for central editors and translators."))
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    status = 200
    if request.method == "POST":
        def read(data: bytes, fmt: str) -> Any:
            return exchange.read_csv(data) if fmt == "csv" else exchange.read_tbx(data)

        response = _references_page(request, read, services.do_import_terms,
                                    _("%(n)d terms were imported."))
        if response is not None:
            return response
        status = 400
    source, target = _pair(request)
    fmt = request.GET.get("format")
    if fmt == "tbx":
        return _download(exchange.export_tbx(source, target), f"ttdn-glossary-{source}-{target}.tbx",
                         "application/x-tbx+xml")
    if fmt == "csv":
        return _download(exchange.export_csv(source, target), f"ttdn-glossary-{source}-{target}.csv",
                         "text/csv; charset=utf-8")
    return render(request, "translation/glossary.html", {
        "terms": Term.objects.filter(source_language=source, target_language=target),
        "source": source, "target": target, "choices": languages.choices(),
        "may_import": services.is_desk_editor(request.user),
    }, status=status)


@login_required
def memory_page(request: HttpRequest) -> HttpResponse:
    """The shared memory: its size per language pair; TMX out, and in for central editors."""
    from django.db.models import Count

    from ttdn.translation import exchange
    from ttdn.translation.models import MemoryUnit

    if not has_role(request.user, Role.APPRAISER, Role.TRANSLATOR):
        return _forbidden(request, _("The translation memory is for central editors and translators."))
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    status = 200
    if request.method == "POST":
        response = _references_page(request, lambda data, fmt: exchange.read_tmx(data),
                                    services.do_import_memory, _("%(n)d new units were added to the memory."))
        if response is not None:
            return response
        status = 400
    if request.GET.get("format") == "tmx":
        source, target = _pair(request)
        return _download(exchange.export_tmx(source, target), f"ttdn-memory-{source}-{target}.tmx",
                         "application/x-tmx+xml")
    pairs = (MemoryUnit.objects.values("source_language", "target_language").annotate(n=Count("id"))
             .order_by("source_language", "target_language"))
    return render(request, "translation/memory.html", {
        "pairs": pairs, "may_import": services.is_desk_editor(request.user)}, status=status)
