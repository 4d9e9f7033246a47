"""The outreach part of the API: campaigns (list, create, the preview of texts and cost, approve and the other
moves, results) and audiences. Thin: every change goes through `services`, every rule is in the rule table
(core.access) and in `permissions`, as on the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status
from pydantic import field_validator

from ttdn.accounts.api import AUTH, errors, request_user
from ttdn.content.api import MAX_ID
from ttdn.core.errors import NotFound, PermissionDenied
from ttdn.outreach import permissions as perms
from ttdn.outreach import services
from ttdn.outreach.figures import campaign_figures, preview
from ttdn.outreach.models import Campaign, Subscriber

router = Router(tags=["outreach"], auth=AUTH)

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


class CampaignIn(Schema):
    title: str = Field(..., max_length=200)
    sender_name: str = Field(..., max_length=11, description="the brandname subscribers see (1–11 Latin characters)")
    texts: dict[str, str] = Field(..., description="language tag → message; a message over the segment limit "
                                                   "is refused, never truncated")
    kind: Literal["sms", "area"] = "sms"
    commune_ids: list[Id] = Field(default_factory=list, max_length=2000)
    segment_limit: int = Field(3, ge=1, le=10)
    no_accents: bool = Field(False, description="send Vietnamese unaccented (không dấu, đ→d)")
    start_at: dt.datetime | None = None
    expires_at: dt.datetime | None = Field(None, description="too old to send after this")
    quiet_start: dt.time = dt.time(22, 0)
    quiet_end: dt.time = dt.time(7, 0)
    cap: int = Field(3, ge=1, le=50, description="messages per number in 24 h")

    @field_validator("quiet_start", "quiet_end")
    @classmethod
    def _local_time(cls, value: dt.time) -> dt.time:
        # Quiet hours are the subscribers' local clock: a time with an offset has no meaning here.
        if value.tzinfo is not None:
            raise ValueError(str(_("Quiet hours are local times, without a time zone.")))
        return value


class PreviewIn(Schema):
    texts: dict[str, str]
    no_accents: bool = False
    segment_limit: int = Field(3, ge=1, le=10)
    commune_ids: list[Id] = Field(default_factory=list, max_length=2000)


class PreviewLineOut(Schema):
    language: str
    encoding: str  # GSM-7 or UCS-2
    characters: int
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    parts: list[str]
    too_long: bool
    sent_text: str  # what the subscriber reads (the unaccented form when asked)
    recipients: int
    cost: Decimal


class PreviewOut(Schema):
    languages: list[PreviewLineOut]
    total_cost: Decimal
    currency: str = "VND"


class CampaignOut(Schema):
    id: int
    title: str
    kind: str
    state: str
    agency: str
    sender_name: str
    segment_limit: int
    no_accents: bool
    texts: dict[str, str]
    commune_ids: list[int]
    start_at: dt.datetime | None
    expires_at: dt.datetime | None
    created_by: str | None
    approved_by: str | None
    approved_at: dt.datetime | None
    messages: int


class ActionIn(Schema):
    action: Literal["submit", "approve", "reject", "pause", "resume", "cancel"]
    reason: str = Field("", max_length=500, description="why it goes back (reject)")


class ResultLineOut(Schema):
    operator: str
    language: str
    total: int
    delivered: int
    failed: int
    sent: int  # with the SMSC, awaiting its receipt
    pending: int
    skipped: int


class ReachOut(Schema):
    commune: str | None
    delivered: int


class ResultsOut(Schema):
    state: str
    percent: int
    totals: dict[str, int]
    lines: list[ResultLineOut]
    reach: list[ReachOut]
    cost: Decimal


class AudienceOut(Schema):
    commune_id: int | None
    commune: str | None
    language: str
    operator: str | None
    subscribers: int


class AudienceQuery(Schema):
    commune_id: int | None = Field(None, ge=1, le=MAX_ID)
    language: str | None = Field(None, max_length=16)


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = (Campaign.objects.select_related("agency", "created_by", "approved_by")
                .annotate(n=Count("messages")).filter(pk=campaign_id).first())
    if campaign is None or not perms.can_view(request_user(request), campaign.agency_id):
        raise NotFound(_("No such campaign."))
    return campaign


def _out(c: Campaign) -> dict[str, Any]:
    return {"id": c.pk, "title": c.title, "kind": c.kind, "state": c.state, "agency": c.agency.name,
            "sender_name": c.sender_name, "segment_limit": c.segment_limit, "no_accents": c.no_accents,
            "texts": {t.language: t.text for t in c.texts.all()},
            "commune_ids": list(c.communes.values_list("pk", flat=True)), "start_at": c.start_at,
            "expires_at": c.expires_at, "created_by": c.created_by.username if c.created_by else None,
            "approved_by": c.approved_by.username if c.approved_by else None, "approved_at": c.approved_at,
            "messages": getattr(c, "n", None) if getattr(c, "n", None) is not None else c.messages.count()}


@router.get("/campaigns", response={200: list[CampaignOut], **errors(401, 403)},
            summary="Campaigns of my agency (publishers and operators: every agency's), newest first")
def list_campaigns(request: HttpRequest) -> list[dict[str, Any]]:
    user = request_user(request)
    if not perms.sees_list(user):
        raise PermissionDenied(_("You may not see campaigns."))
    qs = (Campaign.objects.select_related("agency", "created_by", "approved_by").prefetch_related("texts")
          .annotate(n=Count("messages")).order_by("-pk"))
    if not perms.sees_all_agencies(user):
        qs = qs.filter(agency_id=user.agency_id)
    return [_out(c) for c in qs[:200]]


@router.post("/campaigns", response={201: CampaignOut, **errors(400, 401, 403, 422)},
             summary="Prepare a campaign for my agency (a draft; a second person approves it)")
def create_campaign(request: HttpRequest, body: CampaignIn) -> Status:
    campaign = services.do_create_campaign(request_user(request), services.CampaignData(
        title=body.title, sender_name=body.sender_name, texts=body.texts, kind=body.kind,
        commune_ids=body.commune_ids, segment_limit=body.segment_limit, no_accents=body.no_accents,
        start_at=body.start_at, expires_at=body.expires_at, quiet_start=body.quiet_start,
        quiet_end=body.quiet_end, cap=body.cap))
    return Status(201, _out(_campaign(request, campaign.pk)))


@router.post("/preview", response={200: PreviewOut, **errors(400, 401, 403, 422)},
             summary="Encoding, characters, segments and cost per language of texts, before anything is saved")
def preview_texts(request: HttpRequest, body: PreviewIn) -> dict[str, Any]:
    if not perms.may_prepare_somewhere(request_user(request)):
        raise PermissionDenied(_("Only the department's staff with the contributor role prepare campaigns."))
    shown = preview(body.texts, body.no_accents, body.segment_limit, body.commune_ids)
    return {"languages": [{"language": r["language"], "encoding": r["info"].encoding,
                           "characters": r["info"].characters, "units": r["info"].units,
                           "segments": r["info"].segments, "parts": list(r["info"].parts),
                           "too_long": r["too_long"], "sent_text": r["info"].text, "recipients": r["recipients"],
                           "cost": r["cost"]} for r in shown["rows"]],
            "total_cost": shown["cost"]["total"]}


@router.get("/campaigns/{campaign_id}", response={200: CampaignOut, **errors(401, 404, 422)}, summary="A campaign")
def get_campaign(request: HttpRequest, campaign_id: IdPath) -> dict[str, Any]:
    return _out(_campaign(request, campaign_id))


@router.post("/campaigns/{campaign_id}/actions", response={200: CampaignOut, **errors(400, 401, 403, 404, 422)},
             summary="Submit, approve (a second person), return with a reason, pause, resume or cancel")
def campaign_action(request: HttpRequest, campaign_id: IdPath, body: ActionIn) -> dict[str, Any]:
    user = request_user(request)
    c = _campaign(request, campaign_id)
    if not perms.can_run(user, c.agency_id):
        raise NotFound(_("No such campaign."))
    if body.action == "submit":
        services.do_submit(user, campaign_id)
    elif body.action == "approve":
        services.do_approve(user, campaign_id)
    elif body.action == "reject":
        services.do_reject(user, campaign_id, body.reason)
    else:
        services.do_move(user, campaign_id, body.action)
    return _out(_campaign(request, campaign_id))


@router.get("/campaigns/{campaign_id}/results", response={200: ResultsOut, **errors(401, 404, 422)},
            summary="Sent, delivered, failed and pending per operator and language; reach per commune; cost")
def campaign_results(request: HttpRequest, campaign_id: IdPath) -> dict[str, Any]:
    c = _campaign(request, campaign_id)
    f = campaign_figures(c)
    return {"state": c.state, "percent": f["percent"], "totals": f["totals"], "cost": f["cost"],
            "lines": [{k: row[k] for k in ("operator", "language", "total", "delivered", "failed", "sent",
                                           "pending", "skipped")} for row in f["rows"]],
            "reach": [{"commune": r["commune__name"], "delivered": r["n"]} for r in f["reach"]]}


@router.get("/audiences", response={200: list[AudienceOut], **errors(401, 403, 422)},
            summary="Opted-in subscribers per commune, language and operator")
def list_audiences(request: HttpRequest, query: Query[AudienceQuery]) -> list[dict[str, Any]]:
    if not perms.may_prepare_somewhere(request_user(request)):
        raise PermissionDenied(_("Only the department's staff with the contributor role prepare campaigns."))
    qs = Subscriber.objects.filter(opted_out_at__isnull=True)
    if query.commune_id is not None:
        qs = qs.filter(commune_id=query.commune_id)
    if query.language:
        qs = qs.filter(language=query.language)
    rows = (qs.values("commune_id", "commune__name", "language", "operator__name").annotate(n=Count("pk"))
            .order_by("commune__name", "language", "operator__name"))[:2000]
    return [{"commune_id": r["commune_id"], "commune": r["commune__name"], "language": r["language"],
             "operator": r["operator__name"], "subscribers": r["n"]} for r in rows]
