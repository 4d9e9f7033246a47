"""Reads from a PostgreSQL streaming replica where its lag allows (`TTDN_DATABASE_REPLICA_URL`).

The rule, decided once per request by `ReplicaMiddleware` and applied to every query by `ReplicaRouter`:
- a request may read from the replica only when it is a safe one (GET, HEAD, OPTIONS), the replica answers, its
  replay lag is under `TTDN_DATABASE_REPLICA_MAX_LAG` seconds, and it has replayed the client's last write;
- read-your-writes for browsers: a request that wrote anything sends its later reads to the primary, and its
  response carries the primary's WAL position (cookie `ttdn_wal`); the same browser's next requests read from the
  replica only once the replica has replayed past it;
- read-your-writes for API tokens (`Authorization: Bearer ttdn_…`; machines keep no cookie): after a request of
  the token that wrote, the primary's position is kept for the token (`TokenWritePosition`, one upsert), and its
  safe requests read the position from the primary (one indexed query) before going to the replica. A token the
  primary does not know as live (revoked, its account disabled, or never seen) reads the primary, so a
  revocation counts at once and a token made a moment ago is found; a token's first request records its position;
- a view marked `ttdn.core.transactions.reads_primary` (a GET that writes) reads the primary from its first
  query; everything inside a transaction, every write and every locking read (`select_for_update`,
  `get_or_create`: Django asks for the write database) goes to the primary.

The replica's state (replayed position, lag) is read at most once a second per process and shared by its threads;
an unreachable replica is asked again after `DOWN_RECHECK_SECONDS`, meanwhile everything reads from the primary.
A model instance read from the replica and then saved whole is logged as an error (`stale_save`): such a view
must be marked `reads_primary`.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from ttdn.core.transactions import READS_PRIMARY

logger = logging.getLogger(__name__)

ALIAS = "replica"
COOKIE = "ttdn_wal"
# A browser's last write stays relevant this long: past it, any replica within the lag limit has replayed it.
COOKIE_MAX_AGE = 300
STATUS_MAX_AGE_SECONDS = 1.0
DOWN_RECHECK_SECONDS = 5.0
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configured() -> bool:
    return ALIAS in settings.DATABASES


def max_lag_seconds() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_MAX_LAG", 5.0))


# ------------------------------------------------------------------------------------------ replica state


@dataclass(frozen=True)
class Status:
    """What the replica was at `checked_at`: reachable, its replayed WAL position, its lag behind the primary."""

    reachable: bool
    replay_lsn: int = 0
    lag_seconds: float = math.inf
    paused: bool = False
    error: str = ""
    checked_at: float = 0.0

    @property
    def usable(self) -> bool:
        return self.reachable and self.lag_seconds <= max_lag_seconds()

    def describe(self) -> str:
        if not self.reachable:
            return f"unreachable: {self.error}" if self.error else "unreachable"
        if self.usable:
            return "ok"
        lag = "not replaying" if math.isinf(self.lag_seconds) else f"{self.lag_seconds:.1f} s behind"
        return f"lagging: {lag} (limit {max_lag_seconds():g} s){', replay paused' if self.paused else ''}"


def parse_lsn(text: str | None) -> int:
    """PostgreSQL's `X/Y` WAL position as one number (0 for none)."""
    if not text:
        return 0
    high, _, low = str(text).partition("/")
    return (int(high, 16) << 32) + int(low or "0", 16)


_status_lock = threading.Lock()
_status = Status(reachable=False, checked_at=-math.inf)
# The primary's position at each of the last probes, oldest first: once the replica has replayed past the one taken
# at time t, everything committed before t is on the replica, so its reads are at most `now - t` old.
_primary_positions: deque[tuple[float, int]] = deque(maxlen=32)


def _probe() -> Status:
    now = time.monotonic()
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            primary_lsn = parse_lsn(cursor.fetchone()[0])
        replica = connections[ALIAS]
        replica.close_if_unusable_or_obsolete()
        with replica.cursor() as cursor:
            # (pg_is_wal_replay_paused() is an error on a server not in recovery.)
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                " CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END,"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8"
            )
            in_recovery, replay, paused, since_last = cursor.fetchone()
    except Exception as exc:  # any driver error: the replica (or, here, the primary) cannot be asked
        _close_quietly(ALIAS)
        return Status(reachable=False, error=type(exc).__name__, checked_at=now)
    if not in_recovery:
        # A promoted or mistaken server would take reads that the primary's writes never reach.
        return Status(reachable=True, replay_lsn=0, lag_seconds=math.inf, error="not a replica", checked_at=now)
    replay_lsn = parse_lsn(replay)
    lag = _lag(now, primary_lsn, replay_lsn, since_last)
    _primary_positions.append((now, primary_lsn))
    return Status(reachable=True, replay_lsn=replay_lsn, lag_seconds=lag, paused=bool(paused), checked_at=now)


def _lag(now: float, primary_lsn: int, replay_lsn: int, since_last: float | None) -> float:
    """How old the replica's reads may be: 0 when it has replayed all the primary has; when behind, the lesser of two
    bounds — the age of the last transaction it replayed, and the time since the latest earlier probe whose primary
    position it has passed. (The first alone would call an idle replica hours behind when the primary has only
    written WAL that commits nothing, a checkpoint or a standby snapshot, and not yet sent it.)"""
    if replay_lsn >= primary_lsn:
        return 0.0
    bound = math.inf if since_last is None else max(0.0, float(since_last))
    for checked_at, position in reversed(_primary_positions):
        if replay_lsn >= position:
            return min(bound, now - checked_at)
    return bound


def settled_status(timeout: float | None = None) -> Status:
    """The replica's state for a one-off report (`ttdn check --deploy`): a replica found behind is asked again
    for up to `timeout` seconds (the lag limit by default), so a record replayed a moment late is not reported as
    lag; one still behind after that is really over the limit."""
    deadline = time.monotonic() + (max_lag_seconds() if timeout is None else timeout)
    current = status(fresh=True)
    while current.reachable and not current.error and not current.usable and time.monotonic() < deadline:
        time.sleep(0.2)
        current = status(fresh=True)
    return current


def _replica_failed() -> bool:
    replica = connections[ALIAS]
    return bool(replica.errors_occurred) and (replica.connection is None or not replica.is_usable())


def _mark_down() -> None:
    global _status
    logger.warning("The read replica failed during a request: reading from the primary")
    _close_quietly(ALIAS)
    with _status_lock:
        _status = Status(reachable=False, error="failed during a request", checked_at=time.monotonic())


def _close_quietly(alias: str) -> None:
    try:
        connections[alias].close()
    except Exception:  # a broken connection may fail to close; it is dropped either way
        logger.debug("closing the %s connection failed", alias, exc_info=True)


def status(*, fresh: bool = False) -> Status:
    """The replica's state, read again when older than a second (five while it is unreachable)."""
    global _status
    if not configured():
        return Status(reachable=False, error="not configured")
    current = _status
    max_age = STATUS_MAX_AGE_SECONDS if current.reachable else DOWN_RECHECK_SECONDS
    if not fresh and time.monotonic() - current.checked_at < max_age:
        return current
    with _status_lock:
        current = _status
        if fresh or time.monotonic() - current.checked_at >= max_age:
            current = _probe()
            if _status.reachable and not current.reachable:
                logger.warning("The read replica is unreachable (%s): reading from the primary", current.error)
            _status = current
    return current


# ---------------------------------------------------------------------------------------- request state


@dataclass
class _Request:
    replica_allowed: bool
    wrote: bool = False


_current: ContextVar[_Request | None] = ContextVar("ttdn_replica_request", default=None)
READS = {"primary": 0, "replica": 0}
_reads_lock = threading.Lock()


def _count(where: str) -> None:
    with _reads_lock:
        READS[where] += 1


class ReplicaRouter:
    """Sends a request's reads to the replica when `ReplicaMiddleware` allowed it; everything else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        state = _current.get()
        if (state is None or not state.replica_allowed or state.wrote
                or connections[DEFAULT_DB_ALIAS].in_atomic_block):
            return DEFAULT_DB_ALIAS
        return ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        state = _current.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same rows on both servers

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by replication


def _client_position(request: HttpRequest) -> int:
    try:
        return int(request.COOKIES.get(COOKIE, "0"), 16)
    except ValueError:
        return 0


TOKEN_PREFIX = "Bearer ttdn_"  # noqa: S105  (the scheme and the tokens' prefix, no secret)


def _token_hash(request: HttpRequest) -> str | None:
    """The key hash of the API token the request carries (None without one)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith(TOKEN_PREFIX):
        return None
    from ttdn.accounts.services import token_key_hash

    return token_key_hash(header.removeprefix("Bearer ").strip())


def _tables() -> dict[str, str]:
    from ttdn.accounts.models import ApiToken, User
    from ttdn.ops.models import TokenWritePosition

    return {"token": ApiToken._meta.db_table, "user": User._meta.db_table,
            "position": TokenWritePosition._meta.db_table}


def _token_position(key_hash: str) -> int | None:
    """From the primary: the position kept after the token's last write (or its first request), or None when the
    token is not live there or has no position yet: then the request reads the primary."""
    names = _tables()
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            f'SELECT p.lsn FROM "{names["token"]}" t JOIN "{names["user"]}" u ON u.id = t.user_id'  # noqa: S608
            f' LEFT JOIN "{names["position"]}" p ON p.token_id = t.id'
            " WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active", [key_hash])
        row = cursor.fetchone()
    return None if row is None or row[0] is None else int(row[0])


def _note_token_write(key_hash: str) -> None:
    """Keep the primary's position for the token, after its request's writes were committed. GREATEST: two
    requests of one token may finish in either order, and the position must cover both."""
    names = _tables()
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{names["position"]}" (token_id, lsn)'  # noqa: S608
                " SELECT t.id, (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint"
                f' FROM "{names["token"]}" t WHERE t.key_hash = %s AND t.revoked_at IS NULL'
                " ON CONFLICT (token_id) DO UPDATE"
                f' SET lsn = GREATEST("{names["position"]}".lsn, EXCLUDED.lsn)', [key_hash])
    except Exception:  # the primary went away after the write: the write's own answer already says so
        logger.warning("Could not keep the API token's write position", exc_info=True)


def stale_save(sender: type[Model], instance: Model, update_fields: Any = None, **kwargs: Any) -> None:
    """(pre_save) A row read from the replica, saved whole: it writes back values up to the lag old."""
    if update_fields is None and instance._state.db == ALIAS:
        logger.error("A %s read from the read replica was saved whole: its view must read the primary "
                     "(ttdn.core.transactions.reads_primary)", sender._meta.label,
                     extra={"event": "stale_save", "model": sender._meta.label})


class ReplicaMiddleware:
    """Decides where a request reads from, and after a write tells the browser (or keeps for the token) where the
    primary was."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _answer(self, request: HttpRequest, replica_allowed: bool) -> tuple[HttpResponse, _Request]:
        """The response, with what the request did to the database (the router reads `_current`)."""
        state = _Request(replica_allowed=replica_allowed)
        token = _current.set(state)
        try:
            return self.get_response(request), state
        finally:
            _current.reset(token)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any) -> None:
        state = _current.get()
        if state is not None and getattr(view, READS_PRIMARY, False):
            state.replica_allowed = False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not configured():
            return self.get_response(request)
        key_hash = _token_hash(request)
        allowed = first_of_token = False
        if request.method in SAFE_METHODS and (key_hash is not None or "Authorization" not in request.headers):
            current = status()
            if current.usable:
                if key_hash is None:
                    allowed = current.replay_lsn >= _client_position(request)
                else:
                    position = self._token_position(key_hash)
                    first_of_token = position is None
                    allowed = position is not None and current.replay_lsn >= position
        response, state = self._answer(request, allowed)
        if allowed and state.replica_allowed and not state.wrote and response.status_code == 503 \
                and _replica_failed():
            # The replica went away since the last look (this process learns it from this request): left aside at
            # once, and this read-only request is answered again from the primary instead of failing.
            _mark_down()
            allowed = False
            response, state = self._answer(request, allowed)
        _count("replica" if state.replica_allowed and not state.wrote else "primary")
        wrote = state.wrote or request.method not in SAFE_METHODS
        if key_hash is not None:
            if wrote or first_of_token:
                _note_token_write(key_hash)
        elif wrote:
            position = _primary_position()
            if position:
                response.set_cookie(COOKIE, format(position, "x"), max_age=COOKIE_MAX_AGE, httponly=True,
                                    samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response

    @staticmethod
    def _token_position(key_hash: str) -> int | None:
        try:
            return _token_position(key_hash)
        except Exception:  # the primary does not answer: the request will say so itself
            logger.warning("Could not read the API token's write position", exc_info=True)
            _close_quietly(DEFAULT_DB_ALIAS)
            return None


def _primary_position() -> int:
    # The insert position, not pg_current_wal_lsn() (the write position): with synchronous_commit off, a commit's
    # record may still be in the WAL buffers, behind the write position, and a replica "past" it would lack the write.
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            return parse_lsn(cursor.fetchone()[0])
    except Exception:  # the primary went away after the write: the write's own answer already says so
        logger.warning("Could not read the primary's WAL position after a write", exc_info=True)
        return 0

