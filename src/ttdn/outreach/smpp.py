"""Sending SMS to one operator's SMSC over SMPP 3.4 (bind transceiver), with the transport of `smpp34`.

What this module adds on top of the transport: a throughput limit per operator, back-off on the SMSC's
throttling answers (ESME_RTHROTTLED, ESME_RMSGQFUL) instead of failing the message, concatenated parts with
a UDH, and delivery receipts matched to messages whatever the form of the id (hex or decimal, case, leading
zeros) — also when the receipt overtakes the submit_sm_resp.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import smpp34

from ttdn.outreach.segments import SegmentInfo, wire_parts

DATA_CODING = {"GSM-7": 0x00, "UCS-2": 0x08}
ESM_UDHI = 0x40
ESM_RECEIPT = 0x04
# command_status values of SMPP 3.4 (§5.1.3).
ESME_ROK = 0x00
ESME_RMSGQFUL = 0x14
ESME_RTHROTTLED = 0x58
ESME_RUNKNOWNERR = 0xFF
RETRYABLE = frozenset({ESME_RTHROTTLED, ESME_RMSGQFUL})

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
    message_ids: list[str] = field(default_factory=list)  # one per part, from the SMSC
    receipts: list[Receipt] = field(default_factory=list)
    error: int | None = None


class RateLimit:
    """At most `per_second` submits per second (0: no limit), spaced evenly rather than in bursts."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.clock = clock
        self.next_at = 0.0

    async def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        at = max(now, self.next_at)
        self.next_at = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)


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


def status_of(error: smpp34.SmppError) -> int:
    """The command_status an SMPP error carries in its text, e.g. "ESME_RTHROTTLED (0x00000058)"."""
    found = re.search(r"\(0x([0-9a-fA-F]+)\)", str(error))
    return int(found.group(1), 16) if found else ESME_RUNKNOWNERR


def parse_receipt(short_message: bytes) -> Receipt | None:
    found = _RECEIPT_ID.search(short_message)
    if not found:
        return None
    stat = _RECEIPT_STAT.search(short_message)
    return Receipt(found.group(1).decode("ascii", "replace"), stat.group(1).decode("ascii", "replace") if stat else "")


class Sender:
    """One bound transceiver session to one operator's SMSC."""

    def __init__(self, host: str, port: int, system_id: str, password: str, *, window: int = 10,
                 per_second: float = 0, source_addr: str = "", max_backoff: float = 2.0) -> None:
        self.client = smpp34.Client(host, port, system_id, password, bind_type="TRX", window_size=window)
        self.window = asyncio.Semaphore(window)
        self.limit = RateLimit(per_second)
        self.source_addr = source_addr  # the campaign's brandname
        self.max_backoff = max_backoff
        self.book = ReceiptBook()
        self.on_receipt: Callable[[Outgoing], Awaitable[None]] | None = None
        self.smsc: smpp34.Smsc | None = None
        self._reader: asyncio.Task[None] | None = None
        self._reference = 0

    async def connect(self) -> None:
        self.smsc = await self.client.connect()
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self.smsc is not None:
            await self.smsc.unbind()
        if self._reader is not None:
            self._reader.cancel()
        await self.client.stop()

    async def _read(self) -> None:
        assert self.smsc is not None
        while True:
            event = await self.smsc.next()
            if isinstance(event, smpp34.Disconnected):
                return
            if event.esm_class & ESM_RECEIPT:
                receipt = parse_receipt(event.short_message)
                if receipt is not None:
                    message = self.book.received(receipt)
                    if message is not None and self.on_receipt is not None:
                        await self.on_receipt(message)

    async def _submit_part(self, message: Outgoing, data: bytes, concatenated: bool) -> str | None:
        assert self.smsc is not None
        backoff = 0.01
        while True:
            await self.limit.wait()
            async with self.window:
                try:
                    resp = await self.smsc.submit_sm(
                        message.destination, data, source_addr=self.source_addr,
                        esm_class=ESM_UDHI if concatenated else 0, registered_delivery=1,
                        data_coding=DATA_CODING[message.info.encoding])
                    status = resp.command_status
                    message_id = resp.message_id if resp.is_success else None
                except smpp34.SmppError as refused:
                    status = status_of(refused)
                    message_id = None
            if message_id is not None:
                return message_id
            if status not in RETRYABLE:
                message.error = status
                return None
            # The SMSC asked us to slow down: wait and offer the same part again (it was not accepted).
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
