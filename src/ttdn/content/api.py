"""Items, variants, files, the workflow, topics and languages over HTTP (/api/v1/…).

Handlers are thin: every read starts from `permissions.visible_items` (an item the caller may not see
does not exist: 404), every change goes through `ttdn.content.services`, which authorise and validate.
"""

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Path, Query, Router, Schema, UploadedFile
from ninja.responses import Status
from pydantic import AfterValidator

from ttdn.accounts.api import AUTH, PUBLIC_AUTH, PUBLIC_OPENAPI, errors, request_user
from ttdn.accounts.permissions import is_official
from ttdn.content import permissions as perms
from ttdn.content import services
from ttdn.content.models import (
    Attachment,
    Audience,
    Item,
    ItemKind,
    State,
    Topic,
    Transition,
    TranslationState,
    Variant,
)
from ttdn.core import languages
from ttdn.core.errors import NotFound

# ------------------------------------------------------------------------------------- input validation

LANGUAGE_TAG_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
TOPIC_CODE_PATTERN = r"^[-a-zA-Z0-9_]+$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
MAX_ID = 2**63 - 1
MAX_OFFSET = 1_000_000
MIN_YEAR, MAX_YEAR = 1900, 2999


def _valid_unicode(value: str) -> str:
    # JSON may carry lone surrogates ("\ud800"); no database can store them.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode (no lone surrogates).") from None
    return value


def _moment(value: dt.datetime) -> dt.datetime:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"Dates must lie between the years {MIN_YEAR} and {MAX_YEAR}.")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)  # the deployment's time zone
    return value.astimezone(dt.UTC)


Text = Annotated[str, AfterValidator(_valid_unicode)]
Moment = Annotated[dt.datetime, AfterValidator(_moment)]
LanguageTag = Annotated[str, Field(max_length=35, pattern=LANGUAGE_TAG_PATTERN)]
TopicCode = Annotated[str, Field(min_length=1, max_length=64, pattern=TOPIC_CODE_PATTERN)]
CountryCode = Annotated[str, Field(pattern=COUNTRY_PATTERN)]
ProvinceId = Annotated[int, Field(ge=1, le=MAX_ID)]

LangPath = Annotated[str, Path(..., max_length=35, pattern=LANGUAGE_TAG_PATTERN, description="BCP 47 tag")]
Sha256Path = Annotated[str, Path(..., pattern=SHA256_PATTERN, description="SHA-256 of the file, lower-case hex")]

# ------------------------------------------------------------------------------------------------ schemas


class AgencyOut(Schema):
    code: str
    name: str


class TopicOut(Schema):
    code: str
    name: str
    name_en: str
    description: str


class ProvinceOut(Schema):
    id: int
    name: str
    gso_code: str


class AttachmentOut(Schema):
    sha256: str
    filename: str
    size: int
    mime_type: str
    file_kind: str
    url: str = Field(..., description="Where the file is downloaded.")


class VariantOut(Schema):
    language: str
    title: str
    summary: str
    body: str = Field(..., description="Sanitised HTML.")
    is_source: bool
    is_stale: bool = Field(..., description="The source changed after this translation was made.")
    revision: int
    source_revision: int | None
    translation_state: int = Field(..., description="10 to do, 20 in progress, 30 translated, 40 reviewed.")
    translation_state_label: str
    updated_at: dt.datetime
    attachments: list[AttachmentOut]


class TransitionOut(Schema):
    from_state: str
    to_state: str
    at: dt.datetime
    actor: str | None
    reason: str


class ItemSummaryOut(Schema):
    uid: uuid.UUID
    kind: str
    state: str
    source_language: str
    title: str
    summary: str
    languages: list[str]
    audience: str
    classification: str
    agency: AgencyOut
    topics: list[TopicOut]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    published_at: dt.datetime | None
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None


class ItemOut(ItemSummaryOut):
    target_provinces: list[ProvinceOut]
    target_countries: list[str]
    variants: list[VariantOut]
    history: list[TransitionOut] = Field(..., description="The workflow steps; shown to officials only.")


class ItemListOut(Schema):
    count: int = Field(..., description="How many items match, over all pages.")
    limit: int
    offset: int
    items: list[ItemSummaryOut]


class ItemIn(Schema):
    kind: ItemKind
    language: LanguageTag = Field("vi", description="The source language (BCP 47).")
    title: Text = Field(..., min_length=1, max_length=2000)
    summary: Text = Field("", max_length=20_000)
    body: Text = Field("", max_length=services.BODY_MAX, description="HTML; sanitised on save.")
    topics: list[TopicCode] = Field([], max_length=100, description="Topic codes.")
    audience: Audience = Audience.PUBLIC
    classification: Text = Field("public", max_length=32, description="`public` or `internal`.")
    target_provinces: list[ProvinceId] = Field([], max_length=100, description="AdminUnit ids of provinces.")
    target_countries: list[CountryCode] = Field([], max_length=10, description="`LA`, `KH`, `CN`.")
    valid_from: Moment | None = None
    valid_until: Moment | None = None
    no_state_secrets: bool = Field(False, description="I declare that the material holds no state secret.")


class ItemPatch(Schema):
    """Only the fields given change; the rest keep their current values."""

    kind: ItemKind | None = None
    language: LanguageTag | None = Field(None, description="Must stay the source language.")
    title: Text | None = Field(None, min_length=1, max_length=2000)
    summary: Text | None = Field(None, max_length=20_000)
    body: Text | None = Field(None, max_length=services.BODY_MAX)
    topics: list[TopicCode] | None = Field(None, max_length=100)
    audience: Audience | None = None
    classification: Text | None = Field(None, max_length=32)
    target_provinces: list[ProvinceId] | None = Field(None, max_length=100)
    target_countries: list[CountryCode] | None = Field(None, max_length=10)
    valid_from: Moment | None = Field(None, description="null clears it.")
    valid_until: Moment | None = Field(None, description="null clears it.")
    no_state_secrets: bool | None = Field(
        None, description="Declared when the item was created; sending false refuses the change."
    )


# Fields of ItemPatch for which an explicit null means "clear"; for the others null means "unchanged".
_NULLABLE = frozenset({"valid_from", "valid_until"})

ActionName = Literal["submit", "start_appraisal", "return", "reject", "approve", "publish", "withdraw", "archive"]


class TransitionIn(Schema):
    action: ActionName
    reason: Text = Field("", max_length=5000)


class TransitionResultOut(Schema):
    uid: uuid.UUID
    state: str
    version: int
    transition: TransitionOut


class ActionOut(Schema):
    name: str
    label: str
    target: str
    needs_reason: bool


class VariantIn(Schema):
    title: Text = Field(..., min_length=1, max_length=2000)
    summary: Text = Field("", max_length=20_000)
    body: Text = Field("", max_length=services.BODY_MAX)


class TranslationStateIn(Schema):
    translation_state: Literal[10, 20, 30, 40]


class LanguageOut(Schema):
    tag: str
    iso639_3: str
    name_vi: str
    name_en: str
    script: str
    minority: bool
    unspaced: bool


# ------------------------------------------------------------------------------------------------ helpers


def _not_found() -> NotFound:
    return NotFound(_("Not found."))


def _summary_queryset(qs: QuerySet[Item]) -> QuerySet[Item]:
    return qs.select_related("agency").prefetch_related("topics", "variants")


def _detail_queryset(qs: QuerySet[Item]) -> QuerySet[Item]:
    variants = Variant.objects.select_related("source_variant").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.select_related("asset"))
    )
    return qs.select_related("agency").prefetch_related(
        "topics",
        "target_provinces",
        Prefetch("variants", queryset=variants),
        Prefetch("transitions", queryset=Transition.objects.select_related("actor")),
    )


def _visible_item(request: HttpRequest, uid: uuid.UUID, *, detail: bool = False) -> Item:
    qs = perms.visible_items(request_user(request)).filter(uid=uid)
    item = (_detail_queryset(qs) if detail else qs.select_related("agency")).first()
    if item is None:
        raise _not_found()
    return item


def _shown_variants(user: Any, item: Item) -> list[Variant]:
    # One rule for the web pages, the API and the sites: permissions.shown_variants.
    return perms.shown_variants(user, item, list(item.variants.all()))


def _find_variant(request: HttpRequest, item: Item, lang: str) -> Variant:
    tag = languages.canonical_tag(lang) or lang
    variant = (
        item.variants.select_related("source_variant", "item")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.select_related("asset")))
        .filter(language=tag)
        .first()
    )
    if variant is None or variant not in perms.shown_variants(request_user(request), item, list(item.variants.all())):
        raise _not_found()
    return variant


def _attachment_out(attachment: Attachment) -> dict[str, Any]:
    asset = attachment.asset
    return {
        "sha256": asset.sha256,
        "filename": attachment.filename,
        "size": asset.size,
        "mime_type": asset.mime_type,
        "file_kind": asset.file_kind,
        "url": reverse("content:file", kwargs={"sha256": asset.sha256}),
    }


def _variant_out(variant: Variant) -> dict[str, Any]:
    return {
        "language": variant.language,
        "title": variant.title,
        "summary": variant.summary,
        "body": variant.body,
        "is_source": variant.is_source,
        "is_stale": variant.is_stale,
        "revision": variant.revision,
        "source_revision": variant.source_revision,
        "translation_state": variant.translation_state,
        "translation_state_label": str(TranslationState(variant.translation_state).label),
        "updated_at": variant.updated_at,
        "attachments": [_attachment_out(a) for a in variant.attachments.all()],
    }


def _transition_out(step: Transition) -> dict[str, Any]:
    return {
        "from_state": step.from_state,
        "to_state": step.to_state,
        "at": step.at,
        "actor": step.actor.username if step.actor else None,
        "reason": step.reason,
    }


def _topic_out(topic: Topic) -> dict[str, Any]:
    return {"code": topic.code, "name": topic.name, "name_en": topic.name_en, "description": topic.description}


def _summary_out(user: Any, item: Item) -> dict[str, Any]:
    shown = _shown_variants(user, item)
    source = next((v for v in shown if v.language == item.source_language), None)
    return {
        "uid": item.uid,
        "kind": item.kind,
        "state": item.state,
        "source_language": item.source_language,
        "title": source.title if source else "",
        "summary": source.summary if source else "",
        "languages": [v.language for v in shown],
        "audience": item.audience,
        "classification": item.classification,
        "agency": {"code": item.agency.code, "name": item.agency.name},
        "topics": [_topic_out(t) for t in item.topics.all()],
        "version": item.version,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "published_at": item.published_at,
        "valid_from": item.valid_from,
        "valid_until": item.valid_until,
    }


def _detail_out(user: Any, item: Item) -> dict[str, Any]:
    official = is_official(user)
    return {
        **_summary_out(user, item),
        "target_provinces": [
            {"id": p.pk, "name": p.name, "gso_code": p.gso_code} for p in item.target_provinces.all()
        ],
        "target_countries": list(item.target_countries or []),
        "variants": [_variant_out(v) for v in _shown_variants(user, item)],
        "history": [_transition_out(t) for t in item.transitions.all()] if official else [],
    }


def _reload_detail(user: Any, item: Item) -> dict[str, Any]:
    """The item as it is now, after a change the caller made (they may see it: they just changed it)."""
    fresh = _detail_queryset(Item.objects.filter(pk=item.pk)).get()
    return _detail_out(user, fresh)


# ------------------------------------------------------------------------------------------------- items

items_router = Router(tags=["items"], auth=AUTH)


@items_router.get(
    "",
    response={200: ItemListOut, **errors(401, 422)},
    auth=PUBLIC_AUTH,
    openapi_extra=PUBLIC_OPENAPI,
    summary="List the items the caller may see",
    description="Anonymous callers see published public material inside its validity window only.",
)
def list_items(
    request: HttpRequest,
    kind: ItemKind | None = None,
    state: State | None = None,
    language: Annotated[str | None, Query(None, max_length=35, pattern=LANGUAGE_TAG_PATTERN)] = None,
    topic: Annotated[str | None, Query(None, max_length=64, pattern=TOPIC_CODE_PATTERN)] = None,
    province: Annotated[int | None, Query(None, ge=1, le=MAX_ID, description="AdminUnit id")] = None,
    updated_since: Moment | None = None,
    limit: Annotated[int, Query(20, ge=1, le=100)] = 20,
    offset: Annotated[int, Query(0, ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    user = request_user(request)
    qs = perms.visible_items(user)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if language:
        tag = languages.canonical_tag(language) or language
        # A version the caller is shown (the item's `variants` below), as the published page's filter.
        with_language = Variant.objects.filter(perms.shown_variants_q(user), language=tag)
        qs = qs.filter(pk__in=with_language.values("item_id"))
    if topic:
        qs = qs.filter(topics__code=topic)
    if province:
        qs = qs.filter(target_provinces__pk=province)
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    qs = qs.distinct()
    total = qs.count()
    page = _summary_queryset(qs)[offset : offset + limit]
    return {"count": total, "limit": limit, "offset": offset, "items": [_summary_out(user, i) for i in page]}


@items_router.post("", response={201: ItemOut, **errors(400, 401, 403, 422)}, summary="Create an item (draft)")
def create_item(request: HttpRequest, payload: ItemIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    data = services.ItemData(
        kind=payload.kind,
        title=payload.title,
        summary=payload.summary,
        body=payload.body,
        language=payload.language,
        topics=payload.topics,
        audience=payload.audience,
        classification=payload.classification,
        target_provinces=payload.target_provinces,
        target_countries=payload.target_countries,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        no_state_secrets=payload.no_state_secrets,
    )
    item = services.do_create_item(user, data)
    return Status(201, _reload_detail(user, item))


@items_router.get(
    "/{uid}",
    response={200: ItemOut, **errors(401, 404, 422)},
    auth=PUBLIC_AUTH,
    openapi_extra=PUBLIC_OPENAPI,
    summary="One item, with its variants, files, targets and history",
)
def get_item(request: HttpRequest, uid: uuid.UUID) -> dict[str, Any]:
    return _detail_out(request_user(request), _visible_item(request, uid, detail=True))


@items_router.patch(
    "/{uid}",
    response={200: ItemOut, **errors(400, 401, 403, 404, 422)},
    summary="Change metadata and the source-language text",
)
def update_item(request: HttpRequest, uid: uuid.UUID, payload: ItemPatch) -> dict[str, Any]:
    user = request_user(request)
    item = _visible_item(request, uid, detail=True)
    source = item.source_variant()
    data = services.ItemData(
        kind=item.kind,
        title=source.title if source else "",
        summary=source.summary if source else "",
        body=source.body if source else "",
        language=item.source_language,
        topics=[t.code for t in item.topics.all()],
        audience=item.audience,
        classification=item.classification,
        target_provinces=[p.pk for p in item.target_provinces.all()],
        target_countries=list(item.target_countries or []),
        valid_from=item.valid_from,
        valid_until=item.valid_until,
        # Declared when the item was created (it could not exist otherwise); an explicit false refuses.
        no_state_secrets=True,
    )
    for name, value in payload.model_dump(exclude_unset=True).items():
        if value is None and name not in _NULLABLE:
            continue
        setattr(data, name, value)
    services.do_update_item(user, item, data)
    return _reload_detail(user, item)


@items_router.post(
    "/{uid}/transitions",
    response={200: TransitionResultOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Move the item along the workflow",
)
def transition_item(request: HttpRequest, uid: uuid.UUID, payload: TransitionIn) -> dict[str, Any]:
    item = _visible_item(request, uid)
    step = services.do_transition(request_user(request), item, payload.action, payload.reason)
    return {"uid": item.uid, "state": item.state, "version": item.version, "transition": _transition_out(step)}


@items_router.get(
    "/{uid}/actions",
    response={200: list[ActionOut], **errors(401, 404, 422)},
    summary="The workflow actions the caller may take now",
)
def item_actions(request: HttpRequest, uid: uuid.UUID) -> list[dict[str, Any]]:
    item = _visible_item(request, uid)
    return [
        {"name": a.name, "label": str(a.label), "target": str(a.target), "needs_reason": a.needs_reason}
        for a in perms.available_actions(request_user(request), item)
    ]


# ---------------------------------------------------------------------------------------------- variants


@items_router.get(
    "/{uid}/variants/{lang}",
    response={200: VariantOut, **errors(401, 404, 422)},
    auth=PUBLIC_AUTH,
    openapi_extra=PUBLIC_OPENAPI,
    summary="One language version of an item",
)
def get_variant(request: HttpRequest, uid: uuid.UUID, lang: LangPath) -> dict[str, Any]:
    item = _visible_item(request, uid)
    return _variant_out(_find_variant(request, item, lang))


@items_router.put(
    "/{uid}/variants/{lang}",
    response={200: VariantOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Write a language version (the source, or a translation)",
)
def save_variant(request: HttpRequest, uid: uuid.UUID, lang: LangPath, payload: VariantIn) -> dict[str, Any]:
    item = _visible_item(request, uid)
    variant = services.do_save_variant(
        request_user(request), item, lang, payload.title, payload.summary, payload.body
    )
    return _variant_out(_find_variant(request, item, variant.language))


@items_router.delete(
    "/{uid}/variants/{lang}",
    response={204: None, **errors(401, 403, 404, 409, 422)},
    summary="Remove a translation",
)
def delete_variant(request: HttpRequest, uid: uuid.UUID, lang: LangPath) -> Status[None]:
    item = _visible_item(request, uid)
    services.do_delete_variant(request_user(request), _find_variant(request, item, lang))
    return Status(204, None)


@items_router.post(
    "/{uid}/variants/{lang}/state",
    response={200: VariantOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Set the translation state (10, 20, 30, 40)",
)
def set_translation_state(
    request: HttpRequest, uid: uuid.UUID, lang: LangPath, payload: TranslationStateIn
) -> dict[str, Any]:
    item = _visible_item(request, uid)
    variant = _find_variant(request, item, lang)
    services.do_set_translation_state(request_user(request), variant, payload.translation_state)
    return _variant_out(_find_variant(request, item, variant.language))


# ------------------------------------------------------------------------------------------------- files


@items_router.post(
    "/{uid}/variants/{lang}/files",
    response={201: AttachmentOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Upload a file to a language version",
    description="The file is recognised from its content; a file whose name claims another type is refused.",
)
def upload_file(
    request: HttpRequest, uid: uuid.UUID, lang: LangPath, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    item = _visible_item(request, uid)
    variant = _find_variant(request, item, lang)
    attachment = services.do_attach_upload(request_user(request), variant, file)
    attachment = Attachment.objects.select_related("asset").get(pk=attachment.pk)
    return Status(201, _attachment_out(attachment))


@items_router.delete(
    "/{uid}/variants/{lang}/files/{sha256}",
    response={204: None, **errors(401, 403, 404, 422)},
    summary="Remove a file from a language version",
)
def delete_file(request: HttpRequest, uid: uuid.UUID, lang: LangPath, sha256: Sha256Path) -> Status[None]:
    item = _visible_item(request, uid)
    variant = _find_variant(request, item, lang)
    attachment = (
        Attachment.objects.select_related("asset", "variant__item")
        .filter(variant=variant, asset__sha256=sha256)
        .first()
    )
    if attachment is None:
        raise _not_found()
    services.do_detach_file(request_user(request), attachment)
    return Status(204, None)


# --------------------------------------------------------------------------------------- reference data

topics_router = Router(tags=["reference"], auth=AUTH)
languages_router = Router(tags=["reference"], auth=AUTH)


@topics_router.get("", response={200: list[TopicOut], **errors(401)}, summary="The topics items are filed under")
def list_topics(request: HttpRequest) -> list[dict[str, Any]]:
    return [_topic_out(t) for t in Topic.objects.all()]


@languages_router.get("", response={200: list[LanguageOut], **errors(401)}, summary="The languages of the registry")
def list_languages(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "tag": lang.tag,
            "iso639_3": lang.iso639_3,
            "name_vi": lang.name_vi,
            "name_en": lang.name_en,
            "script": lang.script,
            "minority": lang.minority,
            "unspaced": lang.unspaced,
        }
        for lang in languages.LANGUAGES
    ]
