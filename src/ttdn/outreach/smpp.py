"""Sending SMS to one operator's SMSC over SMPP 3.4 (bind transceiver), on the session of `wire` (which answers a
deliver_sm only when told to, after the receipt is stored).

What this module adds on top of the transport: a throughput limit per operator, back-off on the SMSC's
throttling answers (ESME_RTHROTTLED, ESME_RMSGQFUL) instead of failing the message, concatenated parts with
a UDH, and delivery receipts matched to messages whatever the form of the id (hex or decimal, case, leading
zeros) — also when the receipt overtakes the submit_sm_resp.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import smpp34

from ttdn.core.sms import SegmentInfo, wire_parts
from ttdn.outreach.journal import Journal
from ttdn.outreach.wire import Deliver, Disconnected, QueryResult, Session

DATA_CODING = {"GSM-7": 0x00, "UCS-2": 0x08}
ESM_UDHI = 0x40
ESM_RECEIPT = 0x04
# command_status values of SMPP 3.4 (§5.1.3).
ESME_ROK = 0x00
ESME_RSYSERR = 0x08
ESME_RMSGQFUL = 0x14
ESME_RTHROTTLED = 0x58
ESME_RUNKNOWNERR = 0xFF
# Refusals that say "not now" (the part was not taken): offered again after a pause. A system error is one of
# them: SMSCs answer it while going down or overloaded.
RETRYABLE = frozenset({ESME_RTHROTTLED, ESME_RMSGQFUL, ESME_RSYSERR})

_RECEIPT_ID = re.compile(rb"id:(\S+)", re.IGNORECASE)
_RECEIPT_STAT = re.compile(rb"stat:(\S+)", re.IGNORECASE)


def id_keys(message_id: str) -> frozenset[str]:
    """Every form under which an SMSC may quote this id again.

    SMSCs answer submit_sm with one form (often hex) and quote the id in the receipt in another (often
    decimal), with other case or leading zeros; the id's value read both ways covers them.
    """
    raw = message_id.strip().lower()
    keys = {"s:" + (raw.lstrip("0") or "0")}
    if re.fullmatch(r"[0-9a-f]+", raw):
        keys.add(f"n:{int(raw, 16)}")
    if raw.isdigit():
        keys.add(f"n:{int(raw, 10)}")
    return frozenset(keys)


@dataclass(frozen=True)
class Receipt:
    message_id: str
    status: str  # DELIVRD, UNDELIV, EXPIRED, REJECTD …


@dataclass
class Outgoing:
    key: str  # our id of the message (recorded before it is sent)
    destination: str
    info: SegmentInfo
    source: str = ""  # the campaign's brandname; the session's default when empty
    message_ids: list[str] = field(default_factory=list)  # one per part, from the SMSC
    receipts: list[Receipt] = field(default_factory=list)
    error: int | None = None
    # The submit went out but no answer came (the session dropped, the response timed out): the SMSC may or
    # may not have it. Such a message is reconciled from receipts, never offered again blindly.
    uncertain: bool = False
    # The SMSC kept saying "not now" for longer than the sender waits (`max_throttled`): nothing of it was
    # taken, it goes back to be claimed again later.
    deferred: bool = False


class RateLimit:
    """At most `per_second` submits per second (0: no limit), spaced evenly rather than in bursts.

    A lag of up to `catch_up` seconds behind the schedule is made up: on a busy machine each sleep oversleeps a
    little, and starting the schedule afresh after each one lost that time for good (5 % under the limit at
    500/s on the shared 2-core machine). A longer lag (nothing to send for a while) is not: the SMSC never gets
    more than `per_second × catch_up` submits at once."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic,
                 catch_up: float = 0.05) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.clock = clock
        self.catch_up = catch_up
        self.next_at = 0.0

    def delay(self) -> float:
        """Seconds to wait before the next submit (and that submit's slot taken)."""
        if not self.interval:
            return 0.0
        now = self.clock()
        if self.next_at < now - self.catch_up:
            self.next_at = now  # the start, or idle for a while: a fresh schedule, no burst
        at = self.next_at
        self.next_at = at + self.interval
        return max(0.0, at - now)

    async def wait(self) -> None:
        pause = self.delay()
        if pause > 0:
            await asyncio.sleep(pause)


class ReceiptBook:
    """Matches receipts to messages; a receipt for an id not yet known waits until its submit_sm_resp."""

    def __init__(self) -> None:
        self.by_key: dict[str, Outgoing] = {}
        self.early: dict[str, Receipt] = {}

    def submitted(self, message_id: str, message: Outgoing) -> None:
        keys = id_keys(message_id)
        for k in keys:
            self.by_key[k] = message
        for k in keys:
            early = self.early.pop(k, None)
            if early is not None:
                self._drop_early(early)
                message.receipts.append(early)

    def _drop_early(self, receipt: Receipt) -> None:
        for k in id_keys(receipt.message_id):
            self.early.pop(k, None)

    def received(self, receipt: Receipt) -> Outgoing | None:
        keys = id_keys(receipt.message_id)
        for k in keys:
            if k in self.by_key:
                message = self.by_key[k]
                message.receipts.append(receipt)
                return message
        for k in keys:
            self.early[k] = receipt
        return None


def status_of(error: smpp34.SmppError) -> int | None:
    """The command_status an SMPP error carries in its text, e.g. "ESME_RTHROTTLED (0x00000058)"; None when the
    error is not an answer of the SMSC (the connection dropped, the response timed out)."""
    found = re.search(r"\(0x([0-9a-fA-F]+)\)", str(error))
    return int(found.group(1), 16) if found else None


def parse_receipt(short_message: bytes) -> Receipt | None:
    found = _RECEIPT_ID.search(short_message)
    if not found:
        return None
    stat = _RECEIPT_STAT.search(short_message)
    return Receipt(found.group(1).decode("ascii", "replace"), stat.group(1).decode("ascii", "replace") if stat else "")


class Sender:
    """One bound transceiver session to one operator's SMSC."""

    def __init__(self, host: str, port: int, system_id: str, password: str, *, window: int = 10,
                 per_second: float = 0, source_addr: str = "", max_backoff: float = 2.0,
                 max_throttled: float = 60.0) -> None:
        self.client = Session(host, port, system_id, password, window=window)
        self.window = asyncio.Semaphore(window)
        self.limit = RateLimit(per_second)
        self.source_addr = source_addr  # the campaign's brandname
        self.max_backoff = max_backoff
        self.max_throttled = max_throttled
        self.book = ReceiptBook()
        self.on_receipt: Callable[[Outgoing], Awaitable[None]] | None = None
        # Every deliver_sm (receipts and subscribers' replies) as it arrives, for a caller that keeps its own
        # record of ids (the campaign sender matches them in the database) and answers it with `ack` once
        # stored; without it, a receipt is answered as soon as `on_receipt` has seen it.
        self.on_deliver: Callable[[Deliver], None] | None = None
        # Where each part is noted as it goes out and as the SMSC takes it (a campaign sender's; see journal).
        self.journal: Journal | None = None
        self.disconnected = asyncio.Event()
        self.smsc: Session | None = None
        self._reader: asyncio.Task[None] | None = None
        self._reference = 0

    async def connect(self) -> None:
        self.smsc = await self.client.connect()
        self._reader = asyncio.create_task(self._read())

    async def ack(self, delivered: Iterable[Deliver]) -> None:
        """Answer deliver_sm PDUs whose content is stored now (a dead session answers nothing: the SMSC
        offers them again)."""
        if self.smsc is None:
            return
        for d in delivered:
            await self.smsc.ack(d)

    async def close(self) -> None:
        # The session may already be gone (the SMSC closed it): closing is best effort.
        if self.smsc is not None and not self.disconnected.is_set():
            with contextlib.suppress(smpp34.SmppError, OSError, asyncio.TimeoutError):
                await asyncio.wait_for(self.smsc.unbind(), 5)
        if self._reader is not None:
            self._reader.cancel()
        with contextlib.suppress(smpp34.SmppError, OSError):
            await self.client.close()

    async def _read(self) -> None:
        assert self.smsc is not None
        while True:
            event = await self.smsc.next()
            if isinstance(event, Disconnected):
                self.disconnected.set()
                return
            if self.on_deliver is not None:
                self.on_deliver(event)
                continue
            if event.esm_class & ESM_RECEIPT:
                receipt = parse_receipt(event.short_message)
                if receipt is not None:
                    message = self.book.received(receipt)
                    if message is not None and self.on_receipt is not None:
                        await self.on_receipt(message)
            await self.smsc.ack(event)

    async def query(self, message_id: str, source: str = "") -> QueryResult | None:
        """The SMSC's state of a message it gave this id to; None when it says it has no such message."""
        assert self.smsc is not None
        try:
            return await self.smsc.query_sm(message_id, source or self.source_addr)
        except smpp34.SmppError as refused:
            if status_of(refused) is None:
                raise  # no answer: the session is gone, not the message
            return None

    async def _submit_part(self, message: Outgoing, data: bytes, concatenated: bool) -> str | None:
        assert self.smsc is not None
        part = len(message.message_ids) + 1
        noted = False
        backoff = 0.01
        give_up_at = asyncio.get_running_loop().time() + self.max_throttled
        while True:
            await self.limit.wait()
            async with self.window:
                if self.journal is not None and not noted:
                    self.journal.offered(message.key, part)
                    noted = True
                try:
                    resp = await self.smsc.submit_sm(
                        message.destination, data, source_addr=message.source or self.source_addr,
                        esm_class=ESM_UDHI if concatenated else 0, registered_delivery=1,
                        data_coding=DATA_CODING[message.info.encoding])
                    status = resp.command_status
                    message_id = resp.message_id if resp.is_success else None
                except smpp34.SmppError as refused:
                    answered = status_of(refused)
                    if answered is None:
                        message.uncertain = True
                        return None
                    status = answered
                    message_id = None
            if message_id is not None:
                if self.journal is not None:
                    self.journal.accepted(message.key, part, message_id)
                return message_id
            if status not in RETRYABLE:
                message.error = status
                return None
            # The SMSC asked us to slow down: wait and offer the same part again (it was not accepted) — for a
            # while: an SMSC that refuses everything for long is not waited for forever.
            if asyncio.get_running_loop().time() >= give_up_at:
                if message.message_ids:
                    message.uncertain = True  # some parts went: settled like an unanswered submit
                else:
                    message.deferred = True
                return None
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def send(self, message: Outgoing) -> Outgoing:
        self._reference = (self._reference + 1) & 0xFF
        parts = wire_parts(message.info, self._reference)
        for data in parts:
            message_id = await self._submit_part(message, data, len(parts) > 1)
            if message_id is None:
                return message
            message.message_ids.append(message_id)
            self.book.submitted(message_id, message)
        return message

    async def send_all(self, messages: Iterable[Outgoing]) -> list[Outgoing]:
        return list(await asyncio.gather(*(self.send(m) for m in messages)))
