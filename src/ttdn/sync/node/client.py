"""The edge client: signed requests to the hub over one kept-alive connection, resumable chunk transfer,
and `run_sync` (one pass) that `ttdn sync` and `ttdn sync --loop` call.

Direct connections only: proxies named in the environment are not used (a shaping proxy in front of the
hub is addressed as the hub URL itself).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import zstandard
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction
from django.utils import timezone

from ttdn.content import changes
from ttdn.content.models import Item, Variant
from ttdn.core.errors import ServiceError
from ttdn.sync.models import NodeState
from ttdn.sync.node import apply
from ttdn.sync.node.report import do_mark_reported, node_report
from ttdn.sync.transport import keys, wire

RETRIES = 8
TIMEOUT = 120
CHUNKS_PER_REQUEST = 256


class HubError(Exception):
    """The hub answered with an error (JSON code and message)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class BudgetExhausted(Exception):
    """The daily byte budget is spent: stop and try again tomorrow."""


@dataclass
class Summary:
    status: str = "ok"
    records: int = 0
    tombstones: int = 0
    skipped: int = 0
    bytes_down: int = 0
    bytes_up: int = 0
    chunks_fetched: int = 0
    chunks_reused: int = 0
    files_written: int = 0
    resumes: int = 0
    batches: int = 0
    cursor: int = 0
    seconds: float = 0.0
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data


class HubClient(apply.ChunkSource):
    def __init__(self, base_url: str, node_uid: uuid.UUID | None = None, key: Ed25519PrivateKey | None = None,
                 hub_public_key: str = "", summary: Summary | None = None, budget: int | None = None) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ServiceError("bad_hub_url", "The hub URL must be http://… or https://…")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.node_uid = node_uid
        self.key = key
        self.hub_public_key = hub_public_key
        self.summary = summary or Summary()
        self.budget = budget
        self._conn: http.client.HTTPConnection | None = None
        self._counting = threading.Lock()

    # ------------------------------------------------------------------------------- transport

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            self._conn = cls(self.host, self.port, timeout=TIMEOUT)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def twin(self) -> HubClient:
        """A second client on its own connection, sharing the byte counts and the budget (the read-ahead)."""
        other = HubClient(f"{self.scheme}://{self.host}:{self.port}{self.prefix}", self.node_uid, self.key,
                          self.hub_public_key, self.summary, self.budget)
        other._counting = self._counting
        return other

    def _count(self, up: int = 0, down: int = 0) -> None:
        with self._counting:
            self.summary.bytes_up += up
            self.summary.bytes_down += down
            spent = self.summary.bytes_up + self.summary.bytes_down
        if self.budget is not None and spent > self.budget:
            raise BudgetExhausted

    def _open(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
              sign: bool = True) -> http.client.HTTPResponse:
        full = f"{self.prefix}/sync/{path}"
        sent = dict(headers or {})
        sent[wire.FORMATS_HEADER] = ",".join(map(str, wire.FORMATS))
        if body:
            sent["Content-Type"] = "application/json"
        if sign:
            assert self.key is not None and self.node_uid is not None
            stamp, nonce = f"{time.time():.3f}", secrets.token_hex(16)
            sent.update({
                "X-Ttdn-Node": str(self.node_uid), "X-Ttdn-Time": stamp, "X-Ttdn-Nonce": nonce,
                "X-Ttdn-Signature": keys.sign(self.key, keys.request_message(method, full, stamp, nonce, body)),
            })
        conn = self._connection()
        conn.request(method, full, body=body or None, headers=sent)
        self._count(up=len(body) + 80 + sum(len(k) + len(v) + 4 for k, v in sent.items()))
        response = conn.getresponse()
        self._count(down=80 + sum(len(k) + len(v) + 4 for k, v in response.getheaders()))
        return response

    def _call(self, method: str, path: str, body: bytes = b"", sign: bool = True) -> tuple[bytes, dict[str, str]]:
        """A whole request and answer, retried over fresh connections when the link drops."""
        attempt = 0
        while True:
            try:
                response = self._open(method, path, body, sign=sign)
                data = response.read()
                self._count(down=len(data))
                headers = {k.lower(): v for k, v in response.getheaders()}
                if response.status == 503 and attempt < RETRIES:
                    # The hub's database is away for a moment (a restart): ask again, as when the link drops.
                    attempt += 1
                    self.summary.resumes += 1
                    time.sleep(min(0.5 * 2**attempt, 10))
                    continue
                if response.status >= 400:
                    self._raise(response.status, data)
                return data, headers
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                attempt += 1
                if attempt > RETRIES:
                    raise ConnectionError(f"hub unreachable: {exc}") from exc
                self.summary.resumes += 1
                time.sleep(min(0.2 * 2**attempt, 10))

    @staticmethod
    def _raise(status: int, data: bytes) -> None:
        try:
            body = json.loads(data)
            code, message = str(body.get("code", "error")), str(body.get("message", ""))
        except (ValueError, AttributeError):
            code, message = "error", data[:200].decode(errors="replace")
        raise HubError(status, code, message)

    def _json(self, method: str, path: str, payload: dict[str, Any] | None = None, sign: bool = True) -> Any:
        body = json.dumps(payload).encode() if payload is not None else b""
        data, _headers = self._call(method, path, body, sign=sign)
        return json.loads(data)

    def _batch(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps(payload).encode() if payload is not None else b""
        data, headers = self._call(method, path, body)
        try:
            return wire.decode(data, headers.get("x-ttdn-batch-signature", ""), self.hub_public_key)
        except (ValueError, zstandard.ZstdError) as exc:
            raise ServiceError("bad_batch", f"The hub's batch could not be verified: {exc}") from exc

    # ---------------------------------------------------------------------------------- calls

    def enroll(self, code: str, public_key: str, name: str, version: str) -> dict[str, Any]:
        answer: dict[str, Any] = self._json("POST", "enroll", {"code": code, "public_key": public_key, "name": name,
                                                               "version": version}, sign=False)
        return answer

    def uplink(self, report: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = self._json("POST", "uplink", report)
        return answer

    def feed(self, after: int, epoch: int, applied: int | None = None) -> dict[str, Any]:
        """The batch after `after`; `applied` is what the node has applied when it asks ahead of applying."""
        # Smaller batches on request (tests, very poor links): TTDN_SYNC_BATCH_LIMIT feed entries each.
        limit = int(os.environ.get("TTDN_SYNC_BATCH_LIMIT", "1000") or 1000)
        extra = "" if applied is None else f"&applied={applied}"
        return self._batch("GET", f"feed?after={after}&epoch={epoch}&limit={limit}{extra}")

    def records(self, uids: list[str]) -> dict[str, Any]:
        return self._batch("POST", "records", {"uids": uids})

    def fetch(self, shas: list[str], store: apply.ChunkStore) -> None:
        """Fetch chunks into the store; after a dropped connection only what is missing is asked again,
        and a chunk cut in the middle continues from where it stopped (Range)."""
        pending = [s for s in dict.fromkeys(shas) if not store.has(s)]
        failures = 0
        while pending:
            before = len(pending)
            try:
                for sha in [s for s in pending if store.part_path(s).exists()]:
                    self._resume_chunk(sha, store)
                pending = [s for s in pending if not store.has(s)]
                for start in range(0, len(pending), CHUNKS_PER_REQUEST):
                    self._fetch_batch(pending[start:start + CHUNKS_PER_REQUEST], store)
                pending = [s for s in pending if not store.has(s)]
                failures = 0
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                pending = [s for s in pending if not store.has(s)]
                # A link that drops every few MB but moves data each time is slow, not down: only
                # drops with no progress count towards giving up, and the wait starts short again.
                failures = 1 if len(pending) < before else failures + 1
                if failures > RETRIES:
                    raise ConnectionError(f"hub unreachable: {exc}") from exc
                self.summary.resumes += 1
                time.sleep(min(0.2 * 2**failures, 10))

    def _fetch_batch(self, shas: list[str], store: apply.ChunkStore) -> None:
        body = json.dumps({"chunks": shas}).encode()
        response = self._open("POST", "chunks", body)
        if response.status >= 400:
            data = response.read()
            self._count(down=len(data))
            self._raise(response.status, data)
        decompressor = zstandard.ZstdDecompressor()
        for _n in shas:
            header = self._read_exactly(response, wire.FRAME.size)
            raw_digest, flag, length = wire.FRAME.unpack(header)
            digest = raw_digest.hex()
            if flag == wire.FRAME_UNKNOWN:
                raise ServiceError("unknown_chunk", f"The hub does not have chunk {digest}.")
            if flag == wire.FRAME_RAW:
                self._read_into_part(response, digest, length, store)
            else:
                data = self._read_exactly(response, length)
                store.put(digest, decompressor.decompress(data, max_output_size=1024 * 1024))
            apply.test_pause("chunk")
        response.read()

    def _read_exactly(self, response: http.client.HTTPResponse, n: int) -> bytes:
        parts: list[bytes] = []
        left = n
        while left:
            piece = response.read(min(left, 64 * 1024))
            if not piece:
                raise http.client.IncompleteRead(b"".join(parts), left)
            self._count(down=len(piece))
            parts.append(piece)
            left -= len(piece)
        return b"".join(parts)

    def _read_into_part(self, response: http.client.HTTPResponse, sha: str, length: int,
                        store: apply.ChunkStore) -> None:
        """A raw chunk is written as it arrives, so a cut connection keeps what came."""
        part = store.part_path(sha)
        with part.open("wb") as fh:
            left = length
            while left:
                piece = response.read(min(left, 16 * 1024))
                if not piece:
                    fh.flush()
                    raise http.client.IncompleteRead(b"", left)
                self._count(down=len(piece))
                fh.write(piece)
                left -= len(piece)
        self._finish_part(sha, store)

    def _finish_part(self, sha: str, store: apply.ChunkStore) -> None:
        part = store.part_path(sha)
        try:
            store.put(sha, part.read_bytes())
        except ValueError:
            part.unlink(missing_ok=True)  # damaged: it will be fetched whole next round
            raise http.client.HTTPException(f"chunk {sha} failed verification") from None
        part.unlink(missing_ok=True)

    def _resume_chunk(self, sha: str, store: apply.ChunkStore) -> None:
        part = store.part_path(sha)
        have = part.stat().st_size
        response = self._open("GET", f"chunks/{sha}", headers={"Range": f"bytes={have}-"})
        data = response.read()
        self._count(down=len(data))
        if response.status == 206:
            with part.open("ab") as fh:
                fh.write(data)
        elif response.status == 200:
            part.write_bytes(data)
        else:
            part.unlink(missing_ok=True)
            if response.status >= 400 and response.status != 416:
                self._raise(response.status, data)
            return
        self._finish_part(sha, store)


# ------------------------------------------------------------------------------------------ one pass


def _client(state: NodeState, summary: Summary, budget: int | None) -> HubClient:
    return HubClient(state.hub_url, state.node_uid, keys.node_key(), state.hub_public_key, summary, budget)


def _spent_today(state: NodeState) -> int:
    return state.budget_bytes if state.budget_day == timezone.localdate() else 0


def _record_spending(summary: Summary) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        state = NodeState.objects.select_for_update().get()
        spent = state.budget_bytes if state.budget_day == today else 0
        state.budget_day = today
        state.budget_bytes = spent + summary.bytes_down + summary.bytes_up
        state.last_sync_at = timezone.now()
        state.last_error = summary.error
        state.save(update_fields=["budget_day", "budget_bytes", "last_sync_at", "last_error"])


def run_sync(daily_bytes: int | None = None) -> Summary:
    """One full pass: reconcile if targeting changed, pull every batch up to the hub's feed, report up."""
    summary = Summary()
    started = time.monotonic()
    with apply.node_lock():
        state = apply.state()
        budget = None if daily_bytes is None else max(daily_bytes - _spent_today(state), 0)
        if budget == 0:
            summary.status = "budget"
            return summary
        changes.catch_up()  # what a pass killed after an apply's commit left queued
        client = _client(state, summary, budget)
        stats = apply.ApplyStats(cursor=state.applied_seq)
        try:
            caught_up = _pull(client, stats, summary)
            report = node_report()
            client.uplink(report)
            do_mark_reported(report)
            if caught_up:
                apply.collect_unreferenced_blobs()
                apply.ChunkStore().clean()
        except BudgetExhausted:
            summary.status = "budget"
        except HubError as exc:
            summary.status, summary.error = exc.code, exc.message
        except (ConnectionError, OSError) as exc:
            summary.status, summary.error = "offline", str(exc)
        except ServiceError as exc:
            summary.status, summary.error = exc.code, str(exc.message)
        finally:
            client.close()
            summary.records, summary.tombstones, summary.skipped = stats.records, stats.tombstones, stats.skipped
            summary.chunks_fetched, summary.chunks_reused = stats.chunks_fetched, stats.chunks_reused
            summary.files_written, summary.cursor = stats.files_written, stats.cursor
            summary.seconds = time.monotonic() - started
            _record_spending(summary)
    return summary


def _pull(client: HubClient, stats: apply.ApplyStats, summary: Summary) -> bool:
    """Batches one after another, the next one asked for (on a second connection) while this one's files
    arrive and it is applied: the hub renders and the link carries the next batch instead of standing idle
    for a round trip and the rendering. The read-ahead is used only if the cursor ends where it assumed."""
    ahead = client.twin()
    pending: tuple[tuple[int, int], Future[dict[str, Any]]] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ttdn-feed-ahead") as pool:
        try:
            while True:
                state = apply.state()
                key = (state.applied_seq, state.epoch)
                batch = None
                if pending is not None:
                    assumed, future = pending
                    pending = None
                    if assumed == key:
                        batch = future.result()
                    else:
                        with contextlib.suppress(Exception):
                            future.result()  # asked under another cursor: not used
                if batch is None:
                    batch = client.feed(*key)
                summary.batches += 1
                if batch.get("kind") == "reconcile":
                    _reconcile(client, batch, stats, summary)
                    continue
                if batch.get("more") and batch.get("kind") == "feed":
                    after = int(batch["to"]) if int(batch["from"]) <= state.applied_seq else state.applied_seq
                    epoch = max(state.epoch, int(batch.get("epoch", 0))) if int(batch["from"]) == 0 else state.epoch
                    pending = ((max(after, state.applied_seq), epoch),
                               pool.submit(ahead.feed, max(after, state.applied_seq), epoch, state.applied_seq))
                apply.apply_batch(batch, client, stats=stats)
                apply.test_pause("committed")
                changes.catch_up()  # the search index, while the read-ahead batch travels
                apply.test_pause("batch")
                if not batch.get("more"):
                    return True
        finally:
            if pending is not None:
                pending[1].cancel()
                with contextlib.suppress(Exception):
                    pending[1].result()
            ahead.close()


def _reconcile(client: HubClient, batch: dict[str, Any], stats: apply.ApplyStats, summary: Summary) -> None:
    """Targeting changed: drop what is no longer meant for this node, fetch what now is."""
    apply.apply_batch(batch, client, stats=stats)
    changes.catch_up()
    targeted: dict[str, list[Any]] = batch["targeted"]
    held = {str(u): v for u, v in Item.objects.values_list("uid", "version")}
    languages: dict[str, set[str]] = {}
    for uid, language in Variant.objects.values_list("item__uid", "language"):
        languages.setdefault(str(uid), set()).add(language)
    missing = [u for u, (v, langs) in targeted.items() if held.get(u, -1) < v or languages.get(u) != set(langs)]
    for start in range(0, len(missing), 500):
        apply.apply_batch(client.records(missing[start:start + 500]), client, stats=stats)
        changes.catch_up()
        summary.batches += 1
    with transaction.atomic():
        NodeState.objects.select_for_update().update(epoch=int(batch["epoch"]))

