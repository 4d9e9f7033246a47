"""Every operation that changes a plan, a report or a registry. `check_…` validates and authorises; `do_…`
writes in one transaction and records the audit entry. Views, the API, commands, tasks and tests call these.

Figures (completeness, timeliness, indicator values, attainment) are computed when read, from the rows as they
are, so a change in a registry shows in every figure at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Agency, AgencyKind, Role, User
from ttdn.content.models import Item, State
from ttdn.core import audit
from ttdn.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from ttdn.core.text import clean_line, nfc
from ttdn.places.models import BorderSite, Equipment, EquipmentKind, EquipmentStatus, SiteKind
from ttdn.programme import permissions as perms
from ttdn.programme.models import (
    STORED_TASK_STATUSES,
    AgencyGroup,
    BudgetLine,
    Course,
    CourseKind,
    Enrolment,
    Evidence,
    Indicator,
    IndicatorSource,
    IndicatorTarget,
    IndicatorUnit,
    IndicatorValue,
    Notification,
    Officer,
    Plan,
    PlanDraft,
    ProgressReport,
    ProgressUpdate,
    ReportEntry,
    ReportPeriod,
    ReportState,
    Section,
    Task,
    TaskCoordinator,
    TimeframeKind,
    TrainingClass,
)

TEXT_MAX = 20_000
TITLE_MAX = 1000
# Reminders: these many days before the due date, then every OVERDUE_EVERY days after it, at most OVERDUE_MAX times.
REMIND_BEFORE = (14, 7, 1)
OVERDUE_EVERY = 3
OVERDUE_MAX = 10

# Which kinds of agency each group of a plan stands for.
_DEPARTMENT_KINDS = {
    AgencyKind.DEPARTMENT, AgencyKind.BORDER_GUARD_COMMAND, AgencyKind.MILITARY_COMMAND, AgencyKind.POLICE,
    AgencyKind.TOURISM_CENTRE,
}
GROUP_KINDS: dict[str, set[str]] = {
    AgencyGroup.PROVINCIAL_DEPARTMENTS: set(_DEPARTMENT_KINDS),
    AgencyGroup.DISTRICT_COMMITTEES: {AgencyKind.DISTRICT_PC},
    AgencyGroup.COMMUNE_COMMITTEES: {AgencyKind.COMMUNE_PC},
    AgencyGroup.BORDER_DISTRICT_COMMITTEES: {AgencyKind.DISTRICT_PC},
    AgencyGroup.BORDER_COMMUNE_COMMITTEES: {AgencyKind.COMMUNE_PC},
    AgencyGroup.MASS_ORGANISATIONS: {AgencyKind.FRIENDSHIP_UNION},
    AgencyGroup.PRESS_AGENCIES: {AgencyKind.NEWSPAPER, AgencyKind.RADIO_TV},
    AgencyGroup.ALL_AGENCIES: set(_DEPARTMENT_KINDS) | {
        AgencyKind.DISTRICT_PC, AgencyKind.COMMUNE_PC, AgencyKind.FRIENDSHIP_UNION, AgencyKind.NEWSPAPER,
        AgencyKind.RADIO_TV,
    },
}


def _invalid(code: str, message: Any, **details: Any) -> ServiceError:
    return ServiceError(code, message, **details)


def _text(value: Any, field_name: str, *, required: bool = False, limit: int = TEXT_MAX) -> str:
    text = nfc(str(value or "")).strip()
    if required and not text:
        raise _invalid("invalid", _("This field is required."), field=field_name)
    if len(text) > limit:
        raise _invalid("invalid", _("The text is longer than %(n)d characters.") % {"n": limit}, field=field_name)
    return text


# ---------------------------------------------------------------------------------------- plan scope


def plan_province_ids(plan: Plan) -> set[int]:
    for agency in (plan.coordinating_agency, plan.issuing_agency):
        if agency is not None and agency.province_id:
            return perms.province_family(agency.province_id)
    return set()


def _valid_on(day: dt.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def group_members(plan: Plan, group: str) -> QuerySet[Agency]:
    """The agencies a group stands for in this plan: its province, as the agencies were when the plan began."""
    kinds = GROUP_KINDS.get(group, set())
    qs = Agency.objects.filter(kind__in=kinds, province_id__in=plan_province_ids(plan))
    on_start = qs.filter(_valid_on(plan.period_start))
    qs = on_start if on_start.exists() else qs.filter(_valid_on(timezone.localdate()))
    if group in {AgencyGroup.BORDER_DISTRICT_COMMITTEES, AgencyGroup.BORDER_COMMUNE_COMMITTEES}:
        communes = BorderSite.objects.exclude(admin_unit=None).values_list("admin_unit_id", "admin_unit__parent_id")
        units = {pk for pair in communes for pk in pair if pk}
        border = qs.filter(admin_unit_id__in=units)
        qs = border if border.exists() else qs
    return qs


def task_agency_ids(task: Task) -> set[int]:
    """Every agency with a part in a task: the lead and the coordinators, groups resolved."""
    ids: set[int] = set()
    if task.lead_agency_id:
        ids.add(task.lead_agency_id)
    if task.lead_group:
        ids.update(group_members(task.plan, task.lead_group).values_list("pk", flat=True))
    for coordinator in task.coordinators.all():
        if coordinator.agency_id:
            ids.add(coordinator.agency_id)
        if coordinator.group:
            ids.update(group_members(task.plan, coordinator.group).values_list("pk", flat=True))
    return ids


def tasks_of_agency(plan: Plan, agency: Agency) -> list[Task]:
    tasks = plan.tasks.select_related("plan").prefetch_related("coordinators")
    return [task for task in tasks if agency.pk in task_agency_ids(task)]


def _ensure_periods(plan: Plan) -> None:
    """One reporting period per calendar year of the plan, due on the plan's due day."""
    for year in range(plan.period_start.year, plan.period_end.year + 1):
        start = max(dt.date(year, 1, 1), plan.period_start)
        end = min(dt.date(year, 12, 31), plan.period_end)
        ReportPeriod.objects.update_or_create(
            plan=plan, year=year, defaults={"start": start, "end": end, "due": plan.due_date(year)}
        )
    plan.periods.exclude(year__gte=plan.period_start.year, year__lte=plan.period_end.year).filter(
        reports__isnull=True
    ).delete()


def _reporting_agency_ids(plan: Plan) -> set[int]:
    ids: set[int] = set()
    for task in plan.tasks.select_related("plan").prefetch_related("coordinators"):
        ids |= task_agency_ids(task)
    return ids


# ----------------------------------------------------------------------------------------- plan import


def _date(value: Any, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _invalid("invalid_draft", _("%(where)s: “%(value)s” is not a date (YYYY-MM-DD).")
                       % {"where": where, "value": value}, field=where) from None


def _number(value: Any, where: str) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise _invalid("invalid_draft", _("%(where)s: a number is expected.") % {"where": where}, field=where)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _invalid("invalid_draft", _("%(where)s: a number is expected.") % {"where": where},
                       field=where) from None
    if not math.isfinite(number):
        raise _invalid("invalid_draft", _("%(where)s: a number is expected.") % {"where": where}, field=where)
    return number


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid("invalid_draft", _("%(where)s: the draft is malformed (an object is expected).")
                       % {"where": where}, field=where)
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _invalid("invalid_draft", _("%(where)s: the draft is malformed (a list is expected).")
                       % {"where": where}, field=where)
    return value


def _party(value: Any, where: str, agencies: dict[str, Agency]) -> dict[str, Any]:
    """A lead or coordinating party of a task: an agency record, a group, or text only."""
    if value is None:
        return {"text": "", "agency": None, "group": ""}
    if isinstance(value, str):
        value = {"text": value}
    party = _dict(value, where)
    code = party.get("agency") or None
    group = party.get("group") or ""
    if code is not None and code not in agencies:
        raise _invalid("invalid_draft", _("%(where)s: no agency has the code “%(code)s”.")
                       % {"where": where, "code": code}, field=where)
    if group and group not in AgencyGroup.values:
        raise _invalid("invalid_draft", _("%(where)s: unknown group of agencies “%(group)s”.")
                       % {"where": where, "group": group}, field=where)
    return {"text": _text(party.get("text"), where, limit=500), "agency": agencies.get(code) if code else None,
            "group": group}


def _fold(text: str) -> str:
    """Lower case without diacritics (đ → d), for matching words in a plan's wording."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def guess_indicator_source(name: str, unit: str) -> str:
    """Which registry can compute an indicator, from its wording; the manager can change it."""
    text = _fold(name)
    if "can bo" in text and any(w in text for w in ("boi duong", "tap huan", "dao tao")):
        if unit == IndicatorUnit.PERCENT:
            return IndicatorSource.OFFICERS_TRAINED_PCT
        return IndicatorSource.OFFICERS_TRAINED
    if unit == IndicatorUnit.PERCENT and "xa" in text.split() and "bien gioi" in text:
        return IndicatorSource.BORDER_COMMUNES_EQUIPPED_PCT
    if unit == IndicatorUnit.COUNT and "don bien phong" in text:
        return IndicatorSource.POSTS_EQUIPPED
    if unit == IndicatorUnit.COUNT and "cua khau" in text:
        return IndicatorSource.GATES_EQUIPPED
    return IndicatorSource.REPORTED


def check_import_plan(actor: User | None, draft: Any) -> dict[str, Any]:
    """Validate a draft (the importer's output, perhaps edited by a reviewer) into clean values."""
    if actor is not None and not perms.can_create_plan(actor):
        raise PermissionDenied(_("Only plan managers may create plans."))
    root = _dict(draft, "draft")
    head = _dict(root.get("plan"), "plan")
    agencies = {a.code: a for a in Agency.objects.all()}
    title = _text(head.get("title"), "plan.title", required=True, limit=TITLE_MAX)
    issuer_code = head.get("issuer_agency") or None
    if issuer_code is not None and issuer_code not in agencies:
        raise _invalid("invalid_draft", _("%(where)s: no agency has the code “%(code)s”.")
                       % {"where": "plan.issuer_agency", "code": issuer_code}, field="plan.issuer_agency")
    phases = []
    for n, raw in enumerate(_list(head.get("phases"), "plan.phases")):
        phase = _dict(raw, f"plan.phases[{n}]")
        start = _date(phase.get("start"), f"plan.phases[{n}].start")
        end = _date(phase.get("end"), f"plan.phases[{n}].end")
        if start is None or end is None or end < start:
            raise _invalid("invalid_draft", _("%(where)s: a phase needs a start and an end after it.")
                           % {"where": f"plan.phases[{n}]"}, field=f"plan.phases[{n}]")
        phases.append({"name": _text(phase.get("name"), "phase", limit=100) or f"{start.year} - {end.year}",
                       "start": start.isoformat(), "end": end.isoformat()})
    period = head.get("period") or {}
    period = _dict(period, "plan.period")
    start, end = _date(period.get("start"), "plan.period.start"), _date(period.get("end"), "plan.period.end")
    if (start is None or end is None) and phases:
        start = start or min(dt.date.fromisoformat(p["start"]) for p in phases)
        end = end or max(dt.date.fromisoformat(p["end"]) for p in phases)
    if start is None or end is None:
        raise _invalid("invalid_draft", _("The plan's period (start and end) is missing: fill it in before saving."),
                       field="plan.period")
    if end < start:
        raise _invalid("invalid_draft", _("The plan's period ends before it starts."), field="plan.period")
    clean: dict[str, Any] = {
        "number": _text(head.get("number"), "plan.number", limit=32),
        "symbol": _text(head.get("symbol"), "plan.symbol", limit=64),
        "issuer_text": _text(head.get("issuer"), "plan.issuer", limit=255),
        "issuing_agency": agencies.get(issuer_code) if issuer_code else None,
        "date": _date(head.get("date"), "plan.date"),
        "title": title,
        "legal_bases": [_text(b, "plan.legal_bases", limit=2000) for b in _list(head.get("legal_bases"),
                                                                                 "plan.legal_bases")],
        "period_start": start,
        "period_end": end,
        "phases": phases,
    }
    sections: list[dict[str, Any]] = []
    section_keys: set[str] = set()
    for n, raw in enumerate(_list(root.get("sections"), "sections")):
        where = f"sections[{n}]"
        row = _dict(raw, where)
        key = _text(row.get("key"), where + ".key", required=True, limit=32)
        if key in section_keys:
            raise _invalid("invalid_draft", _("%(where)s: the key “%(key)s” is used twice.")
                           % {"where": where, "key": key}, field=where)
        section_keys.add(key)
        sections.append({"key": key, "title": _text(row.get("title"), where + ".title", limit=TITLE_MAX) or key,
                         "parent": row.get("parent") or None})
    for row in sections:
        if row["parent"] is not None and row["parent"] not in section_keys:
            row["parent"] = None  # a heading the importer did not keep: the section hangs at the top
    tasks: list[dict[str, Any]] = []
    task_keys: set[str] = set()
    for n, raw in enumerate(_list(root.get("tasks"), "tasks")):
        where = f"tasks[{n}]"
        row = _dict(raw, where)
        key = _text(row.get("key"), where + ".key", limit=48) or f"T{n + 1}"
        if key in task_keys:
            raise _invalid("invalid_draft", _("%(where)s: the key “%(key)s” is used twice.")
                           % {"where": where, "key": key}, field=where)
        task_keys.add(key)
        title = _text(row.get("title"), where + ".title", limit=TITLE_MAX)
        if not title:
            raise _invalid("invalid_draft", _("%(where)s: the task has no title.") % {"where": where}, field=where)
        section = row.get("section") or None
        if section is not None and section not in section_keys:
            raise _invalid("invalid_draft", _("%(where)s: no section has the key “%(key)s”.")
                           % {"where": where, "key": section}, field=where)
        timeframe = _dict(row.get("timeframe") or {}, where + ".timeframe")
        kind = timeframe.get("kind") or TimeframeKind.ONGOING
        if kind not in TimeframeKind.values:
            raise _invalid("invalid_draft", _("%(where)s: unknown kind of timeframe “%(kind)s”.")
                           % {"where": where, "kind": kind}, field=where)
        t_start = _date(timeframe.get("start"), where + ".timeframe.start")
        t_end = _date(timeframe.get("end"), where + ".timeframe.end")
        if t_start and t_end and t_end < t_start:
            raise _invalid("invalid_draft", _("%(where)s: the timeframe ends before it starts.")
                           % {"where": where}, field=where)
        tasks.append({
            "key": key, "title": title, "section": section, "parent": row.get("parent") or None,
            "description": _text(row.get("description"), where + ".description"),
            "lead": _party(row.get("lead"), where + ".lead", agencies),
            "coordinating": [_party(c, f"{where}.coordinating[{m}]", agencies)
                             for m, c in enumerate(_list(row.get("coordinating"), where + ".coordinating"))],
            "timeframe": {"kind": kind, "text": _text(timeframe.get("text"), where, limit=255),
                          "start": t_start, "end": t_end},
        })
    for row in tasks:
        if row["parent"] is not None and row["parent"] not in task_keys:
            raise _invalid("invalid_draft", _("%(where)s: no task has the key “%(key)s”.")
                           % {"where": f"task {row['key']}", "key": row["parent"]}, field="tasks")
    indicators: list[dict[str, Any]] = []
    indicator_keys: set[str] = set()
    for n, raw in enumerate(_list(root.get("indicators"), "indicators")):
        where = f"indicators[{n}]"
        row = _dict(raw, where)
        key = _text(row.get("key"), where + ".key", limit=48) or f"I{n + 1}"
        if key in indicator_keys:
            key = f"{key}-{n + 1}"
        indicator_keys.add(key)
        name = _text(row.get("name"), where + ".name", required=True, limit=TITLE_MAX)
        unit = row.get("unit") or IndicatorUnit.COUNT
        if unit not in IndicatorUnit.values:
            raise _invalid("invalid_draft", _("%(where)s: the unit must be “count” or “percent”.")
                           % {"where": where}, field=where)
        targets = []
        for m, raw_target in enumerate(_list(row.get("targets"), where + ".targets")):
            twhere = f"{where}.targets[{m}]"
            target = _dict(raw_target, twhere)
            value = _number(target.get("value"), twhere + ".value")
            t0, t1 = _date(target.get("start"), twhere + ".start"), _date(target.get("end"), twhere + ".end")
            if value is None:
                raise _invalid("invalid_draft", _("%(where)s: a number is expected.") % {"where": twhere},
                               field=twhere)
            t0, t1 = t0 or start, t1 or end
            if t1 < t0:
                raise _invalid("invalid_draft", _("%(where)s: the target's period ends before it starts.")
                               % {"where": twhere}, field=twhere)
            targets.append({"label": _text(target.get("label"), twhere, limit=64) or f"{t0.year} - {t1.year}",
                            "start": t0, "end": t1, "value": value})
        source = row.get("source") or guess_indicator_source(name, unit)
        if source not in IndicatorSource.values:
            raise _invalid("invalid_draft", _("%(where)s: unknown source of values.") % {"where": where},
                           field=where)
        indicators.append({"key": key, "name": name, "unit": unit, "source": source,
                           "baseline": _number(row.get("baseline"), where + ".baseline"),
                           "text": _text(row.get("text"), where + ".text"), "targets": targets})
    if not tasks:
        raise _invalid("invalid_draft", _("The draft has no task: there is nothing to track."), field="tasks")
    clean.update(sections=sections, tasks=tasks, indicators=indicators)
    return clean


def do_import_plan(actor: User, draft: dict[str, Any], *, agency: Agency | None = None) -> Plan:
    """Create a plan from a reviewed draft, all or nothing.

    `agency` is the coordinating agency (the one that runs the plan and consolidates the reports); by default
    the actor's own agency.
    """
    clean = check_import_plan(actor, draft)
    coordinating = agency or getattr(actor, "agency", None)
    with transaction.atomic():
        plan = Plan.objects.create(
            number=clean["number"], symbol=clean["symbol"], issuer_text=clean["issuer_text"],
            issuing_agency=clean["issuing_agency"], coordinating_agency=coordinating, date=clean["date"],
            title=clean["title"], legal_bases=clean["legal_bases"], period_start=clean["period_start"],
            period_end=clean["period_end"], phases=clean["phases"], created_by=actor,
            source_filename=_text(draft.get("filename"), "filename", limit=255) if isinstance(draft, dict) else "",
        )
        sections: dict[str, Section] = {}
        for position, row in enumerate(clean["sections"]):
            sections[row["key"]] = Section.objects.create(plan=plan, key=row["key"], title=row["title"],
                                                          position=position)
        for row in clean["sections"]:
            if row["parent"]:
                Section.objects.filter(pk=sections[row["key"]].pk).update(parent=sections[row["parent"]])
        tasks: dict[str, Task] = {}
        for position, row in enumerate(clean["tasks"]):
            tf = row["timeframe"]
            start, end = tf["start"], tf["end"]
            if tf["kind"] in {TimeframeKind.YEARLY, TimeframeKind.ONGOING}:
                start, end = start or plan.period_start, end or plan.period_end
            task = Task.objects.create(
                plan=plan, section=sections.get(row["section"]) if row["section"] else None, key=row["key"],
                title=row["title"], description=row["description"], lead_agency=row["lead"]["agency"],
                lead_group=row["lead"]["group"], lead_text=row["lead"]["text"], timeframe_kind=tf["kind"],
                timeframe_text=tf["text"], start=start, end=end, position=position,
            )
            tasks[row["key"]] = task
            for party in row["coordinating"]:
                TaskCoordinator.objects.create(task=task, agency=party["agency"], group=party["group"],
                                               text=party["text"])
        for row in clean["tasks"]:
            if row["parent"]:
                Task.objects.filter(pk=tasks[row["key"]].pk).update(parent=tasks[row["parent"]])
        for position, row in enumerate(clean["indicators"]):
            indicator = Indicator.objects.create(
                plan=plan, key=row["key"], name=row["name"], unit=row["unit"], baseline=row["baseline"],
                text=row["text"], source=row["source"], position=position,
            )
            for target in row["targets"]:
                IndicatorTarget.objects.create(indicator=indicator, **target)
        plan.reporting_agencies.set(_reporting_agency_ids(plan))
        _ensure_periods(plan)
        audit.record(actor, "programme.plan.import", plan, agency_id=coordinating.pk if coordinating else None,
                     tasks=len(tasks), indicators=len(clean["indicators"]), reference=plan.reference)
    return plan


def do_save_draft(actor: User, filename: str, data: dict[str, Any]) -> PlanDraft:
    if not perms.can_create_plan(actor):
        raise PermissionDenied(_("Only plan managers may create plans."))
    with transaction.atomic():
        draft = PlanDraft.objects.create(created_by=actor, filename=clean_line(filename)[:255], data=data)
        audit.record(actor, "programme.draft.create", draft, agency_id=actor.agency_id, filename=draft.filename)
    return draft


def do_read_plan_upload(actor: User, upload: Any) -> PlanDraft:
    """A plan file uploaded in the browser → the importer's draft, kept for review. Nothing else is written."""
    from ttdn.content import ingest
    from ttdn.content.screening import refuse_secrets
    from ttdn.documents.plan_import import parse_plan, read_plan_file

    if not perms.can_create_plan(actor):
        raise PermissionDenied(_("Only plan managers may create plans."))
    name = upload.name or "plan"
    with ingest.stage_upload(upload) as path:
        text = read_plan_file(path, name)
    refuse_secrets(text)  # the draft keeps the plan's text: the same screen as every file
    data = parse_plan(text, agencies=Agency.objects.all())
    return do_save_draft(actor, name, data)


def check_draft(actor: User, draft: PlanDraft) -> None:
    if draft.created_by_id != actor.pk and not perms.is_operator(actor):
        raise NotFound(_("No such draft."))
    if draft.plan_id is not None:
        raise Conflict(_("This draft has already been saved as a plan."), code="draft_used")


def do_update_draft(actor: User, draft: PlanDraft, data: dict[str, Any]) -> PlanDraft:
    check_draft(actor, draft)
    with transaction.atomic():
        draft.data = data
        draft.save(update_fields=["data"])
        audit.record(actor, "programme.draft.update", draft, agency_id=actor.agency_id)
    return draft


def do_confirm_draft(actor: User, draft: PlanDraft) -> Plan:
    check_draft(actor, draft)
    with transaction.atomic():
        plan = do_import_plan(actor, {**draft.data, "filename": draft.filename})
        draft.plan = plan
        draft.save(update_fields=["plan"])
    return plan


# --------------------------------------------------------------------------------------- plan settings


def check_manage(actor: User, plan: Plan) -> None:
    if not perms.can_manage_plan(actor, plan):
        raise PermissionDenied(_("Only the plan's managers may do this."))


def do_update_plan_settings(actor: User, plan: Plan, *, due_day: int, due_month: int, timely_days: int,
                            coordinating_agency: Agency | None = None) -> Plan:
    check_manage(actor, plan)
    if not 1 <= due_month <= 12 or not 1 <= due_day <= 31:
        raise _invalid("invalid", _("Choose a valid day and month for the reports."), field="due_day")
    if not 0 <= timely_days <= 90:
        raise _invalid("invalid", _("Days of grace must be between 0 and 90."), field="timely_days")
    with transaction.atomic():
        plan.report_due_day, plan.report_due_month, plan.timely_days = due_day, due_month, timely_days
        if coordinating_agency is not None:
            plan.coordinating_agency = coordinating_agency
        plan.save()
        _ensure_periods(plan)
        audit.record(actor, "programme.plan.settings", plan, agency_id=plan.coordinating_agency_id,
                     due=f"{due_day:02d}/{due_month:02d}", timely_days=timely_days)
    return plan


def do_set_reporting_agencies(actor: User, plan: Plan, agency_ids: Iterable[int]) -> Plan:
    check_manage(actor, plan)
    ids = set(agency_ids)
    if Agency.objects.filter(pk__in=ids).count() != len(ids):
        raise _invalid("invalid", _("Unknown agency."), field="agencies")
    with transaction.atomic():
        plan.reporting_agencies.set(ids)
        audit.record(actor, "programme.plan.reporting_agencies", plan, agency_id=plan.coordinating_agency_id,
                     agencies=sorted(ids))
    return plan


def plan_agencies(plan: Plan) -> QuerySet[Agency]:
    """The agencies a task of this plan may name: the current agencies of the plan's province (merged provinces
    included) and those the plan already names; a plan with no province (a central one) may name any agency."""
    provinces = plan_province_ids(plan)
    if not provinces:
        return Agency.objects.all()
    named = {pk for pk in (plan.coordinating_agency_id, plan.issuing_agency_id) if pk}
    # Agencies dissolved in a merger are not offered for new work, but those the plan names stay valid.
    return Agency.objects.filter(
        (Q(province_id__in=provinces) & _valid_on(timezone.localdate())) | Q(pk__in=named)
        | Q(pk__in=plan.reporting_agencies.values("pk"))
    ).distinct()


def plan_parent_choices(plan: Plan, task: Task | None = None) -> QuerySet[Task]:
    """The tasks that may hold `task` as a sub-task: any task of the plan but the task itself and its sub-tasks."""
    tasks = plan.tasks.all()
    if task is not None and task.pk:
        tasks = tasks.exclude(pk__in=_descendant_ids(task) | {task.pk})
    return tasks


def _descendant_ids(task: Task) -> set[int]:
    ids: set[int] = set()
    frontier = [task.pk]
    while frontier:
        children = set(Task.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= children
        frontier = list(children)
    return ids


@dataclass
class TaskData:
    key: str
    title: str
    section_id: int | None = None
    parent_id: int | None = None
    description: str = ""
    lead_agency_id: int | None = None
    lead_group: str = ""
    coordinating_agency_ids: Sequence[int] = ()
    coordinating_groups: Sequence[str] = ()
    timeframe_kind: str = TimeframeKind.YEARLY
    timeframe_text: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    status: str = ""  # "" keeps the stored status (a new task starts "not started")


def check_save_task(actor: User, plan: Plan, data: TaskData, task: Task | None = None) -> dict[str, Any]:
    """Validate a task's fields against the plan; the clean values `do_save_task` writes."""
    check_manage(actor, plan)
    if task is not None and task.plan_id != plan.pk:
        raise NotFound(_("No such task in this plan."))
    key = _text(data.key, "key", required=True, limit=48)
    title = _text(data.title, "title", required=True, limit=TITLE_MAX)
    if data.timeframe_kind not in TimeframeKind.values:
        raise _invalid("invalid", _("Choose a kind of timeframe."), field="timeframe_kind")
    if data.status and data.status not in dict(STORED_TASK_STATUSES):
        raise _invalid("invalid", _("Choose a status."), field="status")
    groups = [data.lead_group, *data.coordinating_groups] if data.lead_group else list(data.coordinating_groups)
    if any(group not in AgencyGroup.values for group in groups):
        raise _invalid("invalid", _("Unknown group of agencies."),
                       field="lead_group" if data.lead_group not in AgencyGroup.values else "coordinating_groups")
    # A task imported with its lead only as the plan wrote it (no agency found) keeps that wording until someone
    # picks the agency, so its other fields can be corrected meanwhile; a lead once chosen cannot be cleared.
    unresolved = task is not None and task.lead_text and task.lead_agency_id is None and not task.lead_group
    if data.lead_agency_id is None and not data.lead_group and not unresolved:
        raise _invalid("invalid", _("Choose the lead agency or group."), field="lead_agency")
    allowed = plan_agencies(plan)
    lead = allowed.filter(pk=data.lead_agency_id).first() if data.lead_agency_id is not None else None
    if data.lead_agency_id is not None and lead is None:
        raise _invalid("invalid", _("This agency has no part in the plan's province."), field="lead_agency")
    coordinating = set(data.coordinating_agency_ids)
    if allowed.filter(pk__in=coordinating).count() != len(coordinating):
        raise _invalid("invalid", _("A coordinating agency has no part in the plan's province."),
                       field="coordinating_agencies")
    if data.start and data.end and data.end < data.start:
        raise _invalid("invalid", _("The end must not come before the start."), field="end")
    for name, day in (("start", data.start), ("end", data.end)):
        if day is not None and not plan.period_start <= day <= plan.period_end:
            raise _invalid("invalid", _("The date must fall within the plan's period (%(start)s – %(end)s).")
                           % {"start": plan.period_start.strftime("%d/%m/%Y"),
                              "end": plan.period_end.strftime("%d/%m/%Y")}, field=name)
    section = None
    if data.section_id is not None:
        section = plan.sections.filter(pk=data.section_id).first()
        if section is None:
            raise _invalid("invalid", _("This section is not part of the plan."), field="section")
    parent = None
    if data.parent_id is not None:
        parent = plan_parent_choices(plan, task).filter(pk=data.parent_id).first()
        if parent is None:
            raise _invalid("invalid", _("A task can only be a sub-task of another task of the same plan."),
                           field="parent")
    others = plan.tasks.filter(key=key)
    if task is not None:
        others = others.exclude(pk=task.pk)
    if others.exists():
        raise _invalid("invalid", _("Another task already has this number."), field="key")
    return {
        "key": key, "title": title, "description": _text(data.description, "description"),
        "section": section, "parent": parent, "lead_agency": lead, "lead_group": data.lead_group,
        "timeframe_kind": data.timeframe_kind,
        "timeframe_text": _text(data.timeframe_text, "timeframe_text", limit=255),
        "start": data.start, "end": data.end, "coordinating_agency_ids": coordinating,
        "coordinating_groups": set(data.coordinating_groups),
    }


def do_save_task(actor: User, plan: Plan, data: TaskData, task: Task | None = None) -> Task:
    clean = check_save_task(actor, plan, data, task)
    agency_ids, groups = clean.pop("coordinating_agency_ids"), clean.pop("coordinating_groups")
    with transaction.atomic():
        created = task is None
        if task is None:
            task = Task(plan=plan, position=plan.tasks.count())
        changed = sorted(name for name, value in clean.items() if created or getattr(task, name) != value)
        for name, value in clean.items():
            setattr(task, name, value)
        if data.status and data.status != task.status:
            task.status = data.status
            changed.append("status")
        task.save()
        # Coordinators kept by agency or group so their wording from the plan stays; rows with wording only
        # (no agency, no group resolved at import) are kept as they are.
        current = list(task.coordinators.all())
        old_agencies = {c.agency_id for c in current if c.agency_id}
        old_groups = {c.group for c in current if c.group}
        task.coordinators.filter(agency_id__isnull=False).exclude(agency_id__in=agency_ids).delete()
        task.coordinators.exclude(group="").exclude(group__in=groups).delete()
        for agency_id in sorted(agency_ids - old_agencies):
            TaskCoordinator.objects.create(task=task, agency_id=agency_id)
        for group in sorted(groups - old_groups):
            TaskCoordinator.objects.create(task=task, group=group)
        if old_agencies != agency_ids or old_groups != groups:
            changed.append("coordinators")
        plan.reporting_agencies.add(*task_agency_ids(task))
        audit.record(actor, "programme.task.create" if created else "programme.task.save", task,
                     agency_id=plan.coordinating_agency_id, key=task.key, changed=changed)
    return task


# -------------------------------------------------------------------------------------- task progress


def check_add_progress(actor: User, task: Task) -> Agency:
    agency = getattr(actor, "agency", None)
    if agency is None:
        raise PermissionDenied(_("Only staff of an agency may report progress."))
    if perms.can_manage_plan(actor, task.plan):
        return agency
    if perms.reports_for(actor, agency) and agency.pk in task_agency_ids(task):
        return agency
    raise PermissionDenied(_("Your agency has no part in this task."))


def do_add_progress(actor: User, task: Task, text: str, *, status: str = "", files: Sequence[tuple[Path, str]] = (),
                    item_uids: Sequence[str] = ()) -> ProgressUpdate:
    """A progress update with its evidence; every file is checked, and nothing is kept if one is refused."""
    from ttdn.content import ingest
    from ttdn.content import permissions as content_perms
    from ttdn.content import services as content_services

    agency = check_add_progress(actor, task)
    body = _text(text, "text", required=True)
    if status and status not in dict(STORED_TASK_STATUSES):
        raise _invalid("invalid", _("Choose a status."), field="status")
    items: list[Item] = []
    if item_uids:
        wanted = {str(u) for u in item_uids}
        try:
            items = list(content_perms.visible_items(actor).filter(uid__in=wanted, state=State.PUBLISHED))
        except Exception:  # a malformed id
            items = []
        if len(items) != len(wanted):
            raise _invalid("invalid", _("Only published material can be linked as evidence."), field="items")
    stored: list[str] = []
    try:
        with transaction.atomic():
            update = ProgressUpdate.objects.create(task=task, agency=agency, author=actor, text=body, status=status)
            update.items.set(items)
            for path, name in files:
                # The one way in for files: sniffing, limits, the secrets screen, the blob store.
                asset = ingest.ingest_file(actor, path, name, stored)
                Evidence.objects.create(update=update, asset=asset, filename=ingest.stored_name(name, asset.mime_type))
            if status:
                Task.objects.filter(pk=task.pk).update(status=status)
                task.status = status
            audit.record(actor, "programme.progress.add", update, agency_id=agency.pk, task=task.key,
                         status=status, files=len(files), items=len(items))
    except BaseException:
        content_services.discard_unreferenced_blobs(stored)
        raise
    return update


def do_add_progress_upload(actor: User, task: Task, text: str, *, status: str = "", uploads: Sequence[Any] = (),
                           item_uids: Sequence[str] = ()) -> ProgressUpdate:
    """The same from a browser form: each upload staged once (see `content.ingest.stage_upload`)."""
    from ttdn.content import files, ingest

    check_add_progress(actor, task)
    for upload in uploads:
        files.check_received_size(upload.name or "", int(upload.size or 0))
    with contextlib.ExitStack() as stack:
        paths = [stack.enter_context(ingest.stage_upload(upload)) for upload in uploads]
        return do_add_progress(actor, task, text, status=status, item_uids=item_uids,
                               files=[(p, u.name or "") for p, u in zip(paths, uploads, strict=True)])


# -------------------------------------------------------------------------------------------- reports


def check_open_report(actor: User, period: ReportPeriod, agency: Agency) -> None:
    if not perms.reports_for(actor, agency):
        raise PermissionDenied(_("You may only write your own agency's reports."))
    if not period.plan.reporting_agencies.filter(pk=agency.pk).exists():
        raise PermissionDenied(_("Your agency does not report on this plan."))


def do_open_report(actor: User, period: ReportPeriod, agency: Agency) -> ProgressReport:
    """The agency's report for a period, created as a draft with one entry per task it has a part in."""
    check_open_report(actor, period, agency)
    with transaction.atomic():
        report, created = ProgressReport.objects.get_or_create(period=period, agency=agency)
        if created:
            for task in tasks_of_agency(period.plan, agency):
                ReportEntry.objects.create(report=report, task=task, status=task.status)
            audit.record(actor, "programme.report.open", report, agency_id=agency.pk, year=period.year)
    return report


def do_save_report(actor: User, report: ProgressReport, *, summary: str, difficulties: str = "",
                   proposals: str = "", entries: dict[int, tuple[str, str]] | None = None) -> ProgressReport:
    if not perms.can_edit_report(actor, report):
        raise PermissionDenied(_("You may not change this report."))
    clean_entries: dict[int, tuple[str, str]] = {}
    allowed = set(report.entries.values_list("task_id", flat=True))
    for task_id, (text, status) in (entries or {}).items():
        if task_id not in allowed:
            raise _invalid("invalid", _("This task is not in your agency's report."), field="entries")
        if status and status not in dict(STORED_TASK_STATUSES):
            raise _invalid("invalid", _("Choose a status."), field=f"status_{task_id}")
        clean_entries[task_id] = (_text(text, f"entry_{task_id}"), status)
    with transaction.atomic():
        report.summary = _text(summary, "summary")
        report.difficulties = _text(difficulties, "difficulties")
        report.proposals = _text(proposals, "proposals")
        report.updated_at = timezone.now()
        report.save()
        for task_id, (text, status) in clean_entries.items():
            ReportEntry.objects.filter(report=report, task_id=task_id).update(text=text, status=status)
        audit.record(actor, "programme.report.save", report, agency_id=report.agency_id)
    return report


def do_submit_report(actor: User, report: ProgressReport) -> ProgressReport:
    if not perms.can_edit_report(actor, report):
        raise PermissionDenied(_("You may not submit this report."))
    if not report.summary.strip() and not report.entries.exclude(text="").exists():
        raise _invalid("empty_report", _("Write the results before submitting the report."), field="summary")
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if report.state == ReportState.SUBMITTED:
            raise Conflict(_("This report has already been submitted."))
        report.state = ReportState.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = actor
        report.return_reason = ""
        report.save()
        for entry in report.entries.exclude(status=""):
            Task.objects.filter(pk=entry.task_id).update(status=entry.status)
        audit.record(actor, "programme.report.submit", report, agency_id=report.agency_id,
                     year=report.period.year, on_time=is_on_time(report.submitted_at, report.period.due,
                                                                 report.period.plan.timely_days))
    return report


def do_return_report(actor: User, report: ProgressReport, reason: str) -> ProgressReport:
    check_manage(actor, report.period.plan)
    why = _text(reason, "reason", required=True)
    if report.state != ReportState.SUBMITTED:
        raise Conflict(_("Only a submitted report can be returned."))
    with transaction.atomic():
        report.state = ReportState.RETURNED
        report.return_reason = why
        report.save()
        audit.record(actor, "programme.report.return", report, agency_id=report.agency_id, reason=why)
        for user in _reporters_of(report.agency):
            _notify(user, f"returned:{report.pk}:{report.updated_at.timestamp():.0f}:{timezone.now().timestamp():.0f}",
                    str(_("Your report for %(plan)s, %(year)s was returned: %(reason)s")
                        % {"plan": report.period.plan.reference, "year": report.period.year, "reason": why}),
                    link=f"/plans/reports/{report.pk}/")
    return report


# ----------------------------------------------------------------------------------- completeness


def is_on_time(submitted_at: dt.datetime | None, due: dt.date, timely_days: int = 0) -> bool:
    """On time: submitted on or before the due date plus the plan's days of grace (local calendar day)."""
    if submitted_at is None:
        return False
    return timezone.localdate(submitted_at) <= due + dt.timedelta(days=timely_days)


@dataclass
class Rates:
    expected: int = 0
    submitted: int = 0
    on_time: int = 0

    @property
    def completeness(self) -> float | None:
        return round(100 * self.submitted / self.expected, 1) if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None

    def add(self, submitted_at: dt.datetime | None, due: dt.date, timely_days: int) -> None:
        self.expected += 1
        if submitted_at is not None:
            self.submitted += 1
            self.on_time += is_on_time(submitted_at, due, timely_days)


def expected_periods(plan: Plan, today: dt.date | None = None) -> list[ReportPeriod]:
    """The periods that count: those whose due date has come (DHIS2 counts only periods that have ended)."""
    today = today or timezone.localdate()
    return list(plan.periods.filter(due__lte=today))


@dataclass
class AgencyRates:
    agency: Agency
    rates: Rates
    by_year: dict[int, str] = field(default_factory=dict)  # year → "on_time" | "late" | "missing" | state


def reporting_rates(plan: Plan, *, periods: Sequence[ReportPeriod] | None = None,
                    today: dt.date | None = None) -> tuple[Rates, list[AgencyRates]]:
    """Completeness and timeliness of a plan (all agencies) and per agency, over the given periods."""
    periods = list(periods) if periods is not None else expected_periods(plan, today)
    agencies = list(plan.reporting_agencies.all().order_by("name"))
    reports = {
        (r.period_id, r.agency_id): r
        for r in ProgressReport.objects.filter(period__in=periods)
    }
    total = Rates()
    rows = []
    for agency in agencies:
        rates = Rates()
        row = AgencyRates(agency, rates)
        for period in periods:
            report = reports.get((period.pk, agency.pk))
            submitted = report.submitted_at if report and report.state == ReportState.SUBMITTED else None
            rates.add(submitted, period.due, plan.timely_days)
            total.add(submitted, period.due, plan.timely_days)
            if submitted is not None:
                row.by_year[period.year] = "on_time" if is_on_time(submitted, period.due, plan.timely_days) else "late"
            else:
                row.by_year[period.year] = report.state if report else "missing"
        rows.append(row)
    return total, rows


# ---------------------------------------------------------------------------------------- indicators


def compute_source(source: str, plan: Plan) -> float | None:
    """An indicator's value from the registries of the plan's province, as they are now."""
    provinces = plan_province_ids(plan)
    if source in {IndicatorSource.OFFICERS_TRAINED_PCT, IndicatorSource.OFFICERS_TRAINED}:
        officers = Officer.objects.filter(active=True, agency__province_id__in=provinces)
        total = officers.count()
        trained = officers.filter(enrolments__completed=True).distinct().count()
        if source == IndicatorSource.OFFICERS_TRAINED:
            return float(trained)
        return round(100 * trained / total, 1) if total else None
    sites = BorderSite.objects.filter(active=True, province_id__in=provinces)
    equipped = Q(equipment__status=EquipmentStatus.WORKING)
    if source == IndicatorSource.BORDER_COMMUNES_EQUIPPED_PCT:
        communes = sites.filter(kind=SiteKind.BORDER_COMMUNE)
        total = communes.count()
        done = communes.filter(equipped).distinct().count()
        return round(100 * done / total, 1) if total else None
    if source == IndicatorSource.POSTS_EQUIPPED:
        return float(sites.filter(equipped, kind=SiteKind.BORDER_POST).distinct().count())
    if source == IndicatorSource.GATES_EQUIPPED:
        gates = [SiteKind.GATE_INTERNATIONAL, SiteKind.GATE_MAIN, SiteKind.GATE_SECONDARY]
        return float(sites.filter(equipped, kind__in=gates).distinct().count())
    if source == IndicatorSource.SITES_EQUIPPED:
        return float(sites.filter(equipped).distinct().count())
    return None


@dataclass
class Attainment:
    indicator: Indicator
    actual: float | None
    target: IndicatorTarget | None
    percent: float | None  # actual / target × 100


def current_target(indicator: Indicator, today: dt.date | None = None) -> IndicatorTarget | None:
    """The target of the phase running today; before the first phase the first, after the last the last."""
    today = today or timezone.localdate()
    targets = list(indicator.targets.all())
    if not targets:
        return None
    running = [t for t in targets if t.start <= today <= t.end]
    if running:
        return min(running, key=lambda t: (t.end - t.start, t.end))
    ended = [t for t in targets if t.end < today]
    return max(ended, key=lambda t: t.end) if ended else min(targets, key=lambda t: t.start)


def indicator_actual(indicator: Indicator) -> float | None:
    if indicator.source != IndicatorSource.REPORTED:
        return compute_source(indicator.source, indicator.plan)
    latest = indicator.values.order_by("-as_of", "-id").first()
    return latest.value if latest else None


def attainment(plan: Plan, today: dt.date | None = None) -> list[Attainment]:
    rows = []
    for indicator in plan.indicators.prefetch_related("targets").select_related("plan"):
        actual = indicator_actual(indicator)
        target = current_target(indicator, today)
        percent = None
        if actual is not None and target is not None and target.value:
            percent = round(100 * actual / target.value, 1)
        rows.append(Attainment(indicator, actual, target, percent))
    return rows


def do_record_indicator_value(actor: User, indicator: Indicator, value: float, as_of: dt.date,
                              note: str = "") -> IndicatorValue:
    plan = indicator.plan
    agency = getattr(actor, "agency", None)
    reporter = agency is not None and perms.reports_for(actor, agency) and (
        plan.reporting_agencies.filter(pk=agency.pk).exists()
    )
    if not (perms.can_manage_plan(actor, plan) or reporter):
        raise PermissionDenied(_("You may not report values for this plan."))
    if indicator.source != IndicatorSource.REPORTED:
        raise Conflict(_("This indicator is computed from the registries; it cannot be entered by hand."))
    number = _number(value, "value")
    if number is None or number < 0 or (indicator.unit == IndicatorUnit.PERCENT and number > 100):
        raise _invalid("invalid", _("Enter a valid value."), field="value")
    with transaction.atomic():
        row = IndicatorValue.objects.create(indicator=indicator, agency=agency, as_of=as_of, value=number,
                                            note=_text(note, "note"), reported_by=actor)
        audit.record(actor, "programme.indicator.value", row, agency_id=agency.pk if agency else None,
                     indicator=indicator.key, value=number)
    return row


def do_set_indicator_source(actor: User, indicator: Indicator, source: str) -> Indicator:
    check_manage(actor, indicator.plan)
    if source not in IndicatorSource.values:
        raise _invalid("invalid", _("Unknown source of values."), field="source")
    with transaction.atomic():
        indicator.source = source
        indicator.save(update_fields=["source"])
        audit.record(actor, "programme.indicator.source", indicator, agency_id=indicator.plan.coordinating_agency_id,
                     source=source)
    return indicator


# ------------------------------------------------------------------------------------------ registries


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
    name = _text(data.name, "name", required=True, limit=200)
    tags = []
    for tag in data.languages:
        canonical = languages.canonical_tag(tag)
        if canonical is None:
            raise _invalid("invalid", _("Unknown language “%(tag)s”.") % {"tag": tag}, field="languages")
        tags.append(canonical)
    email = _text(data.email, "email", limit=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _invalid("invalid", _("Enter a valid e-mail address."), field="email") from None
    with transaction.atomic():
        officer = officer or Officer(agency=agency)
        officer.name, officer.position = name, _text(data.position, "position", limit=300)
        officer.languages, officer.phone, officer.email = tags, _text(data.phone, "phone", limit=32), email
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
        raise _invalid("invalid", _("Choose a kind of course."), field="kind")
    with transaction.atomic():
        course = Course.objects.create(name=_text(name, "name", required=True, limit=300), kind=kind,
                                       language=_text(language, "language", limit=16),
                                       description=_text(description, "description"))
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
        raise _invalid("invalid", _("Choose a course."), field="course")
    if data.end < data.start:
        raise _invalid("invalid", _("The end must not come before the start."), field="end")
    if data.capacity < 1 or data.duration_hours < 1:
        raise _invalid("invalid", _("Capacity and duration must be at least 1."), field="capacity")
    assert actor.agency is not None or actor.is_superuser
    organiser = actor.agency or Agency.objects.filter(is_central=True).first()
    if organiser is None:
        raise _invalid("invalid", _("The organising agency is unknown."), field="course")
    with transaction.atomic():
        klass = TrainingClass.objects.create(
            course=course, organiser=organiser, title=_text(data.title, "title", required=True, limit=300),
            start=data.start, end=data.end, venue=_text(data.venue, "venue", required=True, limit=300),
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
        raise _invalid("invalid", _("An officer who did not attend cannot complete the class."), field="completed")
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
        raise _invalid("invalid", _("Choose a kind of equipment."), field="kind")
    if status not in EquipmentStatus.values:
        raise _invalid("invalid", _("Choose a status."), field="status")
    if status in {EquipmentStatus.WORKING, EquipmentStatus.FAULTY} and installed_on is None:
        raise _invalid("invalid", _("Give the installation date of installed equipment."), field="installed_on")
    with transaction.atomic():
        equipment = equipment or Equipment(site=site)
        equipment.kind, equipment.status, equipment.installed_on = kind, status, installed_on
        equipment.label, equipment.serial = _text(label, "label", limit=200), _text(serial, "serial", limit=100)
        equipment.notes = _text(notes, "notes")
        equipment.save()
        audit.record(actor, "places.equipment.save", equipment, agency_id=actor.agency_id, site=site.code,
                     kind=kind, status=status)
    return equipment


def _money(value: Any, field_name: str, *, required: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise _invalid("invalid", _("This field is required."), field=field_name)
        return None
    try:
        amount = Decimal(str(value).replace(".", "").replace(",", "").replace(" ", ""))
    except InvalidOperation:
        raise _invalid("invalid", _("Enter an amount in đồng."), field=field_name) from None
    if amount < 0 or amount != amount.to_integral_value() or amount >= Decimal(10) ** 16:
        raise _invalid("invalid", _("Enter an amount in đồng."), field=field_name)
    return amount


def do_save_budget_line(actor: User, plan: Plan, *, year: int, agency: Agency, estimate: Any,
                        task: Task | None = None, approved: Any = None, spent: Any = None, note: str = "",
                        line: BudgetLine | None = None) -> BudgetLine:
    """Lead agencies estimate their own lines; the plan's managers also set what was approved and spent."""
    manager = perms.can_manage_plan(actor, plan)
    if not manager and not perms.reports_for(actor, agency):
        raise PermissionDenied(_("You may only estimate your own agency's budget."))
    if task is not None and task.plan_id != plan.pk:
        raise _invalid("invalid", _("This task belongs to another plan."), field="task")
    if not plan.period_start.year <= year <= plan.period_end.year:
        raise _invalid("invalid", _("The year is outside the plan's period."), field="year")
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
        line.note = _text(note, "note", limit=500)
        line.save()
        audit.record(actor, "programme.budget.save", line, agency_id=agency.pk, year=year, estimate=str(est))
    return line


# ------------------------------------------------------------------------------------------ reminders


def _reporters_of(agency: Agency) -> list[User]:
    users = list(User.objects.filter(agency=agency, is_active=True, role_grants__role=Role.PLAN_REPORTER).distinct())
    return users or list(
        User.objects.filter(agency=agency, is_active=True, role_grants__role=Role.AGENCY_ADMIN).distinct()
    )


def _notify(user: User, key: str, message: str, link: str = "") -> Notification | None:
    """Create the notification unless this user already has one with this key; e-mail it if they have an address."""
    note, created = Notification.objects.get_or_create(user=user, key=key[:200],
                                                       defaults={"message": message, "link": link})
    if not created:
        return None
    if user.email:
        # Sent after the row is committed, so a rolled-back sweep never mails a reminder it did not keep.
        def mail(note_id: int = note.pk, address: str = user.email) -> None:
            send_mail("[TTĐN] " + message[:120], message + (f"\n\n{link}" if link else ""),
                      settings.DEFAULT_FROM_EMAIL, [address])
            Notification.objects.filter(pk=note_id).update(emailed=True)

        transaction.on_commit(mail)
    return note


def reminder_stage(due: dt.date, today: dt.date) -> str | None:
    """Which reminder is due today: "before-14", "before-7", "before-1", "after-1", "after-4", … or None.

    A stage is named by its threshold, so a sweep that missed a day still sends it, and only once.
    """
    days_left = (due - today).days
    if days_left >= 0:
        for before in sorted(REMIND_BEFORE):
            if days_left <= before:
                return f"before-{before}"
        return None
    late = -days_left
    n = (late - 1) // OVERDUE_EVERY
    if n >= OVERDUE_MAX:
        return None
    return f"after-{1 + n * OVERDUE_EVERY}"


def do_send_reminders(today: dt.date | None = None) -> int:
    """Remind each agency that has not submitted this period's report; never the same reminder twice."""
    from django.utils import translation

    today = today or timezone.localdate()
    sent = 0
    window_end = today + dt.timedelta(days=max(REMIND_BEFORE))
    window_start = today - dt.timedelta(days=OVERDUE_EVERY * OVERDUE_MAX)
    periods = ReportPeriod.objects.filter(due__gte=window_start, due__lte=window_end).select_related("plan")
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        for period in periods:
            stage = reminder_stage(period.due, today)
            if stage is None:
                continue
            done = set(period.reports.filter(state=ReportState.SUBMITTED).values_list("agency_id", flat=True))
            for agency in period.plan.reporting_agencies.exclude(pk__in=done):
                if stage.startswith("before"):
                    message = _("Reminder: the %(year)s report on plan %(plan)s is due on %(due)s.")
                else:
                    message = _("Overdue: the %(year)s report on plan %(plan)s was due on %(due)s and has not been "
                                "submitted.")
                text = str(message) % {"year": period.year, "plan": period.plan.reference or period.plan.title[:60],
                                       "due": period.due.strftime("%d/%m/%Y")}
                reached = 0
                for user in _reporters_of(agency):
                    if _notify(user, f"reminder:{period.pk}:{agency.pk}:{stage}", text, link="/plans/my-reports/"):
                        reached += 1
                if reached:
                    sent += reached
                    audit.record(None, "programme.report.remind", period, agency_id=agency.pk, stage=stage,
                                 users=reached)
    return sent


def do_mark_read(actor: User, ids: Iterable[int] | None = None) -> int:
    with transaction.atomic():
        qs = Notification.objects.filter(user=actor, read_at__isnull=True)
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        return qs.update(read_at=timezone.now())
