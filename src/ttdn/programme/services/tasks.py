"""A plan's tasks (added or corrected by its managers) and their progress updates with evidence."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Agency, User
from ttdn.content.models import Item, State
from ttdn.core import audit
from ttdn.core.errors import NotFound, PermissionDenied
from ttdn.programme import permissions as perms
from ttdn.programme.models import (
    STORED_TASK_STATUSES,
    AgencyGroup,
    Evidence,
    Plan,
    ProgressUpdate,
    Task,
    TaskCoordinator,
    TimeframeKind,
)
from ttdn.programme.services.common import TITLE_MAX, check_manage, clean_text, invalid
from ttdn.programme.services.scope import leads_task, plan_agencies, task_agency_ids


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
    key = clean_text(data.key, "key", required=True, limit=48)
    title = clean_text(data.title, "title", required=True, limit=TITLE_MAX)
    if data.timeframe_kind not in TimeframeKind.values:
        raise invalid("invalid", _("Choose a kind of timeframe."), field="timeframe_kind")
    if data.status and data.status not in dict(STORED_TASK_STATUSES):
        raise invalid("invalid", _("Choose a status."), field="status")
    groups = [data.lead_group, *data.coordinating_groups] if data.lead_group else list(data.coordinating_groups)
    if any(group not in AgencyGroup.values for group in groups):
        raise invalid("invalid", _("Unknown group of agencies."),
                       field="lead_group" if data.lead_group not in AgencyGroup.values else "coordinating_groups")
    # A task imported with its lead only as the plan wrote it (no agency found) keeps that wording until someone
    # picks the agency, so its other fields can be corrected meanwhile; a lead once chosen cannot be cleared.
    unresolved = task is not None and task.lead_text and task.lead_agency_id is None and not task.lead_group
    if data.lead_agency_id is None and not data.lead_group and not unresolved:
        raise invalid("invalid", _("Choose the lead agency or group."), field="lead_agency")
    allowed = plan_agencies(plan)
    lead = allowed.filter(pk=data.lead_agency_id).first() if data.lead_agency_id is not None else None
    if data.lead_agency_id is not None and lead is None:
        raise invalid("invalid", _("This agency has no part in the plan's province."), field="lead_agency")
    coordinating = set(data.coordinating_agency_ids)
    if allowed.filter(pk__in=coordinating).count() != len(coordinating):
        raise invalid("invalid", _("A coordinating agency has no part in the plan's province."),
                       field="coordinating_agencies")
    if data.start and data.end and data.end < data.start:
        raise invalid("invalid", _("The end must not come before the start."), field="end")
    for name, day in (("start", data.start), ("end", data.end)):
        if day is not None and not plan.period_start <= day <= plan.period_end:
            raise invalid("invalid", _("The date must fall within the plan's period (%(start)s – %(end)s).")
                           % {"start": plan.period_start.strftime("%d/%m/%Y"),
                              "end": plan.period_end.strftime("%d/%m/%Y")}, field=name)
    section = None
    if data.section_id is not None:
        section = plan.sections.filter(pk=data.section_id).first()
        if section is None:
            raise invalid("invalid", _("This section is not part of the plan."), field="section")
    parent = None
    if data.parent_id is not None:
        parent = plan_parent_choices(plan, task).filter(pk=data.parent_id).first()
        if parent is None:
            raise invalid("invalid", _("A task can only be a sub-task of another task of the same plan."),
                           field="parent")
    others = plan.tasks.filter(key=key)
    if task is not None:
        others = others.exclude(pk=task.pk)
    if others.exists():
        raise invalid("invalid", _("Another task already has this number."), field="key")
    return {
        "key": key, "title": title, "description": clean_text(data.description, "description"),
        "section": section, "parent": parent, "lead_agency": lead, "lead_group": data.lead_group,
        "timeframe_kind": data.timeframe_kind,
        "timeframe_text": clean_text(data.timeframe_text, "timeframe_text", limit=255),
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
    body = clean_text(text, "text", required=True)
    if status and status not in dict(STORED_TASK_STATUSES):
        raise invalid("invalid", _("Choose a status."), field="status")
    if status and not perms.can_manage_plan(actor, task.plan) and not leads_task(task, agency):
        raise PermissionDenied(_("Only the lead agency sets this task's status; report your agency's part "
                                 "without a status."), field="status")
    items: list[Item] = []
    if item_uids:
        wanted = {str(u) for u in item_uids}
        try:
            items = list(content_perms.visible_items(actor).filter(uid__in=wanted, state=State.PUBLISHED))
        except Exception:  # a malformed id
            items = []
        if len(items) != len(wanted):
            raise invalid("invalid", _("Only published material can be linked as evidence."), field="items")
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
    from ttdn.content import ingest
    from ttdn.content.files import sniff

    check_add_progress(actor, task)
    for upload in uploads:
        sniff.check_received_size(upload.name or "", int(upload.size or 0))
    with contextlib.ExitStack() as stack:
        paths = [stack.enter_context(ingest.stage_upload(upload)) for upload in uploads]
        return do_add_progress(actor, task, text, status=status, item_uids=item_uids,
                               files=[(p, u.name or "") for p, u in zip(paths, uploads, strict=True)])
