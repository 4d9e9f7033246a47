"""Quiet hours, the cap per number, expiry and do-not-contact, with the clock in the test's hands."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ttdn.outreach.rules import decide, in_quiet_hours

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NUMBER = "84912345678"


def at(hour: int, minute: int = 0, day: int = 7) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=HCM)


def test_quiet_hours_cross_midnight() -> None:
    assert [in_quiet_hours(time(h, m)) for h, m in [(21, 59), (22, 0), (2, 0), (6, 59), (7, 0), (12, 0)]] == [
        False, True, True, True, False, False]
    assert in_quiet_hours(time(13, 0), time(12, 0), time(14, 0))


def test_nothing_sent_in_quiet_hours_waits_until_seven() -> None:
    d = decide(at(23, 30), number=NUMBER, sent_at=[], expires_at=None, do_not_contact=set())
    assert (d.send, d.reason, d.retry_at) == (False, "quiet_hours", at(7, 0, day=8))
    d = decide(at(5, 0), number=NUMBER, sent_at=[], expires_at=None, do_not_contact=set())
    assert d.retry_at == at(7, 0)
    assert decide(at(7, 0), number=NUMBER, sent_at=[], expires_at=None, do_not_contact=set()).send


def test_cap_three_per_24_hours() -> None:
    sent = [at(8, 0), at(12, 0), at(20, 0)]
    d = decide(at(21, 0), number=NUMBER, sent_at=sent, expires_at=None, do_not_contact=set())
    assert (d.send, d.reason, d.retry_at) == (False, "cap", at(8, 0, day=8))
    assert decide(at(8, 1, day=8), number=NUMBER, sent_at=sent, expires_at=None, do_not_contact=set()).send
    assert decide(at(21, 0), number=NUMBER, sent_at=sent[:2], expires_at=None, do_not_contact=set()).send


def test_too_old_to_send() -> None:
    assert decide(at(10, 0), number=NUMBER, sent_at=[], expires_at=at(10, 0),
                  do_not_contact=set()).reason == "expired"
    # Waiting out the quiet hours would pass the expiry: it will never go.
    assert decide(at(23, 0), number=NUMBER, sent_at=[], expires_at=at(6, 0, day=8),
                  do_not_contact=set()).reason == "expired"
    assert decide(at(9, 0), number=NUMBER, sent_at=[], expires_at=at(9, 0) + timedelta(minutes=1),
                  do_not_contact=set()).send


def test_do_not_contact_always_wins() -> None:
    d = decide(at(10, 0), number=NUMBER, sent_at=[], expires_at=None, do_not_contact={NUMBER})
    assert (d.send, d.reason) == (False, "do_not_contact")
