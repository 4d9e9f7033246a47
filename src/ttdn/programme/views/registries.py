"""The registries' pages: officers, training classes, equipment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ttdn.core.errors import ServiceError
from ttdn.places.models import BorderSite, Equipment
from ttdn.programme import permissions as perms
from ttdn.programme import services
from ttdn.programme.forms import ClassForm, CourseForm, EnrolForm, EquipmentForm, OfficerForm
from ttdn.programme.models import Course, Officer, TrainingClass
from ttdn.programme.views.common import error_status, form_error, plan_user


def _scoped_agencies(request: HttpRequest) -> Any:
    return perms.agencies_in_view(request.user).order_by("name")


@require_http_methods(["GET", "POST"])
@plan_user
def officers(request: HttpRequest) -> HttpResponse:
    agencies = _scoped_agencies(request)
    form = OfficerForm(agencies=agencies, initial={"agency": getattr(request.user, "agency_id", None)})
    status = 200
    if request.method == "POST":
        form = OfficerForm(request.POST, agencies=agencies)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_save_officer(request.user, data["agency"], services.OfficerData(  # type: ignore[arg-type]
                    name=data["name"], position=data["position"],
                    languages=[t for t in data["languages"].replace(",", " ").split() if t],
                    phone=data["phone"], email=data["email"]))
                messages.success(request, _("The officer was added."))
                return redirect("programme:officers")
            except ServiceError as exc:
                form_error(form, exc)
                status = error_status(exc)
        else:
            status = 400
    rows = Officer.objects.filter(agency__in=agencies).select_related("agency").prefetch_related(
        "enrolments__training_class")
    return render(request, "programme/officers.html", {"officers": rows, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@plan_user
def training(request: HttpRequest) -> HttpResponse:
    course_form, class_form = CourseForm(prefix="course"), ClassForm(prefix="class")
    class_form.fields["course"].widget.choices = [(c.pk, c.name) for c in Course.objects.all()]  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST":
        try:
            if "course-name" in request.POST:
                course_form = CourseForm(request.POST, prefix="course")
                if not course_form.is_valid():
                    raise ServiceError("invalid", _("Check the course's fields."))
                d = course_form.cleaned_data
                services.do_save_course(request.user, d["name"], d["kind"], d["language"])  # type: ignore[arg-type]
            else:
                class_form = ClassForm(request.POST, prefix="class")
                class_form.fields["course"].widget.choices = [(c.pk, c.name) for c in Course.objects.all()]  # type: ignore[attr-defined]
                if not class_form.is_valid():
                    raise ServiceError("invalid", _("Check the class's fields."))
                d = class_form.cleaned_data
                try:
                    services.do_save_class(request.user, services.ClassData(  # type: ignore[arg-type]
                        course_id=d["course"], title=d["title"], start=d["start"], end=d["end"], venue=d["venue"],
                        capacity=d["capacity"], duration_hours=d["duration_hours"]))
                except ServiceError as exc:
                    form_error(class_form, exc)
                    raise
            messages.success(request, _("Saved."))
            return redirect("programme:training")
        except ServiceError as exc:
            messages.error(request, str(exc.message))
            status = error_status(exc)
    classes = TrainingClass.objects.select_related("course", "organiser").prefetch_related("enrolments")
    scope = perms.manager_province_ids(request.user)
    if scope is not None:
        classes = classes.filter(Q(organiser__province_id__in=scope) | Q(organiser=request.user.agency))  # type: ignore[union-attr]
    return render(request, "programme/training.html", {
        "courses": Course.objects.all(), "classes": classes, "course_form": course_form, "class_form": class_form,
        "can_manage": perms.can_manage_registries(request.user),
    }, status=status)


@require_http_methods(["GET", "POST"])
@plan_user
def training_class(request: HttpRequest, pk: int) -> HttpResponse:
    klass = get_object_or_404(TrainingClass.objects.select_related("course", "organiser"), pk=pk)
    officers_qs = Officer.objects.filter(agency__in=_scoped_agencies(request), active=True).exclude(
        enrolments__training_class=klass)
    form = EnrolForm(officers=officers_qs)
    if request.method == "POST":
        try:
            if "enrolment" in request.POST:
                raw = request.POST["enrolment"]
                enrolment = get_object_or_404(klass.enrolments.filter(officer__agency__in=_scoped_agencies(request)),
                                              pk=int(raw) if raw.isdigit() and len(raw) < 19 else 0)
                services.do_set_attendance(request.user, enrolment, attended=bool(request.POST.get("attended")),  # type: ignore[arg-type]
                                           completed=bool(request.POST.get("completed")))
            else:
                form = EnrolForm(request.POST, officers=officers_qs)
                if not form.is_valid():
                    raise ServiceError("invalid", _("Choose an officer."))
                services.do_enrol(request.user, klass, form.cleaned_data["officer"])  # type: ignore[arg-type]
            messages.success(request, _("Saved."))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("programme:training_class", pk=klass.pk)
    return render(request, "programme/training_class.html", {
        "klass": klass, "form": form,
        # Officers and attendance of the agencies in the user's scope only, as on the officers page.
        "enrolments": klass.enrolments.filter(officer__agency__in=_scoped_agencies(request)).select_related(
            "officer__agency"),
        "can_manage": perms.can_manage_registries(request.user),
    })


@require_http_methods(["GET", "POST"])
@plan_user
def equipment(request: HttpRequest) -> HttpResponse:
    scope = perms.manager_province_ids(request.user)
    sites = BorderSite.objects.filter(active=True) if scope is None else BorderSite.objects.filter(
        active=True, province_id__in=scope)
    form = EquipmentForm(sites=sites)
    status = 200
    if request.method == "POST":
        form = EquipmentForm(request.POST, sites=sites)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.do_save_equipment(request.user, d["site"], kind=d["kind"], status=d["status"],  # type: ignore[arg-type]
                                           installed_on=d["installed_on"], label=d["label"])
                messages.success(request, _("Saved."))
                return redirect("programme:equipment")
            except ServiceError as exc:
                form_error(form, exc)
                status = error_status(exc)
        else:
            status = 400
    rows = Equipment.objects.filter(site__in=sites).select_related("site")
    return render(request, "programme/equipment.html", {
        "rows": rows, "form": form, "can_manage": perms.can_manage_registries(request.user),
        "sites_total": sites.count(),
    }, status=status)
