"""Every change to campaigns, audiences and the do-not-contact list.

`check_…` validates and authorises; `do_…` is the transaction boundary (row locks first, authorisation under
the lock, write, audit). Messages are materialised (one row per recipient) when a campaign is approved, so each
is recorded before it can be offered to an SMSC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Agency
from ttdn.content.models import Item, ItemKind, State
from ttdn.content.permissions import is_live, is_ready
from ttdn.core import languages as languages_registry
from ttdn.core.audit import record
from ttdn.core.errors import NotFound, PermissionDenied, ServiceError
from ttdn.core.sms import SegmentInfo, analyse, check_segment_limit
from ttdn.core.text import html_to_text
from ttdn.outreach import audience as audience_io
from ttdn.outreach import permissions
from ttdn.outreach.audience import ImportReport
from ttdn.outreach.models import (
    AreaResult,
    Campaign,
    CampaignKind,
    CampaignState,
    CampaignText,
    DoNotContact,
    Message,
    MessageState,
    Operator,
    Subscriber,
    VoiceClip,
    VoiceSource,
)
from ttdn.outreach.numbers import normalise_mobile

MAX_SEGMENT_LIMIT = 10
SENDER_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_. ")


@dataclass
class CampaignData:
    title: str
    sender_name: str
    texts: dict[str, str]  # language → message
    commune_ids: list[int] = field(default_factory=list)
    segment_limit: int = 3
    no_accents: bool = False
    start_at: datetime | None = None
    expires_at: datetime | None = None
    quiet_start: time = time(22, 0)
    quiet_end: time = time(7, 0)
    cap: int = 3
    item_id: int | None = None
    kind: str = "sms"  # CampaignKind


def texts_from_item(user: Any, item: Item) -> dict[str, str]:
    """One message per language from live public material: the text of an "SMS text" item, else the summary."""
    if item.state != State.PUBLISHED or not is_live(item) or item.audience != "public":
        raise ServiceError("not_published", _("Only live public material can be sent to phones."))
    variants = list(item.variants.all())
    source_revision = next((v.revision for v in variants if v.source_variant_id is None), None)
    out: dict[str, str] = {}
    for v in variants:
        if not is_ready(v, source_revision):
            continue
        text = html_to_text(v.body) if item.kind == ItemKind.SMS else (v.summary or v.title)
        if text.strip():
            out[v.language] = " ".join(text.split())
    return out


def check_campaign(data: CampaignData) -> dict[str, SegmentInfo]:
    """The analysed text of every language; refuses what cannot be sent as asked (never truncates)."""
    if not data.title.strip():
        raise ServiceError("title_required", _("Give the campaign a title."))
    name = data.sender_name.strip()
    if not name or len(name) > 11 or not set(name) <= SENDER_NAME_CHARS:
        raise ServiceError("bad_sender_name",
                           _("The sender name (brandname) has 1 to 11 Latin letters, digits, spaces or - _ ."))
    if not 1 <= data.segment_limit <= MAX_SEGMENT_LIMIT:
        raise ServiceError("bad_segment_limit", _("The segment limit is between 1 and %(max)d.")
                           % {"max": MAX_SEGMENT_LIMIT})
    if not 1 <= data.cap <= 50:
        raise ServiceError("bad_cap", _("The cap per number is between 1 and 50 messages a day."))
    if data.start_at and data.expires_at and data.expires_at <= data.start_at:
        raise ServiceError("bad_expiry", _("The “too old to send” time must be after the start."))
    if data.kind not in CampaignKind.values:
        raise ServiceError("bad_kind", _("Unknown kind of campaign."))
    if data.kind == CampaignKind.AREA and not data.commune_ids:
        raise ServiceError("no_communes", _("An area broadcast order names the communes it covers."))
    texts = {lang: t.strip() for lang, t in data.texts.items() if t.strip()}
    if not texts:
        raise ServiceError("no_text", _("Write the message in at least one language."))
    infos: dict[str, SegmentInfo] = {}
    for lang, text in texts.items():
        info = analyse(text, no_accents=data.no_accents and lang == "vi")
        check_segment_limit(info, data.segment_limit)
        infos[lang] = info
    return infos


def _agency(user: Any) -> Agency:
    agency = getattr(user, "agency", None)
    if agency is None or not permissions.may_prepare_somewhere(user):
        raise PermissionDenied(_("Only the department's staff with the contributor role prepare campaigns."))
    return agency  # type: ignore[no-any-return]


def _write(campaign: Campaign, data: CampaignData) -> None:
    for name in ("kind", "title", "sender_name", "segment_limit", "no_accents", "start_at", "expires_at", "quiet_start",
                 "quiet_end", "cap"):
        value = getattr(data, name)
        setattr(campaign, name, value.strip() if isinstance(value, str) else value)
    campaign.item_id = data.item_id
    campaign.save()
    campaign.communes.set(data.commune_ids)
    campaign.texts.all().delete()
    CampaignText.objects.bulk_create([CampaignText(campaign=campaign, language=lang, text=text.strip())
                                      for lang, text in data.texts.items() if text.strip()])


def do_create_campaign(user: Any, data: CampaignData) -> Campaign:
    agency = _agency(user)
    check_campaign(data)
    with transaction.atomic():
        campaign = Campaign(agency=agency, created_by=user)
        _write(campaign, data)
        record(user, "outreach.campaign_created", campaign, agency_id=agency.pk, title=campaign.title,
               languages=sorted(data.texts))
    return campaign


def _locked(pk: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().filter(pk=pk).first()
    if campaign is None:
        raise NotFound(_("No such campaign."))
    return campaign


def do_update_campaign(user: Any, campaign_id: int, data: CampaignData) -> Campaign:
    check_campaign(data)
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if not permissions.can_prepare(user, campaign.agency_id):
            raise PermissionDenied(_("You may not change this campaign."))
        if campaign.state != CampaignState.DRAFT:
            raise ServiceError("not_draft", _("Only a draft campaign can be changed."))
        _write(campaign, data)
        record(user, "outreach.campaign_updated", campaign, agency_id=campaign.agency_id)
    return campaign


def do_submit(user: Any, campaign_id: int) -> Campaign:
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if not permissions.can_prepare(user, campaign.agency_id):
            raise PermissionDenied(_("You may not submit this campaign."))
        if campaign.state != CampaignState.DRAFT:
            raise ServiceError("not_draft", _("Only a draft campaign can be submitted for approval."))
        if campaign.kind == CampaignKind.SMS and not audience(campaign).exists():
            raise ServiceError("empty_audience", _("No subscriber in the chosen communes and languages."))
        campaign.state = CampaignState.AWAITING_APPROVAL
        campaign.save(update_fields=["state"])
        record(user, "outreach.campaign_submitted", campaign, agency_id=campaign.agency_id)
    return campaign


def audience(campaign: Campaign) -> Any:
    """Opted-in subscribers of the campaign's communes in its languages (with a known operator)."""
    languages = list(campaign.texts.values_list("language", flat=True))
    qs = Subscriber.objects.filter(opted_out_at__isnull=True, language__in=languages)
    commune_ids = list(campaign.communes.values_list("pk", flat=True))
    if commune_ids:
        qs = qs.filter(commune_id__in=commune_ids)
    return qs


def do_approve(user: Any, campaign_id: int, now: datetime | None = None) -> Campaign:
    """A second person approves: every recipient's message is recorded now, sending starts at the start time."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if not permissions.can_approve_role(user, campaign.agency_id):
            raise PermissionDenied(_("Only the agency's administrator or a publisher approves campaigns."))
        if campaign.created_by_id == getattr(user, "pk", None):
            raise PermissionDenied(_("A second person must approve: you prepared this campaign."),
                                   code="four_eyes")
        if campaign.state != CampaignState.AWAITING_APPROVAL:
            raise ServiceError("not_awaiting", _("This campaign is not awaiting approval."))
        if campaign.expires_at and campaign.expires_at <= now:
            raise ServiceError("expired", _("This campaign is already too old to send."))
        infos = {t.language: analyse(t.text, no_accents=campaign.no_accents and t.language == "vi")
                 for t in campaign.texts.all()}
        for info in infos.values():
            check_segment_limit(info, campaign.segment_limit)
        # An area order goes to the operators as a document; nothing is sent from here.
        created = materialise(campaign, infos) if campaign.kind == CampaignKind.SMS else 0
        campaign.state = CampaignState.SENDING if campaign.kind == CampaignKind.SMS else CampaignState.APPROVED
        campaign.approved_by, campaign.approved_at = user, now
        campaign.save(update_fields=["state", "approved_by", "approved_at"])
        record(user, "outreach.campaign_approved", campaign, agency_id=campaign.agency_id, messages=created)
    return campaign


def materialise(campaign: Campaign, infos: dict[str, SegmentInfo], chunk: int = 2000) -> int:
    """One Message row per recipient (inside the caller's transaction), in chunks to bound memory."""
    created = 0
    batch: list[Message] = []
    rows = (audience(campaign).filter(operator__isnull=False).order_by("pk")
            .values_list("number", "operator_id", "language", "commune_id"))
    for number, operator_id, language, commune_id in rows.iterator(chunk_size=chunk):
        batch.append(Message(campaign=campaign, number=number, operator_id=operator_id, language=language,
                             commune_id=commune_id, segments=infos[language].segments))
        if len(batch) >= chunk:
            Message.objects.bulk_create(batch)
            created += len(batch)
            batch = []
    if batch:
        Message.objects.bulk_create(batch)
        created += len(batch)
    return created


def do_reject(user: Any, campaign_id: int, reason: str) -> Campaign:
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if not permissions.can_approve_role(user, campaign.agency_id):
            raise PermissionDenied(_("Only the agency's administrator or a publisher approves campaigns."))
        if campaign.state != CampaignState.AWAITING_APPROVAL:
            raise ServiceError("not_awaiting", _("This campaign is not awaiting approval."))
        if not reason.strip():
            raise ServiceError("reason_required", _("Say why the campaign goes back."))
        campaign.state = CampaignState.DRAFT
        campaign.save(update_fields=["state"])
        record(user, "outreach.campaign_returned", campaign, agency_id=campaign.agency_id, reason=reason.strip())
    return campaign


_MOVES = {"pause": ({CampaignState.SENDING}, CampaignState.PAUSED),
          "resume": ({CampaignState.PAUSED}, CampaignState.SENDING),
          "cancel": ({CampaignState.SENDING, CampaignState.PAUSED, CampaignState.DRAFT,
                      CampaignState.AWAITING_APPROVAL}, CampaignState.CANCELLED)}


def do_move(user: Any, campaign_id: int, action: str) -> Campaign:
    """Pause, resume or cancel. Messages already with the SMSC stay as they are; pending ones wait or are
    skipped (cancel)."""
    if action not in _MOVES:
        raise ServiceError("bad_action", _("Unknown action."))
    sources, target = _MOVES[action]
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if not permissions.can_run(user, campaign.agency_id):
            raise PermissionDenied(_("You may not run this campaign."))
        if campaign.state not in sources:
            raise ServiceError("bad_state", _("This campaign cannot be %(action)s now.")
                               % {"action": _ACTION_WORDS[action]})
        campaign.state = target
        campaign.save(update_fields=["state"])
        skipped = 0
        if target == CampaignState.CANCELLED:
            skipped = campaign.messages.filter(state=MessageState.PENDING).update(
                state=MessageState.SKIPPED, reason="cancelled", done_at=timezone.now())
        record(user, f"outreach.campaign_{action}", campaign, agency_id=campaign.agency_id, skipped=skipped)
    return campaign


_ACTION_WORDS = {"pause": _("paused"), "resume": _("resumed"), "cancel": _("cancelled")}


# ---------------------------------------------------------------------------------------- do-not-contact


def do_add_do_not_contact(user: Any, raw_numbers: Iterable[str], reason: str) -> int:
    if not permissions.manages_do_not_contact(user):
        raise PermissionDenied(_("You may not change the do-not-contact list."))
    numbers = sorted({normalise_mobile(n) for n in raw_numbers if n.strip()})
    if not numbers:
        raise ServiceError("no_numbers", _("Give at least one number."))
    with transaction.atomic():
        known = set(DoNotContact.objects.filter(number__in=numbers).values_list("number", flat=True))
        DoNotContact.objects.bulk_create([DoNotContact(number=n, reason=reason[:200], added_by=user)
                                          for n in numbers if n not in known])
        Subscriber.objects.filter(number__in=numbers, opted_out_at__isnull=True).update(opted_out_at=timezone.now())
        record(user, "outreach.do_not_contact_added", None, numbers=len(numbers), reason=reason[:200])
    return len(numbers) - len(known)


# ---------------------------------------------------------------------------------------------- figures


def cost_preview(infos: dict[str, SegmentInfo], campaign_languages_count: dict[tuple[str, str], int],
                 prices: dict[str, Decimal]) -> dict[str, Any]:
    """Cost per (language, operator) and in total for audiences counted per (language, operator code)."""
    lines = []
    total = Decimal(0)
    for (lang, op), n in sorted(campaign_languages_count.items()):
        info = infos.get(lang)
        if info is None:
            continue
        cost = prices.get(op, Decimal(0)) * info.segments * n
        total += cost
        lines.append({"language": lang, "operator": op, "recipients": n, "segments": info.segments, "cost": cost})
    return {"lines": lines, "total": total}


def audience_counts(commune_ids: list[int], languages: list[str]) -> dict[tuple[str, str], int]:
    qs = Subscriber.objects.filter(opted_out_at__isnull=True, language__in=languages, operator__isnull=False)
    if commune_ids:
        qs = qs.filter(commune_id__in=commune_ids)
    blocked = DoNotContact.objects.values("number")
    rows = (qs.exclude(number__in=blocked).values("language", "operator__code").annotate(n=Count("pk"))
            .values_list("language", "operator__code", "n"))
    return {(lang, op): n for lang, op, n in rows}


def operator_prices() -> dict[str, Decimal]:
    return dict(Operator.objects.values_list("code", "price_per_segment"))


# ---------------------------------------------------------------------------------------- audience import


def do_import_subscribers(user: Any, upload: Any, *, commune_id: int | None = None, language: str = "",
                          now: datetime | None = None) -> ImportReport:
    """An opt-in list (CSV/XLSX): every row checked, good rows added or updated in one transaction, bad rows
    reported with the reason. Operator and commune come from the file (or the form's default commune)."""
    from ttdn.content.ingest import stage_upload
    from ttdn.places.models import AdminUnit, UnitLevel

    if not permissions.may_prepare_somewhere(user):
        raise PermissionDenied(_("Only the department's staff with the contributor role import subscribers."))
    now = now or timezone.now()
    name = str(getattr(upload, "name", "") or "danh-sach")
    default_language = audience_io.language_of(language) if language else "vi"
    if default_language is None:
        raise ServiceError("bad_language", _("Unknown language “%(value)s”.") % {"value": language})
    default_commune = None
    if commune_id is not None:
        default_commune = AdminUnit.objects.filter(pk=commune_id, level=UnitLevel.COMMUNE).first()
        if default_commune is None:
            raise ServiceError("bad_commune", _("Choose a commune."))
    operators: dict[str, int] = {}
    for pk, code, op_name in Operator.objects.values_list("pk", "code", "name"):
        operators[audience_io.fold(code)] = pk
        operators[audience_io.fold(op_name)] = pk
    report = ImportReport()
    good: dict[str, Subscriber] = {}
    commune_cache: dict[str, int | None] = {}
    with stage_upload(upload) as path:
        sheet = audience_io.read_sheet(path, name)
        cols = sheet.columns
        for row_no, cells in sheet.rows:
            def cell(field_name: str, cells: list[str] = cells) -> str:
                i = cols.get(field_name)
                return cells[i] if i is not None and i < len(cells) else ""

            raw = cell("number")
            if not any(cells):
                continue
            try:
                number = normalise_mobile(raw)
            except ServiceError as bad:
                report.reject(row_no, raw, bad.message)
                continue
            op_value = cell("operator")
            op_id = operators.get(audience_io.fold(op_value)) if op_value else None
            if op_id is None:
                report.reject(row_no, raw, _("operator “%(value)s” unknown: give the operator of each number "
                                             "(numbers move between operators).") % {"value": op_value}
                              if op_value else _("no operator given for this number."))
                continue
            lang = audience_io.language_of(cell("language")) if cell("language") else default_language
            if lang is None:
                report.reject(row_no, raw, _("unknown language “%(value)s”.") % {"value": cell("language")})
                continue
            commune_value = cell("commune")
            if commune_value:
                if commune_value not in commune_cache:
                    commune_cache[commune_value] = _find_commune(commune_value)
                found_commune = commune_cache[commune_value]
                if found_commune is None:
                    report.reject(row_no, raw, _("commune “%(value)s” not found (give its code or exact name).")
                                  % {"value": commune_value})
                    continue
            elif default_commune is not None:
                found_commune = default_commune.pk
            else:
                report.reject(row_no, raw, _("no commune given for this number."))
                continue
            if number in good:
                report.reject(row_no, raw, _("the same number appears again in the list."))
                continue
            good[number] = Subscriber(number=number, operator_id=op_id, commune_id=found_commune, language=lang,
                                      opted_in_at=now, source=name[:200])
    with transaction.atomic():
        existing = set(Subscriber.objects.filter(number__in=list(good)).values_list("number", flat=True))
        Subscriber.objects.bulk_create([s for n, s in good.items() if n not in existing], batch_size=2000)
        for n in existing:
            s = good[n]
            Subscriber.objects.filter(number=n).update(operator_id=s.operator_id, commune_id=s.commune_id,
                                                       language=s.language, source=s.source)
        report.accepted, report.created, report.updated = len(good), len(good) - len(existing), len(existing)
        report.do_not_contact = DoNotContact.objects.filter(number__in=list(good)).count()
        record(user, "outreach.subscribers_imported", None, agency_id=getattr(user, "agency_id", None), file=name,
               accepted=report.accepted, rejected=report.rejected_count)
    return report


def _find_commune(value: str) -> int | None:
    from ttdn.places.models import AdminUnit, UnitLevel

    current = AdminUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True)
    if value.isdigit():
        hit = current.filter(gso_code=value.zfill(5)).values_list("pk", flat=True).first()
        return int(hit) if hit is not None else None
    hits = list(current.filter(Q(name__iexact=value) | Q(short_name__iexact=value)).values_list("pk", flat=True)[:2])
    return hits[0] if len(hits) == 1 else None


# ---------------------------------------------------------------------------------------------- operators


@dataclass
class OperatorData:
    code: str
    name: str
    host: str = ""
    port: int = 2775
    system_id: str = ""
    password: str = ""
    window: int = 10
    per_second: float = 0
    price_per_segment: Decimal = Decimal(0)
    reconcile_grace_seconds: int = 1800


def do_save_operator(actor: Any, data: OperatorData) -> Operator:
    """An operator's SMSC account (the box's operators set it with `ttdn outreach_operator`)."""
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only operators configure the SMSC accounts."))
    if len(data.system_id) > 15 or len(data.password) > 8:
        raise ServiceError("bad_smpp_account", _("SMPP 3.4 allows a system id of 15 and a password of 8 characters."))
    if not 1 <= data.window <= 100 or data.per_second < 0 or data.price_per_segment < 0:
        raise ServiceError("bad_operator", _("The window is 1 to 100; the rate and the price are not negative."))
    with transaction.atomic():
        operator, created = Operator.objects.select_for_update().get_or_create(code=data.code,
                                                                               defaults={"name": data.name})
        for name, value in data.__dict__.items():
            setattr(operator, name, value)
        operator.save()
        record(actor, "outreach.operator_saved", operator, created=created, host=data.host, port=data.port,
               window=data.window, per_second=data.per_second, price=data.price_per_segment)
    return operator


# ------------------------------------------------------------------------------------ area broadcast orders


@dataclass
class AreaResultData:
    operator_id: int
    commune_id: int
    subscribers: int
    delivered: int
    cost: Decimal


def do_enter_area_results(user: Any, campaign_id: int, rows: list[AreaResultData], *, final: bool) -> Campaign:
    """What the operators report for an area order; `final` closes the campaign."""
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if not permissions.can_run(user, campaign.agency_id):
            raise PermissionDenied(_("You may not run this campaign."))
        if campaign.kind != CampaignKind.AREA or campaign.state not in (CampaignState.APPROVED,
                                                                        CampaignState.FINISHED):
            raise ServiceError("not_area", _("Results are entered for an approved area broadcast order."))
        communes = set(campaign.communes.values_list("pk", flat=True))
        operators = set(Operator.objects.values_list("pk", flat=True))
        for row in rows:
            if row.commune_id not in communes or row.operator_id not in operators:
                raise ServiceError("bad_result", _("A result names a commune or operator outside the order."))
            if row.delivered > row.subscribers or min(row.subscribers, row.delivered) < 0 or row.cost < 0:
                raise ServiceError("bad_result", _("Delivered cannot exceed reached, and no figure is negative."))
            AreaResult.objects.update_or_create(
                campaign=campaign, operator_id=row.operator_id, commune_id=row.commune_id,
                defaults={"subscribers": row.subscribers, "delivered": row.delivered, "cost": row.cost,
                          "entered_by": user, "entered_at": timezone.now()})
        if final:
            campaign.state = CampaignState.FINISHED
            campaign.save(update_fields=["state"])
        record(user, "outreach.area_results_entered", campaign, agency_id=campaign.agency_id, rows=len(rows),
               final=final)
    return campaign


# -------------------------------------------------------------------------------------------------- voice


def _voice_campaign(user: Any, campaign_id: int) -> Campaign:
    campaign = _locked(campaign_id)
    if not permissions.can_prepare(user, campaign.agency_id):
        raise PermissionDenied(_("You may not change this campaign."))
    if campaign.state in (CampaignState.FINISHED, CampaignState.CANCELLED):
        raise ServiceError("closed", _("This campaign is closed."))
    return campaign


def do_make_voice(user: Any, campaign_id: int, language: str) -> VoiceClip:
    """Read the campaign's message in `language` with the offline speech engine and store the MP3."""
    import tempfile
    from pathlib import Path

    from django.conf import settings

    from ttdn.content.ingest import ingest_file
    from ttdn.outreach import voice

    with transaction.atomic():
        campaign = _voice_campaign(user, campaign_id)
        text = campaign.texts.filter(language=language).values_list("text", flat=True).first()
        if text is None:
            raise ServiceError("no_text", _("The campaign has no message in this language."))
        samples, rate = voice.synthesize(text, language)
        mp3 = voice.to_mp3(samples, rate)
        stored: list[str] = []
        staging = Path(settings.UPLOAD_STAGING_DIR)
        staging.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=staging, suffix=".mp3") as tmp:
            tmp.write(mp3)
            tmp.flush()
            asset = ingest_file(user, Path(tmp.name), f"tin-nhan-{campaign.pk}-{language}.mp3", stored)
        clip, _created = VoiceClip.objects.update_or_create(
            campaign=campaign, language=language,
            defaults={"source": VoiceSource.SYNTHESIZED, "asset": asset, "text": text, "created_by": user,
                      "engine": f"espeak-ng {voice.VOICES[language]} {voice.SPEED_WPM} wpm",
                      "created_at": timezone.now()})
        record(user, "outreach.voice_made", clip, agency_id=campaign.agency_id, language=language,
               seconds=round(len(samples) / rate, 1))
    return clip


def do_upload_voice(user: Any, campaign_id: int, language: str, upload: Any) -> VoiceClip:
    """A recording (MP3, OGG, M4A) used instead of the engine's reading — for languages it cannot read."""
    from ttdn.content.ingest import ingest_file, stage_upload

    if languages_registry.get(language) is None:
        raise ServiceError("bad_language", _("Unknown language “%(value)s”.") % {"value": language})
    with transaction.atomic():
        campaign = _voice_campaign(user, campaign_id)
        stored: list[str] = []
        with stage_upload(upload) as path:
            asset = ingest_file(user, path, str(getattr(upload, "name", "") or "ghi-am"), stored)
        if asset.file_kind != "audio":
            raise ServiceError("not_audio", _("The recording must be an audio file (MP3, OGG or M4A)."))
        clip, _created = VoiceClip.objects.update_or_create(
            campaign=campaign, language=language,
            defaults={"source": VoiceSource.RECORDED, "asset": asset, "text": "", "engine": "",
                      "created_by": user, "created_at": timezone.now()})
        record(user, "outreach.voice_uploaded", clip, agency_id=campaign.agency_id, language=language,
               sha256=asset.sha256)
    return clip
