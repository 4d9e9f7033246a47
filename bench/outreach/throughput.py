"""submit_sm throughput of the outreach sender against a real SMPP server (smpp34's) on loopback.

Usage: python bench/outreach/throughput.py [messages] [window] [limit_per_second]
Prints the rate and, with a limit, its deviation from the limit; the last line is one JSON object.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sys
import time

import smpp34

from ttdn.core.sms import analyse
from ttdn.outreach.smpp import Outgoing, Sender


async def smsc(server: smpp34.Server, counter: list[int]) -> None:
    while True:
        event = await server.next()
        if isinstance(event, smpp34.SubmitSmEvent):
            counter[0] += 1
            event.accept(f"{counter[0]:X}")


async def main(count: int, window: int, limit: float) -> dict[str, float]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = smpp34.Server("127.0.0.1", port)
    await server.start()
    counter = [0]
    task = asyncio.create_task(smsc(server, counter))
    sender = Sender("127.0.0.1", port, "bench", "bench", window=window, per_second=limit, source_addr="SoTTTT")
    await sender.connect()
    info = analyse("Thong bao: hop dan luc 8h sang mai tai nha van hoa xa.")
    queue: asyncio.Queue[Outgoing | None] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(Outgoing(f"m{i}", f"84{900000000 + i}", info))

    async def worker() -> None:
        while (message := queue.get_nowait() if not queue.empty() else None) is not None:
            await sender.send(message)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(window * 2)))
    elapsed = time.perf_counter() - started
    await sender.close()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await server.stop()
    rate = count / elapsed
    result = {"messages": count, "accepted": counter[0], "window": window, "limit": limit,
              "seconds": round(elapsed, 2), "submit_per_s": round(rate, 1)}
    if limit:
        result["deviation_pct"] = round(100 * (rate - limit) / limit, 2)
    return result


if __name__ == "__main__":
    args = sys.argv[1:]
    res = asyncio.run(main(int(args[0]) if args else 100_000, int(args[1]) if len(args) > 1 else 10,
                           float(args[2]) if len(args) > 2 else 0))
    print(f"{res['accepted']}/{res['messages']} accepted in {res['seconds']} s: {res['submit_per_s']} submit_sm/s")
    print(json.dumps(res))
