"""When a message may go: quiet hours (default 22:00–07:00 local time), a cap per number per 24 hours
(default 3), "too old to send" and the do-not-contact list. Pure: the clock is passed in, so tests control it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

QUIET_START = time(22, 0)
QUIET_END = time(7, 0)
CAP_PER_DAY = 3


@dataclass(frozen=True)
class Decision:
    send: bool
    reason: str = ""  # "quiet_hours", "cap", "expired", "do_not_contact"
    retry_at: datetime | None = None  # when it may go, if waiting helps


def in_quiet_hours(local: time, start: time = QUIET_START, end: time = QUIET_END) -> bool:
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # the quiet period crosses midnight


def quiet_end_after(now: datetime, end: time = QUIET_END) -> datetime:
    candidate = now.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


def decide(now: datetime, *, number: str, sent_at: Iterable[datetime], expires_at: datetime | None,
           do_not_contact: frozenset[str] | set[str], cap: int = CAP_PER_DAY,
           quiet: tuple[time, time] | None = (QUIET_START, QUIET_END)) -> Decision:
    """May a message go to `number` at `now` (an aware local datetime)? Checked in the order that makes the
    answer final first: do-not-contact always wins, then expiry, then quiet hours, then the cap."""
    if number in do_not_contact:
        return Decision(False, "do_not_contact")
    if expires_at is not None and now >= expires_at:
        return Decision(False, "expired")
    if quiet is not None and in_quiet_hours(now.time(), *quiet):
        retry = quiet_end_after(now, quiet[1])
        if expires_at is not None and retry >= expires_at:
            return Decision(False, "expired")
        return Decision(False, "quiet_hours", retry)
    recent = sorted(t for t in sent_at if now - timedelta(hours=24) < t <= now)
    if len(recent) >= cap:
        # The oldest of the last `cap` sends leaves the 24-hour window first.
        retry = recent[-cap] + timedelta(hours=24)
        return Decision(False, "cap", retry)
    return Decision(True)
