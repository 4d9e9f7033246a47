"""The SMPP sender against a real SMPP 3.4 server on loopback (the `smpp34` package's server): concatenation
with UDH, throttling answers with back-off, receipts early and late in other id forms, the rate limit."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import smpp34

from ttdn.core.sms import analyse, decode_part
from ttdn.outreach.smpp import (
    ESME_RMSGQFUL,
    ESME_ROK,
    ESME_RTHROTTLED,
    Outgoing,
    RateLimit,
    Receipt,
    ReceiptBook,
    Sender,
    id_keys,
)


def run_in_own_loop(coroutine: Any) -> None:
    """asyncio.run in a thread of its own: a browser test earlier in this worker leaves Playwright's event loop
    running in the main thread, where asyncio.run refuses to start."""
    import threading

    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Smsc:
    """A scripted SMSC: counts what it accepted, answers with hex ids, quotes them in decimal in receipts."""

    port: int
    decide: Callable[[int], int] = lambda n: ESME_ROK  # status for the n-th submit_sm (0-based)
    receipt_first: bool = False  # send the receipt before the submit_sm_resp
    accepted: list[tuple[str, int, bytes]] = field(default_factory=list)
    offered: int = 0

    async def run(self, server: smpp34.Server) -> None:
        sessions: dict[str, smpp34.Esme] = {}
        while True:
            event = await server.next()
            if isinstance(event, smpp34.Esme):
                sessions[event.session_id] = event
            elif isinstance(event, smpp34.SubmitSmEvent):
                status = self.decide(self.offered)
                self.offered += 1
                if status != ESME_ROK:
                    event.reject(status)
                    continue
                number = len(self.accepted) + 1
                self.accepted.append((event.destination_addr, event.esm_class, event.short_message))
                hex_id = "%08X" % (0xA0000 + number)
                receipt = (b"id:%d sub:001 dlvrd:001 submit date:2612070100 done date:2612070100 stat:DELIVRD err:000"
                           b" text:" % (0xA0000 + number))
                esme = sessions[event.session_id]
                if self.receipt_first:
                    await esme.deliver_sm(event.source_addr, receipt, esm_class=0x04)
                    event.accept(hex_id)
                else:
                    event.accept(hex_id)
                    await esme.deliver_sm(event.source_addr, receipt, esm_class=0x04)


async def with_smsc(smsc: Smsc, body: Callable[[Sender], object], **sender_kw: object) -> None:
    server = smpp34.Server("127.0.0.1", smsc.port)
    await server.start()
    task = asyncio.create_task(smsc.run(server))
    sender = Sender("127.0.0.1", smsc.port, "ttdn", "secret", source_addr="SoTTTT", **sender_kw)  # type: ignore[arg-type]
    await sender.connect()
    try:
        await body(sender)  # type: ignore[misc]
    finally:
        await sender.close()
        task.cancel()
        await server.stop()


async def wait_receipts(messages: list[Outgoing], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while any(len(m.receipts) < len(m.message_ids) for m in messages) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


def test_id_forms_match() -> None:
    assert id_keys("000A0001") & id_keys("655361")
    assert id_keys("a0001") & id_keys("000A0001")
    assert not id_keys("abc") & id_keys("abd")


def test_receipt_before_submit_response_is_kept() -> None:
    book = ReceiptBook()
    message = Outgoing("m1", "84912345678", analyse("Xin chao"))
    assert book.received(Receipt("255", "DELIVRD")) is None
    book.submitted("000000ff", message)
    assert [r.status for r in message.receipts] == ["DELIVRD"]


def test_concatenated_ucs2_with_receipts_in_decimal() -> None:
    smsc = Smsc(free_port())
    long_vi = "Người dân xã biên giới chú ý 😀 " * 5

    async def body(sender: Sender) -> None:
        messages = [Outgoing(f"m{i}", f"8491234567{i}", analyse(long_vi)) for i in range(3)]
        await sender.send_all(messages)
        await wait_receipts(messages)
        for m in messages:
            assert len(m.message_ids) == m.info.segments == 3
            assert [r.status for r in m.receipts] == ["DELIVRD"] * 3

    run_in_own_loop(with_smsc(smsc, body))
    assert len(smsc.accepted) == 9
    by_dest: dict[str, list[bytes]] = {}
    for dest, esm, data in smsc.accepted:
        assert esm & 0x40
        by_dest.setdefault(dest, []).append(data)
    for parts in by_dest.values():
        parts.sort(key=lambda d: d[5])
        assert all(p[:5] == bytes((5, 0, 3, p[3], 3)) for p in parts)
        assert [p[5] for p in parts] == [1, 2, 3]
        assert "".join(decode_part(p[6:], "UCS-2") for p in parts) == analyse(long_vi).text


def test_throttled_and_queue_full_are_retried_not_lost() -> None:
    refusals: dict[int, int] = {0: ESME_RTHROTTLED, 1: ESME_RMSGQFUL, 4: ESME_RTHROTTLED}
    smsc = Smsc(free_port(), decide=lambda n: refusals.get(n, ESME_ROK), receipt_first=True)

    async def body(sender: Sender) -> None:
        messages = [Outgoing(f"m{i}", f"849000000{i:02d}", analyse("Hop dan 8h sang mai")) for i in range(10)]
        await sender.send_all(messages)
        await wait_receipts(messages)
        assert all(m.error is None and len(m.message_ids) == 1 for m in messages)
        assert all([r.status for r in m.receipts] == ["DELIVRD"] for m in messages)

    run_in_own_loop(with_smsc(smsc, body))
    assert smsc.offered == 13
    assert sorted(dest for dest, _, _ in smsc.accepted) == [f"849000000{i:02d}" for i in range(10)]


def test_rate_limit_makes_up_an_oversleep_but_never_bursts_after_a_pause() -> None:
    now = [100.0]
    limit = RateLimit(100, clock=lambda: now[0])  # a slot every 10 ms
    assert [round(limit.delay(), 6) for _ in range(3)] == [0.0, 0.01, 0.02]
    now[0] = 100.035  # the third overslept by 15 ms (it was due at 100.02)
    assert limit.delay() == 0.0  # due at 100.03: sent at once, and so is the next (due 100.04 → 5 ms away)
    assert abs(limit.delay() - 0.005) < 1e-9
    now[0] = 105.0  # nothing to send for 5 s: the schedule starts afresh, one slot at a time
    assert [round(limit.delay(), 6) for _ in range(3)] == [0.0, 0.01, 0.02]


def test_rate_limit_is_kept() -> None:
    smsc = Smsc(free_port())
    elapsed: list[float] = []

    async def body(sender: Sender) -> None:
        messages = [Outgoing(f"m{i}", f"8497{i:07d}", analyse("Thong bao")) for i in range(60)]
        started = time.monotonic()
        await sender.send_all(messages)
        elapsed.append(time.monotonic() - started)

    run_in_own_loop(with_smsc(smsc, body, per_second=100))
    # 60 submits at 100/s: never faster than 0.59 s from the first to the last. The upper bound is loose because
    # the test machine is shared; the accuracy figure (within 5 %) is measured by bench/outreach/throughput.py.
    assert 0.56 <= elapsed[0] <= 3.0, elapsed
    assert len(smsc.accepted) == 60


def test_query_sm_tells_the_state_of_an_accepted_message() -> None:
    """query_sm against the store-and-forward peer (tests/outreach/peer.py): en route until the handset has it,
    then delivered or undeliverable; an id the SMSC never gave, or asked under another sender name, is refused
    (None)."""
    from .peer import Peer

    async def scenario(port: int) -> None:
        sender = Sender("127.0.0.1", port, "ttdn", "secret", source_addr="SoTTTT")
        await sender.connect()
        try:
            text = analyse("Họp dân lúc 8 giờ")
            sent = await sender.send_all([Outgoing("1", "84961111111", text), Outgoing("2", "84962222222", text)])
            first, second = (o.message_ids[0] for o in sent)
            early = await sender.query(first)
            assert early is not None and early.message_state == 1 and early.message_id == first  # ENROUTE
            await asyncio.sleep(0.6)  # the peer's receipt delay: the handsets have them now
            late = await sender.query(first)
            assert late is not None and late.message_state == 2 and late.final_date  # DELIVERED
            failed = await sender.query(second)
            assert failed is not None and failed.message_state == 5  # UNDELIVERABLE
            assert await sender.query("FFFFFFFF") is None
            assert await sender.query(first, "Other") is None
        finally:
            await sender.close()

    with Peer(receipt_delay=0.5, stat=lambda number: "UNDELIV" if number.endswith("2222") else "DELIVRD") as peer:
        peer.hold = True
        run_in_own_loop(scenario(peer.port))
        assert peer.queries == 5


def test_query_sm_on_the_independent_smsc() -> None:
    """query_sm against the SMSC written from the specification (tests/outreach/plainsmsc.py), whose ids are
    decimal with leading zeros: the id is quoted back as it was given."""
    from .plainsmsc import PlainSmsc

    async def scenario(port: int) -> None:
        sender = Sender("127.0.0.1", port, "ttdn", "secret", source_addr="SoTTTT")
        await sender.connect()
        try:
            (sent,) = await sender.send_all([Outgoing("1", "84961111111", analyse("Hop dan luc 8 gio"))])
            (message_id,) = sent.message_ids
            assert message_id.startswith("0000")
            deadline = time.monotonic() + 30
            while True:
                answer = await sender.query(message_id)
                assert answer is not None and answer.message_id == message_id
                if answer.message_state == 2:  # DELIVERED, once its receipt is out
                    break
                assert answer.message_state == 1 and time.monotonic() < deadline  # ENROUTE meanwhile
                await asyncio.sleep(0.05)
            assert await sender.query("000000000042") is None
            assert await sender.query(message_id, "Other") is None
        finally:
            await sender.close()

    with PlainSmsc() as smsc:
        run_in_own_loop(scenario(smsc.port))
