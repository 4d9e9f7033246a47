"""A store-and-forward SMSC on loopback built on the `smpp34` package's real SMPP 3.4 server, run in a thread
of its own: it counts every submit_sm it accepts, answers with hex ids, and sends each receipt (quoting the id
in decimal, from the subscriber's number) after a delay — to whichever session of the account is bound then,
keeping it until one is (as operators' SMSCs keep receipts for an ESME that went away).

smpp34's server answers every query_sm with ESME_RQUERYFAIL, so the peer listens through a small relay of its
own that passes every PDU on to that server unchanged and answers query_sm (SMPP 3.4 §4.8) itself from the
peer's record of what it accepted. The relay can also lose submit_sm_resp on the way (`answer_submits`): the
SMSC took the message but the ESME never heard so, as when a link drops or a sender dies mid-answer."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import smpp34

ESME_ROK = 0
QUERY_SM = 0x00000003
SUBMIT_SM_RESP = 0x80000004
ESME_RQUERYFAIL = 0x00000067
HEADER = struct.Struct(">IIII")
# message_state of query_sm_resp (SMPP 3.4 §5.2.28), from the receipt's stat.
MESSAGE_STATE = {"DELIVRD": 2, "EXPIRED": 3, "DELETED": 4, "UNDELIV": 5, "ACCEPTD": 6, "UNKNOWN": 7,
                 "REJECTD": 8}
ENROUTE = 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Peer:
    port: int = field(default_factory=free_port)
    receipt_delay: float = 0.2
    decide: Callable[[int], int] = lambda n: ESME_ROK  # the status for the n-th submit_sm
    stat: Callable[[str], str] = lambda destination: "DELIVRD"
    accepted: list[tuple[str, str, bytes]] = field(default_factory=list)  # (destination, source, data)
    offered: int = 0
    binds: int = 0
    sent_receipts: int = 0  # receipts the ESME answered (deliver_sm_resp): gone from the store
    offered_receipts: int = 0  # deliver_sm written, answered or not
    hold: bool = False  # keep receipts in the store (not offered) while set
    # Receipts written per second (0: as fast as the window of 10 allows), oldest first: a store the SMSC
    # hands over slowly, as a backlog after an ESME was away.
    pace: float = 0
    inbound_capacity: int = 1024
    # submit_sm_resp the relay passes to the ESME; those after are lost on the way (None: every one).
    answer_submits: int | None = None
    answered_submits: int = 0
    queries: int = 0  # query_sm answered
    # What the SMSC accepted, by the id it gave: (destination, source, receipt stat, due time of delivery).
    by_id: dict[str, tuple[str, str, str, float]] = field(default_factory=dict)
    # When set, what happened in order, for a benchmark to explain a figure: (monotonic time, event, session,
    # destination, id) with events bind, unbound, accept, offer (a receipt written), ack (answered), lost
    # (not answered: kept for the next offer).
    trace: list[tuple[float, str, str, str, str]] | None = None
    outbox: list[tuple[float, str, bytes]] = field(default_factory=list)  # kept across restarts, as an SMSC's store
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _stop: asyncio.Event | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------------------------------ control
    def start(self) -> Peer:
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(10), "the SMSC did not start"
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def restart(self) -> None:
        """The SMSC goes down (every session drops) and comes back on the same port, its store intact."""
        self.stop()
        self.start()

    def __enter__(self) -> Peer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _note(self, event: str, session: str = "", destination: str = "", message_id: str = "") -> None:
        if self.trace is not None:
            self.trace.append((time.monotonic(), event, session, destination, message_id))

    def accepted_count(self) -> int:
        with self._lock:
            return len(self.accepted)

    def per_destination(self) -> Counter[str]:
        with self._lock:
            return Counter(d for d, _s, _m in self.accepted)

    # ------------------------------------------------------------------------------------------ the SMSC
    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        inner = free_port()
        server = smpp34.Server("127.0.0.1", inner, inbound_capacity=self.inbound_capacity)
        await server.start()
        links: set[asyncio.StreamWriter] = set()
        relay = await asyncio.start_server(lambda r, w: self._relay(r, w, inner, links), "127.0.0.1", self.port)
        sessions: dict[str, smpp34.Esme] = {}
        outbox = self.outbox  # (due, subscriber, receipt text)
        self._ready.set()

        window = asyncio.Semaphore(10)
        in_flight: set[int] = set()
        running: set[asyncio.Task[None]] = set()

        async def deliver_one(item: tuple[float, str, bytes]) -> None:
            try:
                live = [e for e in sessions.values() if e.can_receive]
                if not live:
                    return
                async with window:
                    self.offered_receipts += 1
                    esme = live[0]
                    self._note("offer", esme.session_id, item[1], item[2].split(b" ", 1)[0][3:].decode())
                    resp = await asyncio.wait_for(
                        esme.deliver_sm("SoTTTT", item[2], source_addr=item[1], esm_class=0x04), 5)
                if resp.is_success:
                    outbox.remove(item)
                    self.sent_receipts += 1
                    self._note("ack", esme.session_id, item[1], item[2].split(b" ", 1)[0][3:].decode())
            except (TimeoutError, smpp34.SmppError, OSError) as failed:
                # kept: offered again to the next session
                self._note("lost", type(failed).__name__, item[1], item[2].split(b" ", 1)[0][3:].decode())
            finally:
                in_flight.discard(id(item))

        async def deliver() -> None:
            while True:
                await asyncio.sleep(1 / self.pace if self.pace else 0.02)
                if self.hold:
                    continue
                now = time.monotonic()
                for item in [r for r in outbox if r[0] <= now and id(r) not in in_flight][:1 if self.pace else 200]:
                    in_flight.add(id(item))
                    running.add(task := asyncio.create_task(deliver_one(item)))
                    task.add_done_callback(running.discard)

        async def serve() -> None:
            while True:
                event = await server.next()
                if isinstance(event, smpp34.Esme):
                    sessions[event.session_id] = event
                    self.binds += 1
                    self._note("bind", event.session_id)
                elif isinstance(event, smpp34.Unbound):
                    sessions.pop(event.session_id, None)
                    self._note("unbound", event.session_id)
                elif isinstance(event, smpp34.SubmitSmEvent):
                    status = self.decide(self.offered)
                    self.offered += 1
                    if status != ESME_ROK:
                        event.reject(status)
                        continue
                    with self._lock:
                        self.accepted.append((event.destination_addr, event.source_addr, event.short_message))
                        number = len(self.accepted)
                    stat = self.stat(event.destination_addr)
                    due = time.monotonic() + self.receipt_delay
                    with self._lock:
                        self.by_id["%08X" % (0xB00000 + number)] = (event.destination_addr, event.source_addr,
                                                                    stat, due)
                    event.accept("%08X" % (0xB00000 + number))
                    self._note("accept", event.session_id, event.destination_addr, str(0xB00000 + number))
                    receipt = (b"id:%d sub:001 dlvrd:001 submit date:2612070100 done date:2612070100 stat:%s "
                               b"err:000 text:" % (0xB00000 + number, stat.encode()))
                    outbox.append((due, event.destination_addr, receipt))

        tasks = [asyncio.create_task(deliver()), asyncio.create_task(serve())]
        await self._stop.wait()
        relay.close()
        await server.stop()  # no new sessions from here on (the ones bound go on until unbound below)
        await asyncio.sleep(0.2)  # the last binds reach `serve`
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # Going down ends every session: stopping the server alone stops only its listening socket, and the
        # sessions it had would live on, answering ESME_RMSGQFUL to everything (nobody reads their queue).
        for esme in list(sessions.values()):
            with contextlib.suppress(smpp34.SmppError, OSError, TimeoutError):
                await asyncio.wait_for(esme.unbind(), 2)
        for writer in list(links):
            writer.close()
        await relay.wait_closed()

    # ------------------------------------------------------------------------------------------ the relay
    def _query(self, body: bytes) -> tuple[int, bytes]:
        """query_sm_resp for a query_sm body: message_id, source_addr_ton, source_addr_npi, source_addr."""
        end = body.index(b"\0")
        message_id = body[:end].decode("ascii", "replace")
        source = body[end + 3:body.index(b"\0", end + 3)].decode("latin-1")
        with self._lock:
            known = self.by_id.get(message_id)
            self.queries += 1
        if known is None or known[1] != source:  # an id it never gave, or asked by another sender name
            return ESME_RQUERYFAIL, b""
        _destination, _source, stat, due = known
        final = time.monotonic() >= due
        state = MESSAGE_STATE.get(stat, 7) if final else ENROUTE
        return ESME_ROK, (message_id.encode() + b"\0" + (b"2612070100000+" if final else b"") + b"\0"
                          + bytes((state, 0)))

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, inner: int,
                     links: set[asyncio.StreamWriter]) -> None:
        links.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", inner)
        except OSError:
            writer.close()
            links.discard(writer)
            return
        links.add(up_writer)

        async def pdus(source: asyncio.StreamReader) -> AsyncIterator[tuple[bytes, bytes]]:
            while True:
                header = await source.readexactly(HEADER.size)
                length = HEADER.unpack(header)[0]
                yield header, await source.readexactly(length - HEADER.size)

        async def up() -> None:  # ESME → SMSC, but query_sm is answered here
            async for header, body in pdus(reader):
                _length, command, _status, sequence = HEADER.unpack(header)
                if command == QUERY_SM:
                    status, answer = self._query(body)
                    writer.write(HEADER.pack(HEADER.size + len(answer), QUERY_SM | 0x80000000, status, sequence)
                                 + answer)
                else:
                    up_writer.write(header + body)
                await up_writer.drain()

        async def down() -> None:  # SMSC → ESME
            async for header, body in pdus(up_reader):
                if HEADER.unpack(header)[1] == SUBMIT_SM_RESP:
                    with self._lock:
                        lost = self.answer_submits is not None and self.answered_submits >= self.answer_submits
                        self.answered_submits += not lost
                    if lost:
                        continue
                writer.write(header + body)
                await writer.drain()

        tasks = [asyncio.create_task(up()), asyncio.create_task(down())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            for w in (writer, up_writer):
                w.close()
                links.discard(w)
