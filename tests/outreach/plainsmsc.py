"""A second, independent SMSC for interoperability: SMPP 3.4 written here from the specification with asyncio
streams and struct (no `smpp34` code), run in a thread of its own. It binds transceivers, answers enquire_link
and unbind, accepts submit_sm with *decimal* ids padded with zeros, and sends each receipt quoting the id in
lower-case hex — the id forms that differ from the other peer's. It answers query_sm (§4.8) for the ids it gave,
by their value (leading zeros or not): en route until its receipt is written, delivered after."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field

from .peer import free_port

BIND_TRANSCEIVER, SUBMIT_SM, DELIVER_SM, UNBIND, ENQUIRE_LINK, QUERY_SM = 0x09, 0x04, 0x05, 0x06, 0x15, 0x03
ESME_RQUERYFAIL = 0x67
RESP = 0x80000000
HEADER = struct.Struct(">IIII")


def _cstring(body: bytes, at: int) -> tuple[str, int]:
    end = body.index(b"\0", at)
    return body[at:end].decode("latin-1"), end + 1


def _pdu(command: int, status: int, sequence: int, body: bytes = b"") -> bytes:
    return HEADER.pack(HEADER.size + len(body), command, status, sequence) + body


@dataclass
class PlainSmsc:
    port: int = field(default_factory=free_port)
    accepted: list[tuple[str, str, int, bytes]] = field(default_factory=list)  # dest, source, coding, data
    delivered: set[int] = field(default_factory=set)  # ids whose receipt was written
    _thread: threading.Thread | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _stop: asyncio.Event | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> PlainSmsc:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def per_destination(self) -> Counter[str]:
        with self._lock:
            return Counter(d for d, _s, _c, _m in self.accepted)

    @property
    def sources(self) -> set[str]:
        with self._lock:
            return {s for _d, s, _c, _m in self.accepted}

    def decoded(self, index: int) -> str:
        _d, _s, coding, data = self.accepted[index]
        return data.decode("utf-16-be") if coding == 0x08 else data.decode("latin-1")

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._session, "127.0.0.1", self.port)
        self._ready.set()
        async with server:
            await self._stop.wait()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sequence = 0x7000_0000
        lock = asyncio.Lock()
        tasks: set[asyncio.Task[None]] = set()

        async def send(data: bytes) -> None:
            async with lock:
                writer.write(data)
                await writer.drain()

        async def receipt(subscriber: str, ours: str, message_id: int) -> None:
            nonlocal sequence
            await asyncio.sleep(0.05)
            text = (f"id:{message_id:x} sub:001 dlvrd:001 submit date:2612070100 done date:2612070100 "
                    f"stat:DELIVRD err:000 text:").encode()
            body = (b"\0" + bytes((1, 1)) + subscriber.encode() + b"\0" + bytes((5, 0)) + ours.encode() + b"\0"
                    + bytes((0x04, 0, 0)) + b"\0\0" + bytes((0, 0, 0, 0, len(text))) + text)
            sequence += 1
            self.delivered.add(message_id)
            with contextlib.suppress(ConnectionError):
                await send(_pdu(DELIVER_SM, 0, sequence, body))

        try:
            while True:
                header = await reader.readexactly(HEADER.size)
                length, command, _status, seq = HEADER.unpack(header)
                body = await reader.readexactly(length - HEADER.size)
                if command == BIND_TRANSCEIVER:
                    await send(_pdu(BIND_TRANSCEIVER | RESP, 0, seq, b"PLAIN\0"))
                elif command == ENQUIRE_LINK:
                    await send(_pdu(ENQUIRE_LINK | RESP, 0, seq))
                elif command == UNBIND:
                    await send(_pdu(UNBIND | RESP, 0, seq))
                    break
                elif command == SUBMIT_SM:
                    _service, at = _cstring(body, 0)
                    source, at = _cstring(body, at + 2)
                    destination, at = _cstring(body, at + 2)
                    at += 3  # esm_class, protocol_id, priority_flag
                    _schedule, at = _cstring(body, at)
                    _validity, at = _cstring(body, at)
                    coding = body[at + 2]
                    size = body[at + 4]
                    data = body[at + 5:at + 5 + size]
                    with self._lock:
                        self.accepted.append((destination, source, coding, data))
                        message_id = 4_000_000 + len(self.accepted)
                    await send(_pdu(SUBMIT_SM | RESP, 0, seq, f"{message_id:012d}".encode() + b"\0"))
                    task = asyncio.create_task(receipt(destination, source, message_id))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                elif command == QUERY_SM:
                    quoted, at = _cstring(body, 0)
                    source, _at = _cstring(body, at + 2)
                    number = int(quoted) if quoted.isdigit() else -1
                    with self._lock:
                        known = 4_000_000 < number <= 4_000_000 + len(self.accepted)
                        known = known and self.accepted[number - 4_000_001][1] == source
                    if not known:
                        await send(_pdu(QUERY_SM | RESP, ESME_RQUERYFAIL, seq))
                    else:
                        state = 2 if number in self.delivered else 1  # DELIVERED, ENROUTE
                        final = b"2612070100000+" if state == 2 else b""
                        await send(_pdu(QUERY_SM | RESP, 0, seq, quoted.encode() + b"\0" + final + b"\0"
                                        + bytes((state, 0))))
                elif command & RESP:
                    continue  # deliver_sm_resp
                else:
                    await send(_pdu(0x80000000, 0x03, seq))  # generic_nack: invalid command id
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
