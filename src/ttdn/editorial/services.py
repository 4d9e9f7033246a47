"""Appraisal opinions and scheduled publication. Both end in a workflow step taken by
`ttdn.content.services.apply_transition` under the item's lock: the same checks, audit and notices as a
step taken by hand.

The opinion rule: every criterion asked must be marked passed or failed; a failed criterion needs a note
saying what is wrong; material with a failed criterion cannot be approved (return it instead); a return
needs a failed criterion or a comment, and the contributor reads both as the reason.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Role, User
from ttdn.content import permissions as perms
from ttdn.content import services as content
from ttdn.content.models import Item, State
from ttdn.core import audit
from ttdn.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from ttdn.core.text import nfc
from ttdn.editorial.models import Criterion, Decision, Opinion, OpinionCheck, Schedule
from ttdn.notices import kinds
from ttdn.notices.services import do_notify

logger = logging.getLogger(__name__)

SCHEDULE_FAILED = kinds.register(
    "editorial.schedule_failed", _("Scheduled publication failed"),
    _("“%(title)s” could not be published at the scheduled time."))

NOTE_MAX = 5000
COMMENT_MAX = 20000


def _invalid(field_name: str, message: Any) -> ServiceError:
    return ServiceError("invalid", message, field=field_name)


# ------------------------------------------------------------------------------------------ opinions


@dataclass
class OpinionData:
    decision: str  # "approve" or "return"
    # criterion id → (passed: True / False / None when not marked, note)
    checks: dict[int, tuple[bool | None, str]] = field(default_factory=dict)
    comment: str = ""


def criterion_field(criterion_id: int) -> str:
    return f"criterion_{criterion_id}"


def note_field(criterion_id: int) -> str:
    return f"note_{criterion_id}"


def asked_criteria() -> list[Criterion]:
    return list(Criterion.objects.filter(active=True))


def check_appraise(actor: User, item: Item, data: OpinionData) -> dict[str, Any]:
    if data.decision not in Decision.values:
        raise _invalid("decision", _("Choose to approve the material or to return it."))
    action = perms.ACTIONS[data.decision]
    if not perms.can_do(actor, item, action):
        raise PermissionDenied(_("You may not “%(action)s” this material.") % {"action": action.label})
    criteria = asked_criteria()
    asked = {c.pk for c in criteria}
    unknown = set(data.checks) - asked
    if unknown:
        raise _invalid("__all__", _("The checklist changed while you were filling it in; check it again."))
    checks: list[tuple[Criterion, bool, str]] = []
    for criterion in criteria:
        passed, note = data.checks.get(criterion.pk, (None, ""))
        note = nfc(note or "").strip()
        if passed is None:
            raise _invalid(criterion_field(criterion.pk), _("Mark “%(c)s” as passed or failed.") % {"c": criterion})
        if len(note) > NOTE_MAX:
            raise _invalid(note_field(criterion.pk), _("The note is longer than %(n)d characters.") % {"n": NOTE_MAX})
        if not passed and not note:
            raise _invalid(note_field(criterion.pk), _("Say what is wrong with “%(c)s”.") % {"c": criterion})
        checks.append((criterion, passed, note))
    comment = nfc(data.comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise _invalid("comment", _("The comment is longer than %(n)d characters.") % {"n": COMMENT_MAX})
    failed = [(c, note) for c, passed, note in checks if not passed]
    if data.decision == Decision.APPROVE and failed:
        raise Conflict(
            _("Material that fails a criterion (%(names)s) cannot be approved; return it for changes instead.")
            % {"names": ", ".join(str(c) for c, _note in failed)},
            code="criterion_failed",
        )
    if data.decision == Decision.RETURN and not failed and not comment:
        raise _invalid("comment", _("Say what must change: mark the criterion that failed or write a comment."))
    # The contributor reads the return's reason: the comment, then each failed criterion with its note.
    reason_lines = [comment] if comment else []
    reason_lines += [f"– {c}: {note}" for c, note in failed]
    return {"checks": checks, "comment": comment, "reason": "\n".join(reason_lines)}


def do_appraise(actor: User, item: Item, data: OpinionData) -> Opinion:
    """Approve or return the material with the opinion that led to it, in one transaction."""
    clean = check_appraise(actor, item, data)
    with transaction.atomic():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        # Authorised again under the lock by the workflow step itself.
        step = content.apply_transition(actor, locked, data.decision, clean["reason"], opinion_recorded=True)
        source = locked.variants.filter(language=locked.source_language).only("title").first()
        opinion = Opinion.objects.create(
            item=locked, transition=step, decision=data.decision, appraiser=actor,
            appraiser_name=actor.display_name(), comment=clean["comment"],
            title=source.title if source else "", created_at=step.at,
        )
        OpinionCheck.objects.bulk_create([
            OpinionCheck(opinion=opinion, criterion=c, criterion_name=c.name, criterion_name_en=c.name_en,
                         passed=passed, note=note, position=n)
            for n, (c, passed, note) in enumerate(clean["checks"])
        ])
        audit.record(actor, "editorial.opinion.record", opinion, agency_id=locked.agency_id,
                     item=str(locked.uid), decision=data.decision,
                     failed=[c.code for c, passed, _note in clean["checks"] if not passed])
    item.refresh_from_db()
    return opinion


# ------------------------------------------------------------------------------------ scheduling


def check_schedule(actor: User, item: Item, publish_at: dt.datetime, now: dt.datetime) -> None:
    publish = perms.ACTIONS["publish"]
    if not perms.can_do(actor, item, publish):
        if item.state != State.APPROVED:
            raise Conflict(_("Only approved material can be scheduled for publication."), code="invalid_transition")
        raise PermissionDenied(_("Only a publisher may schedule a publication."))
    if timezone.is_naive(publish_at):
        raise _invalid("publish_at", _("Give the date and time of publication."))
    if publish_at <= now:
        raise _invalid("publish_at", _("Choose a time in the future; to publish now, use “Publish”."))
    if item.valid_until and publish_at >= item.valid_until:
        raise _invalid("publish_at", _("The validity of this material ends before that time."))


def do_schedule_publication(actor: User, item: Item, publish_at: dt.datetime,
                            now: dt.datetime | None = None) -> Schedule:
    """Publish the item at `publish_at` (until then it stays approved and unseen). Replaces an earlier time."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        check_schedule(actor, locked, publish_at, now)
        schedule, created = Schedule.objects.update_or_create(
            item=locked, defaults={"publish_at": publish_at, "scheduled_by": actor, "created_at": now,
                                   "failed_at": None, "failure": ""})
        audit.record(actor, "editorial.schedule.set", locked, agency_id=locked.agency_id,
                     publish_at=publish_at.isoformat(), replaced=not created)
    return schedule


def do_cancel_schedule(actor: User, item: Item) -> None:
    with transaction.atomic():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        schedule = Schedule.objects.filter(item=locked).first()
        if schedule is None:
            raise NotFound(_("This material is not scheduled for publication."), code="not_scheduled")
        if not perms.can_do(actor, locked, perms.ACTIONS["publish"]):
            raise PermissionDenied(_("Only a publisher may cancel a scheduled publication."))
        audit.record(actor, "editorial.schedule.cancel", locked, agency_id=locked.agency_id,
                     publish_at=schedule.publish_at.isoformat())
        schedule.delete()


def do_publish_due(now: dt.datetime | None = None) -> int:
    """Publish every scheduled item whose time has come, as its publisher would by hand. Run by the worker
    and by `ttdn serve`'s sweep; several sweeps at once are harmless (each item is locked and checked again).

    A schedule that can no longer be carried out (the item left the approved state) is dropped; one that
    fails (the publisher lost the role, the validity ended) stays, marked with why, for a publisher to see."""
    now = now or timezone.now()
    published = 0
    due = Schedule.objects.filter(publish_at__lte=now).values_list("item_id", flat=True)
    for item_id in list(due):
        with transaction.atomic():
            item = Item.objects.select_for_update().filter(pk=item_id).first()
            schedule = Schedule.objects.select_for_update().filter(item_id=item_id).first()
            if item is None or schedule is None or schedule.publish_at > now:
                continue
            if item.state != State.APPROVED:
                audit.record(None, "editorial.schedule.drop", item, agency_id=item.agency_id, state=item.state)
                schedule.delete()
                continue
            try:
                if schedule.scheduled_by is None:
                    raise PermissionDenied(_("The account that scheduled this publication no longer exists."))
                with transaction.atomic():
                    content.apply_transition(schedule.scheduled_by, item, "publish")
            except ServiceError as exc:
                if schedule.failed_at is None:  # said once, not at every sweep
                    audit.record(None, "editorial.schedule.fail", item, agency_id=item.agency_id, code=exc.code)
                    _tell_schedule_failed(item, schedule, str(exc.message))
                schedule.failed_at, schedule.failure = now, str(exc.message)
                schedule.save(update_fields=["failed_at", "failure"])
                continue
            audit.record(schedule.scheduled_by, "editorial.schedule.publish", item, agency_id=item.agency_id,
                         publish_at=schedule.publish_at.isoformat())
            schedule.delete()
            published += 1
    return published


def _tell_schedule_failed(item: Item, schedule: Schedule, reason: str) -> None:
    """The publisher who scheduled it, and every publisher who could publish it instead."""
    publishers = [u for u in User.objects.filter(is_active=True, role_grants__role=Role.PUBLISHER).distinct()
                  if perms.can_do(u, item, perms.ACTIONS["publish"])]
    people = ([schedule.scheduled_by] if schedule.scheduled_by is not None else []) + publishers
    source = item.variants.filter(language=item.source_language).only("title").first()
    do_notify(people, SCHEDULE_FAILED.code, item, link=reverse("content:item_detail", kwargs={"uid": item.uid}),
              params={"title": source.title if source else str(item.uid), "reason": reason})
