"""Every change the portal makes: CAP alerts (declare, update, cancel, import) and webhook subscribers.

Reading public material goes through `queries` (the one visibility rule as an anonymous visitor sees it).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from ttdn.accounts.models import Agency, User
from ttdn.content import services as content
from ttdn.content.models import Item, ItemKind
from ttdn.core import languages
from ttdn.core.audit import record
from ttdn.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from ttdn.core.text import clean_line, html_to_text, nfc
from ttdn.core.transactions import durable
from ttdn.places.models import AdminUnit

from . import cap
from .models import (
    Alert,
    CapMessage,
    CapSender,
    CapStatus,
    Category,
    Certainty,
    MsgType,
    Severity,
    Subscriber,
    Urgency,
)
from .permissions import can_alert, can_manage_webhooks
from .queries import ANONYMOUS, shown, slug

EVENT_MAX = 200
INSTRUCTION_MAX = 2000


def _invalid(field_name: str, message: str) -> ServiceError:
    return ServiceError("invalid", message, field=field_name)


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _public_live(item: Item) -> bool:
    from ttdn.content import permissions as perms

    return perms.visible_items(ANONYMOUS).filter(pk=item.pk).exists()


# ------------------------------------------------------------------------------------------ CAP alerts


@dataclass
class AlertInput:
    status: str = CapStatus.ACTUAL
    category: str = Category.SAFETY
    urgency: str = Urgency.EXPECTED
    severity: str = Severity.MODERATE
    certainty: str = Certainty.LIKELY
    event: dict[str, str] = field(default_factory=dict)  # language → event name; the source language's needed
    instruction: dict[str, str] = field(default_factory=dict)
    expires: dt.datetime | None = None
    communes: list[str] = field(default_factory=list)  # GSO codes of communes/wards in force; none: the provinces


COMMUNES_MAX = 200


def _communes(item: Item, codes: list[str]) -> list[AdminUnit]:
    """The communes in force with these GSO codes, within the item's target provinces (when it has any)."""
    codes = sorted({c.strip() for c in codes if c.strip()})
    if len(codes) > COMMUNES_MAX:
        raise _invalid("communes", _("At most %(n)d communes in one alert.") % {"n": COMMUNES_MAX})
    units = list(AdminUnit.objects.filter(gso_code__in=codes, level="commune", valid_to__isnull=True)
                 .select_related("parent"))
    unknown = sorted(set(codes) - {u.gso_code for u in units})
    if unknown:
        raise _invalid("communes", _("Unknown commune or ward: %(codes)s.") % {"codes": ", ".join(unknown[:10])})
    provinces = set(item.target_provinces.values_list("pk", flat=True))
    outside = [u.name for u in units if provinces and u.province().pk not in provinces]
    if outside:
        raise _invalid("communes", _("Outside the provinces the material is for: %(names)s.") % {
            "names": ", ".join(outside[:10])})
    return units


def _clean_texts(values: dict[str, str], limit: int, name: str) -> dict[str, str]:
    out = {}
    for tag, value in values.items():
        lang = languages.canonical_tag(tag)
        if lang is None:
            raise _invalid(name, _("Unknown language “%(tag)s”.") % {"tag": tag})
        text = clean_line(value) if name == "event" else nfc(value).strip()
        if len(text) > limit:
            raise _invalid(name, _("The text is longer than %(n)d characters.") % {"n": limit})
        if text:
            out[lang] = text
    return out


def check_alert(actor: User, item: Item, data: AlertInput, now: dt.datetime) -> dict[str, Any]:
    if not can_alert(actor):
        raise PermissionDenied(_("Only a publisher may declare, update or cancel an alert."))
    if not _public_live(item):
        raise Conflict(_("Only public material that is published and in force can be an alert."), code="not_live")
    for value, choices, name in ((data.status, CapStatus, "status"), (data.category, Category, "category"),
                                 (data.urgency, Urgency, "urgency"), (data.severity, Severity, "severity"),
                                 (data.certainty, Certainty, "certainty")):
        if value not in choices.values:
            raise _invalid(name, _("Choose one of: %(values)s.") % {"values": ", ".join(choices.values)})
    event = _clean_texts(data.event, EVENT_MAX, "event")
    if item.source_language not in event:
        raise _invalid("event", _("Name the event in %(lang)s.") % {"lang": languages.name(item.source_language)})
    instruction = _clean_texts(data.instruction, INSTRUCTION_MAX, "instruction")
    if data.expires is not None and data.expires <= now:
        raise _invalid("expires", _("The alert must expire in the future."))
    return {"event": event, "instruction": instruction, "communes": _communes(item, data.communes)}


def alert_areas(alert: Alert) -> list[cap.Area]:
    """CAP <area> blocks: one per commune named (its name with its province's, its GSO code), or else the
    item's target provinces together. The places data carries no boundaries, so there are no polygons."""
    communes = sorted(alert.communes.select_related("parent"), key=lambda u: (u.province().name, u.name))
    if communes:
        return [cap.Area(f"{u.name}, {u.province().name}", [u.gso_code]) for u in communes]
    provinces = list(alert.item.target_provinces.order_by("name"))
    return [cap.Area(", ".join(p.name for p in provinces), [p.gso_code for p in provinces])] if provinces else []


def _message(alert: Alert, msg_type: str, now: dt.datetime, note: str = "") -> CapMessage:
    """Write, sign and store one message of the alert (inside the caller's transaction)."""
    item = alert.item
    earlier = list(alert.messages.order_by("sent", "id"))
    # A new Alert after a cancel starts a new chain; Update and Cancel reference every message before them.
    refs = [] if msg_type == MsgType.ALERT else [(m.sender, m.identifier, m.sent) for m in earlier]
    identifier = f"TTDN-{now:%Y%m%d}-{uuid.uuid4().hex[:16]}"
    message = cap.Message(identifier=identifier, sender=settings.CAP_SENDER, sent=now, status=alert.status,
                          msg_type=msg_type, note=note[:500], references=refs)
    if msg_type != MsgType.CANCEL:
        areas = alert_areas(alert)
        for variant in shown(item):
            lang = variant.language
            page = _site(reverse("portal:item", args=[lang, item.uid, slug(variant.title)]))
            resources = [cap.Resource(a.filename, a.asset.mime_type, a.asset.size,
                                      _site(reverse("content:file", args=[a.asset.sha256])))
                         for a in variant.attachments.select_related("asset").order_by("position")]
            message.infos.append(cap.Info(
                language=lang, category=alert.category, event=alert.event.get(lang) or variant.title,
                urgency=alert.urgency, severity=alert.severity, certainty=alert.certainty,
                sender_name=item.agency.name, headline=variant.title,
                description=html_to_text(variant.body) or variant.summary or variant.title,
                instruction=alert.instruction.get(lang, ""), web=page, expires=alert.expires or item.valid_until,
                areas=areas, resources=resources))
    document = cap.write(message)
    return CapMessage.objects.create(alert=alert, identifier=identifier, sender=settings.CAP_SENDER, sent=now,
                                     msg_type=msg_type, languages=[i.language for i in message.infos],
                                     document=document)


def do_alert(actor: User, item_uid: uuid.UUID | str, data: AlertInput, now: dt.datetime | None = None) -> CapMessage:
    """Declare a published item an alert (msgType Alert), or update the active one (msgType Update)."""
    now = (now or timezone.now()).replace(microsecond=0)
    with durable():
        item = Item.objects.select_for_update().filter(uid=item_uid).select_related("agency").first()
        if item is None:
            raise NotFound(_("No such material."))
        clean = check_alert(actor, item, data, now)
        alert = Alert.objects.select_for_update().filter(item=item).first()
        # An Update needs earlier messages of ours to reference (an imported alert's first one is an Alert).
        msg_type = (MsgType.UPDATE if alert is not None and alert.is_active and alert.messages.exists()
                    else MsgType.ALERT)
        if alert is None:
            alert = Alert(item=item, created_by=actor, created_at=now)
        if msg_type == MsgType.ALERT:
            alert.created_by, alert.created_at = actor, now
        alert.status, alert.category = data.status, data.category
        alert.urgency, alert.severity, alert.certainty = data.urgency, data.severity, data.certainty
        alert.event, alert.instruction, alert.expires = clean["event"], clean["instruction"], data.expires
        alert.cancelled_at = None
        alert.save()
        alert.communes.set(clean["communes"])
        message = _message(alert, msg_type, now)
        record(actor, f"portal.alert.{msg_type.lower()}", alert, agency_id=item.agency_id,
               identifier=message.identifier, status=alert.status, severity=alert.severity,
               communes=[u.gso_code for u in clean["communes"]])
    return message


def _cancel(actor: User | None, alert: Alert, now: dt.datetime, note: str) -> CapMessage:
    alert.cancelled_at = now
    alert.save(update_fields=["cancelled_at"])
    message = _message(alert, MsgType.CANCEL, now, note)
    record(actor, "portal.alert.cancel", alert, agency_id=alert.item.agency_id, identifier=message.identifier,
           note=note)
    return message


def do_cancel_alert(actor: User, item_uid: uuid.UUID | str, note: str = "",
                    now: dt.datetime | None = None) -> CapMessage:
    now = (now or timezone.now()).replace(microsecond=0)
    with durable():
        if not can_alert(actor):
            raise PermissionDenied(_("Only a publisher may declare, update or cancel an alert."))
        item = Item.objects.select_for_update().filter(uid=item_uid).first()
        alert = Alert.objects.select_for_update().filter(item=item).select_related("item").first() if item else None
        if alert is None or not alert.is_active:
            raise Conflict(_("This material is not an active alert."), code="no_alert")
        return _cancel(actor, alert, now, clean_line(note))


def cancel_gone(item_ids: list[int]) -> None:
    """Listener (content.changes): an alert whose item left the public (withdrawn, expired, made officials-only)
    is cancelled in the same transaction, so alerting systems stop showing it. The Cancel carries no text."""
    alerts = list(Alert.objects.filter(item_id__in=item_ids, cancelled_at__isnull=True).select_related("item"))
    if not alerts:
        return
    from ttdn.content import permissions as perms

    live = set(perms.visible_items(ANONYMOUS).filter(pk__in=[a.item_id for a in alerts])
               .values_list("pk", flat=True))
    now = timezone.now().replace(microsecond=0)
    for alert in alerts:
        if alert.item_id not in live and alert.messages.exists():
            _cancel(None, alert, now, "")


def active_messages(now: dt.datetime | None = None) -> list[CapMessage]:
    """The latest message of each alert the public may see now: live items' alerts, and cancels of the last day."""
    from ttdn.content import permissions as perms

    now = now or timezone.now()
    live = perms.visible_items(ANONYMOUS)
    out = []
    alerts = (Alert.objects.filter(item__in=live, cancelled_at__isnull=True)
              | Alert.objects.filter(cancelled_at__gt=now - dt.timedelta(days=1)))
    for alert in alerts.distinct().select_related("item"):
        if alert.cancelled_at is None and alert.expires is not None and alert.expires <= now:
            continue
        last = alert.messages.order_by("-sent", "-id").first()
        if last is not None:
            out.append(last)
    return sorted(out, key=lambda m: (m.sent, m.pk), reverse=True)


def public_message(identifier: str) -> CapMessage | None:
    """A message as the public may fetch it: a Cancel (it carries no text), or one of a live item."""
    message = CapMessage.objects.filter(identifier=identifier).select_related("alert").first()
    if message is None:
        return None
    if message.msg_type == MsgType.CANCEL or _public_live(message.alert.item):
        return message
    return None


# ------------------------------------------------------------------------------------------ CAP import


def _cap_error(exc: cap.CapError) -> ServiceError:
    messages = {
        "too_large": _("The CAP message is too large."),
        "malformed": _("This is not well-formed XML."),
        "not_cap": _("This is not a CAP 1.2 alert."),
        "invalid": _("The CAP message does not follow the CAP 1.2 schema."),
        "bad_signature": _("The CAP message's signature does not match its sender's certificate."),
    }
    return ServiceError(f"cap_{exc.code}", messages.get(exc.code, _("The CAP message was refused.")),
                        detail=exc.detail)


def _language(tag: str) -> str | None:
    return languages.canonical_tag(tag) or languages.canonical_tag(tag.split("-")[0])


@dataclass
class ImportResult:
    alert: Alert
    item: Item | None
    msg_type: str


def check_import(data: bytes) -> tuple[CapSender, Any, list[dict[str, Any]]]:
    """Parse, validate, find the sender, verify its signature; return what the signature covers."""
    try:
        root = cap.parse(data)
    except cap.CapError as exc:
        raise _cap_error(exc) from None
    sender = CapSender.objects.filter(sender=cap.text(root, "sender"), active=True).first()
    if sender is None:
        raise PermissionDenied(_("Unknown CAP sender “%(sender)s”.") % {"sender": cap.text(root, "sender")[:100]},
                               code="cap_unknown_sender")
    if not cap.is_signed(root):
        raise PermissionDenied(_("CAP messages from this sender must be signed."), code="cap_unsigned")
    try:
        signed = cap.verify(data, sender.certificate)
    except cap.CapError as exc:
        raise _cap_error(exc) from None
    if cap.text(signed, "sender") != sender.sender:
        raise PermissionDenied(_("The signed sender is not the registered one."), code="cap_bad_signature")
    infos = [cap.read_info(node) for node in signed.findall(cap.q("info"))]
    seen: set[str] = set()
    for info in infos:
        lang = _language(info["language"])
        if lang is None:
            raise ServiceError("cap_language", _("Unknown language “%(tag)s”.") % {"tag": info["language"][:20]})
        if lang in seen:
            raise ServiceError("cap_language", _("Two blocks in the same language “%(tag)s”.") % {"tag": lang})
        seen.add(lang)
        info["language"] = lang
    return sender, signed, infos


def _body(info: dict[str, Any]) -> str:
    paragraphs = [p for p in (info["description"], info["instruction"]) if p]
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def do_import_cap(data: bytes, now: dt.datetime | None = None) -> ImportResult:
    """A CAP message from a registered sender. An Alert or Update becomes material of the emergency class
    waiting for one approval, with every language block; a Cancel cancels the alert it references."""
    now = now or timezone.now()
    sender, signed, infos = check_import(data)
    identifier = cap.text(signed, "identifier")
    msg_type = cap.text(signed, "msgType")
    with durable():
        account = User.objects.select_for_update().get(pk=sender.account_id)
        if Alert.objects.filter(source_sender=sender.sender, source_identifier=identifier).exists():
            raise Conflict(_("This CAP message was already received."), code="cap_replayed")
        refs = cap.references(cap.text(signed, "references"))
        if msg_type == MsgType.CANCEL:
            earlier = Alert.objects.select_for_update().filter(
                source_sender=sender.sender, source_identifier__in=[i for s, i in refs if s == sender.sender]).first()
            if earlier is None:
                raise Conflict(_("This cancel refers to no alert the hub received."), code="cap_unknown_reference")
            earlier.cancelled_at = now
            earlier.save(update_fields=["cancelled_at"])
            record(account, "portal.alert.import_cancel", earlier, agency_id=account.agency_id,
                   sender=sender.sender, identifier=identifier)
            return ImportResult(earlier, None, msg_type)
        if msg_type not in (MsgType.ALERT, MsgType.UPDATE):
            raise ServiceError("cap_msg_type", _("Only Alert, Update and Cancel messages are taken in."))
        status = cap.text(signed, "status")
        if status not in CapStatus.values:  # System and Draft messages are not for the public
            raise ServiceError("cap_status", _("Only Actual, Exercise and Test messages are taken in."))
        if not infos:
            raise ServiceError("cap_empty", _("The CAP message has no information block."))
        expires = [i["expires"] for i in infos if i["expires"] is not None]
        if expires and max(expires) <= now:
            raise Conflict(_("This CAP alert has already expired."), code="cap_expired")
        source = next((i for i in infos if i["language"] == "vi"), infos[0])
        gso = {code for i in infos for area in i["areas"] for code in area.geocodes}
        provinces = list(AdminUnit.objects.filter(gso_code__in=gso, level="province", valid_to__isnull=True)
                         .values_list("pk", flat=True))
        # A commune's geocode targets the commune (kept on the alert) and its province (kept on the item).
        communes = list(AdminUnit.objects.filter(gso_code__in=gso, level="commune", valid_to__isnull=True)
                        .select_related("parent")[:COMMUNES_MAX])
        provinces = sorted(set(provinces) | {u.province().pk for u in communes})
        item = content._create_item(account, content.ItemData(
            kind=ItemKind.ARTICLE, title=source["headline"] or source["event"], summary=source["description"][:500],
            body=_body(source), language=source["language"], no_state_secrets=True, target_provinces=provinces,
            valid_until=max(expires) if expires else None))
        for info in infos:
            if info is not source:
                content._save_variant(account, item, info["language"], info["headline"] or info["event"],
                                      info["description"][:500], _body(info))
        item.refresh_from_db()
        content.apply_transition(account, item, "submit", reason="")
        alert = Alert.objects.create(
            item=item, status=status,
            category=source["category"] if source["category"] in Category.values else Category.OTHER,
            urgency=source["urgency"], severity=source["severity"], certainty=source["certainty"],
            event={i["language"]: i["event"][:EVENT_MAX] for i in infos},
            instruction={i["language"]: i["instruction"][:INSTRUCTION_MAX] for i in infos if i["instruction"]},
            expires=max(expires) if expires else None, created_by=account, created_at=now,
            source_sender=sender.sender, source_identifier=identifier)
        alert.communes.set(communes)
        record(account, "portal.alert.import", alert, agency_id=account.agency_id, sender=sender.sender,
               identifier=identifier, msg_type=msg_type, languages=[i["language"] for i in infos])
    return ImportResult(alert, item, msg_type)


def do_register_sender(actor: User, sender: str, name: str, certificate_pem: str, account: User,
                       feed_url: str = "") -> CapSender:
    """An operator registers another alerting system whose signed CAP messages the hub takes in."""
    from cryptography import x509

    with durable():
        if not (actor.is_authenticated and actor.is_superuser):
            raise PermissionDenied(_("Only an operator may register a CAP sender."))
        sender = clean_line(sender)
        if not sender or any(c in sender for c in " ,<&"):
            raise _invalid("sender", _("A CAP sender has no spaces, commas, “<” or “&”."))
        try:
            x509.load_pem_x509_certificate(certificate_pem.encode())
        except ValueError:
            raise _invalid("certificate", _("This is not a PEM certificate.")) from None
        from ttdn.content import permissions as perms

        if not perms.can_create(account):
            raise _invalid("account", _("Imported alerts are filed under a contributor of an agency."))
        feed_url = feed_url.strip()
        if feed_url and not (urlsplit(feed_url).scheme in ("http", "https") and urlsplit(feed_url).hostname):
            raise _invalid("feed_url", _("The address must be an http or https URL."))
        row, _created = CapSender.objects.update_or_create(
            sender=sender, defaults={"name": clean_line(name) or sender, "certificate": certificate_pem,
                                     "account": account, "active": True, "feed_url": feed_url})
        record(actor, "portal.cap_sender.save", row, sender=sender, account=account.get_username())
    return row


POLL_ENTRIES = 50


def _fetch(url: str) -> bytes:
    import urllib.request

    if not url.startswith(("http://", "https://")):
        raise ValueError("not an http(s) URL")
    request = urllib.request.Request(url, headers={"User-Agent": "TTDN-cap-poller/1"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        body: bytes = response.read(cap.MAX_BYTES + 1)
    return body


def do_poll_cap_feeds() -> dict[str, int]:
    """Run by the worker: read each registered sender's Atom index and take in the CAP messages it links
    (each checked exactly as a posted one: schema, signature, replay). Returns counts by outcome."""
    from lxml import etree

    counts = {"imported": 0, "known": 0, "refused": 0, "failed_feeds": 0}
    atom = "{http://www.w3.org/2005/Atom}"
    for sender in CapSender.objects.filter(active=True).exclude(feed_url=""):
        error = ""
        try:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
            feed = etree.fromstring(_fetch(sender.feed_url), parser)
            links = [link.get("href", "") for entry in feed.iter(f"{atom}entry") for link in entry.iter(f"{atom}link")
                     if link.get("type", "").endswith("cap+xml") or link.get("href", "").endswith(".xml")]
        except (OSError, ValueError, etree.XMLSyntaxError) as exc:
            counts["failed_feeds"] += 1
            links, error = [], str(exc)[:500]
        for href in links[:POLL_ENTRIES]:
            try:
                do_import_cap(_fetch(href))
                counts["imported"] += 1
            except ServiceError as exc:
                counts["known" if exc.code == "cap_replayed" else "refused"] += 1
                if exc.code != "cap_replayed":
                    error = f"{href}: {exc.code}"[:500]
            except (OSError, ValueError) as exc:
                counts["refused"] += 1
                error = f"{href}: {exc}"[:500]
        CapSender.objects.filter(pk=sender.pk).update(polled_at=timezone.now(), poll_error=error)
    return counts


# ------------------------------------------------------------------------------------------ webhooks


@dataclass
class SubscriberInput:
    agency_id: int
    name: str
    url: str
    languages: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)


def check_subscriber(actor: User, data: SubscriberInput) -> dict[str, Any]:
    if not can_manage_webhooks(actor, data.agency_id):
        raise PermissionDenied(_("Only an operator or the agency's administrator may register its systems."))
    if not Agency.objects.filter(pk=data.agency_id).exists():
        raise _invalid("agency_id", _("Unknown agency."))
    name = clean_line(data.name)
    if not name or len(name) > 200:
        raise _invalid("name", _("Give the receiving system a name (at most 200 characters)."))
    parts = urlsplit(data.url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or len(data.url) > 500:
        raise _invalid("url", _("The address must be an http or https URL."))
    langs = []
    for tag in data.languages:
        lang = languages.canonical_tag(tag)
        if lang is None:
            raise _invalid("languages", _("Unknown language “%(tag)s”.") % {"tag": tag})
        langs.append(lang)
    bad_kinds = [k for k in data.kinds if k not in ItemKind.values]
    if bad_kinds:
        raise _invalid("kinds", _("Unknown kind of material: %(k)s.") % {"k": ", ".join(bad_kinds)})
    from ttdn.content.models import Topic

    if len(set(data.topics)) != Topic.objects.filter(code__in=data.topics).count():
        raise _invalid("topics", _("Unknown topic."))
    if len(set(data.provinces)) != AdminUnit.objects.filter(gso_code__in=data.provinces, level="province",
                                                            valid_to__isnull=True).count():
        raise _invalid("provinces", _("Unknown province."))
    return {"name": name, "url": data.url.strip(), "languages": sorted(set(langs)),
            "topics": sorted(set(data.topics)), "provinces": sorted(set(data.provinces)),
            "kinds": sorted(set(data.kinds))}


def do_add_subscriber(actor: User, data: SubscriberInput) -> tuple[Subscriber, str]:
    """Register a receiving system; its HMAC secret is returned once (stored to sign, never shown again)."""
    with durable():
        clean = check_subscriber(actor, data)
        secret = "whsec_" + secrets.token_urlsafe(32)
        row = Subscriber.objects.create(agency_id=data.agency_id, secret=secret, created_by=actor, **clean)
        record(actor, "portal.webhook.add", row, agency_id=data.agency_id, url=row.url, languages=row.languages,
               topics=row.topics, provinces=row.provinces, kinds=row.kinds)
    return row, secret


def do_deactivate_subscriber(actor: User, uid: uuid.UUID | str) -> Subscriber:
    with durable():
        row = Subscriber.objects.select_for_update().filter(uid=uid).first()
        if row is None or not can_manage_webhooks(actor, row.agency_id):
            raise NotFound(_("No such receiving system."))
        row.active = False
        row.save(update_fields=["active"])
        record(actor, "portal.webhook.deactivate", row, agency_id=row.agency_id)
    return row


def subscribers_for(actor: User) -> Any:
    qs = Subscriber.objects.select_related("agency")
    if actor.is_superuser:
        return qs
    if actor.agency_id is not None and can_manage_webhooks(actor, actor.agency_id):
        return qs.filter(agency_id=actor.agency_id)
    return qs.none()

