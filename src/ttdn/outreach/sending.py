"""The campaign sender of one operator: claims recorded messages, offers them to the SMSC, records what came back.

Exactly once, across crashes:
- every message is a row before it is offered (`Message`, created when the campaign starts);
- a batch is *claimed* (committed) before its first submit_sm is written, so a restart knows what may be out;
- the SMSC's answers and receipts are committed after each batch, and only then is each receipt's deliver_sm
  answered: a sender killed before the commit leaves it unanswered, and the SMSC offers it again;
- each part is noted in the run's journal (`journal.py`, a file) as it is written and as the SMSC answers with
  its id, so a run that dies mid-batch leaves behind what the database does not know yet;
- at start, messages still claimed by a run that died are settled from its journal: those the SMSC gave ids
  for are submitted (never offered again; their state is asked with query_sm, so a receipt that is slow to
  come does not matter), those never written go back to pending at once. Only a part written whose answer was
  still on its way is *uncertain*: the SMSC may or may not have it, and SMPP 3.4 cannot name it to the SMSC
  without the id. It is never offered again blindly: a receipt from its number settles it (the receipt's
  source address is the subscriber; SMSCs keep receipts for an ESME that was away and deliver them on its
  next bind). Only an uncertain message that no receipt claimed within the operator's grace period goes
  back to pending — by then the SMSC has shown it never had it. The grace starts with a receipt (in this
  session) for a message claimed after it, and again with each (`_still_coming`): while the SMSC is still
  handing over receipts of that time, this one may be among those to come. It must be longer than the SMSC
  takes to offer again a receipt a dead session left unanswered.
- one sender per operator at a time (a lock file the kernel releases when the process dies).

The database is reached from one thread of its own (Django connections belong to a thread); SMPP runs on the
event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import smpp34
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from ttdn.core.audit import record as audit
from ttdn.core.sms import SegmentInfo, analyse
from ttdn.outreach import journal
from ttdn.outreach.models import (
    Campaign,
    CampaignState,
    DoNotContact,
    Message,
    MessageState,
    Operator,
    SmscId,
    Subscriber,
)
from ttdn.outreach.rules import decide
from ttdn.outreach.smpp import ESM_RECEIPT, Outgoing, Sender, id_keys, parse_receipt
from ttdn.outreach.wire import Deliver, Session

log = logging.getLogger(__name__)
T = TypeVar("T")

FINAL_STATS = {"DELIVRD": True, "UNDELIV": False, "EXPIRED": False, "REJECTD": False, "DELETED": False,
               "UNKNOWN": False}
# Replies that take a number off every list (compared without accents, spaces or case).
OPT_OUT_WORDS = frozenset({"TUCHOI", "HUY", "HUYDANGKY", "STOP", "DUNG", "KHONGNHAN"})
EARLY_RECEIPT_KEEP = timedelta(minutes=10)
# Receipts of later messages hold an uncertain message back (see _still_coming) for at most this long after its
# claim: a sender that never stops sending must still settle it some day.
UNCERTAIN_HELD_AT_MOST = timedelta(hours=6)


# ------------------------------------------------------------------------------------ database side (sync)


@dataclass(frozen=True)
class Claimed:
    pk: int
    number: str
    info: SegmentInfo
    source: str


@dataclass(frozen=True)
class Delivery:
    """A deliver_sm as it arrived: a receipt (message_id, stat) or a subscriber's reply (text)."""

    source: str
    message_id: str = ""
    stat: str = ""
    text: str = ""
    seen_at: datetime = field(default_factory=timezone.now)
    # The session it came on and its PDU, answered once this delivery is committed.
    origin: tuple[Session, Deliver] | None = field(default=None, compare=False, repr=False)


def _texts(campaign_ids: set[int], cache: dict[tuple[int, str], SegmentInfo]) -> None:
    missing = {cid for cid in campaign_ids if not any(k[0] == cid for k in cache)}
    for campaign in Campaign.objects.filter(pk__in=missing).prefetch_related("texts"):
        for text in campaign.texts.all():
            cache[(campaign.pk, text.language)] = analyse(text.text, no_accents=campaign.no_accents)


@dataclass
class Recovered:
    """What became of the messages dead runs had claimed."""

    uncertain: int = 0  # offered, no answer known: settled by a receipt from the number, or after the grace
    from_journal: int = 0  # the SMSC's ids read back from the journal: submitted, never offered again
    not_offered: int = 0  # never written to the SMSC: pending again at once
    # (message pk, part, the SMSC's id, sender name) of those read back: their state is asked with query_sm.
    to_query: list[tuple[int, int, str, str]] = field(default_factory=list)


def recover(operator_id: int, code: str, run_id: str, now: datetime, folder: Path | None = None) -> Recovered:
    """Settle the messages runs that died had claimed, from their journals: a part the SMSC gave an id to is
    submitted (whatever happens next, it is not offered again); a message never written is pending; the rest
    (written, answer unknown) is uncertain. A claim without a journal (its file lost) is uncertain whole, and so
    is one a journal written before the machine restarted does not show offered (its lines may be lost)."""
    folder = folder if folder is not None else Path(settings.DATA_DIR)
    found = dict(journal.left_behind(folder, code, run_id))
    out = Recovered()
    with transaction.atomic():
        dead = list(Message.objects.select_for_update(of=("self",))
                    .filter(operator_id=operator_id, state=MessageState.CLAIMED)
                    .exclude(claim=run_id).select_related("campaign")
                    .only("pk", "operator_id", "segments", "claim", "campaign__sender_name"))
        wanted = {m.pk for m in dead}
        books = {run: journal.read(path, wanted) for run, path in found.items()}
        # A journal from before the machine restarted may have lost its last lines with the page cache: a
        # message it does not show offered may still have left.
        trusted = {run for run, path in found.items() if journal.written_this_boot(path)}
        uncertain: dict[int, list[int]] = {}  # parts the SMSC has → messages
        pending: list[int] = []
        submitted: list[int] = []
        ids: list[SmscId] = []
        for m in dead:
            book = books.get(m.claim)
            entry = book.get(m.pk) if book is not None else None
            if book is None:
                uncertain.setdefault(0, []).append(m.pk)
            elif (entry is None or not entry.offered) and m.claim in trusted:
                pending.append(m.pk)
            elif entry is None:
                uncertain.setdefault(0, []).append(m.pk)
            else:
                for part, smsc_id in entry.ids.items():
                    ids += _keys_for(m, part, smsc_id)
                if len(entry.ids) >= m.segments:
                    submitted.append(m.pk)
                    out.to_query += [(m.pk, part, smsc_id, m.campaign.sender_name)
                                     for part, smsc_id in sorted(entry.ids.items())]
                else:
                    uncertain.setdefault(len(entry.ids), []).append(m.pk)
        SmscId.objects.bulk_create(ids)
        Message.objects.filter(pk__in=submitted).update(state=MessageState.SUBMITTED, submitted_at=now,
                                                        parts_accepted=F("segments"), reconciled=True)
        Message.objects.filter(pk__in=pending).update(state=MessageState.PENDING, claim="", reason="not_offered")
        for accepted, pks in uncertain.items():
            Message.objects.filter(pk__in=pks).update(state=MessageState.UNCERTAIN, uncertain_since=None,
                                                      parts_accepted=accepted)
        out.uncertain = sum(len(pks) for pks in uncertain.values())
        out.from_journal, out.not_offered = len(submitted), len(pending)
        if dead:
            audit(None, "outreach.sender_recovered", Operator.objects.get(pk=operator_id), uncertain=out.uncertain,
                  from_journal=out.from_journal, not_offered=out.not_offered, run=run_id)
    # Committed: the journals have nothing more to say (read again harmlessly were this run killed right here).
    for path in found.values():
        path.unlink(missing_ok=True)
    return out


def claim(operator_id: int, run_id: str, limit: int, now: datetime,
          cache: dict[tuple[int, str], SegmentInfo]) -> list[Claimed]:
    """The next messages that may go now, claimed for this run (committed before anything is offered)."""
    local = timezone.localtime(now)
    with transaction.atomic():
        ready = (Message.objects.filter(operator_id=operator_id, state=MessageState.PENDING,
                                        campaign__state=CampaignState.SENDING)
                 .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
                 .filter(Q(campaign__start_at__isnull=True) | Q(campaign__start_at__lte=now))
                 .select_related("campaign").order_by("pk"))
        candidates = list(ready[:limit])
        if not candidates:
            return []
        numbers = {m.number for m in candidates}
        blocked = set(DoNotContact.objects.filter(number__in=numbers).values_list("number", flat=True))
        recent: dict[str, list[datetime]] = {}
        for number, at in (Message.objects.filter(number__in=numbers, claimed_at__gt=now - timedelta(hours=24))
                           .exclude(state__in=(MessageState.PENDING, MessageState.SKIPPED))
                           .values_list("number", "claimed_at")):
            if at is not None:
                recent.setdefault(number, []).append(at)
        _texts({m.campaign_id for m in candidates}, cache)
        out: list[Claimed] = []
        skipped: dict[str, list[int]] = {}
        deferred: list[Message] = []
        for m in candidates:
            c = m.campaign
            quiet = (c.quiet_start, c.quiet_end) if c.quiet_start != c.quiet_end else None
            expires = timezone.localtime(c.expires_at) if c.expires_at else None
            d = decide(local, number=m.number, sent_at=recent.get(m.number, []), expires_at=expires,
                       do_not_contact=blocked, cap=c.cap, quiet=quiet)
            info = cache.get((m.campaign_id, m.language))
            if info is None:
                skipped.setdefault("no_text", []).append(m.pk)
            elif d.send:
                out.append(Claimed(m.pk, m.number, info, c.sender_name))
                recent.setdefault(m.number, []).append(local)
            elif d.retry_at is not None:
                m.not_before, m.reason = d.retry_at, d.reason
                deferred.append(m)
            else:
                skipped.setdefault(d.reason, []).append(m.pk)
        if out:
            Message.objects.filter(pk__in=[c.pk for c in out]).update(
                state=MessageState.CLAIMED, claim=run_id, claimed_at=now, offers=F("offers") + 1, reason="",
                not_before=None)
        for reason, pks in skipped.items():
            Message.objects.filter(pk__in=pks).update(state=MessageState.SKIPPED, reason=reason, done_at=now)
        if deferred:
            Message.objects.bulk_update(deferred, ["not_before", "reason"])
    return out


def _keys_for(message: Message, part: int, message_id: str) -> list[SmscId]:
    return [SmscId(message=message, operator_id=message.operator_id, part=part, key=k) for k in id_keys(message_id)]


def _lookup_all(operator_id: int, message_ids: set[str]) -> dict[str, tuple[int, int]]:
    """SMSC id (as quoted) → (message pk, part), in one query; the newest row wins (ids are reused in time)."""
    wanted = {mid: id_keys(mid) for mid in message_ids}
    every: set[str] = set().union(*wanted.values()) if wanted else set()
    by_key: dict[str, tuple[int, int, int]] = {}
    for pk, key, message_id, part in (SmscId.objects.filter(operator_id=operator_id, key__in=every)
                                      .values_list("pk", "key", "message_id", "part")):
        if key not in by_key or by_key[key][0] < pk:
            by_key[key] = (pk, message_id, part)
    out: dict[str, tuple[int, int]] = {}
    for mid, keys in wanted.items():
        hits = [by_key[k] for k in keys if k in by_key]
        if hits:
            best = max(hits)
            out[mid] = (best[1], best[2])
    return out


def _record_results(results: list[Outgoing], now: datetime) -> None:
    rows = {m.pk: m for m in Message.objects.filter(pk__in=[int(o.key) for o in results])
            .only("pk", "operator_id", "segments")}
    ids: list[SmscId] = []
    whole: list[int] = []
    for o in results:
        m = rows[int(o.key)]
        for part, message_id in enumerate(o.message_ids, start=1):
            ids += _keys_for(m, part, message_id)
        if len(o.message_ids) == m.segments:
            whole.append(m.pk)
        elif o.deferred:
            Message.objects.filter(pk=m.pk).update(state=MessageState.PENDING, claim="", reason="deferred")
        elif o.uncertain:
            Message.objects.filter(pk=m.pk).update(state=MessageState.UNCERTAIN, uncertain_since=None,
                                                   parts_accepted=len(o.message_ids))
        else:
            Message.objects.filter(pk=m.pk).update(state=MessageState.FAILED, error_code=o.error, done_at=now,
                                                   reason="refused", parts_accepted=len(o.message_ids))
    # Grouped updates: bulk_update's CASE expressions cost more than the rest of the batch together.
    Message.objects.filter(pk__in=whole).update(state=MessageState.SUBMITTED, submitted_at=now,
                                                parts_accepted=F("segments"))
    SmscId.objects.bulk_create(ids)


def record(operator_id: int, results: list[Outgoing], deliveries: list[Delivery], now: datetime,
           delivered_parts: dict[int, set[int]], grace: timedelta | None = None) -> list[Delivery]:
    """Commit the SMSC's answers for a batch and the receipts that came; returns receipts not yet matched
    (they overtook their submit_sm_resp, or are for an id we never learnt). With `grace`, uncertain messages
    the SMSC may still have receipts for wait a grace again (`_still_coming`)."""
    with transaction.atomic():
        if results:
            _record_results(results, now)
        receipts = [d for d in deliveries if d.message_id]
        for d in deliveries:
            if not d.message_id:
                _reply(d, now)
        known = _lookup_all(operator_id, {d.message_id for d in receipts})
        messages = {m.pk: m for m in Message.objects.filter(pk__in={pk for pk, _part in known.values()})
                    .only("pk", "segments", "state", "parts_delivered", "parts_failed", "done_at", "claimed_at")}
        waiting: list[Delivery] = []
        touched: dict[int, Message] = {}
        claimed: list[datetime] = []  # when the messages these receipts are for were claimed
        for d in receipts:
            hit = known.get(d.message_id)
            found = (messages[hit[0]], hit[1]) if hit is not None else _reconcile(operator_id, d, now)
            if found is None:
                if now - d.seen_at < EARLY_RECEIPT_KEEP:
                    waiting.append(d)
                else:
                    log.warning("receipt %s from %s matched no message", d.message_id, d.source)
                continue
            message, part = found
            if message.claimed_at is not None:
                claimed.append(message.claimed_at)
            message = touched.setdefault(message.pk, message)
            _count_receipt(message, part, d.stat, now, delivered_parts)
        if grace is not None and claimed:
            _still_coming(operator_id, max(claimed), grace, now)
        groups: dict[tuple[str, int, int, datetime | None], list[int]] = {}
        for m in touched.values():
            groups.setdefault((m.state, m.parts_delivered, m.parts_failed, m.done_at), []).append(m.pk)
        for (state, delivered, failed, done_at), pks in groups.items():
            Message.objects.filter(pk__in=pks).update(state=state, parts_delivered=delivered, parts_failed=failed,
                                                      done_at=done_at)
    return waiting


def _count_receipt(message: Message, part: int, stat: str, now: datetime,
                   seen: dict[int, set[int]]) -> None:
    stat = stat.upper()
    if stat not in FINAL_STATS:
        return  # ENROUTE, ACCEPTD: not final
    if message.parts_delivered + message.parts_failed >= message.segments:
        return  # settled already (by query_sm, or by this receipt before a restart)
    parts = seen.setdefault(message.pk, set())
    if part in parts:
        return  # the same receipt again (SMSCs repeat them after a reconnect)
    parts.add(part)
    if FINAL_STATS[stat]:
        message.parts_delivered += 1
    else:
        message.parts_failed += 1
    if message.parts_delivered + message.parts_failed >= message.segments:
        message.state = MessageState.DELIVERED if message.parts_failed == 0 else MessageState.FAILED
        message.done_at = now


def _still_coming(operator_id: int, newest: datetime, grace: timedelta, now: datetime) -> None:
    """A receipt came for a message claimed at `newest` (the newest of those just recorded): the SMSC is still
    handing over receipts of that time or later, and an uncertain message claimed before it (or less than a
    grace after it) may have its receipt among those still to come, in whatever order the SMSC writes them — its
    grace starts again. A receipt for a message claimed more than a grace before an uncertain one (a phone
    switched on hours later) does not hold it back, and none holds back one claimed longer than
    `UNCERTAIN_HELD_AT_MOST` ago.

    Why: the grace used to count from the bind alone. After a kill, the next run got the stored receipts while
    it sent; those the SMSC had written to a session that died came behind the others, more than a grace
    after the bind, and uncertain messages the SMSC had were sent again (30 duplicates in 20,000 with 10
    kills; with "older receipts only", 54 on PostgreSQL — the order is not kept). The grace starts only with
    such a receipt (`release_uncertain`). The cost: an uncertain message the SMSC never had waits until the
    receipts of what was sent after it have come, then the grace."""
    (Message.objects.filter(operator_id=operator_id, state=MessageState.UNCERTAIN, claimed_at__lte=newest + grace,
                            claimed_at__gte=now - UNCERTAIN_HELD_AT_MOST)
     .update(uncertain_since=now))


def _reconcile(operator_id: int, d: Delivery, now: datetime) -> tuple[Message, int] | None:
    """A receipt for an id we never learnt: the submit of an uncertain message to that number went through."""
    message = (Message.objects.filter(operator_id=operator_id, state=MessageState.UNCERTAIN, number=d.source)
               .order_by("pk").first())
    if message is None:
        return None
    message.parts_accepted += 1
    part = message.parts_accepted
    SmscId.objects.bulk_create(_keys_for(message, part, d.message_id))
    message.state, message.reconciled, message.submitted_at = MessageState.SUBMITTED, True, now
    message.save(update_fields=["parts_accepted", "state", "reconciled", "submitted_at"])
    return message, part


def _reply(d: Delivery, now: datetime) -> None:
    word = "".join(ch for ch in unicodedata.normalize("NFD", d.text.upper().replace("Đ", "D"))
                   if ch.isalnum() and ch.isascii())
    if word not in OPT_OUT_WORDS:
        return
    entry, created = DoNotContact.objects.get_or_create(number=d.source,
                                                        defaults={"reason": f"reply: {d.text[:60]}"})
    Subscriber.objects.filter(number=d.source, opted_out_at__isnull=True).update(opted_out_at=now)
    if created:
        audit(None, "outreach.opt_out_reply", entry, number=d.source, text=d.text[:60])


def release_uncertain(operator_id: int, grace: timedelta, now: datetime) -> int:
    """Uncertain messages no receipt claimed within the grace period: nothing reached the SMSC, offer again.
    The grace runs only once a receipt for a message claimed after it has come in this session
    (`uncertain_since` is empty until then): an SMSC that writes no receipt to us at all (a session it still
    thinks alive, a backlog) shows nothing — except after `UNCERTAIN_HELD_AT_MOST`."""
    with transaction.atomic():
        old = Message.objects.filter(operator_id=operator_id, state=MessageState.UNCERTAIN).filter(
            Q(uncertain_since__lte=now - grace) | Q(claimed_at__lte=now - UNCERTAIN_HELD_AT_MOST))
        # A long message some parts of which went out is not completed by resending the whole.
        partial_count = old.filter(parts_accepted__gt=0).update(state=MessageState.FAILED, reason="partial",
                                                                 done_at=now)
        count = old.update(state=MessageState.PENDING, reason="unconfirmed", uncertain_since=None, claim="")
        if count or partial_count:
            audit(None, "outreach.unconfirmed_released", Operator.objects.get(pk=operator_id), pending=count,
                  partial=partial_count)
    return count


# query_sm's final message_state values (SMPP 3.4 §5.2.28), as the stat a receipt would carry.
QUERY_FINAL = {2: "DELIVRD", 3: "EXPIRED", 4: "DELETED", 5: "UNDELIV", 8: "REJECTD"}


def record_queries(answers: list[tuple[int, int, str]], now: datetime, seen: dict[int, set[int]]) -> int:
    """Count the final states query_sm gave (message pk, part, stat) as their receipts; returns the messages
    settled."""
    settled = 0
    with transaction.atomic():
        messages = {m.pk: m for m in Message.objects.select_for_update()
                    .filter(pk__in={pk for pk, _part, _stat in answers}, state=MessageState.SUBMITTED)
                    .only("pk", "segments", "state", "parts_delivered", "parts_failed", "done_at")}
        for pk, part, stat in answers:
            if pk in messages:
                _count_receipt(messages[pk], part, stat, now, seen)
        for m in messages.values():
            if m.state != MessageState.SUBMITTED:
                settled += 1
            m.save(update_fields=["state", "parts_delivered", "parts_failed", "done_at"])
    return settled


def finish_campaigns(now: datetime) -> None:
    open_messages = Message.objects.filter(campaign=OuterRef("pk"), state__in=(
        MessageState.PENDING, MessageState.CLAIMED, MessageState.UNCERTAIN))
    with transaction.atomic():
        done = list(Campaign.objects.filter(state=CampaignState.SENDING).filter(~Exists(open_messages))
                    .values_list("pk", flat=True))
        for campaign in Campaign.objects.select_for_update().filter(pk__in=done, state=CampaignState.SENDING):
            campaign.state = CampaignState.FINISHED
            campaign.save(update_fields=["state"])
            audit(None, "outreach.campaign_finished", campaign, agency_id=campaign.agency_id)


def outstanding(operator_id: int, now: datetime) -> tuple[int, int, int]:
    """(messages ready to go now, uncertain, submitted and awaiting their receipt) for this operator."""
    base = Message.objects.filter(operator_id=operator_id, campaign__state=CampaignState.SENDING)
    ready = (base.filter(state=MessageState.PENDING).filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
             .filter(Q(campaign__start_at__isnull=True) | Q(campaign__start_at__lte=now)).count())
    mine = Message.objects.filter(operator_id=operator_id)
    return (ready, mine.filter(state=MessageState.UNCERTAIN).count(),
            mine.filter(state=MessageState.SUBMITTED).count())


def note_bind(operator_id: int, error: str, now: datetime) -> None:
    if error:
        Operator.objects.filter(pk=operator_id).update(last_error=error[:500])
        return
    with transaction.atomic():
        Operator.objects.filter(pk=operator_id).update(last_error="", last_bound_at=now)
        # The grace of uncertain messages starts again in each session, once its receipts flow: only a bound
        # session gets the SMSC's stored receipts (a slow restart or an SMSC that was down must not make them
        # look unsent).
        Message.objects.filter(operator_id=operator_id, state=MessageState.UNCERTAIN).update(uncertain_since=None)


# ------------------------------------------------------------------------------------------- the run (async)


@dataclass
class RunReport:
    run_id: str
    offered: int = 0
    accepted: int = 0
    uncertain_at_start: int = 0
    from_journal: int = 0  # messages a dead run had out, known submitted from its journal
    not_offered: int = 0  # messages a dead run had claimed but never written: sent by this run
    queried: int = 0  # query_sm answered about them
    settled_by_query: int = 0  # of which in a final state (delivered or failed) without waiting for receipts
    binds: int = 0
    bind_failures: int = 0


@contextlib.contextmanager
def operator_lock(code: str) -> Iterator[None]:
    """One sender per operator on this machine; released by the kernel if the process dies."""
    folder = Path(settings.DATA_DIR)
    path = folder / f"outreach-{code}.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another sender is running for operator {code}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


async def run_operator(code: str, *, until_idle: bool = False, grace: timedelta | None = None,
                       batch: int | None = None, poll: float = 0.5, stop: asyncio.Event | None = None,
                       receipts_wait: float = 0,
                       clock: Callable[[], datetime] = timezone.now,
                       sender_factory: Callable[[Operator], Sender] | None = None) -> RunReport:
    """Send every ready message of the operator's campaigns; with `until_idle`, return when nothing is left
    to send or to settle (and, for up to `receipts_wait` seconds more, no receipt is awaited), else keep
    polling until `stop` is set."""
    loop = asyncio.get_running_loop()
    db = ThreadPoolExecutor(1, thread_name_prefix="outreach-db")

    async def call(fn: Callable[..., T], *args: Any) -> T:
        return await loop.run_in_executor(db, partial(fn, *args))

    try:
        operator = await call(partial(Operator.objects.get, code=code))
        run = RunReport(secrets.token_hex(8))
        folder = Path(settings.DATA_DIR)
        recovered = await call(recover, operator.pk, code, run.run_id, clock(), folder)
        run.uncertain_at_start = recovered.uncertain
        run.from_journal, run.not_offered = recovered.from_journal, recovered.not_offered
        to_query = recovered.to_query
        book = journal.Journal(folder, code, run.run_id)
        grace = grace if grace is not None else timedelta(seconds=operator.reconcile_grace_seconds)
        size = batch or max(operator.window * 5, 5)
        cache: dict[tuple[int, str], SegmentInfo] = {}
        seen_parts: dict[int, set[int]] = {}
        inbox: list[Delivery] = []
        # Set when a deliver_sm arrives. The SMSC waits for our answer (with its window full, it sends nothing
        # more), and we answer only after the commit: receipts are committed as they come, by a task of their
        # own, also while a batch is out — else they would come no faster than a window per batch.
        arrived = asyncio.Event()
        settling = asyncio.Lock()
        waiting: list[Delivery] = []
        sender: Sender | None = None
        backoff = 0.5
        idle_since: float | None = None

        def on_deliver(session: Session, event: Deliver) -> None:
            origin = (session, event)
            arrived.set()
            if event.esm_class & ESM_RECEIPT:
                receipt = parse_receipt(event.short_message)
                if receipt is not None:
                    inbox.append(Delivery(event.source_addr, receipt.message_id, receipt.status, origin=origin))
                else:
                    inbox.append(Delivery(event.source_addr, origin=origin))  # unreadable: answered, dropped
            else:
                text = event.short_message.decode("utf-16-be" if event.data_coding == 8 else "latin-1", "replace")
                inbox.append(Delivery(event.source_addr, text=text, origin=origin))

        async def settle(results: list[Outgoing]) -> None:
            """Commit a batch's answers and the deliveries that came, then answer those deliveries (receipts
            still unmatched wait, unanswered, for their submit_sm_resp)."""
            async with settling:
                got = waiting + inbox
                waiting.clear()
                inbox.clear()
                waiting[:] = await call(record, operator.pk, results, got, clock(), seen_parts, grace)
                kept = {id(d) for d in waiting}
                for d in got:
                    if id(d) not in kept and d.origin is not None:
                        await d.origin[0].ack(d.origin[1])

        async def settle_receipts() -> None:
            while True:
                await arrived.wait()
                arrived.clear()
                await asyncio.sleep(0.005)  # the rest of a burst comes with it
                if inbox:
                    await settle([])

        receipts = asyncio.create_task(settle_receipts())

        while stop is None or not stop.is_set():
            if receipts.done():
                receipts.result()  # its failure (the database gone) is the run's
            if sender is None or sender.disconnected.is_set():
                if sender is not None:
                    await sender.close()
                sender = (sender_factory or _sender)(operator)
                sender.on_deliver = partial(on_deliver, sender.client)
                sender.journal = book
                try:
                    await sender.connect()
                except (TimeoutError, smpp34.SmppError, OSError) as failed:
                    # Stop the failed client, so that its transport does not keep trying in the background.
                    with contextlib.suppress(smpp34.SmppError, OSError):
                        await sender.client.close()
                    run.bind_failures += 1
                    await call(note_bind, operator.pk, f"{type(failed).__name__}: {failed}", clock())
                    sender = None
                    if until_idle and run.bind_failures >= 5 and run.binds == 0:
                        raise
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 30.0)
                    continue
                run.binds += 1
                backoff = 0.5
                await call(note_bind, operator.pk, "", clock())
            if to_query:
                answers = await _query_states(sender, to_query)
                if answers is None and sender.disconnected.is_set():
                    continue  # asked again on the next bind
                if answers is not None:
                    run.queried += len(to_query)
                    run.settled_by_query += await call(record_queries, answers, clock(), seen_parts)
                # An SMSC that does not answer leaves them submitted: their receipts settle them.
                to_query = []
            claimed = await call(claim, operator.pk, run.run_id, size, clock(), cache)
            if claimed:
                outs = [Outgoing(str(c.pk), c.number, c.info, c.source) for c in claimed]
                await asyncio.gather(*(sender.send(o) for o in outs))
                run.offered += len(outs)
                run.accepted += sum(1 for o in outs if len(o.message_ids) == o.info.segments)
                await settle(outs)
                book.clear()  # the batch is committed, and nothing else is out
                continue
            await settle([])
            await call(release_uncertain, operator.pk, grace, clock())
            await call(finish_campaigns, clock())
            if until_idle:
                ready, uncertain, awaiting = await call(outstanding, operator.pk, clock())
                if not ready and not uncertain:
                    idle_since = idle_since or loop.time()
                    if not awaiting or loop.time() - idle_since >= receipts_wait:
                        break
                else:
                    idle_since = None
            await asyncio.sleep(poll)
        receipts.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await receipts
        if sender is not None:
            await sender.close()
        book.close(remove=True)  # every line of it is committed
        return run
    finally:
        await loop.run_in_executor(db, _close_connection)
        db.shutdown(wait=True)


async def _query_states(sender: Sender, wanted: list[tuple[int, int, str, str]]
                        ) -> list[tuple[int, int, str]] | None:
    """Ask the SMSC (query_sm) the state of parts read back from a dead run's journal: (message pk, part, stat)
    for those in a final state; None when the session dropped before every answer came (asked again on the
    next bind)."""
    try:
        answers = await asyncio.gather(*(sender.query(smsc_id, source) for _pk, _part, smsc_id, source in wanted))
    except smpp34.SmppError:
        return None
    out: list[tuple[int, int, str]] = []
    for (pk, part, smsc_id, _source), answer in zip(wanted, answers, strict=True):
        if answer is None:
            # It gave us this id, so it took the part; it may since have forgotten it. Never offered again:
            # its receipt (or nothing) settles it.
            log.info("the SMSC no longer knows message %s (id %s)", pk, smsc_id)
        elif answer.message_state in QUERY_FINAL:
            out.append((pk, part, QUERY_FINAL[answer.message_state]))
    return out


def _close_connection() -> None:
    from django.db import connection

    connection.close()


def _sender(operator: Operator) -> Sender:
    return Sender(operator.host, operator.port, operator.system_id, operator.password, window=operator.window,
                  per_second=operator.per_second)
