"""Timeframes as Vietnamese plans write them ("Hằng năm", "Quý III/2019", "Hoàn thành ngày 31/03/2019") → a kind
and ISO dates.

Kinds: yearly, quarterly and monthly (recur every year, quarter or month of the plan: "Hằng năm", "Hằng quý",
"Hằng tháng"), period (a span of years, a year, a half or a month, or two ends: "từ quý I/2019, hoàn thành trong
quý III/2019"), quarter, by_date (a deadline) and ongoing (thường xuyên, định kỳ, theo kế hoạch …). Recurring kinds
carry the plan's period as their dates; a yearly deadline ("trước ngày 25/11 hằng năm") keeps its day in `due`.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

KINDS = ("yearly", "quarterly", "monthly", "period", "quarter", "by_date", "ongoing")
# The kinds that recur over the whole plan: reminders and reports use their rhythm, never an end date.
RECURRING = frozenset({"yearly", "quarterly", "monthly", "ongoing"})

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
QUARTER_MONTHS = {1: (1, 3), 2: (4, 6), 3: (7, 9), 4: (10, 12)}


@dataclass
class Timeframe:
    kind: str
    start: date | None
    end: date | None
    text: str
    due: str | None = None  # "11-25": a yearly deadline's month and day
    understood: bool = True

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start else None
        data["end"] = self.end.isoformat() if self.end else None
        if self.due is None:
            del data["due"]
        return data


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text)
    text = re.sub("[\u0300-\u036f]", "", text).replace("đ", "d").replace("Đ", "D").lower()
    return " ".join(text.replace("–", "-").replace("—", "-").split())


def _year(value: str) -> int:
    year = int(value)
    return year + 2000 if year < 100 else year


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_dates(year: int, first: int, last: int | None = None) -> tuple[date, date]:
    """The first day of quarter `first` and the last day of quarter `last` (the same one by default) of a year."""
    return date(year, QUARTER_MONTHS[first][0], 1), _last_day(year, QUARTER_MONTHS[last or first][1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


_Y = r"((?:19|20)\d{2})"
_RANGE = re.compile(rf"{_Y}\s*(?:-|den|toi)\s*(?:nam\s*)?{_Y}")
_QUARTER = re.compile(r"quy\s*(iv|i{1,3}|[1-4])\b((?:\s*(?:,|va|-|den)\s*(?:quy\s*)?(?:iv|i{1,3}|[1-4])\b)*)"
                      rf"\s*(?:/|nam)?\s*{_Y}?")
_FULL_DATE = re.compile(r"\b(\d{1,2})([/.-])(\d{1,2})\2((?:19|20)?\d{2})\b")
_WORD_DATE = re.compile(rf"ngay\s*(\d{{1,2}})\s*thang\s*(\d{{1,2}})\s*(?:nam\s*{_Y})?")
_DAY_MONTH = re.compile(r"(?:ngay\s*)?(\d{1,2})\s*/\s*(\d{1,2})(?!\s*/\s*\d)")
_MONTH = re.compile(rf"thang\s*(\d{{1,2}})(?:\s*(?:,|va|-|den)\s*(?:thang\s*)?(\d{{1,2}}))?\s*(?:/|nam)\s*{_Y}")
_MONTH_NO_YEAR = re.compile(r"thang\s*(\d{1,2})\b(?!\s*(?:/|nam))")
_HALF = re.compile(rf"(6|sau)\s*thang\s*(dau|cuoi)\s*(?:nam)?\s*{_Y}?")
_YEARLY = re.compile(r"\b(hang|hng|moi)\s*nam\b|\bhangnam\b|\bdinh ky\s*(hang|hang)?\s*nam\b|\bnam\s*nao cung\b")
_MONTHLY = re.compile(r"\b(hang|moi)\s*thang\b|\bdinh ky\s*(hang\s*)?thang\b")
_QUARTERLY = re.compile(r"\b(hang|moi)\s*quy\b|\bdinh ky\s*(hang\s*)?quy\b")
# Two ends: "Triển khai từ quý I/2019, hoàn thành trong quý III/2019", "Từ tháng 3 đến tháng 6/2019".
_TWO_ENDS = re.compile(r"^(?:.*?\b)?(?:tu|bat dau(?:\s*tu)?)\s+(?P<first>.+?)\s*[,;]?\s*"
                       r"\b(?:den(?:\s*het)?|hoan thanh(?:\s*(?:trong|vao))?|ket thuc(?:\s*(?:trong|vao))?)\s+"
                       r"(?P<last>.+)$")
_ONGOING = re.compile(
    r"thuong xuyen|lien tuc|dinh ky|theo ke hoach|khi co yeu cau|dot xuat|hang quy|hang thang|"
    r"hang tuan|theo (?:chi dao|huong dan|phat dong|yeu cau|quy dinh)|kip thoi|sau khi|ca giai doan|suot"
)
_BEFORE = re.compile(r"\b(truoc|cham nhat|han chot|hoan thanh|xong|trong thoi han|den het|den)\b")


def _period_years(period: tuple[date, date] | None, plan_date: date | None) -> int | None:
    """The year a bare "Quý III" or "6 tháng đầu năm" refers to: the period's, if it spans one year, else the
    plan's date."""
    if period and period[0].year == period[1].year:
        return period[0].year
    if plan_date:
        return plan_date.year
    if period:
        return period[0].year
    return None


def parse_timeframe(text: str, *, period: tuple[date, date] | None = None,
                    plan_date: date | None = None) -> Timeframe:
    """The timeframe written in `text`. Unrecognised text comes back as ongoing with `understood=False`, over the
    plan's period, so a reviewer sees it rather than a guess."""
    original = " ".join((text or "").split())
    folded = _fold(original)
    p_start, p_end = period if period else (None, None)
    if not folded:
        if period:
            return Timeframe("period", p_start, p_end, original)
        return Timeframe("ongoing", None, None, original)

    two = _two_ends(folded, original, period, plan_date)
    if two is not None:
        return two

    yearly = bool(_YEARLY.search(folded))
    if not _FULL_DATE.search(folded):
        # "Hằng tháng", "Định kỳ hằng quý": the rhythm is what reminders and reports need.
        if _MONTHLY.search(folded):
            return Timeframe("monthly", p_start, p_end, original)
        if _QUARTERLY.search(folded):
            return Timeframe("quarterly", p_start, p_end, original)

    # A yearly deadline: "Trước ngày 25/11 hằng năm", "ngày 15 tháng 12 hàng năm".
    if yearly:
        day_month = _WORD_DATE.search(folded) or _DAY_MONTH.search(folded)
        if day_month and not _FULL_DATE.search(folded):
            day, month = int(day_month.group(1)), int(day_month.group(2))
            if _safe_date(2024, month, day):
                return Timeframe("yearly", p_start, p_end, original, due=f"{month:02d}-{day:02d}")
        span = _RANGE.search(folded)
        if span:  # "Hằng năm và giai đoạn 2018 - 2020"
            return Timeframe("yearly", date(_year(span.group(1)), 1, 1), date(_year(span.group(2)), 12, 31),
                             original)
        return Timeframe("yearly", p_start, p_end, original)

    # Quarters: "Quý III/2019", "Quý 4 năm 2020", "Quý III, IV/2019", "quý I và quý II năm 2021".
    quarter = _QUARTER.search(folded)
    if quarter:
        numbers = [quarter.group(1), *re.findall(r"iv|i{1,3}|[1-4]", quarter.group(2) or "")]
        values = sorted({ROMAN.get(n, int(n) if n.isdigit() else 0) for n in numbers} - {0})
        year = _year(quarter.group(3)) if quarter.group(3) else _period_years(period, plan_date)
        if values and year:
            return Timeframe("quarter", *quarter_dates(year, values[0], values[-1]), original)

    # Halves: "6 tháng đầu năm 2020", "6 tháng cuối năm".
    half = _HALF.search(folded)
    if half:
        year = _year(half.group(3)) if half.group(3) else _period_years(period, plan_date)
        if year:
            if half.group(2) == "dau":
                return Timeframe("period", date(year, 1, 1), date(year, 6, 30), original)
            return Timeframe("period", date(year, 7, 1), date(year, 12, 31), original)

    deadline = bool(_BEFORE.search(folded))

    # A full date: "Hoàn thành ngày 31/03/2019", "trước 30/6/2020", "ngày 15 tháng 12 năm 2020".
    full = _FULL_DATE.search(folded)
    word = _WORD_DATE.search(folded)
    found: date | None = None
    if full:
        found = _safe_date(_year(full.group(4)), int(full.group(3)), int(full.group(1)))
    elif word and word.group(3):
        found = _safe_date(_year(word.group(3)), int(word.group(2)), int(word.group(1)))
    if found:
        starts = re.search(r"\b(tu|bat dau)\b", folded)
        if starts and not deadline:
            return Timeframe("period", found, p_end if p_end and p_end >= found else None, original)
        return Timeframe("by_date", None, found, original)

    # Months: "Tháng 10/2020", "tháng 3 năm 2019", "trước tháng 6/2020", "tháng 3-4/2021".
    months = _MONTH.search(folded)
    if months:
        first_month, year = int(months.group(1)), _year(months.group(3))
        last_month = int(months.group(2)) if months.group(2) else first_month
        if 1 <= first_month <= 12 and 1 <= last_month <= 12:
            if re.search(r"\btruoc\s*thang\b", folded):
                return Timeframe("by_date", None, _last_day(year - (first_month == 1), (first_month - 2) % 12 + 1),
                                 original)
            if deadline:
                return Timeframe("by_date", None, _last_day(year, last_month), original)
            return Timeframe("period", date(year, first_month, 1), _last_day(year, last_month), original)

    # A span of years: "Giai đoạn 2018 - 2020", "2021-2025", "từ năm 2021 đến năm 2025".
    span = _RANGE.search(folded)
    if span:
        first_year, last_year = _year(span.group(1)), _year(span.group(2))
        if first_year <= last_year:
            return Timeframe("period", date(first_year, 1, 1), date(last_year, 12, 31), original)

    # A day and month without a year: "Trước ngày 25/11" — the first such day on or after the plan's date.
    day_month = _WORD_DATE.search(folded) or _DAY_MONTH.search(folded)
    if day_month:
        day, month_no = int(day_month.group(1)), int(day_month.group(2))
        year = _period_years(period, plan_date)
        if year and _safe_date(year, month_no, day):
            found = date(year, month_no, day)
            if plan_date and found < plan_date:
                found = _safe_date(year + 1, month_no, day) or found
            return Timeframe("by_date", None, found, original)

    # One year: "Năm 2021", "2019", "đến năm 2025", "từ năm 2021".
    years = re.findall(_Y, folded)
    if len(years) == 1:
        year = _year(years[0])
        if re.search(r"\b(tu|bat dau)\s*(nam\s*)?" + years[0], folded):
            return Timeframe("period", date(year, 1, 1), p_end if p_end and p_end.year >= year else None, original)
        if re.search(r"\b(den|truoc|cham nhat|hoan thanh)\b", folded):
            return Timeframe("by_date", None, date(year, 12, 31), original)
        return Timeframe("period", date(year, 1, 1), date(year, 12, 31), original)

    # A month without a year, in a one-year plan: "Tháng 3".
    bare_month = _MONTH_NO_YEAR.search(folded)
    if bare_month:
        year = _period_years(period, plan_date)
        month_no = int(bare_month.group(1))
        if year and 1 <= month_no <= 12:
            if deadline:
                return Timeframe("by_date", None, _last_day(year, month_no), original)
            return Timeframe("period", date(year, month_no, 1), _last_day(year, month_no), original)

    if _ONGOING.search(folded):
        return Timeframe("ongoing", p_start, p_end, original)
    if "giai doan" in folded or "ca ke hoach" in folded:
        return Timeframe("period", p_start, p_end, original)
    return Timeframe("ongoing", p_start, p_end, original, understood=False)


def _two_ends(folded: str, original: str, period: tuple[date, date] | None,
              plan_date: date | None) -> Timeframe | None:
    """A start and an end written apart; None unless both ends are dates, months, quarters or years."""
    match = _TWO_ENDS.match(folded)
    if not match:
        return None
    first, last = match.group("first").strip(" ,;"), match.group("last").strip(" ,;")
    year = re.search(_Y, last)
    if year and not re.search(_Y, first) and re.search(r"\b(quy|thang)\b", first):
        first = f"{first} nam {year.group(1)}"  # "từ tháng 3 đến tháng 6/2019": the year is written once
    begin = parse_timeframe(first, period=period, plan_date=plan_date)
    start = begin.start or (begin.end if begin.kind == "by_date" else None)
    if re.fullmatch(r"(?:het\s*)?nam(?:\s*nay)?", last) and start is not None:
        finish = Timeframe("period", None, date(start.year, 12, 31), last)  # "… đến hết năm"
    else:
        finish = parse_timeframe(last, period=period, plan_date=plan_date)
    end = finish.end
    if not (begin.understood and finish.understood) or begin.kind in RECURRING or finish.kind in RECURRING:
        return None
    if start is None or end is None or end < start:
        return None
    return Timeframe("period", start, end, original)


def looks_like_timeframe(text: str) -> bool:
    """Whether a short line is a timeframe cell rather than a task ("Hằng năm", "Quý II/2019", "Năm 2018")."""
    folded = _fold(text)
    if not folded or len(folded) > 90:
        return False
    if any(p.search(folded) for p in (_YEARLY, _MONTHLY, _QUARTERLY)) or (
            _ONGOING.search(folded) and len(folded) < 40):
        return True
    if re.match(r"^(giai doan|quy|nam|thang|truoc|trong|tu|den|hoan thanh|ngay|6 thang|sau thang|"
                r"(19|20)\d{2})", folded):
        return parse_timeframe(text, plan_date=date(2000, 1, 1)).understood
    return False
