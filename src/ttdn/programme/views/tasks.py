"""A task's page with its progress and evidence, and the task form."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ttdn.content import ingest
from ttdn.content.views import INLINE_KINDS, serve_blob
from ttdn.core.errors import ServiceError
from ttdn.programme import permissions as perms
from ttdn.programme import services
from ttdn.programme.forms import ProgressForm, TaskForm
from ttdn.programme.models import Evidence, Plan, Task, TaskStatus
from ttdn.programme.views.common import error_status, forbidden, form_error, with_plan


@require_safe
@with_plan
def evidence_file(request: HttpRequest, plan: Plan, evidence_pk: int) -> HttpResponseBase:
    """A progress update's evidence file, to those who see the plan (material files are content's)."""
    evidence = Evidence.objects.filter(pk=evidence_pk, update__task__plan=plan).select_related("asset").first()
    if evidence is None:
        raise Http404
    asset = evidence.asset
    as_attachment = request.GET.get("download") == "1" or asset.file_kind not in INLINE_KINDS
    return serve_blob(request, asset.sha256, asset.mime_type, ingest.stored_name(evidence.filename, asset.mime_type),
                      as_attachment)


@require_http_methods(["GET", "POST"])
@with_plan
def task_detail(request: HttpRequest, plan: Plan, task_pk: int) -> HttpResponse:
    task = get_object_or_404(plan.tasks.select_related("lead_agency", "section", "parent", "plan"), pk=task_pk)
    form = ProgressForm()
    status = 200
    if request.method == "POST":
        form = ProgressForm(request.POST, request.FILES)
        if form.is_valid():
            uids = [u.strip() for u in form.cleaned_data["items"].split() if u.strip()]
            try:
                services.do_add_progress_upload(
                    request.user, task, form.cleaned_data["text"], status=form.cleaned_data["status"],  # type: ignore[arg-type]
                    uploads=request.FILES.getlist("evidence"), item_uids=uids)
                messages.success(request, _("The progress was recorded."))
                return redirect("programme:task_detail", pk=plan.pk, task_pk=task.pk)
            except ServiceError as exc:
                form.add_error("evidence" if exc.details.get("field") is None else None, str(exc.message))
                status = error_status(exc)
        else:
            status = 400
    can_add = True
    try:
        services.check_add_progress(request.user, task)  # type: ignore[arg-type]
    except ServiceError:
        can_add = False
    updates = task.updates.select_related("agency", "author").prefetch_related("evidence__asset", "items__variants")
    return render(request, "programme/task_detail.html", {
        "plan": plan, "task": task, "form": form, "can_add": can_add, "updates": updates,
        "status_label": TaskStatus(task.effective_status()).label,
        "coordinators": [c.label() for c in task.coordinators.select_related("agency")],
        "children": task.children.all(), "manager": perms.can_manage_plan(request.user, plan),
    }, status=status)


@require_http_methods(["GET", "POST"])
@with_plan
def task_edit(request: HttpRequest, plan: Plan, task_pk: int | None = None) -> HttpResponse:
    """Add a task to the plan (no `task_pk`) or correct one. Only the plan's managers get the form at all."""
    try:
        services.check_manage(request.user, plan)  # type: ignore[arg-type]
    except ServiceError as exc:
        return forbidden(request, exc.message)
    task: Task | None = None
    if task_pk is not None:
        task = get_object_or_404(plan.tasks.select_related("section", "parent", "lead_agency"), pk=task_pk)
    form = TaskForm(plan=plan, task=task)
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST, plan=plan, task=task)
        if form.is_valid():
            try:
                saved = services.do_save_task(request.user, plan, form.task_data(), task)  # type: ignore[arg-type]
                messages.success(request, _("The task was saved.") if task else _("The task was added."))
                url = reverse("programme:task_detail", kwargs={"pk": plan.pk, "task_pk": saved.pk})
                if request.headers.get("HX-Request"):
                    return HttpResponse(status=204, headers={"HX-Redirect": url})
                return redirect(url)
            except ServiceError as exc:
                form_error(form, exc)
                status = error_status(exc)
        else:
            status = 400
    context = {"plan": plan, "task": task, "form": form}
    if request.headers.get("HX-Request"):
        # htmx swaps only 2xx answers: the form comes back whole, with its errors, in place.
        return render(request, "programme/_task_form.html", context)
    return render(request, "programme/task_form.html", context, status=status)
