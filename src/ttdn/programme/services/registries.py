"""The registries plans are measured by: officers, courses and classes, equipment at border sites, budget lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Agency, User
from ttdn.core import audit
from ttdn.core.errors import Conflict, PermissionDenied
from ttdn.places.models import BorderSite, Equipment, EquipmentKind, EquipmentStatus
from ttdn.programme import permissions as perms
from ttdn.programme.models import BudgetLine, Course, CourseKind, Enrolment, Officer, Plan, Task, TrainingClass
from ttdn.programme.services.common import clean_text, invalid


@dataclass
class OfficerData:
    name: str
    position: str = ""
    languages: Sequence[str] = ()
    phone: str = ""
    email: str = ""
    active: bool = True


def do_save_officer(actor: User, agency: Agency, data: OfficerData, officer: Officer | None = None) -> Officer:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from ttdn.core import languages

    if not perms.can_edit_registry_of(actor, agency) or (officer is not None and officer.agency_id != agency.pk):
        raise PermissionDenied(_("You may only keep the officers of your own agency."))
    name = clean_text(data.name, "name", required=True, limit=200)
    tags = []
    for tag in data.languages:
        canonical = languages.canonical_tag(tag)
        if canonical is None:
            raise invalid("invalid", _("Unknown language “%(tag)s”.") % {"tag": tag}, field="languages")
        tags.append(canonical)
    email = clean_text(data.email, "email", limit=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise invalid("invalid", _("Enter a valid e-mail address."), field="email") from None
    with transaction.atomic():
        officer = officer or Officer(agency=agency)
        officer.name, officer.position = name, clean_text(data.position, "position", limit=300)
        officer.languages, officer.phone, officer.email = tags, clean_text(data.phone, "phone", limit=32), email
        officer.active = data.active
        officer.save()
        audit.record(actor, "programme.officer.save", officer, agency_id=agency.pk)
    return officer


def check_registries(actor: User) -> None:
    if not perms.can_manage_registries(actor):
        raise PermissionDenied(_("Only plan managers keep the training and equipment registries."))


def do_save_course(actor: User, name: str, kind: str, language: str = "", description: str = "") -> Course:
    check_registries(actor)
    if kind not in CourseKind.values:
        raise invalid("invalid", _("Choose a kind of course."), field="kind")
    with transaction.atomic():
        course = Course.objects.create(name=clean_text(name, "name", required=True, limit=300), kind=kind,
                                       language=clean_text(language, "language", limit=16),
                                       description=clean_text(description, "description"))
        audit.record(actor, "programme.course.create", course, agency_id=actor.agency_id)
    return course


@dataclass
class ClassData:
    course_id: int
    title: str
    start: dt.date
    end: dt.date
    venue: str
    capacity: int
    duration_hours: int


def do_save_class(actor: User, data: ClassData) -> TrainingClass:
    check_registries(actor)
    course = Course.objects.filter(pk=data.course_id).first()
    if course is None:
        raise invalid("invalid", _("Choose a course."), field="course")
    if data.end < data.start:
        raise invalid("invalid", _("The end must not come before the start."), field="end")
    if data.capacity < 1 or data.duration_hours < 1:
        raise invalid("invalid", _("Capacity and duration must be at least 1."), field="capacity")
    assert actor.agency is not None or actor.is_superuser
    organiser = actor.agency or Agency.objects.filter(is_central=True).first()
    if organiser is None:
        raise invalid("invalid", _("The organising agency is unknown."), field="course")
    with transaction.atomic():
        klass = TrainingClass.objects.create(
            course=course, organiser=organiser, title=clean_text(data.title, "title", required=True, limit=300),
            start=data.start, end=data.end, venue=clean_text(data.venue, "venue", required=True, limit=300),
            capacity=data.capacity, duration_hours=data.duration_hours,
        )
        audit.record(actor, "programme.class.create", klass, agency_id=organiser.pk)
    return klass


def do_enrol(actor: User, klass: TrainingClass, officer: Officer) -> Enrolment:
    check_registries(actor)
    scope = perms.manager_province_ids(actor)
    if scope is not None and officer.agency.province_id not in scope:
        raise PermissionDenied(_("This officer belongs to another province."))
    with transaction.atomic():
        if klass.enrolments.filter(officer=officer).exists():
            raise Conflict(_("This officer is already enrolled in the class."))
        if klass.enrolments.count() >= klass.capacity:
            raise Conflict(_("The class is full."), code="class_full")
        enrolment = Enrolment.objects.create(training_class=klass, officer=officer)
        audit.record(actor, "programme.enrolment.create", enrolment, agency_id=officer.agency_id)
    return enrolment


def do_set_attendance(actor: User, enrolment: Enrolment, *, attended: bool, completed: bool) -> Enrolment:
    check_registries(actor)
    if completed and not attended:
        raise invalid("invalid", _("An officer who did not attend cannot complete the class."), field="completed")
    with transaction.atomic():
        enrolment.attended, enrolment.completed = attended, completed
        enrolment.save()
        audit.record(actor, "programme.enrolment.attendance", enrolment, agency_id=enrolment.officer.agency_id,
                     attended=attended, completed=completed)
    return enrolment


def do_save_equipment(actor: User, site: BorderSite, *, kind: str, status: str, installed_on: dt.date | None = None,
                      label: str = "", serial: str = "", notes: str = "",
                      equipment: Equipment | None = None) -> Equipment:
    check_registries(actor)
    scope = perms.manager_province_ids(actor)
    if scope is not None and site.province_id not in scope:
        raise PermissionDenied(_("This site belongs to another province."))
    if kind not in EquipmentKind.values:
        raise invalid("invalid", _("Choose a kind of equipment."), field="kind")
    if status not in EquipmentStatus.values:
        raise invalid("invalid", _("Choose a status."), field="status")
    if status in {EquipmentStatus.WORKING, EquipmentStatus.FAULTY} and installed_on is None:
        raise invalid("invalid", _("Give the installation date of installed equipment."), field="installed_on")
    with transaction.atomic():
        equipment = equipment or Equipment(site=site)
        equipment.kind, equipment.status, equipment.installed_on = kind, status, installed_on
        equipment.label = clean_text(label, "label", limit=200)
        equipment.serial = clean_text(serial, "serial", limit=100)
        equipment.notes = clean_text(notes, "notes")
        equipment.save()
        audit.record(actor, "places.equipment.save", equipment, agency_id=actor.agency_id, site=site.code,
                     kind=kind, status=status)
    return equipment


def _money(value: Any, field_name: str, *, required: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise invalid("invalid", _("This field is required."), field=field_name)
        return None
    try:
        amount = Decimal(str(value).replace(".", "").replace(",", "").replace(" ", ""))
    except InvalidOperation:
        raise invalid("invalid", _("Enter an amount in đồng."), field=field_name) from None
    if amount < 0 or amount != amount.to_integral_value() or amount >= Decimal(10) ** 16:
        raise invalid("invalid", _("Enter an amount in đồng."), field=field_name)
    return amount


def do_save_budget_line(actor: User, plan: Plan, *, year: int, agency: Agency, estimate: Any,
                        task: Task | None = None, approved: Any = None, spent: Any = None, note: str = "",
                        line: BudgetLine | None = None) -> BudgetLine:
    """Lead agencies estimate their own lines; the plan's managers also set what was approved and spent."""
    manager = perms.can_manage_plan(actor, plan)
    if not manager and not perms.reports_for(actor, agency):
        raise PermissionDenied(_("You may only estimate your own agency's budget."))
    if task is not None and task.plan_id != plan.pk:
        raise invalid("invalid", _("This task belongs to another plan."), field="task")
    if not plan.period_start.year <= year <= plan.period_end.year:
        raise invalid("invalid", _("The year is outside the plan's period."), field="year")
    est = _money(estimate, "estimate", required=True)
    assert est is not None  # required
    appr, spent_amount = _money(approved, "approved"), _money(spent, "spent")
    if not manager and (appr is not None or spent_amount is not None):
        raise PermissionDenied(_("Only the plan's managers record approved and spent amounts."))
    with transaction.atomic():
        line = line or BudgetLine(plan=plan)
        line.task, line.year, line.agency, line.estimate = task, year, agency, est
        if manager:
            line.approved, line.spent = appr, spent_amount
        line.note = clean_text(note, "note", limit=500)
        line.save()
        audit.record(actor, "programme.budget.save", line, agency_id=agency.pk, year=year, estimate=str(est))
    return line
