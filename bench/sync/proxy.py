"""A shaping TCP proxy for the sync benchmark: rate limit, added latency, dropped connections, byte counts.

The same link is put in front of rsync and of our sync, so both pay the same price for every byte and every
round trip. Each direction of each connection is modelled as a link:

- serialisation: a byte leaves after the previous ones at `rate` bytes/s (a pacer with no burst allowance, the
  link is shared by all connections in the same direction, as one radio or DSL line would be);
- propagation: it arrives `delay` seconds later (one-way latency, half the round trip), in order;
- a new connection costs one round trip before its first byte moves (the TCP handshake on a real link);
- drops: every `drop_every` bytes transferred through the proxy (counting BOTH directions, over all connections,
  from the start of the run), the connection that carries the byte at the boundary is cut (reset) right after
  that byte is delivered; `drop_at` cuts once at given offsets instead.

Wire bytes are the payload bytes that crossed the proxy (TCP/IP headers not counted, the same for both sides).

Module: `async with ShapingProxy(...)` or `ProxyThread(...)` (runs its own event loop in a thread).
CLI: `python bench/sync/proxy.py --listen 127.0.0.1:9000 --target 127.0.0.1:8000 --rate-kbit 512 --rtt-ms 300
--drop-every 2MB` — prints the counters every few seconds and at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import re
import signal
import threading
import time
from collections.abc import Sequence

READ_SIZE = 16 * 1024


def parse_size(text: str) -> int:
    """'2MB' → 2097152, '512k' → 524288, '1000' → 1000 (binary multiples)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", text.lower())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[m.group(2)]
    return int(float(m.group(1)) * factor)


@dataclasses.dataclass
class Shape:
    rate_bps: float = 0.0  # bytes per second each way; 0 = unlimited
    delay_s: float = 0.0  # one-way latency
    drop_every: int = 0  # bytes (both directions) between cuts; 0 = never
    drop_at: tuple[int, ...] = ()  # cut once when the total passes each of these offsets

    @classmethod
    def link(cls, rate_kbit: float = 0, rtt_ms: float = 0, drop_every: int = 0,
             drop_at: Sequence[int] = ()) -> Shape:
        return cls(rate_kbit * 1000 / 8, rtt_ms / 2000, drop_every, tuple(sorted(drop_at)))


@dataclasses.dataclass
class Counters:
    down: int = 0  # target → client (what the node or the rsync client receives)
    up: int = 0  # client → target
    connections: int = 0
    drops: int = 0
    drop_offsets: list[int] = dataclasses.field(default_factory=list)

    @property
    def total(self) -> int:
        return self.down + self.up

    def as_dict(self) -> dict[str, int | list[int]]:
        return {"down": self.down, "up": self.up, "total": self.total, "connections": self.connections,
                "drops": self.drops, "drop_offsets": list(self.drop_offsets)}


class _Pacer:
    """One direction of the link: bytes leave one after another at the link rate."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.free_at = 0.0

    async def transmit(self, n: int) -> None:
        if self.rate <= 0:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        start = max(now, self.free_at)
        self.free_at = start + n / self.rate
        delay = self.free_at - now
        if delay > 0:
            await asyncio.sleep(delay)


class ShapingProxy:
    def __init__(self, target: tuple[str, int], shape: Shape, listen: tuple[str, int] = ("127.0.0.1", 0)) -> None:
        self.target = target
        self.shape = shape
        self.listen = listen
        self.counters = Counters()
        self._committed = 0  # bytes admitted to the link (both directions), decides where drops fall
        self._next_drop = shape.drop_every or 0
        self._drop_points = list(shape.drop_at)
        self._pacers = {"up": _Pacer(shape.rate_bps), "down": _Pacer(shape.rate_bps)}
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    def reset_counters(self) -> None:
        """Start a new measurement: counters and the drop schedule begin again from zero."""
        self.counters = Counters()
        self._committed = 0
        self._next_drop = self.shape.drop_every or 0
        self._drop_points = list(self.shape.drop_at)

    def set_shape(self, shape: Shape) -> None:
        self.shape = shape
        self._pacers = {"up": _Pacer(shape.rate_bps), "down": _Pacer(shape.rate_bps)}
        self.reset_counters()

    async def start(self) -> ShapingProxy:
        self._server = await asyncio.start_server(self._handle, self.listen[0], self.listen[1])
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def __aenter__(self) -> ShapingProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _admit(self, n: int) -> tuple[int, bool]:
        """How many of the next `n` bytes may go before a cut, and whether this piece ends in a cut."""
        limit = None
        if self._next_drop:
            limit = self._next_drop
        if self._drop_points and (limit is None or self._drop_points[0] < limit):
            limit = self._drop_points[0]
        if limit is not None and self._committed + n >= limit:
            take = max(0, limit - self._committed)
            self._committed += take
            if self._next_drop and limit == self._next_drop:
                self._next_drop += self.shape.drop_every
            while self._drop_points and self._drop_points[0] <= self._committed:
                self._drop_points.pop(0)
            return take, True
        self._committed += n
        return n, False

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.counters.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            if self.shape.delay_s:
                # A real link spends one round trip on the handshake before the first byte.
                await asyncio.sleep(2 * self.shape.delay_s)
            try:
                target_r, target_w = await asyncio.open_connection(*self.target)
            except OSError:
                client_w.transport.abort()
                return
            cut = asyncio.Event()
            pumps = [
                asyncio.create_task(self._pump(client_r, target_w, "up", cut, (client_w, target_w))),
                asyncio.create_task(self._pump(target_r, client_w, "down", cut, (client_w, target_w))),
            ]
            await asyncio.gather(*pumps, return_exceptions=True)
            for w in (client_w, target_w):
                with contextlib.suppress(Exception):
                    w.close()
        finally:
            self._tasks.discard(task)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, direction: str,
                    cut: asyncio.Event, both: tuple[asyncio.StreamWriter, asyncio.StreamWriter]) -> None:
        """Serialise at the link rate, then deliver after the one-way delay, in order."""
        # Bounded, so a slow receiver pushes back on the sender instead of filling memory.
        line: asyncio.Queue[tuple[float, bytes, bool] | None] = asyncio.Queue(maxsize=256)
        pacer = self._pacers[direction]
        loop = asyncio.get_running_loop()

        async def deliver() -> None:
            while True:
                entry = await line.get()
                if entry is None:
                    with contextlib.suppress(Exception):
                        if writer.can_write_eof():
                            writer.write_eof()
                    return
                due, data, last = entry
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if cut.is_set() and not last:
                    return
                if data:
                    writer.write(data)
                    setattr(self.counters, direction, getattr(self.counters, direction) + len(data))
                    try:
                        await writer.drain()
                    except (ConnectionError, OSError):
                        cut.set()
                        return
                if last:
                    self.counters.drops += 1
                    self.counters.drop_offsets.append(self.counters.total)
                    cut.set()
                    for w in both:
                        w.transport.abort()  # RST, as when a radio link goes away mid-transfer
                    return

        deliverer = asyncio.create_task(deliver())
        try:
            while not cut.is_set():
                try:
                    data = await reader.read(READ_SIZE)
                except (ConnectionError, OSError):
                    break
                if not data or cut.is_set():
                    break
                # Small pieces on a slow link, so the pacing is smooth and a cut falls at the exact byte.
                step = max(1024, int(pacer.rate / 20)) if pacer.rate else len(data)
                for i in range(0, len(data), step):
                    piece = data[i:i + step]
                    take, last = self._admit(len(piece))
                    piece = piece[:take]
                    await pacer.transmit(len(piece))
                    await line.put((loop.time() + self.shape.delay_s, piece, last))
                    if last:
                        break
                else:
                    continue
                break
        finally:
            while not deliverer.done():
                try:
                    line.put_nowait(None)
                    break
                except asyncio.QueueFull:
                    await asyncio.sleep(0.01)
            with contextlib.suppress(Exception):
                await deliverer
            if cut.is_set():
                for w in both:
                    with contextlib.suppress(Exception):
                        w.transport.abort()


class ProxyThread:
    """A ShapingProxy on its own event loop in a daemon thread, for synchronous callers."""

    def __init__(self, target: tuple[str, int], shape: Shape, listen: tuple[str, int] = ("127.0.0.1", 0)) -> None:
        self.loop = asyncio.new_event_loop()
        self.proxy = ShapingProxy(target, shape, listen)
        self._thread = threading.Thread(target=self.loop.run_forever, name="shaping-proxy", daemon=True)

    def __enter__(self) -> ProxyThread:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.proxy.start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    @property
    def port(self) -> int:
        return self.proxy.port

    def set_shape(self, shape: Shape) -> None:
        self.loop.call_soon_threadsafe(self.proxy.set_shape, shape)
        # Wait until the loop has run it, so the next measurement starts from zero.
        asyncio.run_coroutine_threadsafe(asyncio.sleep(0), self.loop).result(10)

    def reset(self) -> None:
        self.set_shape(self.proxy.shape)

    def counters(self) -> Counters:
        return dataclasses.replace(self.proxy.counters, drop_offsets=list(self.proxy.counters.drop_offsets))


def _hostport(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


async def _main(args: argparse.Namespace) -> None:
    shape = Shape.link(args.rate_kbit, args.rtt_ms, args.drop_every, args.drop_at)
    proxy = ShapingProxy(args.target, shape, args.listen)
    await proxy.start()
    print(f"proxy {args.listen[0]}:{proxy.port} → {args.target[0]}:{args.target[1]} {shape}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    started = time.monotonic()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), args.report_every)
        print(json.dumps({"seconds": round(time.monotonic() - started, 1), **proxy.counters.as_dict()}), flush=True)
    await proxy.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--listen", type=_hostport, default=("127.0.0.1", 9000))
    parser.add_argument("--target", type=_hostport, required=True)
    parser.add_argument("--rate-kbit", type=float, default=0, help="each way; 0 = unlimited")
    parser.add_argument("--rtt-ms", type=float, default=0)
    parser.add_argument("--drop-every", type=parse_size, default=0, help="e.g. 2MB (both directions counted)")
    parser.add_argument("--drop-at", type=parse_size, nargs="*", default=[])
    parser.add_argument("--report-every", type=float, default=5.0)
    asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
