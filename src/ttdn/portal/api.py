"""The portal's API: CAP alerts (declare, update, cancel; import from other alerting systems) and webhooks.

Thin: every change goes through ttdn.portal.services, which authorises it; rows in ttdn.core.access.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from ttdn.accounts.api import AUTH, PUBLIC_AUTH, PUBLIC_OPENAPI, errors, request_user
from ttdn.content.api import MAX_ID
from ttdn.core.errors import NotFound, Throttled

from . import ratelimit, services
from .models import Delivery

router = Router(tags=["portal"])


class AlertIn(Schema):
    status: str = Field("Actual", max_length=16, description="Actual, Exercise (a drill) or Test.")
    category: str = Field("Safety", max_length=16,
                          description="CAP category: Geo, Met, Safety, Security, Rescue, Fire, Health…")
    urgency: str = Field("Expected", max_length=16, description="Immediate, Expected, Future, Past or Unknown.")
    severity: str = Field("Moderate", max_length=16, description="Extreme, Severe, Moderate, Minor or Unknown.")
    certainty: str = Field("Likely", max_length=16, description="Observed, Likely, Possible, Unlikely or Unknown.")
    event: dict[str, str] = Field(..., description="The event's name per language; the source language's needed.")
    instruction: dict[str, str] = Field(default_factory=dict, description="What people should do, per language.")
    expires: dt.datetime | None = None
    communes: list[Annotated[str, Field(max_length=8)]] = Field(
        default_factory=list, max_length=200,
        description="GSO codes of the communes/wards the alert is for (each a CAP <area>); none: the provinces.")


class CapMessageOut(Schema):
    identifier: str
    msg_type: str
    sent: dt.datetime
    languages: list[str]
    url: str = Field(..., description="The signed CAP 1.2 document.")


class CancelIn(Schema):
    note: str = Field("", max_length=500)


def _message_out(request: HttpRequest, message: Any) -> dict[str, Any]:
    return {"identifier": message.identifier, "msg_type": message.msg_type, "sent": message.sent,
            "languages": message.languages,
            "url": request.build_absolute_uri(reverse("portal:cap_message", args=[message.identifier]))}


@router.post("/alerts/{uid}", auth=AUTH, response={200: CapMessageOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Declare a published item an alert, or update its alert (CAP Alert / Update)")
def alert_item(request: HttpRequest, uid: UUID, payload: AlertIn) -> Any:
    message = services.do_alert(request_user(request), uid, services.AlertInput(**payload.dict()))
    return _message_out(request, message)


@router.post("/alerts/{uid}/cancel", auth=AUTH, response={200: CapMessageOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Cancel an item's alert (CAP Cancel referencing every earlier message)")
def cancel_alert(request: HttpRequest, uid: UUID, payload: CancelIn) -> Any:
    return _message_out(request, services.do_cancel_alert(request_user(request), uid, payload.note))


class ImportOut(Schema):
    msg_type: str
    item: str | None = Field(None, description="The new item, waiting for approval (none for a Cancel).")
    state: str | None = None


@router.post("/cap", auth=PUBLIC_AUTH, openapi_extra=PUBLIC_OPENAPI,
             response={201: ImportOut, **errors(400, 401, 403, 409, 413, 429)},
             summary="Take in a signed CAP 1.2 message from a registered alerting system")
def import_cap(request: HttpRequest) -> Any:
    """The body is the CAP XML. The credential is its XML signature, checked against the registered
    sender's certificate; an unknown sender, a bad signature or a replayed message is refused.
    Each client may send a burst of TTDN_CAP_IMPORT_BURST messages, then TTDN_CAP_IMPORT_PER_MINUTE a minute;
    beyond that the answer is 429 with Retry-After (seconds), before the message is read."""
    wait = ratelimit.cap_import.take(ratelimit.client_key(request))
    if wait:
        raise Throttled(_("Too many CAP messages from this address; try again in %(n)d seconds.") % {"n": wait},
                        retry_after=wait)
    result = services.do_import_cap(request.body)
    item = result.item
    return Status(201, {"msg_type": result.msg_type, "item": str(item.uid) if item else None,
                 "state": item.state if item else None})


# A language tag, topic code, GSO code or kind in a subscriber's filters.
Code = Annotated[str, Field(max_length=64)]


class SubscriberIn(Schema):
    agency_id: int = Field(..., ge=1, le=MAX_ID)
    name: str = Field(..., max_length=200)
    url: str = Field(..., max_length=500)
    languages: list[Code] = Field(default_factory=list, max_length=20)
    topics: list[Code] = Field(default_factory=list, max_length=50)
    provinces: list[Code] = Field(default_factory=list, max_length=50, description="GSO codes of provinces.")
    kinds: list[Code] = Field(default_factory=list, max_length=20)


class SubscriberOut(Schema):
    uid: str
    agency_id: int
    name: str
    url: str
    languages: list[str]
    topics: list[str]
    provinces: list[str]
    kinds: list[str]
    active: bool


class SubscriberCreated(SubscriberOut):
    secret: str = Field(..., description="The HMAC key; shown only now.")


class DeliveryOut(Schema):
    uid: str
    event: str
    item: str
    state: str
    attempts: int
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    next_attempt_at: dt.datetime
    last_status: int | None
    last_error: str
    log: list[dict[str, Any]]


def _subscriber_out(row: Any) -> dict[str, Any]:
    return {"uid": str(row.uid), "agency_id": row.agency_id, "name": row.name, "url": row.url,
            "languages": row.languages, "topics": row.topics, "provinces": row.provinces, "kinds": row.kinds,
            "active": row.active}


@router.post("/webhooks", auth=AUTH, response={201: SubscriberCreated, **errors(400, 401, 403, 422)},
             summary="Register a receiving system of an agency, with its filters")
def add_webhook(request: HttpRequest, payload: SubscriberIn) -> Any:
    row, secret = services.do_add_subscriber(request_user(request), services.SubscriberInput(**payload.dict()))
    return Status(201, {**_subscriber_out(row), "secret": secret})


@router.get("/webhooks", auth=AUTH, response={200: list[SubscriberOut], **errors(401)},
            summary="The receiving systems the caller administers")
def list_webhooks(request: HttpRequest) -> Any:
    return [_subscriber_out(r) for r in services.subscribers_for(request_user(request))[:500]]


@router.get("/webhooks/{subscriber_uid}/deliveries", auth=AUTH,
            response={200: list[DeliveryOut], **errors(401, 404, 422)},
            summary="The delivery log of a receiving system (latest first)")
def list_deliveries(request: HttpRequest, subscriber_uid: UUID) -> Any:
    row = services.subscribers_for(request_user(request)).filter(uid=subscriber_uid).first()
    if row is None:
        raise NotFound(_("No such receiving system."))
    rows = Delivery.objects.filter(subscriber=row).order_by("-created_at", "-id")[:200]
    return [{"uid": str(d.uid), "event": d.event, "item": str(d.item_uid), "state": d.state, "attempts": d.attempts,
             "created_at": d.created_at, "delivered_at": d.delivered_at, "next_attempt_at": d.next_attempt_at,
             "last_status": d.last_status, "last_error": d.last_error, "log": d.log} for d in rows]


@router.delete("/webhooks/{subscriber_uid}", auth=AUTH, response={200: SubscriberOut, **errors(401, 404, 422)},
               summary="Stop sending to a receiving system")
def deactivate_webhook(request: HttpRequest, subscriber_uid: UUID) -> Any:
    return _subscriber_out(services.do_deactivate_subscriber(request_user(request), subscriber_uid))

