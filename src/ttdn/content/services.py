"""Every operation that changes material. `check_…` validates and authorises; `do_…` is one durable
transaction (`core.transactions`): it locks the item first, authorises under the lock, writes and records the
audit entry. Views, the API, commands, tasks and tests call these only; what a form does in one go (an item
with its files, a translation with its state and files) is one service here, built from the inner `_…` steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import User
from ttdn.content import changes
from ttdn.content import notices as item_notices
from ttdn.content import permissions as perms
from ttdn.content.models import (
    Asset,
    Attachment,
    Audience,
    Classification,
    Item,
    ItemKind,
    State,
    Tombstone,
    Topic,
    Transition,
    TranslationState,
    Variant,
    VariantRevision,
)
from ttdn.content.screening import refuse_secrets as _refuse_secrets
from ttdn.core import audit, languages
from ttdn.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from ttdn.core.text import clean_line, html_to_text, nfc, sanitize_html
from ttdn.core.transactions import durable
from ttdn.places.models import AdminUnit, Country, UnitLevel

TITLE_MAX = 500
SUMMARY_MAX = 5000
BODY_MAX = 2_000_000



@dataclass
class ItemData:
    """What a person fills in for an item; the source-language variant comes with it."""

    kind: str
    title: str
    summary: str = ""
    body: str = ""
    language: str = "vi"
    topics: Sequence[str] = ()  # topic codes
    audience: str = Audience.PUBLIC
    classification: str = Classification.PUBLIC
    target_provinces: Sequence[int] = ()  # AdminUnit ids, current provinces
    target_countries: Sequence[str] = ()
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    # The contributor's declaration that the material holds no state secret.
    no_state_secrets: bool = False
    errors: dict[str, str] = field(default_factory=dict)


def _invalid(field_name: str, message: Any) -> ServiceError:
    return ServiceError("invalid", message, field=field_name)


def _clean_item_data(data: ItemData) -> dict[str, Any]:
    if data.kind not in ItemKind.values:
        raise _invalid("kind", _("Choose a kind of material."))
    lang = languages.canonical_tag(data.language)
    if lang is None:
        raise _invalid("language", _("Unknown language “%(tag)s”.") % {"tag": data.language})
    title = clean_line(data.title)
    if not title:
        raise _invalid("title", _("A title is required."))
    if len(title) > TITLE_MAX:
        raise _invalid("title", _("The title is longer than %(n)d characters.") % {"n": TITLE_MAX})
    summary = nfc(data.summary).strip()
    if len(summary) > SUMMARY_MAX:
        raise _invalid("summary", _("The summary is longer than %(n)d characters.") % {"n": SUMMARY_MAX})
    if len(data.body) > BODY_MAX:
        raise _invalid("body", _("The text is too long."))
    body = sanitize_html(data.body)
    if data.audience not in Audience.values:
        raise _invalid("audience", _("Choose who the material is for."))
    if data.classification not in Classification.values:
        raise ServiceError(
            "state_secret_refused",
            _("Only public or internal material may be stored; state-secret material is refused."),
        )
    if not data.no_state_secrets:
        raise _invalid("no_state_secrets", _("Confirm that the material contains no state secret."))
    _refuse_secrets(title, summary, html_to_text(body))
    bad_countries = [c for c in data.target_countries if c not in Country.values]
    if bad_countries:
        raise _invalid("target_countries", _("Unknown country code: %(c)s.") % {"c": ", ".join(bad_countries)})
    topics = list(Topic.objects.filter(code__in=list(data.topics)))
    if len(topics) != len(set(data.topics)):
        raise _invalid("topics", _("Unknown topic."))
    provinces = list(AdminUnit.objects.filter(pk__in=list(data.target_provinces), level=UnitLevel.PROVINCE))
    if len(provinces) != len(set(data.target_provinces)):
        raise _invalid("target_provinces", _("Unknown province."))
    if data.valid_from and data.valid_until and data.valid_until <= data.valid_from:
        raise _invalid("valid_until", _("The end of validity must come after its start."))
    return {
        "kind": data.kind,
        "language": lang,
        "title": title,
        "summary": summary,
        "body": body,
        "topics": topics,
        "provinces": provinces,
        "audience": data.audience,
        "classification": data.classification,
        "countries": sorted(set(data.target_countries)),
        "valid_from": data.valid_from,
        "valid_until": data.valid_until,
    }


# ---------------------------------------------------------------------------------------------- items


def check_create_item(actor: User, data: ItemData) -> dict[str, Any]:
    if not perms.can_create(actor):
        raise PermissionDenied(_("Only contributors of an agency may submit material."))
    return _clean_item_data(data)


def do_create_item(actor: User, data: ItemData) -> Item:
    with durable():
        return _create_item(actor, data)


def _create_item(actor: User, data: ItemData) -> Item:
    clean = check_create_item(actor, data)
    assert actor.agency is not None  # check_create_item refuses users without an agency
    with transaction.atomic():
        now = timezone.now()
        item = Item.objects.create(
            kind=clean["kind"],
            source_language=clean["language"],
            agency=actor.agency,
            created_by=actor,
            audience=clean["audience"],
            classification=clean["classification"],
            target_countries=clean["countries"],
            valid_from=clean["valid_from"],
            valid_until=clean["valid_until"],
            state=State.DRAFT,
            state_changed_at=now,
            created_at=now,
            updated_at=now,
        )
        item.topics.set(clean["topics"])
        item.target_provinces.set(clean["provinces"])
        _keep_revision(Variant.objects.create(
            item=item,
            language=clean["language"],
            title=clean["title"],
            summary=clean["summary"],
            body=clean["body"],
            translation_state=TranslationState.REVIEWED,
        ), actor)
        Transition.objects.create(item=item, from_state="", to_state=State.DRAFT, actor=actor, at=now)
        changes.notify([item.pk])
        audit.record(actor, "content.item.create", item, agency_id=item.agency_id, kind=item.kind)
    return item


def check_update_item(actor: User, item: Item, data: ItemData) -> dict[str, Any]:
    if not perms.can_edit(actor, item):
        raise PermissionDenied(_("You may not edit this material in its present state."))
    clean = _clean_item_data(data)
    if clean["language"] != item.source_language:
        raise _invalid("language", _("The source language of existing material cannot be changed."))
    return clean


def do_update_item(actor: User, item: Item, data: ItemData) -> Item:
    with durable():
        return _update_item(actor, item, data)


def _update_item(actor: User, item: Item, data: ItemData) -> Item:
    # Lock first, then authorise what the item is now: a transition in between is seen.
    item = Item.objects.select_for_update().get(pk=item.pk)
    clean = check_update_item(actor, item, data)
    item.kind = clean["kind"]
    item.audience = clean["audience"]
    item.classification = clean["classification"]
    item.target_countries = clean["countries"]
    item.valid_from = clean["valid_from"]
    item.valid_until = clean["valid_until"]
    item.updated_at = timezone.now()
    item.version = F("version") + 1
    item.save()
    item.refresh_from_db()
    item.topics.set(clean["topics"])
    item.target_provinces.set(clean["provinces"])
    _write_variant(item, clean["language"], clean["title"], clean["summary"], clean["body"], actor)
    changes.notify([item.pk])
    audit.record(actor, "content.item.update", item, agency_id=item.agency_id)
    return item


# ------------------------------------------------------------------------------------------- variants


def _keep_revision(variant: Variant, actor: User | None, restored_from: int | None = None) -> Variant:
    """Keep the variant's text as it now stands under its revision number (every save goes through here)."""
    VariantRevision.objects.create(
        variant=variant, number=variant.revision, title=variant.title, summary=variant.summary, body=variant.body,
        author=actor, created_at=variant.updated_at, restored_from=restored_from,
    )
    return variant


def _write_variant(item: Item, language: str, title: str, summary: str, body: str, actor: User,
                   restored_from: int | None = None) -> Variant:
    """Create or change one language variant, keeping the new revision. A change to the source makes its
    translations stale."""
    now = timezone.now()
    source = None if language == item.source_language else item.variants.filter(
        language=item.source_language
    ).first()
    variant = item.variants.filter(language=language).first()
    if variant is None:
        return _keep_revision(Variant.objects.create(
            item=item,
            language=language,
            title=title,
            summary=summary,
            body=body,
            source_variant=source,
            source_revision=source.revision if source else None,
            translation_state=TranslationState.REVIEWED if source is None else TranslationState.IN_PROGRESS,
            translated_by=actor if source else None,
            created_at=now,
            updated_at=now,
        ), actor)
    if (variant.title, variant.summary, variant.body) == (title, summary, body):
        return variant
    variant.title, variant.summary, variant.body = title, summary, body
    variant.revision += 1
    variant.updated_at = now
    if source is not None:
        # Saving a translation means it now follows the source as it stands.
        variant.source_variant = source
        variant.source_revision = source.revision
        variant.translated_by = actor
        if variant.translation_state >= TranslationState.TRANSLATED:
            variant.translation_state = TranslationState.TRANSLATED
        else:
            variant.translation_state = TranslationState.IN_PROGRESS
    variant.save()
    return _keep_revision(variant, actor, restored_from)


def check_save_variant(actor: User, item: Item, language: str, title: str, summary: str, body: str) -> dict[str, Any]:
    tag = languages.canonical_tag(language)
    if tag is None:
        raise _invalid("language", _("Unknown language “%(tag)s”.") % {"tag": language})
    if not perms.can_translate(actor, item, tag):
        raise PermissionDenied(_("You may not write the %(lang)s version of this material.") % {
            "lang": languages.name(tag)})
    if tag != item.source_language and not item.variants.filter(language=item.source_language).exists():
        raise Conflict(_("The source-language version must exist before a translation."))
    clean_title = clean_line(title)
    if not clean_title:
        raise _invalid("title", _("A title is required."))
    if len(clean_title) > TITLE_MAX:
        raise _invalid("title", _("The title is longer than %(n)d characters.") % {"n": TITLE_MAX})
    clean_summary = nfc(summary).strip()
    if len(clean_summary) > SUMMARY_MAX:
        raise _invalid("summary", _("The summary is longer than %(n)d characters.") % {"n": SUMMARY_MAX})
    if len(body) > BODY_MAX:
        raise _invalid("body", _("The text is too long."))
    clean_body = sanitize_html(body)
    _refuse_secrets(clean_title, clean_summary, html_to_text(clean_body))
    return {"language": tag, "title": clean_title, "summary": clean_summary, "body": clean_body}


def do_save_variant(actor: User, item: Item, language: str, title: str, summary: str = "", body: str = "") -> Variant:
    with durable():
        variant = _save_variant(actor, item, language, title, summary, body)
    item.refresh_from_db()
    return variant


def _save_variant(actor: User, item: Item, language: str, title: str, summary: str, body: str) -> Variant:
    locked = Item.objects.select_for_update().get(pk=item.pk)
    clean = check_save_variant(actor, locked, language, title, summary, body)
    variant = _write_variant(locked, clean["language"], clean["title"], clean["summary"], clean["body"], actor)
    changes.item_changed(item.pk, touch_updated_at=True)
    audit.record(actor, "content.variant.save", variant, agency_id=locked.agency_id, language=variant.language,
                 revision=variant.revision)
    return variant


def check_restore_revision(actor: User, variant: Variant, number: int) -> VariantRevision:
    old = variant.revisions.filter(number=number).first()
    if old is None:
        raise NotFound(_("This version has no revision %(n)d.") % {"n": number}, code="no_revision")
    # The same rules as typing the old text in again: who may write, what may be stored. Checked first, so that
    # a caller who may not write learns nothing of the revisions.
    check_save_variant(actor, variant.item, variant.language, old.title, old.summary, old.body)
    if number == variant.revision or (old.title, old.summary, old.body) == (variant.title, variant.summary,
                                                                          variant.body):
        raise Conflict(_("Revision %(n)d holds the current text.") % {"n": number}, code="current_revision")
    return old


def do_restore_revision(actor: User, variant: Variant, number: int) -> Variant:
    """Bring back an older revision's text as a new revision (nothing in between is lost)."""
    with transaction.atomic():
        locked = Item.objects.select_for_update().get(pk=variant.item_id)
        current = locked.variants.get(pk=variant.pk)
        old = check_restore_revision(actor, current, number)
        saved = _write_variant(locked, current.language, old.title, old.summary, old.body, actor, restored_from=number)
        changes.item_changed(locked.pk, touch_updated_at=True)
        audit.record(actor, "content.variant.restore", saved, agency_id=locked.agency_id, language=saved.language,
                     restored_from=number, revision=saved.revision)
    return saved


def check_set_translation_state(actor: User, variant: Variant, state: int) -> None:
    if state not in TranslationState.values:
        raise _invalid("translation_state", _("Unknown translation state."))
    if variant.is_source:
        raise Conflict(_("The source-language version has no translation state."))
    item = variant.item
    if state == TranslationState.REVIEWED:
        if not perms.can_review_translation(actor, item):
            raise PermissionDenied(_("Only an appraiser may mark a translation as reviewed."))
        if variant.is_stale:
            raise Conflict(_("This translation is out of date with its source; update it before review."))
    elif not perms.can_translate(actor, item, variant.language):
        raise PermissionDenied(_("You may not work on this translation."))


def do_set_translation_state(actor: User, variant: Variant, state: int) -> Variant:
    with durable():
        locked = _set_translation_state(actor, variant, state)
    variant.translation_state, variant.updated_at = locked.translation_state, locked.updated_at
    return variant


def _lock_variant(variant: Variant) -> Variant:
    """The item's row lock (every writer of an item takes it first), then the variant as it is now."""
    list(Item.objects.select_for_update().filter(pk=variant.item_id).values_list("pk", flat=True))
    try:
        # Only the variant's row (PostgreSQL cannot lock the nullable side of the source's outer join).
        return Variant.objects.select_for_update(of=("self",)).select_related("item", "source_variant").get(
            pk=variant.pk)
    except Variant.DoesNotExist:
        raise NotFound(_("This language version no longer exists."), code="not_found") from None


def _set_translation_state(actor: User, variant: Variant, state: int) -> Variant:
    variant = _lock_variant(variant)
    check_set_translation_state(actor, variant, state)
    old = variant.translation_state
    variant.translation_state = state
    variant.updated_at = timezone.now()
    variant.save(update_fields=["translation_state", "updated_at"])
    changes.item_changed(variant.item_id)
    audit.record(actor, "content.variant.translation_state", variant, agency_id=variant.item.agency_id,
                 language=variant.language, old=old, new=state)
    item_notices.translation_state_changed(variant, old, state, actor)
    return variant


def apply_translation(actor: User, item: Item, language: str, title: str, summary: str, body: str,
                      translation_state: int) -> Variant:
    """The translation desk's step, inside its own service's transaction: write a language version as a
    person would (the same checks as `do_save_variant`), then set its translation state (reviewing included,
    with its rules: an appraiser, a translation of the current source)."""
    saved = _save_variant(actor, item, language, title, summary, body)
    if translation_state != saved.translation_state:
        saved = _set_translation_state(actor, saved, translation_state)
    return saved


def apply_minor_source_change(actor: User, variant: Variant) -> Variant:
    """A reviewer signs a source edit off as minor, inside the caller's transaction: the translation follows
    the source's current revision and stays what it was (public if it was reviewed)."""
    variant = _lock_variant(variant)
    if variant.source_variant is None:
        raise Conflict(_("The source-language version has no translation state."))
    if not perms.can_review_translation(actor, variant.item):
        raise PermissionDenied(_("Only an appraiser may mark a translation as reviewed."))
    old = variant.source_revision
    variant.source_revision = variant.source_variant.revision
    variant.save(update_fields=["source_revision"])
    changes.item_changed(variant.item_id)
    audit.record(actor, "content.variant.source_signoff", variant, agency_id=variant.item.agency_id,
                 language=variant.language, old_source_revision=old, source_revision=variant.source_revision)
    return variant


def check_delete_variant(actor: User, variant: Variant) -> None:
    if variant.is_source:
        raise Conflict(_("The source-language version cannot be removed."))
    if not perms.can_translate(actor, variant.item, variant.language):
        raise PermissionDenied(_("You may not remove this translation."))
    item = variant.item
    if (item.state == State.PUBLISHED and variant.translation_state >= TranslationState.REVIEWED
            and not perms.can_review_translation(actor, item)):
        # What the public reads now was checked by an appraiser; only an appraiser may take it away.
        raise PermissionDenied(_("This translation was reviewed and is published; only an appraiser may "
                                 "remove it."))


def do_delete_variant(actor: User, variant: Variant) -> None:
    with durable():
        locked = _lock_variant(variant)
        check_delete_variant(actor, locked)
        audit.record(actor, "content.variant.delete", locked, agency_id=locked.item.agency_id,
                     language=locked.language)
        locked.delete()
        changes.item_changed(locked.item_id)


# ---------------------------------------------------------------------------------------------- files


def check_attach_file(actor: User, variant: Variant) -> None:
    if not perms.can_translate(actor, variant.item, variant.language):
        raise PermissionDenied(_("You may not add files to this version."))


def do_attach_file(actor: User, variant: Variant, path: Path, original_name: str) -> Attachment:
    """Validate an uploaded file from its content, store it once by SHA-256 and attach it: a service of its
    own (`durable()`); the services that save a text with its files use `_attach_file` inside theirs.

    `path` is a file the caller owns (a Django temporary upload); it is never moved or kept.
    Everything a file goes through on its way in is `ingest`'s; a file already stored is recognised by
    its hash before anything is decoded.
    """
    check_attach_file(actor, variant)
    with durable():
        return _attach_file(actor, variant, path, original_name)


def _attach_file(actor: User, variant: Variant, path: Path, original_name: str) -> Attachment:
    """The attaching itself, in a savepoint of the caller's transaction."""
    from ttdn.content import ingest

    check_attach_file(actor, variant)
    sha256 = ingest.file_sha256(path)
    if Attachment.objects.filter(variant=variant, asset__sha256=sha256).exists():
        raise Conflict(_("This file is already attached to this version."), code="duplicate_file")
    stored: list[str] = []
    try:
        with transaction.atomic():
            asset = ingest.ingest_file(actor, path, original_name, stored, sha256=sha256)
            name = ingest.stored_name(original_name, asset.mime_type)
            attachment, created = Attachment.objects.get_or_create(
                variant=variant, asset=asset,
                defaults={"filename": name, "position": variant.attachments.count()},
            )
            if not created:
                raise Conflict(_("This file is already attached to this version."), code="duplicate_file")
            changes.item_changed(variant.item_id, touch_updated_at=True)
            audit.record(actor, "content.file.attach", attachment, agency_id=variant.item.agency_id,
                         sha256=asset.sha256, size=asset.size, mime=asset.mime_type, filename=name)
    except BaseException:
        # Nothing half-written: a blob stored for a row that did not commit is removed again.
        discard_unreferenced_blobs(stored)
        raise
    return attachment


def do_attach_upload(actor: User, variant: Variant, upload: Any) -> Attachment:
    """Attach a Django UploadedFile, staged once (see `ingest.stage_upload`)."""
    from ttdn.content import ingest

    check_attach_file(actor, variant)
    with ingest.stage_upload(upload) as path:
        return do_attach_file(actor, variant, path, upload.name or "")


def _attach_upload(actor: User, variant: Variant, upload: Any) -> Attachment:
    from ttdn.content import ingest

    with ingest.stage_upload(upload) as path:
        return _attach_file(actor, variant, path, upload.name or "")


def discard_unreferenced_blobs(sha256s: Iterable[str]) -> None:
    """Remove stored blobs that no asset refers to (file or thumbnail).

    For callers that attach files inside their own, larger transaction: `do_attach_file` cleans up
    after its own failure, but when the caller's transaction rolls back later (a second file is
    refused), blobs stored for the first one would stay on disk without a row. Call this after the
    rollback with the digests of the files attached in it.
    """
    from ttdn.content.files import blobs

    for sha in set(sha256s):
        if sha and not Asset.objects.filter(sha256=sha).exists() and not Asset.objects.filter(
            thumbnail_sha256=sha
        ).exists():
            blobs.delete_blob(sha)


def _attach_uploads(actor: User, variant: Variant, uploads: Sequence[Any], stored: list[str]) -> None:
    """Attach each upload; a refused file is reported against the "uploads" field. `stored` collects the
    blobs written, so that they can be removed if the surrounding transaction rolls back."""
    for upload in uploads:
        try:
            attachment = _attach_upload(actor, variant, upload)
        except ServiceError as exc:
            exc.details.setdefault("field", "uploads")
            raise
        stored.append(attachment.asset.sha256)
        if attachment.asset.thumbnail_sha256:
            stored.append(attachment.asset.thumbnail_sha256)


def _with_uploads(write: Any) -> Any:
    """Run `write(stored)` as one service transaction; blobs stored for a rolled-back change are removed."""
    stored: list[str] = []
    try:
        with durable():
            return write(stored)
    except BaseException:
        discard_unreferenced_blobs(stored)
        raise


def do_create_item_with_files(actor: User, data: ItemData, uploads: Sequence[Any] = ()) -> Item:
    """Create an item and attach files to its source version at once: a refused file leaves no half-made item."""
    def write(stored: list[str]) -> Item:
        item = _create_item(actor, data)
        _attach_uploads(actor, item.variants.get(language=item.source_language), uploads, stored)
        return item

    item: Item = _with_uploads(write)
    return item


def do_update_item_with_files(actor: User, item: Item, data: ItemData, uploads: Sequence[Any] = ()) -> Item:
    """Change an item and add files to its source version at once."""
    def write(stored: list[str]) -> Item:
        updated = _update_item(actor, item, data)
        _attach_uploads(actor, updated.variants.get(language=updated.source_language), uploads, stored)
        return updated

    updated: Item = _with_uploads(write)
    return updated


def do_save_variant_with_files(actor: User, item: Item, language: str, title: str, summary: str = "",
                               body: str = "", uploads: Sequence[Any] = (),
                               translation_state: int | None = None) -> Variant:
    """Save a language version, set its translation state if one is given and differs, and add files."""
    def write(stored: list[str]) -> Variant:
        saved = _save_variant(actor, item, language, title, summary, body)
        if translation_state is not None and translation_state != saved.translation_state:
            saved = _set_translation_state(actor, saved, translation_state)
        _attach_uploads(actor, saved, uploads, stored)
        return saved

    saved: Variant = _with_uploads(write)
    item.refresh_from_db()
    return saved


def check_detach_file(actor: User, attachment: Attachment) -> None:
    check_attach_file(actor, attachment.variant)


def do_detach_file(actor: User, attachment: Attachment) -> None:
    with durable():
        variant = _lock_variant(attachment.variant)
        try:
            attachment = Attachment.objects.select_related("asset").get(pk=attachment.pk, variant=variant)
        except Attachment.DoesNotExist:
            raise NotFound(_("This file is no longer attached."), code="not_found") from None
        attachment.variant = variant
        check_detach_file(actor, attachment)
        audit.record(actor, "content.file.detach", attachment, agency_id=variant.item.agency_id,
                     sha256=attachment.asset.sha256)
        attachment.delete()
        changes.item_changed(variant.item_id)


# ------------------------------------------------------------------------------------------- workflow


def check_transition(actor: User, item: Item, action_name: str, reason: str = "", *,
                     opinion_recorded: bool = False) -> perms.Action:
    """`opinion_recorded`: approving and returning are taken only together with the appraisal opinion that
    led to them (`editorial.services.do_appraise` sets it); on their own they are refused."""
    action = perms.ACTIONS.get(action_name)
    if action is None:
        raise NotFound(_("Unknown workflow action “%(a)s”.") % {"a": action_name}, code="unknown_action")
    if item.state not in action.sources:
        raise Conflict(
            _("“%(action)s” is not possible while the material is %(state)s.")
            % {"action": action.label, "state": State(item.state).label},
            code="invalid_transition",
        )
    if not perms.can_do(actor, item, action):
        raise PermissionDenied(_("You may not “%(action)s” this material.") % {"action": action.label})
    if action.name in perms.APPRAISAL_ACTIONS and not opinion_recorded:
        raise Conflict(_("Approving or returning material records the appraisal opinion: mark each criterion of "
                         "the checklist on the appraisal page (or POST /api/v1/items/{uid}/opinions)."),
                       code="opinion_required")
    if action.needs_reason and not nfc(reason).strip():
        raise _invalid("reason", _("Give a reason; the contributor will read it."))
    if action.target == State.SUBMITTED:
        source = item.variants.filter(language=item.source_language).first()
        if source is None or not (source.title and (source.body or source.summary or source.attachments.exists())):
            raise Conflict(_("Add a text, a summary or a file before submitting."), code="incomplete")
    if action.target == State.PUBLISHED and item.valid_until and item.valid_until <= timezone.now():
        raise Conflict(_("The validity of this material has already ended."), code="already_expired")
    return action


def _move(item: Item, target: str, actor: User | None, reason: str, now: dt.datetime) -> Transition:
    from_state = item.state
    item.state = target
    item.state_changed_at = now
    item.updated_at = now
    if target == State.PUBLISHED:
        item.published_at = now
    item.version = F("version") + 1
    item.save(update_fields=["state", "state_changed_at", "updated_at", "published_at", "version"])
    item.refresh_from_db(fields=["version"])
    if target in perms.GONE_STATES and from_state == State.PUBLISHED:
        Tombstone.objects.create(item_uid=item.uid, reason_state=target, reason=reason, at=now)
    step = Transition.objects.create(
        item=item, from_state=from_state, to_state=target, actor=actor, at=now, reason=reason
    )
    changes.notify([item.pk])
    return step


def apply_transition(actor: User, locked: Item, action_name: str, reason: str = "", *,
                     opinion_recorded: bool = False) -> Transition:
    """One workflow step on an item the caller has locked, inside the caller's transaction: authorise,
    move, audit, notify. `do_transition` wraps it; so do services that record more with the same step
    (an appraisal opinion, a scheduled publication), so every path makes the same checks."""
    reason = nfc(reason).strip()
    action = check_transition(actor, locked, action_name, reason, opinion_recorded=opinion_recorded)
    step = _move(locked, action.target, actor, reason, timezone.now())
    audit.record(actor, f"content.item.{action.name}", locked, agency_id=locked.agency_id,
                 from_state=step.from_state, to_state=step.to_state, reason=reason)
    item_notices.transition_made(locked, step, actor)
    return step


def do_transition(actor: User, item: Item, action_name: str, reason: str = "") -> Transition:
    with durable():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        step = apply_transition(actor, locked, action_name, reason)
    item.refresh_from_db()
    return step


def do_expire_due(now: dt.datetime | None = None) -> int:
    """Move published items whose validity ended to expired, leaving tombstones. Run by the worker."""
    now = now or timezone.now()
    count = 0
    due = Item.objects.filter(state=State.PUBLISHED, valid_until__isnull=False, valid_until__lte=now)
    for item_id in due.values_list("pk", flat=True):
        with durable():
            item = Item.objects.select_for_update().get(pk=item_id)
            if item.state != State.PUBLISHED or not item.valid_until or item.valid_until > now:
                continue
            _move(item, State.EXPIRED, None, str(_("Validity window ended")), now)
            audit.record(None, "content.item.expire", item, agency_id=item.agency_id,
                         valid_until=item.valid_until.isoformat())
            count += 1
    return count


def tombstones_since(after: dt.datetime | None = None) -> Iterable[Tombstone]:
    qs = Tombstone.objects.all().order_by("at", "id")
    return qs.filter(at__gt=after) if after else qs


# --------------------------------------------------------------------------------------------- topics


def do_save_topic(actor: User | None, code: str, name: str, name_en: str = "", description: str = "") -> Topic:
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only an operator may change the list of topics."))
    if not clean_line(name) or not code:
        raise _invalid("name", _("A topic needs a code and a name."))
    with durable():
        topic, created = Topic.objects.update_or_create(
            code=code,
            defaults={"name": clean_line(name), "name_en": clean_line(name_en), "description": nfc(description)},
        )
        if not created:
            changes.notify(topic.items.values_list("pk", flat=True))  # topic names are searched
        audit.record(actor, "content.topic.create" if created else "content.topic.update", topic)
    return topic


# ------------------------------------------------------------------------------------ stored files


def do_collect_orphan_blobs(older_than: dt.timedelta = dt.timedelta(hours=6)) -> int:
    """Remove stored files no asset refers to (left by a transaction that rolled back after storing them).

    Only files older than `older_than` go, so an upload still in flight is never touched.
    """
    from ttdn.content.files import blobs

    names = list(blobs.list_blobs(older_than=older_than.total_seconds()))
    if not names:
        return 0
    kept: set[str] = set()
    for start in range(0, len(names), 500):
        chunk = names[start:start + 500]
        kept.update(Asset.objects.filter(sha256__in=chunk).values_list("sha256", flat=True))
        kept.update(Asset.objects.filter(thumbnail_sha256__in=chunk).values_list("thumbnail_sha256", flat=True))
    removed = 0
    for name in names:
        if name not in kept:
            blobs.delete_blob(name)
            removed += 1
    if removed:
        audit.record(None, "content.blobs.collect", None, removed=removed)
    return removed
