"""The ESME side of an SMPP 3.4 session (bind transceiver) on asyncio streams, PDUs encoded and decoded by the
`smpp34` codec.

Why our own session rather than `smpp34.Client`: that client answers every deliver_sm itself the moment it reads
it, so a receipt is acknowledged to the SMSC before we have stored it, and a kill in between loses it for good
(the SMSC has been told it arrived). Here a deliver_sm is answered only when the caller says so (`ack`), after
its commit; a session that dies first leaves it unanswered, and the SMSC offers it again on the next bind.

Every wait is bounded: the bind, each response (`timeout`), and the link itself (an enquire_link every
`enquire_every` seconds when nothing else came; no answer closes the session, so a dead SMSC is noticed).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import struct
from dataclasses import dataclass

import smpp34

BIND_TRANSCEIVER = 0x00000009
QUERY_SM = 0x00000003
SUBMIT_SM = 0x00000004
DELIVER_SM = 0x00000005
UNBIND = 0x00000006
ENQUIRE_LINK = 0x00000015
GENERIC_NACK = 0x80000000
RESP = 0x80000000
HEADER = struct.Struct(">IIII")
MAX_PDU = 64 * 1024
ESME_RINVCMDID = 0x03


def _pdu(command: int, status: int, sequence: int, body: bytes = b"") -> bytes:
    return HEADER.pack(HEADER.size + len(body), command, status, sequence) + body


def _error(what: str, status: int | None = None) -> smpp34.SmppError:
    # The same shape as the transport's errors: an SMSC's answer carries "(0x…)", a lost link does not.
    return smpp34.SmppError(f"{what} (0x{status:08X})" if status is not None else what)


@dataclass(frozen=True)
class Disconnected:
    """The session has ended (the SMSC closed it, the link died, or we unbound)."""


@dataclass(frozen=True)
class Deliver:
    """An inbound deliver_sm (a receipt or a subscriber's reply), not yet answered."""

    sequence: int
    source_addr: str
    destination_addr: str
    esm_class: int
    data_coding: int
    short_message: bytes


@dataclass(frozen=True)
class SubmitResult:
    command_status: int
    message_id: str | None

    @property
    def is_success(self) -> bool:
        return self.command_status == 0


@dataclass(frozen=True)
class QueryResult:
    """query_sm_resp: the state the SMSC holds a message in (SMPP 3.4 §5.2.28: 1 ENROUTE, 2 DELIVERED,
    3 EXPIRED, 4 DELETED, 5 UNDELIVERABLE, 6 ACCEPTED, 7 UNKNOWN, 8 REJECTED)."""

    message_id: str
    final_date: str
    message_state: int
    error_code: int


class Session:
    def __init__(self, host: str, port: int, system_id: str, password: str, *, window: int = 10,
                 timeout: float = 30.0, connect_timeout: float = 10.0, enquire_every: float = 15.0) -> None:
        self.host, self.port, self.system_id, self.password = host, port, system_id, password
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.enquire_every = enquire_every
        self.window = asyncio.Semaphore(window)
        self._sequence = itertools.count(1)
        self._pending: dict[int, asyncio.Future[tuple[int, bytes]]] = {}
        self._inbox: asyncio.Queue[Deliver | Disconnected] = asyncio.Queue()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._heard = 0.0
        self.closed = asyncio.Event()

    # ------------------------------------------------------------------------------------------ public
    async def connect(self) -> Session:
        self._reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), self.connect_timeout)
        self._heard = asyncio.get_running_loop().time()
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._keep_alive())]
        body = (self.system_id.encode() + b"\0" + self.password.encode() + b"\0" + b"\0"
                + bytes((0x34, 0, 0)) + b"\0")
        try:
            status, _body = await self._request(BIND_TRANSCEIVER, body, self.connect_timeout)
        except BaseException:
            await self.close()
            raise
        if status != 0:
            await self.close()
            raise _error("bind refused", status)
        return self

    async def submit_sm(self, destination_addr: str, short_message: bytes, *, source_addr: str = "",
                        esm_class: int = 0, registered_delivery: int = 0, data_coding: int = 0) -> SubmitResult:
        async with self.window:
            sequence = next(self._sequence)
            pdu = smpp34.SubmitSm(source_addr, destination_addr, short_message, esm_class=esm_class,
                                  registered_delivery=registered_delivery, data_coding=data_coding,
                                  sequence_number=sequence).encode()
            status, body = await self._send_and_wait(sequence, pdu, self.timeout)
        message_id = body.split(b"\0", 1)[0].decode("ascii", "replace") if status == 0 else None
        if status != 0:
            raise _error("submit_sm refused", status)
        return SubmitResult(status, message_id)

    async def query_sm(self, message_id: str, source_addr: str = "") -> QueryResult:
        """The SMSC's state of a message it accepted; `source_addr` must be the one it was submitted with.
        A refusal (e.g. ESME_RQUERYFAIL: the SMSC does not know the id) raises with its command_status."""
        body = message_id.encode("ascii") + b"\0" + bytes((0, 0)) + source_addr.encode("latin-1") + b"\0"
        async with self.window:
            status, answer = await self._request(QUERY_SM, body, self.timeout)
        if status != 0:
            raise _error("query_sm refused", status)
        try:
            quoted, rest = answer.split(b"\0", 1)
            final_date, rest = rest.split(b"\0", 1)
            state, error_code = rest[0], rest[1]
        except (ValueError, IndexError):
            raise _error("query_sm_resp unreadable") from None
        return QueryResult(quoted.decode("ascii", "replace"), final_date.decode("ascii", "replace"), state,
                           error_code)

    async def next(self) -> Deliver | Disconnected:
        if self.closed.is_set() and self._inbox.empty():
            return Disconnected()
        return await self._inbox.get()

    async def ack(self, deliver: Deliver, status: int = 0) -> None:
        """Answer a deliver_sm (after it was stored). On a dead session this does nothing: the SMSC offers
        the unanswered deliver_sm again to the next session."""
        if self._writer is None or self.closed.is_set():
            return
        with contextlib.suppress(OSError, ConnectionError):
            self._writer.write(_pdu(DELIVER_SM | RESP, status, deliver.sequence, b"\0"))

    async def unbind(self) -> None:
        if not self.closed.is_set():
            with contextlib.suppress(smpp34.SmppError, OSError, asyncio.TimeoutError):
                await self._request(UNBIND, b"", min(self.timeout, 5.0))
        await self.close()

    async def close(self) -> None:
        self._shut()
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self._writer is not None:
            with contextlib.suppress(OSError, ConnectionError):
                await asyncio.wait_for(self._writer.wait_closed(), 2)

    # ------------------------------------------------------------------------------------------ inside
    def _shut(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        if self._writer is not None:
            self._writer.close()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(_error("the SMPP session ended"))
        self._pending.clear()
        self._inbox.put_nowait(Disconnected())

    async def _request(self, command: int, body: bytes, timeout: float) -> tuple[int, bytes]:
        sequence = next(self._sequence)
        return await self._send_and_wait(sequence, _pdu(command, 0, sequence, body), timeout)

    async def _send_and_wait(self, sequence: int, pdu: bytes, timeout: float) -> tuple[int, bytes]:
        if self.closed.is_set() or self._writer is None:
            raise _error("the SMPP session ended")
        future: asyncio.Future[tuple[int, bytes]] = asyncio.get_running_loop().create_future()
        self._pending[sequence] = future
        try:
            self._writer.write(pdu)
            await asyncio.wait_for(self._writer.drain(), timeout)
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except (TimeoutError, OSError, ConnectionError) as lost:
            raise _error(f"no answer from the SMSC ({type(lost).__name__})") from None
        finally:
            self._pending.pop(sequence, None)

    async def _read(self) -> None:
        assert self._reader is not None and self._writer is not None
        loop = asyncio.get_running_loop()
        try:
            while True:
                header = await self._reader.readexactly(HEADER.size)
                length, command, status, sequence = HEADER.unpack(header)
                if not HEADER.size <= length <= MAX_PDU:
                    break  # not SMPP (or a broken stream): nothing after this can be trusted
                body = await self._reader.readexactly(length - HEADER.size)
                self._heard = loop.time()
                if command & RESP:
                    future = self._pending.get(sequence)
                    if future is not None and not future.done():
                        future.set_result((status, body))
                elif command == DELIVER_SM:
                    pdu = smpp34.decode(header + body)
                    assert isinstance(pdu, smpp34.DeliverSm)
                    self._inbox.put_nowait(Deliver(sequence, pdu.source_addr, pdu.destination_addr, pdu.esm_class,
                                                   pdu.data_coding, pdu.short_message))
                elif command == ENQUIRE_LINK:
                    self._writer.write(_pdu(ENQUIRE_LINK | RESP, 0, sequence))
                elif command == UNBIND:
                    self._writer.write(_pdu(UNBIND | RESP, 0, sequence))
                    break
                else:
                    self._writer.write(_pdu(GENERIC_NACK, ESME_RINVCMDID, sequence))
        except (asyncio.IncompleteReadError, OSError, ConnectionError, smpp34.SmppError):
            pass
        finally:
            self._shut()

    async def _keep_alive(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.closed.is_set():
            await asyncio.sleep(max(0.05, self._heard + self.enquire_every - loop.time()))
            if loop.time() - self._heard < self.enquire_every:
                continue
            try:
                await self._request(ENQUIRE_LINK, b"", min(self.timeout, self.enquire_every))
            except smpp34.SmppError:
                self._shut()  # the link is dead, whatever TCP thinks
                return
