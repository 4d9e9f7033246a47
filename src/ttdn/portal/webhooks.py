"""Signed webhooks to receiving systems: queued with the change that caused them, delivered by the worker.

Each change to public material (published, updated, withdrawn) becomes one Delivery per matching subscriber,
written in the same transaction as the change (content.changes), so nothing is announced that did not happen
and nothing that happened is lost. The worker posts them: HMAC-SHA256 over "<timestamp>.<body>", retried with
exponential back-off for a day, oldest first per subscriber (a later event never overtakes an earlier one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ttdn.content.models import Item
from ttdn.core.audit import record
from ttdn.core.transactions import durable

from .models import Delivery, DeliveryState, Subscriber, WebhookEvent
from .queries import ANONYMOUS, shown, slug

SIGNATURE_HEADER = "X-TTDN-Signature"
TIMEOUT_SECONDS = 10
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=1)
GIVE_UP_AFTER = dt.timedelta(hours=24)
BATCH = 50


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What the receiver recomputes: hex HMAC-SHA256 of "<timestamp>.<body>" with the subscriber's secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min … doubling, never more than an hour between tries."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _matches(sub: Subscriber, item: Item, langs: set[str]) -> bool:
    if sub.kinds and item.kind not in sub.kinds:
        return False
    if sub.languages and not (langs & set(sub.languages)):
        return False
    if sub.topics and not ({t.code for t in item.topics.all()} & set(sub.topics)):
        return False
    provinces = {p.gso_code for p in item.target_provinces.all()}
    return not (sub.provinces and not (provinces & set(sub.provinces)))


def _payload(event: str, item: Item, variants: list[Any]) -> bytes:
    doc: dict[str, Any] = {"event": event, "item": str(item.uid)}
    if event != WebhookEvent.WITHDRAWN:
        doc.update({
            "kind": item.kind, "agency": item.agency.name,
            "published_at": item.published_at.isoformat() if item.published_at else None,
            "valid_until": item.valid_until.isoformat() if item.valid_until else None,
            "topics": sorted(t.code for t in item.topics.all()),
            "provinces": sorted(p.gso_code for p in item.target_provinces.all()),
            "versions": [{
                "language": v.language, "title": v.title, "summary": v.summary,
                "url": _site(reverse("portal:item", args=[v.language, item.uid, slug(v.title)])),
                "ninjs": _site(reverse("portal:ninjs", args=[v.language, item.uid])),
            } for v in sorted(variants, key=lambda v: v.language)],
        })
    return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()


def queue_changes(item_ids: list[int]) -> None:
    """Listener (content.changes), inside the writing transaction: one delivery per subscriber whose filters
    match and for whom the public view of the item changed. Officials-only or unfinished material never goes."""
    subscribers = list(Subscriber.objects.filter(active=True))
    if not subscribers:
        return
    from ttdn.content import permissions as perms

    items = {i.pk: i for i in Item.objects.filter(pk__in=item_ids).select_related("agency")
             .prefetch_related("variants", "topics", "target_provinces")}
    live = set(perms.visible_items(ANONYMOUS).filter(pk__in=list(items)).values_list("pk", flat=True))
    for item in items.values():
        variants = shown(item) if item.pk in live else []
        langs = {v.language for v in variants}
        for sub in subscribers:
            last = (Delivery.objects.filter(subscriber=sub, item_uid=item.uid).order_by("-created_at", "-id")
                    .only("event", "payload").first())
            was_public = last is not None and last.event != WebhookEvent.WITHDRAWN
            if item.pk in live and _matches(sub, item, langs):
                event = WebhookEvent.UPDATED if was_public else WebhookEvent.PUBLISHED
            elif was_public:
                event = WebhookEvent.WITHDRAWN  # gone from the public, or no longer within the filters
            else:
                continue
            unchanged = last is not None and bytes(last.payload) == _payload(last.event, item, variants)
            if event == WebhookEvent.UPDATED and unchanged:
                continue  # nothing the public sees has changed (a draft translation, an internal note)
            body = _payload(event, item, variants)
            Delivery.objects.create(subscriber=sub, event=event, item_uid=item.uid, payload=body)


def _post(sub: Subscriber, delivery: Delivery, now: dt.datetime) -> tuple[int | None, str, int]:
    """One HTTP attempt, outside any transaction. Returns (status, error, milliseconds)."""
    body = bytes(delivery.payload)
    stamp = str(int(now.timestamp()))
    if not sub.url.startswith(("http://", "https://")):  # checked at registration; never file: or others
        return None, "not an http(s) URL", 0
    request = urllib.request.Request(sub.url, data=body, method="POST", headers={  # noqa: S310
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "TTDN-webhooks/1",
        "X-TTDN-Event": delivery.event,
        "X-TTDN-Delivery": str(delivery.uid),
        SIGNATURE_HEADER: signature(sub.secret, stamp, body),
    })
    started = time.monotonic()
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(65536)
            status, error = response.status, ""
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        status, error = None, str(getattr(exc, "reason", exc))[:300]
    return status, error, round((time.monotonic() - started) * 1000)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A receiver answers where it was registered; a redirect is a failure, not a new destination."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())


def _claim(now: dt.datetime) -> list[Delivery]:
    """The oldest due delivery of each subscriber, leased for the length of an attempt."""
    with durable():
        due = list(Delivery.objects.select_for_update().filter(
            state=DeliveryState.PENDING, subscriber__active=True).order_by("created_at", "id")
            .select_related("subscriber")[: BATCH * 4])
        picked: dict[int, Delivery] = {}
        for d in due:
            if d.subscriber_id not in picked:
                picked[d.subscriber_id] = d  # the first pending one of the subscriber, due or not
        claimed = [d for d in picked.values() if d.next_attempt_at <= now][:BATCH]
        lease = now + dt.timedelta(seconds=TIMEOUT_SECONDS * 3)
        Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(next_attempt_at=lease)
    return claimed


def _record_attempt(delivery: Delivery, status: int | None, error: str, ms: int, now: dt.datetime) -> None:
    with durable():
        d = Delivery.objects.select_for_update().get(pk=delivery.pk)
        d.attempts += 1
        d.last_status, d.last_error = status, error
        d.log = [*d.log, {"at": now.isoformat(), "status": status, "error": error, "ms": ms}][-30:]
        if status is not None and 200 <= status < 300:
            d.state, d.delivered_at = DeliveryState.DELIVERED, now
        elif now - d.created_at >= GIVE_UP_AFTER:
            d.state = DeliveryState.FAILED
            record(None, "portal.webhook.gave_up", d, agency_id=delivery.subscriber.agency_id,
                   attempts=d.attempts, last_error=error)
        else:
            d.next_attempt_at = now + backoff(d.attempts)
        d.save()


def do_deliver_due(now: dt.datetime | None = None) -> int:
    """Run by the worker: post the due deliveries, oldest first per subscriber, until none is due (a failing
    receiver waits for its back-off; a delivered one's next event follows at once). Returns how many arrived."""
    delivered = 0
    while True:
        moment = now or timezone.now()
        claimed = _claim(moment)
        if not claimed:
            return delivered
        for d in claimed:
            status, error, ms = _post(d.subscriber, d, moment)
            _record_attempt(d, status, error, ms, moment)
            delivered += status is not None and 200 <= status < 300
