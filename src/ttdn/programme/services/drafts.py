"""Plans in: a reviewed draft becomes a plan; drafts are read from uploads, corrected, confirmed; the agencies a
draft names that are missing are registered from the review."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Agency, AgencyKind, User
from ttdn.core import audit
from ttdn.core.errors import Conflict, NotFound, PermissionDenied
from ttdn.core.text import clean_line
from ttdn.documents.plan_draft import (
    Draft,
    DraftTask,
    EquipmentProposal,
    MalformedDraft,
    Party,
    Period,
    ProposedPlace,
    TrainingProposal,
)
from ttdn.places.models import BorderSite, EquipmentKind, EquipmentStatus
from ttdn.programme import permissions as perms
from ttdn.programme.models import (
    RECURRING_KINDS,
    AgencyGroup,
    Course,
    CourseKind,
    Indicator,
    IndicatorSource,
    IndicatorTarget,
    IndicatorUnit,
    Plan,
    PlanDraft,
    Section,
    Task,
    TaskCoordinator,
    TimeframeKind,
)
from ttdn.programme.services.common import TITLE_MAX, clean_text, fold_words, invalid, read_date, read_number
from ttdn.programme.services.scope import ensure_periods, reporting_agency_ids


def as_draft(data: Draft | dict[str, Any] | Any) -> Draft:
    """A draft as typed values: the importer's `Draft` as it is, or its JSON form (a stored draft, a reviewer's
    or a command's) read back, refused where it is not shaped as a draft."""
    if isinstance(data, Draft):
        return data
    try:
        return Draft.from_json(data)
    except MalformedDraft as exc:
        if exc.expected == "list":
            message = _("%(where)s: the draft is malformed (a list is expected).")
        else:
            message = _("%(where)s: the draft is malformed (an object is expected).")
        raise invalid("invalid_draft", message % {"where": exc.where}, field=exc.where) from None


@dataclass
class CleanParty:
    """A lead or coordinating party, checked: the plan's words, and the agency record or group it is."""

    text: str
    agency: Agency | None
    group: str


@dataclass
class CleanSection:
    key: str
    title: str
    parent: str | None


@dataclass
class CleanTask:
    key: str
    title: str
    section: str | None
    parent: str | None
    description: str
    lead: CleanParty
    coordinating: list[CleanParty]
    timeframe_kind: str
    timeframe_text: str
    start: dt.date | None
    end: dt.date | None


@dataclass
class CleanTarget:
    label: str
    start: dt.date
    end: dt.date
    value: float


@dataclass
class CleanIndicator:
    key: str
    name: str
    unit: str
    source: str
    baseline: float | None
    text: str
    targets: list[CleanTarget]


@dataclass
class CleanPlan:
    """A draft checked by `check_import_plan`: dates read, agencies resolved, text cleaned and bounded; what
    `do_import_plan` writes. `phases` are kept on the plan as JSON (name, ISO start and end)."""

    number: str
    symbol: str
    issuer_text: str
    issuing_agency: Agency | None
    date: dt.date | None
    title: str
    legal_bases: list[str]
    period_start: dt.date
    period_end: dt.date
    phases: list[dict[str, str]]
    filename: str
    sections: list[CleanSection]
    tasks: list[CleanTask]
    indicators: list[CleanIndicator]


def _party(party: Party, where: str, agencies: dict[str, Agency]) -> CleanParty:
    """A lead or coordinating party of a task: an agency record, a group, or text only."""
    code, group = party.agency, party.group or ""
    if code is not None and code not in agencies:
        raise invalid("invalid_draft", _("%(where)s: no agency has the code “%(code)s”.")
                      % {"where": where, "code": code}, field=where)
    if group and group not in AgencyGroup.values:
        raise invalid("invalid_draft", _("%(where)s: unknown group of agencies “%(group)s”.")
                      % {"where": where, "group": group}, field=where)
    return CleanParty(text=clean_text(party.text, where, limit=500), agency=agencies.get(code) if code else None,
                      group=group)


def guess_indicator_source(name: str, unit: str) -> str:
    """Which registry can compute an indicator, from its wording; the manager can change it."""
    text = fold_words(name)
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


def check_import_plan(actor: User | None, draft: Draft | dict[str, Any]) -> CleanPlan:
    """Validate a draft (the importer's, perhaps corrected by a reviewer; its JSON form is read as a `Draft`
    first) into the values the plan is written from."""
    if actor is not None and not perms.can_create_plan(actor):
        raise PermissionDenied(_("Only plan managers may create plans."))
    root = as_draft(draft)
    head = root.plan
    agencies = {a.code: a for a in Agency.objects.all()}
    title = clean_text(head.title, "plan.title", required=True, limit=TITLE_MAX)
    issuer_code = head.issuer_agency
    if issuer_code is not None and issuer_code not in agencies:
        raise invalid("invalid_draft", _("%(where)s: no agency has the code “%(code)s”.")
                      % {"where": "plan.issuer_agency", "code": issuer_code}, field="plan.issuer_agency")
    phases = []
    for n, phase in enumerate(head.phases):
        start = read_date(phase.start, f"plan.phases[{n}].start")
        end = read_date(phase.end, f"plan.phases[{n}].end")
        if start is None or end is None or end < start:
            raise invalid("invalid_draft", _("%(where)s: a phase needs a start and an end after it.")
                          % {"where": f"plan.phases[{n}]"}, field=f"plan.phases[{n}]")
        phases.append({"name": clean_text(phase.name, "phase", limit=100) or f"{start.year} - {end.year}",
                       "start": start.isoformat(), "end": end.isoformat()})
    period = head.period or Period()
    start, end = read_date(period.start, "plan.period.start"), read_date(period.end, "plan.period.end")
    if (start is None or end is None) and phases:
        start = start or min(dt.date.fromisoformat(p["start"]) for p in phases)
        end = end or max(dt.date.fromisoformat(p["end"]) for p in phases)
    if start is None or end is None:
        raise invalid("invalid_draft", _("The plan's period (start and end) is missing: fill it in before saving."),
                      field="plan.period")
    if end < start:
        raise invalid("invalid_draft", _("The plan's period ends before it starts."), field="plan.period")
    number = clean_text(head.number, "plan.number", limit=32)
    symbol = clean_text(head.symbol, "plan.symbol", limit=64)
    issuer_text = clean_text(head.issuer, "plan.issuer", limit=255)
    date = read_date(head.date, "plan.date")
    legal_bases = [clean_text(b, "plan.legal_bases", limit=2000) for b in head.legal_bases]
    filename = clean_text(root.filename, "filename", limit=255)
    sections: list[CleanSection] = []
    section_keys: set[str] = set()
    for n, section in enumerate(root.sections):
        where = f"sections[{n}]"
        key = clean_text(section.key, where + ".key", required=True, limit=32)
        if key in section_keys:
            raise invalid("invalid_draft", _("%(where)s: the key “%(key)s” is used twice.")
                          % {"where": where, "key": key}, field=where)
        section_keys.add(key)
        sections.append(CleanSection(key=key, parent=section.parent,
                                     title=clean_text(section.title, where + ".title", limit=TITLE_MAX) or key))
    for clean_section in sections:
        if clean_section.parent is not None and clean_section.parent not in section_keys:
            clean_section.parent = None  # a heading the importer did not keep: the section hangs at the top
    tasks: list[CleanTask] = []
    task_keys: set[str] = set()
    for n, task in enumerate(root.tasks):
        where = f"tasks[{n}]"
        key = clean_text(task.key, where + ".key", limit=48) or f"T{n + 1}"
        if key in task_keys:
            raise invalid("invalid_draft", _("%(where)s: the key “%(key)s” is used twice.")
                          % {"where": where, "key": key}, field=where)
        task_keys.add(key)
        task_title = clean_text(task.title, where + ".title", limit=TITLE_MAX)
        if not task_title:
            raise invalid("invalid_draft", _("%(where)s: the task has no title.") % {"where": where}, field=where)
        if task.section is not None and task.section not in section_keys:
            raise invalid("invalid_draft", _("%(where)s: no section has the key “%(key)s”.")
                          % {"where": where, "key": task.section}, field=where)
        timeframe = task.timeframe
        kind = timeframe.kind or TimeframeKind.ONGOING
        if kind not in TimeframeKind.values:
            raise invalid("invalid_draft", _("%(where)s: unknown kind of timeframe “%(kind)s”.")
                          % {"where": where, "kind": kind}, field=where)
        t_start = read_date(timeframe.start, where + ".timeframe.start")
        t_end = read_date(timeframe.end, where + ".timeframe.end")
        if t_start and t_end and t_end < t_start:
            raise invalid("invalid_draft", _("%(where)s: the timeframe ends before it starts.")
                          % {"where": where}, field=where)
        tasks.append(CleanTask(
            key=key, title=task_title, section=task.section, parent=task.parent,
            description=clean_text(task.description, where + ".description"),
            lead=_party(task.lead, where + ".lead", agencies),
            coordinating=[_party(c, f"{where}.coordinating[{m}]", agencies) for m, c in enumerate(task.coordinating)],
            timeframe_kind=kind, timeframe_text=clean_text(timeframe.text, where, limit=255), start=t_start,
            end=t_end,
        ))
    for row in tasks:
        if row.parent is not None and row.parent not in task_keys:
            raise invalid("invalid_draft", _("%(where)s: no task has the key “%(key)s”.")
                          % {"where": f"task {row.key}", "key": row.parent}, field="tasks")
    indicators: list[CleanIndicator] = []
    indicator_keys: set[str] = set()
    for n, indicator in enumerate(root.indicators):
        where = f"indicators[{n}]"
        key = clean_text(indicator.key, where + ".key", limit=48) or f"I{n + 1}"
        if key in indicator_keys:
            key = f"{key}-{n + 1}"
        indicator_keys.add(key)
        name = clean_text(indicator.name, where + ".name", required=True, limit=TITLE_MAX)
        unit = indicator.unit or IndicatorUnit.COUNT
        if unit not in IndicatorUnit.values:
            raise invalid("invalid_draft", _("%(where)s: the unit must be “count” or “percent”.")
                          % {"where": where}, field=where)
        targets = []
        for m, target in enumerate(indicator.targets):
            twhere = f"{where}.targets[{m}]"
            value = read_number(target.value, twhere + ".value")
            t0, t1 = read_date(target.start, twhere + ".start"), read_date(target.end, twhere + ".end")
            if value is None:
                raise invalid("invalid_draft", _("%(where)s: a number is expected.") % {"where": twhere},
                              field=twhere)
            t0, t1 = t0 or start, t1 or end
            if t1 < t0:
                raise invalid("invalid_draft", _("%(where)s: the target's period ends before it starts.")
                              % {"where": twhere}, field=twhere)
            targets.append(CleanTarget(label=clean_text(target.label, twhere, limit=64) or f"{t0.year} - {t1.year}",
                                       start=t0, end=t1, value=value))
        source = indicator.source or guess_indicator_source(name, unit)
        if source not in IndicatorSource.values:
            raise invalid("invalid_draft", _("%(where)s: unknown source of values.") % {"where": where},
                          field=where)
        indicators.append(CleanIndicator(key=key, name=name, unit=unit, source=source,
                                         baseline=read_number(indicator.baseline, where + ".baseline"),
                                         text=clean_text(indicator.text, where + ".text"), targets=targets))
    if not tasks:
        raise invalid("invalid_draft", _("The draft has no task: there is nothing to track."), field="tasks")
    return CleanPlan(
        number=number, symbol=symbol, issuer_text=issuer_text,
        issuing_agency=agencies.get(issuer_code) if issuer_code else None, date=date, title=title,
        legal_bases=legal_bases, period_start=start, period_end=end, phases=phases, filename=filename,
        sections=sections, tasks=tasks, indicators=indicators,
    )


def do_import_plan(actor: User, draft: Draft | dict[str, Any], *, agency: Agency | None = None) -> Plan:
    """Create a plan from a reviewed draft, all or nothing.

    `agency` is the coordinating agency (the one that runs the plan and consolidates the reports); by default
    the actor's own agency.
    """
    clean = check_import_plan(actor, draft)
    coordinating = agency or getattr(actor, "agency", None)
    with transaction.atomic():
        plan = Plan.objects.create(
            number=clean.number, symbol=clean.symbol, issuer_text=clean.issuer_text,
            issuing_agency=clean.issuing_agency, coordinating_agency=coordinating, date=clean.date,
            title=clean.title, legal_bases=clean.legal_bases, period_start=clean.period_start,
            period_end=clean.period_end, phases=clean.phases, created_by=actor, source_filename=clean.filename,
        )
        sections: dict[str, Section] = {}
        for position, section in enumerate(clean.sections):
            sections[section.key] = Section.objects.create(plan=plan, key=section.key, title=section.title,
                                                            position=position)
        for section in clean.sections:
            if section.parent:
                Section.objects.filter(pk=sections[section.key].pk).update(parent=sections[section.parent])
        tasks: dict[str, Task] = {}
        for position, row in enumerate(clean.tasks):
            start, end = row.start, row.end
            if row.timeframe_kind in RECURRING_KINDS:
                start, end = start or plan.period_start, end or plan.period_end
            task = Task.objects.create(
                plan=plan, section=sections.get(row.section) if row.section else None, key=row.key,
                title=row.title, description=row.description, lead_agency=row.lead.agency,
                lead_group=row.lead.group, lead_text=row.lead.text, timeframe_kind=row.timeframe_kind,
                timeframe_text=row.timeframe_text, start=start, end=end, position=position,
            )
            tasks[row.key] = task
            for party in row.coordinating:
                TaskCoordinator.objects.create(task=task, agency=party.agency, group=party.group, text=party.text)
        for row in clean.tasks:
            if row.parent:
                Task.objects.filter(pk=tasks[row.key].pk).update(parent=tasks[row.parent])
        for position, item in enumerate(clean.indicators):
            indicator = Indicator.objects.create(
                plan=plan, key=item.key, name=item.name, unit=item.unit, baseline=item.baseline,
                text=item.text, source=item.source, position=position,
            )
            for target in item.targets:
                IndicatorTarget.objects.create(indicator=indicator, label=target.label, start=target.start,
                                               end=target.end, value=target.value)
        plan.reporting_agencies.set(reporting_agency_ids(plan))
        ensure_periods(plan)
        audit.record(actor, "programme.plan.import", plan, agency_id=coordinating.pk if coordinating else None,
                     tasks=len(tasks), indicators=len(clean.indicators), reference=plan.reference)
    return plan


def do_save_draft(actor: User, filename: str, data: Draft | dict[str, Any]) -> PlanDraft:
    """Keep a draft for review (its JSON form, `Draft.to_json`)."""
    if not perms.can_create_plan(actor):
        raise PermissionDenied(_("Only plan managers may create plans."))
    with transaction.atomic():
        draft = PlanDraft.objects.create(created_by=actor, filename=clean_line(filename)[:255],
                                         data=as_draft(data).to_json())
        audit.record(actor, "programme.draft.create", draft, agency_id=actor.agency_id, filename=draft.filename)
    return draft


def do_read_plan_upload(actor: User, upload: Any) -> PlanDraft:
    """A plan file uploaded in the browser → the importer's draft, kept for review. Nothing else is written."""
    from ttdn.content import ingest
    from ttdn.content.screening import refuse_secrets
    from ttdn.documents.plan_import import match_sites, read_draft, read_plan_file

    if not perms.can_create_plan(actor):
        raise PermissionDenied(_("Only plan managers may create plans."))
    name = upload.name or "plan"
    with ingest.stage_upload(upload) as path:
        text = read_plan_file(path, name)
    refuse_secrets(text)  # the draft keeps the plan's text: the same screen as every file
    data = match_sites(read_draft(text, agencies=Agency.objects.all()))
    return do_save_draft(actor, name, data)


def check_draft(actor: User, draft: PlanDraft) -> None:
    if draft.created_by_id != actor.pk and not perms.is_operator(actor):
        raise NotFound(_("No such draft."))
    if draft.plan_id is not None:
        raise Conflict(_("This draft has already been saved as a plan."), code="draft_used")


def do_update_draft(actor: User, draft: PlanDraft, data: Draft) -> PlanDraft:
    """The reviewer's corrections kept (see `programme.views.drafts`)."""
    check_draft(actor, draft)
    with transaction.atomic():
        draft.data = data.to_json()
        draft.save(update_fields=["data"])
        audit.record(actor, "programme.draft.update", draft, agency_id=actor.agency_id)
    return draft


def do_confirm_draft(actor: User, draft: PlanDraft) -> Plan:
    """The reviewed draft becomes the plan, with what the reviewer accepted of its proposals, all or nothing.
    The draft is locked first, so confirming twice (a double click, two tabs) creates one plan."""
    with transaction.atomic():
        locked = PlanDraft.objects.select_for_update().get(pk=draft.pk)
        check_draft(actor, locked)
        typed = as_draft(locked.data)
        if not typed.plan.issuer_agency:
            # Reports, signatures and the plan's province follow the issuer: it is chosen, not guessed later.
            raise invalid("no_issuer", _("Choose the agency that issued the plan before confirming (register it "
                                          "from the list of agencies not matched if it is missing)."),
                           field="plan.issuer_agency")
        accepted = check_proposals(actor, typed)
        typed.filename = locked.filename
        plan = do_import_plan(actor, typed)
        _create_proposed(actor, plan, accepted)
        locked.plan = plan
        locked.save(update_fields=["plan"])
    draft.plan = plan
    return plan


@dataclass
class AcceptedProposal:
    """A proposal the reviewer accepted, checked: what confirming the draft creates in the registries."""

    task: DraftTask
    training: TrainingProposal | None = None
    first_day: dt.date | None = None
    equipment: EquipmentProposal | None = None
    sites: list[BorderSite] = field(default_factory=list)


def _month(text: str | None) -> dt.date | None:
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", (text or "").strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        return None
    return dt.date(int(found.group(1)), int(found.group(2)), 1)


def check_proposals(actor: User, draft: Draft) -> list[AcceptedProposal]:
    """The proposals the reviewer accepted (training classes, equipment at border sites), each complete and
    allowed; refused with the task and what is missing, before anything is written."""
    accepted: list[AcceptedProposal] = []
    for task in draft.tasks:
        for proposal in task.proposals:
            if not proposal.accepted:
                continue
            where = str(_("task %(key)s") % {"key": task.key})
            if not perms.can_manage_registries(actor):
                raise PermissionDenied(_("Only plan managers keep the training and equipment registries."))
            if isinstance(proposal, TrainingProposal):
                accepted.append(_check_training(task, proposal, where))
            else:
                accepted.append(_check_equipment(actor, task, proposal, where))
    return accepted


def _check_training(task: DraftTask, proposal: TrainingProposal, where: str) -> AcceptedProposal:
    if proposal.course_id is not None:
        if not Course.objects.filter(pk=proposal.course_id).exists():
            raise invalid("invalid_proposal", _("%(where)s: choose a course.") % {"where": where}, field=where)
    elif proposal.course_kind not in CourseKind.values or not clean_line(proposal.course):
        raise invalid("invalid_proposal", _("%(where)s: choose a course, or the kind of the new course.")
                      % {"where": where}, field=where)
    if not 1 <= proposal.classes <= 50:
        raise invalid("invalid_proposal", _("%(where)s: the number of classes must be between 1 and 50.")
                      % {"where": where}, field=where)
    if not proposal.capacity or proposal.capacity < 1 or not proposal.hours or proposal.hours < 1:
        raise invalid("invalid_proposal", _("%(where)s: give the participants per class and the hours (at "
                                            "least 1).") % {"where": where}, field=where)
    first_day = _month(proposal.month)
    if first_day is None:
        raise invalid("invalid_proposal", _("%(where)s: give the month of the classes (mm/yyyy).")
                      % {"where": where}, field=where)
    if not clean_line(proposal.venue):
        raise invalid("invalid_proposal", _("%(where)s: give the venue of the classes.") % {"where": where},
                      field=where)
    return AcceptedProposal(task=task, training=proposal, first_day=first_day)


def _check_equipment(actor: User, task: DraftTask, proposal: EquipmentProposal, where: str) -> AcceptedProposal:
    if proposal.equipment not in EquipmentKind.values:
        raise invalid("invalid_proposal", _("%(where)s: choose a kind of equipment.") % {"where": where},
                      field=where)
    if not proposal.places:
        raise invalid("invalid_proposal", _("%(where)s: the task names no place for the equipment.")
                      % {"where": where}, field=where)
    scope = perms.manager_province_ids(actor)
    sites = []
    for place in proposal.places:
        site = BorderSite.objects.filter(code=place.site).first() if place.site else None
        if site is None:
            raise invalid("invalid_proposal", _("%(where)s: choose or register the border site of “%(place)s” "
                                                "first.") % {"where": where, "place": place.name}, field=where)
        if scope is not None and site.province_id not in scope:
            raise PermissionDenied(_("This site belongs to another province."))
        sites.append(site)
    return AcceptedProposal(task=task, equipment=proposal, sites=sites)


def _create_proposed(actor: User, plan: Plan, accepted: Sequence[AcceptedProposal]) -> None:
    """The records the accepted proposals ask for, in the plan's transaction (through the registries' own steps,
    each audited); each names the plan and task it came from."""
    from ttdn.programme.services.registries import ClassData, do_save_class, do_save_course, do_save_equipment

    classes = equipment = 0
    for item in accepted:
        origin = f"{plan.reference or plan.title[:80]}, {item.task.key}"
        if item.training is not None and item.first_day is not None:
            proposal = item.training
            course = Course.objects.get(pk=proposal.course_id) if proposal.course_id is not None else (
                do_save_course(actor, proposal.course[:300], proposal.course_kind))
            last_day = (item.first_day + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            for n in range(1, proposal.classes + 1):
                number = f" ({n}/{proposal.classes})" if proposal.classes > 1 else ""
                do_save_class(actor, ClassData(
                    course_id=course.pk, title=f"{course.name[:200]}{number} – {origin}"[:300],
                    start=item.first_day, end=last_day, venue=proposal.venue[:300], capacity=proposal.capacity or 1,
                    duration_hours=proposal.hours or 1))
                classes += 1
        if item.equipment is not None:
            for site in item.sites:
                do_save_equipment(actor, site, kind=item.equipment.equipment, status=EquipmentStatus.PLANNED,
                                  label=item.task.title[:200], notes=origin)
                equipment += 1
    if accepted:
        audit.record(actor, "programme.draft.proposals_accepted", plan, agency_id=actor.agency_id,
                     classes=classes, equipment=equipment)


@dataclass
class NewSite:
    """A border site a reviewer registers from a draft's list of places not matched: its name, kind (a
    `SiteKind` value) and the commune it stands in (a name in the plan's province; a border commune is itself)."""

    name: str
    kind: str
    commune: str = ""
    place: ProposedPlace | None = None  # the place of the draft it is registered for: that place is this site


@dataclass
class NewAgency:
    """An agency a reviewer registers from a draft's list of names not matched: `parent` is an existing agency's
    code, or "new:N" for the N-th agency registered in the same step (a post under its command)."""

    name: str
    kind: str
    parent: str = ""


# Kinds a reviewer may register for a province; ministries and central offices are the operators'.
REGISTRABLE_KINDS = [k for k in AgencyKind.values if k not in (AgencyKind.MINISTRY, AgencyKind.CENTRAL_OFFICE)]


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", fold_words(text)))


def check_register_agencies(actor: User, draft: PlanDraft, rows: Sequence[NewAgency],
                            sites: Sequence[NewSite] = ()) -> Any:
    """The draft's province, once the actor may register these agencies and border sites there and each row is
    valid."""
    return _check_register(actor, draft, rows, sites)[0]


def _check_register(actor: User, draft: PlanDraft, rows: Sequence[NewAgency],
                    sites: Sequence[NewSite]) -> tuple[Any, list[Any]]:
    """`check_register_agencies`, and each new site's commune."""
    from ttdn.documents.agency_match import resolve_province

    check_draft(actor, draft)
    plan = as_draft(draft.data).plan
    province = resolve_province(plan.province) if plan.province else None
    if province is None:
        raise invalid("no_province", _("The plan's province is not known, so agencies cannot be registered "
                                        "for it; an operator can add them to the agency list."))
    if not perms.can_register_agencies(actor, province.pk):
        raise PermissionDenied(_("Only plan managers of this province, central plan managers and operators may "
                                 "register its agencies."))
    if not rows and not sites:
        raise invalid("nothing_chosen", _("Choose at least one agency or border site to register."))
    if len(rows) > 50:
        raise invalid("too_many", _("At most 50 agencies can be registered at once."))
    names: set[str] = set()
    for n, row in enumerate(rows):
        name = clean_line(row.name)
        if not name:
            raise invalid("invalid", _("An agency needs a name."), field=f"new_{n}_name")
        if len(name) > 255:
            raise invalid("invalid", _("The name is too long (at most 255 characters)."), field=f"new_{n}_name")
        if row.kind not in REGISTRABLE_KINDS:
            raise invalid("invalid", _("Choose the kind of agency."), field=f"new_{n}_kind")
        if fold_words(name) in names or Agency.objects.filter(province=province, name__iexact=name).exists():
            raise Conflict(_("“%(name)s” is already registered.") % {"name": name}, code="agency_exists")
        names.add(fold_words(name))
        if row.parent.startswith("new:"):
            index = row.parent.removeprefix("new:")
            if not index.isdigit() or int(index) >= n:
                raise invalid("invalid", _("The parent must be registered before its units."),
                               field=f"new_{n}_parent")
        elif row.parent and not Agency.objects.filter(code=row.parent).filter(
                Q(province=province) | Q(province__isnull=True)).exists():
            raise invalid("invalid", _("The parent agency is not of this province."), field=f"new_{n}_parent")
    return province, _site_communes(province, sites)


def _site_communes(province: Any, sites: Sequence[NewSite]) -> list[Any]:
    """Each new site's commune in the province (None where none is named), once every row is valid."""
    from ttdn.places.models import SiteKind, UnitLevel
    from ttdn.places.services import find_units

    if len(sites) > 50:
        raise invalid("too_many", _("At most 50 border sites can be registered at once."))
    communes = []
    names: set[tuple[str, str]] = set()
    for n, row in enumerate(sites):
        name = clean_line(row.name)
        if not name or len(name) > 200:
            raise invalid("invalid", _("A border site needs a name (at most 200 characters)."),
                          field=f"site_{n}_name")
        if row.kind not in SiteKind.values:
            raise invalid("invalid", _("Choose the kind of border site."), field=f"site_{n}_kind")
        if (row.kind, fold_words(name)) in names or BorderSite.objects.filter(
                province=province, kind=row.kind, name__iexact=name).exists():
            raise Conflict(_("“%(name)s” is already registered.") % {"name": name}, code="site_exists")
        names.add((row.kind, fold_words(name)))
        commune = clean_line(row.commune) or (name if row.kind == SiteKind.BORDER_COMMUNE else "")
        unit = None
        if commune:
            # current communes first; a site may stand in one merged away since the plan was written
            unit = find_units(commune, level=UnitLevel.COMMUNE, province=province).first()
            if unit is None:
                raise invalid("invalid", _("No commune “%(name)s” in %(province)s.")
                              % {"name": commune, "province": province.short_name}, field=f"site_{n}_commune")
        communes.append(unit)
    return communes


def do_register_agencies(actor: User, draft: PlanDraft, rows: Sequence[NewAgency],
                         sites: Sequence[NewSite] = ()) -> list[Agency | BorderSite]:
    """Register, in one step from the review screen, the agencies a draft names that are missing (name, kind,
    the plan's province, parent) and the border sites its equipment is proposed for; then match the draft again,
    so the tasks they lead are theirs and the equipment has its sites. What was registered, agencies first."""
    from ttdn.accounts.services import AgencyData, do_register_agency
    from ttdn.documents.plan_import import match_sites, rematch_draft
    from ttdn.places.services import SiteData, do_register_site

    with transaction.atomic():
        draft = PlanDraft.objects.select_for_update().get(pk=draft.pk)
        province, communes = _check_register(actor, draft, rows, sites)
        created: list[Agency] = []
        for row in rows:
            parent = created[int(row.parent[4:])] if row.parent.startswith("new:") else (
                Agency.objects.get(code=row.parent) if row.parent else None)
            base = f"{_slug(province.short_name)}-{_slug(row.name)}"[:60].rstrip("-")
            code, n = base, 2
            while Agency.objects.filter(code=code).exists():
                code, n = f"{base[:57]}-{n}", n + 1
            created.append(do_register_agency(actor, AgencyData(
                code=code, name=row.name, kind=row.kind, parent=parent, province_id=province.pk)))
        new_sites: list[BorderSite] = []
        for site_row, commune in zip(sites, communes, strict=True):
            base = f"{_slug(province.short_name)}-{_slug(site_row.kind)}-{_slug(site_row.name)}"[:60].rstrip("-")
            code, n = base, 2
            while BorderSite.objects.filter(code=code).exists():
                code, n = f"{base[:57]}-{n}", n + 1
            new_sites.append(do_register_site(actor, SiteData(
                code=code, name=clean_line(site_row.name), kind=site_row.kind, province_id=province.pk,
                admin_unit_id=commune.pk if commune is not None else None)))
        typed = as_draft(draft.data)
        # A place registered from the list is the site registered for it, whatever name or kind the reviewer gave
        # it; the other places are matched again by name.
        chosen = {(row.place.kind, row.place.name): site.code
                  for row, site in zip(sites, new_sites, strict=True) if row.place is not None}
        for task in typed.tasks:
            for proposal in task.proposals:
                for place in proposal.places if isinstance(proposal, EquipmentProposal) else []:
                    if place.site is None and (place.kind, place.name) in chosen:
                        place.site = chosen[(place.kind, place.name)]
        draft.data = match_sites(rematch_draft(typed, Agency.objects.all())).to_json()
        draft.save(update_fields=["data"])
        audit.record(actor, "programme.draft.agencies_registered", draft, agency_id=actor.agency_id,
                     codes=[a.code for a in created], sites=[s.code for s in new_sites])
    return [*created, *new_sites]
