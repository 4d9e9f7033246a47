"""Every change the translation desk makes. `check_…` validates and authorises, `do_…` is the transaction:
it locks the item (every writer of an item takes that lock first), then the job, authorises under the locks,
writes, records the audit entry. A translation reaches content only through content's services
(`apply_translation`, `apply_minor_source_change`): an approved job becomes the reviewed language version,
public with its item."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Role, User
from ttdn.accounts.permissions import has_role, translator_languages
from ttdn.content import permissions as perms
from ttdn.content import services as content
from ttdn.content.models import Item, State, TranslationState, Variant
from ttdn.core import audit, languages
from ttdn.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from ttdn.core.text import nfc
from ttdn.core.transactions import durable
from ttdn.translation import notices
from ttdn.translation import segmenter as seg
from ttdn.translation.models import Job, JobState, MemoryUnit, Segment

# Items translations are asked for: the material is approved (or already published).
REQUESTABLE_STATES = frozenset({State.APPROVED, State.PUBLISHED})
# Pivot versions a translation may be made from besides the item's source.
PIVOT_LANGUAGES = ("vi", "en")
TARGET_MAX = 20_000
COMMENT_MAX = 2_000
OPEN_STATES = frozenset({JobState.REQUESTED, JobState.IN_PROGRESS, JobState.RETURNED})


def _invalid(field_name: str, message: Any) -> ServiceError:
    return ServiceError("invalid", message, field=field_name)


# ------------------------------------------------------------------------------------------ who may


def is_desk_editor(user: Any) -> bool:
    """Central editors run the desk: request, assign, review."""
    return has_role(user, Role.APPRAISER)


def may_see_job(user: Any, job: Job) -> bool:
    if not perms.can_view(user, job.item):
        return False
    if is_desk_editor(user):
        return True
    if job.translator_id is None:
        return job.language in translator_languages(user)
    return job.translator_id == getattr(user, "pk", None)


def may_edit_segments(user: Any, job: Job) -> bool:
    """The assigned translator while the job is with them; central editors (the reviewer) until approval."""
    if job.state >= JobState.APPROVED or not perms.can_view(user, job.item):
        return False
    if is_desk_editor(user):
        return True
    # An unassigned job is open to every translator into its language; the first to save takes it.
    return (job.translator_id in (None, getattr(user, "pk", None)) and job.state in OPEN_STATES
            and job.language in translator_languages(user))


def translators_for(item: Item, language: str) -> list[User]:
    qs = User.objects.filter(is_active=True, role_grants__role=Role.TRANSLATOR,
                             role_grants__language=language).distinct().order_by("username")
    return [u for u in qs if perms.can_translate(u, item, language)]


def reviewers_for(item: Item) -> list[User]:
    qs = User.objects.filter(is_active=True, role_grants__role=Role.APPRAISER).distinct().order_by("username")
    return [u for u in qs if perms.can_review_translation(u, item)]


# ----------------------------------------------------------------------------------------- requests


@dataclass
class RequestData:
    languages: Sequence[str]
    from_language: str = ""  # "" = the item's source language
    translator_id: int | None = None
    reviewer_id: int | None = None
    due: dt.date | None = None


def _from_variant(item: Item, language: str) -> Variant:
    variant = item.variants.filter(language=language).select_related("source_variant").first()
    if variant is None:
        raise _invalid("from_language", _("This material has no %(lang)s version to translate from.") % {
            "lang": languages.name(language)})
    source_revision = item.variants.filter(language=item.source_language).values_list("revision", flat=True).first()
    if not perms.is_ready(variant, source_revision):
        raise _invalid("from_language", _("The %(lang)s version is not reviewed yet; it cannot be a pivot.") % {
            "lang": languages.name(language)})
    return variant


def _person(pk: int | None, field_name: str) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise _invalid(field_name, _("Unknown person."))
    return user


def _check_people(item: Item, language: str, translator: User | None, reviewer: User | None) -> None:
    if translator is not None and translator not in translators_for(item, language):
        raise _invalid("translator", _("%(name)s does not translate into %(lang)s.") % {
            "name": translator.display_name(), "lang": languages.name(language)})
    if reviewer is not None:
        if reviewer not in reviewers_for(item):
            raise _invalid("reviewer", _("%(name)s may not review translations.") % {"name": reviewer.display_name()})
        if translator is not None and reviewer.pk == translator.pk:
            raise _invalid("reviewer", _("The reviewer must be another person than the translator."))


def check_request(actor: User, item: Item, data: RequestData) -> tuple[list[str], Variant, User | None, User | None]:
    if not is_desk_editor(actor) or not perms.can_view(actor, item):
        raise PermissionDenied(_("Only a central editor may ask for translations."))
    if item.state not in REQUESTABLE_STATES:
        raise Conflict(_("Translations are asked for once the material is approved."), code="not_approved")
    tags: list[str] = []
    for raw in data.languages:
        tag = languages.canonical_tag(raw)
        if tag is None:
            raise _invalid("languages", _("Unknown language “%(tag)s”.") % {"tag": raw})
        if tag not in tags:
            tags.append(tag)
    if not tags:
        raise _invalid("languages", _("Choose at least one language."))
    from_language = languages.canonical_tag(data.from_language or item.source_language)
    if from_language is None or (from_language != item.source_language and from_language not in PIVOT_LANGUAGES):
        raise _invalid("from_language", _("Translate from the source or from its English or Vietnamese version."))
    if from_language in tags or item.source_language in tags:
        raise _invalid("languages", _("A version cannot be translated into its own language."))
    taken = sorted(Job.objects.filter(item=item, language__in=tags).values_list("language", flat=True))
    if taken:
        raise Conflict(_("A translation into %(langs)s was already asked for.") % {
            "langs": ", ".join(languages.name(t) for t in taken)}, code="already_requested")
    source = _from_variant(item, from_language)
    translator = _person(data.translator_id, "translator")
    reviewer = _person(data.reviewer_id, "reviewer")
    for tag in tags:
        _check_people(item, tag, translator, reviewer)
    if data.due is not None and data.due < timezone.localdate():
        raise _invalid("due", _("The due date has already passed."))
    return tags, source, translator, reviewer


def _segments_for(job: Job, variant: Variant) -> list[Segment]:
    now = timezone.now()
    return [
        Segment(job=job, position=n, part=p.part, block=p.block, tag=p.tag, wrap=p.wrap, source=p.text,
                source_hash=p.digest, updated_at=now)
        for n, p in enumerate(seg.pieces(variant.title, variant.summary, variant.body, variant.language))
    ]


def do_request(actor: User, item: Item, data: RequestData) -> list[Job]:
    """Ask for translations of an item into several languages at once, each a job of its own."""
    with durable():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        tags, source, translator, reviewer = check_request(actor, locked, data)
        now = timezone.now()
        jobs: list[Job] = []
        for tag in tags:
            job = Job.objects.create(
                item=locked, language=tag, from_language=source.language, source_revision=source.revision,
                translator=translator, reviewer=reviewer, requested_by=actor, due=data.due, created_at=now,
                updated_at=now)
            Segment.objects.bulk_create(_segments_for(job, source))
            audit.record(actor, "translation.job.request", job, agency_id=locked.agency_id, language=tag,
                         from_language=source.language, source_revision=source.revision,
                         translator=translator.pk if translator else None,
                         reviewer=reviewer.pk if reviewer else None)
            recipients = [translator] if translator else translators_for(locked, tag)
            notices.notify(recipients, notices.ASSIGNED, job, actor)
            jobs.append(job)
    return jobs


def _lock_job(job: Job) -> Job:
    """The item's lock first (as every writer of an item), then the job as it is now."""
    list(Item.objects.select_for_update().filter(pk=job.item_id).values_list("pk", flat=True))
    try:
        return Job.objects.select_for_update(of=("self",)).select_related("item").get(pk=job.pk)
    except Job.DoesNotExist:
        raise NotFound(_("This translation job no longer exists."), code="not_found") from None


def check_assign(actor: User, job: Job, translator: User | None, reviewer: User | None) -> None:
    if not is_desk_editor(actor) or not perms.can_view(actor, job.item):
        raise PermissionDenied(_("Only a central editor may assign translations."))
    if job.state >= JobState.APPROVED:
        raise Conflict(_("This translation is already approved."), code="approved")
    _check_people(job.item, job.language, translator, reviewer)


def do_assign(actor: User, job: Job, translator_id: int | None, reviewer_id: int | None,
              due: dt.date | None = None) -> Job:
    with durable():
        locked = _lock_job(job)
        translator = _person(translator_id, "translator")
        reviewer = _person(reviewer_id, "reviewer")
        check_assign(actor, locked, translator, reviewer)
        newly_assigned = translator is not None and translator.pk != locked.translator_id
        locked.translator, locked.reviewer = translator, reviewer
        if due is not None:
            locked.due, locked.overdue_noticed = due, False
        locked.updated_at = timezone.now()
        locked.save()
        audit.record(actor, "translation.job.assign", locked, agency_id=locked.item.agency_id,
                     translator=translator_id, reviewer=reviewer_id, due=due.isoformat() if due else None)
        if newly_assigned:
            notices.notify([translator], notices.ASSIGNED, locked, actor)
    return locked


# ------------------------------------------------------------------------------------------ segments


def check_save_segment(actor: User, job: Job, segment: Segment, target: str) -> str:
    if not may_edit_segments(actor, job):
        if job.state >= JobState.APPROVED:
            raise Conflict(_("This translation is approved; it is no longer edited here."), code="approved")
        raise PermissionDenied(_("You may not work on this translation."))
    if segment.job_id != job.pk:
        raise NotFound(_("This segment is not part of the job."))
    clean = " ".join(nfc(target).split())
    if len(clean) > TARGET_MAX:
        raise _invalid("target", _("The translation of one sentence is longer than %(n)d characters.") % {
            "n": TARGET_MAX})
    return clean


def do_save_segment(actor: User, segment: Segment, target: str, origin: str = "typed") -> Segment:
    """Save one sentence's translation (the editor saves as you go). Saving a stale segment confirms it."""
    with durable():
        job = _lock_job(segment.job)
        try:
            current = Segment.objects.select_for_update().get(pk=segment.pk)
        except Segment.DoesNotExist:
            raise NotFound(_("This segment no longer exists; reload the page."), code="not_found") from None
        clean = check_save_segment(actor, job, current, target)
        old = current.target
        current.target, current.stale, current.old_source = clean, False, ""
        current.origin = origin if origin in {"typed", "memory", "fuzzy", "machine"} else "typed"
        current.updated_by, current.updated_at = actor, timezone.now()
        current.save()
        if job.state == JobState.REQUESTED:
            job.state = JobState.IN_PROGRESS
        if job.translator_id is None and not is_desk_editor(actor):
            job.translator = actor  # taken by the first translator who works on it
        job.updated_at = current.updated_at
        job.save(update_fields=["state", "updated_at", "translator"])
        audit.record(actor, "translation.segment.save", current, agency_id=job.item.agency_id, job=job.pk,
                     position=current.position, changed=old != clean, origin=current.origin)
    return current


# --------------------------------------------------------------------------------------- the workflow


def _texts(job: Job) -> tuple[str, str, str]:
    rows = [(s.part, s.block, s.tag, s.wrap, s.target) for s in job.segments.order_by("position")]
    return seg.rebuild(rows, job.language)


def check_submit(actor: User, job: Job) -> None:
    if not may_edit_segments(actor, job):
        raise PermissionDenied(_("You may not work on this translation."))
    if job.state not in OPEN_STATES:
        raise Conflict(_("This translation is already waiting for review."), code="not_open")
    missing = job.segments.filter(target="").count()
    if missing:
        raise Conflict(_("%(n)d sentences are not translated yet.") % {"n": missing}, code="incomplete")
    if job.segments.filter(stale=True).exists():
        raise Conflict(_("Some sentences changed in the source; check them first."), code="stale")


def do_submit(actor: User, job: Job) -> Job:
    """The translator is done: the text becomes the item's language version (not public until reviewed)."""
    with durable():
        locked = _lock_job(job)
        check_submit(actor, locked)
        title, summary, body = _texts(locked)
        content.apply_translation(actor, locked.item, locked.language, title, summary, body,
                                  TranslationState.TRANSLATED)
        locked.state, locked.return_comment, locked.updated_at = JobState.TRANSLATED, "", timezone.now()
        locked.submitted_by = actor
        locked.save(update_fields=["state", "return_comment", "updated_at", "submitted_by"])
        audit.record(actor, "translation.job.submit", locked, agency_id=locked.item.agency_id,
                     language=locked.language)
        recipients = [locked.reviewer] if locked.reviewer else reviewers_for(locked.item)
        notices.notify(recipients, notices.TO_REVIEW, locked, actor)
    return locked


def check_review(actor: User, job: Job) -> None:
    if not is_desk_editor(actor) or not perms.can_review_translation(actor, job.item):
        raise PermissionDenied(_("Only a central editor may review translations."))
    if job.reviewer_id is not None and job.reviewer_id != actor.pk:
        raise PermissionDenied(_("This translation is assigned to another reviewer."))
    if actor.pk in (job.translator_id, job.submitted_by_id):
        raise PermissionDenied(_("The reviewer must be another person than the translator."))
    if job.state != JobState.TRANSLATED:
        raise Conflict(_("Only a translation waiting for review can be reviewed."), code="not_translated")


def _remember(actor: User, job: Job) -> int:
    """Every approved sentence goes to the shared memory, with its context (kind, first topic)."""
    topic = job.item.topics.values_list("code", flat=True).first() or ""
    rows = {}
    for s in job.segments.exclude(target=""):
        rows[(s.source_hash, s.target)] = MemoryUnit(
            source_language=job.from_language, target_language=job.language, source=s.source, target=s.target,
            source_hash=s.source_hash, target_hash=seg.source_hash(s.target), kind=job.item.kind, topic=topic,
            origin=f"job:{job.pk}", created_by=actor)
    MemoryUnit.objects.bulk_create(list(rows.values()), ignore_conflicts=True)
    return len(rows)


def do_approve(actor: User, job: Job) -> Job:
    """A second person approves: the version is reviewed, so public with its item (at once if published)."""
    with durable():
        locked = _lock_job(job)
        check_review(actor, locked)
        title, summary, body = _texts(locked)
        content.apply_translation(actor, locked.item, locked.language, title, summary, body,
                                  TranslationState.REVIEWED)
        now = timezone.now()
        locked.state, locked.approved_at, locked.updated_at = JobState.APPROVED, now, now
        locked.save(update_fields=["state", "approved_at", "updated_at"])
        locked.segments.exclude(comment="").update(comment="")
        remembered = _remember(actor, locked)
        audit.record(actor, "translation.job.approve", locked, agency_id=locked.item.agency_id,
                     language=locked.language, remembered=remembered)
        notices.notify([locked.translator], notices.APPROVED, locked, actor)
    return locked


def do_return(actor: User, job: Job, comment: str, segment_comments: dict[int, str] | None = None) -> Job:
    """Send a translation back to its translator, with a word overall and per sentence."""
    with durable():
        locked = _lock_job(job)
        check_review(actor, locked)
        comment = nfc(comment).strip()
        per = {int(k): nfc(v).strip() for k, v in (segment_comments or {}).items() if nfc(v).strip()}
        if not comment and not per:
            raise _invalid("comment", _("Say what to change; the translator will read it."))
        if len(comment) > COMMENT_MAX or any(len(v) > COMMENT_MAX for v in per.values()):
            raise _invalid("comment", _("A comment is longer than %(n)d characters.") % {"n": COMMENT_MAX})
        known = set(locked.segments.filter(pk__in=list(per)).values_list("pk", flat=True))
        if set(per) - known:
            raise _invalid("comment", _("A comment names a sentence that is not part of the job."))
        for pk, text in per.items():
            Segment.objects.filter(pk=pk, job=locked).update(comment=text)
        locked.state, locked.return_comment, locked.updated_at = JobState.RETURNED, comment, timezone.now()
        locked.save(update_fields=["state", "return_comment", "updated_at"])
        audit.record(actor, "translation.job.return", locked, agency_id=locked.item.agency_id,
                     language=locked.language, comment=comment, segments=sorted(per))
        notices.notify([locked.translator], notices.RETURNED, locked, actor, reason=comment)
    return locked


# ----------------------------------------------------------------------------------- stale segments


def _resegment(job: Job, variant: Variant) -> int:
    """Take the source's new sentences, keeping each unchanged sentence's translation; a changed sentence
    keeps its old translation, marked stale with its old source beside it. Returns how many are stale."""
    old = list(job.segments.order_by("position"))
    new = seg.pieces(variant.title, variant.summary, variant.body, variant.language)
    matcher = difflib.SequenceMatcher(a=[s.source_hash for s in old], b=[p.digest for p in new], autojunk=False)
    rows: list[Segment] = []
    now = timezone.now()
    stale = 0

    def add(piece: seg.Piece, before: Segment | None, changed: bool) -> None:
        nonlocal stale
        target = before.target if before else ""
        is_stale = changed and bool(target)
        stale += is_stale
        rows.append(Segment(
            job=job, position=len(rows), part=piece.part, block=piece.block, tag=piece.tag, wrap=piece.wrap,
            source=piece.text, source_hash=piece.digest, target=target, stale=is_stale or (
                before.stale if before and not changed else False),
            old_source=(before.source if changed else before.old_source) if before and (is_stale or before.stale)
            else "",
            origin=before.origin if before else "", comment=before.comment if before else "",
            updated_by=before.updated_by if before else None, updated_at=before.updated_at if before else now))

    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            for k in range(b1 - b0):
                add(new[b0 + k], old[a0 + k], False)
        elif op == "replace":
            for k in range(b1 - b0):
                # A changed sentence pairs with the old one in its place; extra new sentences start empty.
                add(new[b0 + k], old[a0 + k] if a0 + k < a1 else None, True)
        elif op == "insert":
            for k in range(b0, b1):
                add(new[k], None, True)
        # "delete": a sentence gone from the source takes its translation with it.
    job.segments.all().delete()
    Segment.objects.bulk_create(rows)
    return stale


def follow_source_changes(item_ids: list[int]) -> None:
    """Listener of content.changes: jobs whose from-language version moved on take the new sentences."""
    jobs = list(Job.objects.filter(item_id__in=item_ids).select_related("item"))
    if not jobs:
        return
    revisions = {(v.item_id, v.language): v for v in Variant.objects.filter(
        item_id__in={j.item_id for j in jobs}, language__in={j.from_language for j in jobs})}
    for job in jobs:
        variant = revisions.get((job.item_id, job.from_language))
        if variant is None or variant.revision <= job.source_revision:
            continue
        old_revision = job.source_revision
        stale = _resegment(job, variant)
        job.source_revision = variant.revision
        untranslated = job.segments.filter(target="").exists()
        if (stale or untranslated) and job.state >= JobState.TRANSLATED:
            job.state = JobState.IN_PROGRESS  # back to the translator's queue
        job.updated_at = timezone.now()
        job.save(update_fields=["source_revision", "state", "updated_at"])
        audit.record(None, "translation.job.source_changed", job, agency_id=job.item.agency_id,
                     old_revision=old_revision, revision=variant.revision, stale_segments=stale)


def check_sign_off_minor(actor: User, job: Job) -> None:
    if not is_desk_editor(actor) or not perms.can_review_translation(actor, job.item):
        raise PermissionDenied(_("Only a central editor may sign a source edit off."))
    if not job.segments.filter(stale=True).exists():
        raise Conflict(_("No sentence of this translation is out of date."), code="not_stale")


def do_sign_off_minor(actor: User, job: Job) -> Job:
    """A reviewer judges the source edit minor: the translations stay valid as they are (audited)."""
    with durable():
        locked = _lock_job(job)
        check_sign_off_minor(actor, locked)
        positions = list(locked.segments.filter(stale=True).values_list("position", flat=True))
        locked.segments.filter(stale=True).update(stale=False, old_source="")
        variant = locked.item.variants.filter(language=locked.language).first()
        if locked.approved_at is not None and variant is not None:
            content.apply_minor_source_change(actor, variant)
            locked.state = JobState.APPROVED
        locked.updated_at = timezone.now()
        locked.save(update_fields=["state", "updated_at"])
        audit.record(actor, "translation.job.minor_source_change", locked, agency_id=locked.item.agency_id,
                     language=locked.language, segments=positions)
    return locked


# ------------------------------------------------------------------------------------------- overdue


def do_notice_overdue(today: dt.date | None = None) -> int:
    """Tell translators (and reviewers) once about jobs past their due date. Run by the worker."""
    today = today or timezone.localdate()
    count = 0
    due = Job.objects.filter(due__lt=today, overdue_noticed=False, state__lt=JobState.APPROVED)
    for pk in due.values_list("pk", flat=True):
        with durable():
            job = Job.objects.select_for_update().select_related("item").get(pk=pk)
            if job.overdue_noticed or job.due is None or job.due >= today or job.state >= JobState.APPROVED:
                continue
            job.overdue_noticed = True
            job.save(update_fields=["overdue_noticed"])
            people = [job.translator] if job.state < JobState.TRANSLATED else [job.reviewer]
            notices.notify(people, notices.OVERDUE, job, None, due=job.due.isoformat())
            audit.record(None, "translation.job.overdue", job, agency_id=job.item.agency_id)
            count += 1
    return count


def jobs_waiting(user: User) -> dict[str, list[Job]]:
    """The person's queues: to translate (theirs, and the unassigned ones into their languages), to review."""
    from django.db.models import Q

    base = Job.objects.select_related("item").order_by("due", "id")
    return {
        "translate": list(base.filter(state__in=list(OPEN_STATES)).filter(
            Q(translator=user) | Q(translator__isnull=True, language__in=sorted(translator_languages(user))))),
        "review": list(base.filter(state=JobState.TRANSLATED).filter(
            _reviewer_q(user))) if is_desk_editor(user) else [],
    }


def _reviewer_q(user: User) -> Any:
    from django.db.models import Q

    return (Q(reviewer=user) | Q(reviewer__isnull=True)) & ~Q(translator=user) & ~Q(submitted_by=user)



# ------------------------------------------------------------------------------- exchange and glossary


def changes_digest(changes: Sequence[Any]) -> str:
    """A fingerprint of the changes a person was shown, so only those are applied."""
    import hashlib

    text = "\n".join(f"{c.position}\t{c.old}\t{c.new}" for c in changes)
    return hashlib.sha256(text.encode()).hexdigest()


def do_import_xliff(actor: User, job: Job, data: bytes, shown: str) -> int:
    """Apply the translations of an XLIFF file to a job: exactly the changes shown to the person (their
    digest), all or nothing. Returns how many sentences changed."""
    from ttdn.translation import exchange

    with durable():
        locked = _lock_job(job)
        if not may_edit_segments(actor, locked):
            raise PermissionDenied(_("You may not work on this translation."))
        changes = exchange.read_xliff(locked, data)
        if changes_digest(changes) != shown:
            raise Conflict(_("The translation changed since the comparison was shown; look at it again."),
                           code="diff_changed")
        now = timezone.now()
        by_position = {s.position: s for s in locked.segments.select_for_update()}
        for change in changes:
            segment = by_position[change.position]
            if len(change.new) > TARGET_MAX:
                raise _invalid("file", _("The translation of one sentence is longer than %(n)d characters.") % {
                    "n": TARGET_MAX})
            segment.target, segment.stale, segment.old_source = change.new, False, ""
            segment.origin, segment.updated_by, segment.updated_at = "xliff", actor, now
            segment.save()
        if changes and locked.state == JobState.REQUESTED:
            locked.state = JobState.IN_PROGRESS
        locked.updated_at = now
        locked.save(update_fields=["state", "updated_at"])
        audit.record(actor, "translation.job.import_xliff", locked, agency_id=locked.item.agency_id,
                     positions=[c.position for c in changes])
    return len(changes)


def check_manage_references(actor: User) -> None:
    if not is_desk_editor(actor):
        raise PermissionDenied(_("Only a central editor may change the glossary or the memory."))


def do_import_terms(actor: User, entries: Sequence[Any]) -> int:
    """Add glossary terms (or change the status and note of those already there), all or nothing."""
    from ttdn.translation.models import Term

    check_manage_references(actor)
    with durable():
        for e in entries:
            Term.objects.update_or_create(
                source_language=e.source_language, target_language=e.target_language, source=e.source,
                target=e.target, defaults={"status": e.status, "note": e.note})
        audit.record(actor, "translation.glossary.import", None, terms=len(entries))
    return len(entries)


def do_import_memory(actor: User, entries: Sequence[Any]) -> int:
    """Add units to the shared memory (those already there are kept once). Returns how many were new."""
    check_manage_references(actor)
    with durable():
        before = MemoryUnit.objects.count()
        rows = [MemoryUnit(source_language=e.source_language, target_language=e.target_language, source=e.source,
                           target=e.target, source_hash=seg.source_hash(e.source),
                           target_hash=seg.source_hash(e.target), kind=e.kind, topic=e.topic, origin="tmx",
                           created_by=actor) for e in entries]
        MemoryUnit.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        added = MemoryUnit.objects.count() - before
        audit.record(actor, "translation.memory.import", None, read=len(entries), added=added)
    return added
