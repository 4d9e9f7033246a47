"""Timeframes as officials write them, and what they mean. Plan period 2018–2020, plan dated 19/12/2018 unless
a row says otherwise."""

from __future__ import annotations

from datetime import date

import pytest

from ttdn.documents.timeframes import looks_like_timeframe, parse_timeframe

PERIOD = (date(2018, 1, 1), date(2020, 12, 31))
PLAN_DATE = date(2018, 12, 19)
P0, P1 = "2018-01-01", "2020-12-31"

TABLE: list[tuple[str, str, str | None, str | None]] = [
    # recurring every year of the plan
    ("Hằng năm", "yearly", P0, P1),
    ("Hàng năm", "yearly", P0, P1),
    ("hằng năm", "yearly", P0, P1),
    ("Hang nam", "yearly", P0, P1),
    ("Định kỳ hằng năm", "yearly", P0, P1),
    ("Hằng năm theo phát động của Bộ TT&TT", "yearly", P0, P1),
    ("Hằng năm và giai đoạn 2018 - 2020", "yearly", P0, P1),
    ("Giai đoạn 2021-2025 và hằng năm", "yearly", "2021-01-01", "2025-12-31"),
    ("Quý IV hằng năm", "yearly", P0, P1),
    ("Mỗi năm", "yearly", P0, P1),
    # spans of years
    ("Giai đoạn 2018 - 2020", "period", P0, P1),
    ("Giai đoạn 2018 -  2020", "period", P0, P1),
    ("2021-2025", "period", "2021-01-01", "2025-12-31"),
    ("2021 – 2025", "period", "2021-01-01", "2025-12-31"),
    ("Từ năm 2021 đến năm 2025", "period", "2021-01-01", "2025-12-31"),
    ("giai đoạn 2020 - 2025", "period", "2020-01-01", "2025-12-31"),
    ("Năm 2021", "period", "2021-01-01", "2021-12-31"),
    ("Năm 2019", "period", "2019-01-01", "2019-12-31"),
    ("Trong năm 2020", "period", "2020-01-01", "2020-12-31"),
    ("2019", "period", "2019-01-01", "2019-12-31"),
    ("Từ năm 2019", "period", "2019-01-01", P1),
    # quarters
    ("Quý III/2019", "quarter", "2019-07-01", "2019-09-30"),
    ("Quý II/2019", "quarter", "2019-04-01", "2019-06-30"),
    ("Quý 4 năm 2020", "quarter", "2020-10-01", "2020-12-31"),
    ("Quý I/2020", "quarter", "2020-01-01", "2020-03-31"),
    ("quý 1 năm 2019", "quarter", "2019-01-01", "2019-03-31"),
    ("Quý III, IV/2019", "quarter", "2019-07-01", "2019-12-31"),
    ("Quý I và quý II năm 2021", "quarter", "2021-01-01", "2021-06-30"),
    ("Trong quý IV/2018", "quarter", "2018-10-01", "2018-12-31"),
    # halves and months
    ("6 tháng đầu năm 2020", "period", "2020-01-01", "2020-06-30"),
    ("6 tháng cuối năm 2019", "period", "2019-07-01", "2019-12-31"),
    ("6 tháng đầu năm", "period", "2018-01-01", "2018-06-30"),
    ("Tháng 10/2020", "period", "2020-10-01", "2020-10-31"),
    ("Trong tháng 3/2019", "period", "2019-03-01", "2019-03-31"),
    ("tháng 3 năm 2019", "period", "2019-03-01", "2019-03-31"),
    ("Tháng 3 - 4/2021", "period", "2021-03-01", "2021-04-30"),
    ("Tháng 02/2020", "period", "2020-02-01", "2020-02-29"),
    # deadlines
    ("Hoàn thành ngày 31/03/2019", "by_date", None, "2019-03-31"),
    ("Trước ngày 30/6/2019", "by_date", None, "2019-06-30"),
    ("Trước 31/12/2020", "by_date", None, "2020-12-31"),
    ("Hoàn thành trước ngày 15 tháng 12 năm 2020", "by_date", None, "2020-12-15"),
    ("ngày 15 tháng 12 năm 2020", "by_date", None, "2020-12-15"),
    ("Trước tháng 6/2020", "by_date", None, "2020-05-31"),
    ("Chậm nhất tháng 9/2019", "by_date", None, "2019-09-30"),
    ("Đến năm 2025", "by_date", None, "2025-12-31"),
    ("Hoàn thành trong năm 2019", "by_date", None, "2019-12-31"),
    ("31.12.2020", "by_date", None, "2020-12-31"),
    ("Trước ngày 25/11", "by_date", None, "2019-11-25"),
    # ongoing
    ("Thường xuyên", "ongoing", P0, P1),
    ("Thường xuyên, liên tục", "ongoing", P0, P1),
    ("Định kỳ", "ongoing", P0, P1),
    ("Theo kế hoạch", "ongoing", P0, P1),
    ("Khi có yêu cầu", "ongoing", P0, P1),
    ("Theo chỉ đạo của UBND tỉnh", "ongoing", P0, P1),
    ("Triển khai thực hiện sau khi UBND tỉnh phê duyệt Kế hoạch", "ongoing", P0, P1),
    # recurring every quarter or month: reminders and reports follow that rhythm
    ("Hằng quý", "quarterly", P0, P1),
    ("Hàng quý", "quarterly", P0, P1),
    ("Định kỳ hằng quý", "quarterly", P0, P1),
    ("Tuần đầu tiên hằng quý", "quarterly", P0, P1),
    ("Báo cáo hằng quý và hằng năm", "quarterly", P0, P1),
    ("Hằng tháng", "monthly", P0, P1),
    ("Hàng tháng", "monthly", P0, P1),
    ("Định kỳ hằng tháng", "monthly", P0, P1),
    ("Trước ngày 20 hằng tháng", "monthly", P0, P1),
    ("Mỗi tháng một số", "monthly", P0, P1),
    # two ends written apart
    ("Triển khai từ quý I/2019, hoàn thành trong quý III/2019", "period", "2019-01-01", "2019-09-30"),
    ("Từ tháng 3 đến tháng 6/2019", "period", "2019-03-01", "2019-06-30"),
    ("Từ quý II/2019 đến hết năm 2020", "period", "2019-04-01", "2020-12-31"),
    ("Bắt đầu từ tháng 5/2019, kết thúc tháng 10/2019", "period", "2019-05-01", "2019-10-31"),
    ("Từ ngày 01/3/2019 đến ngày 30/6/2019", "period", "2019-03-01", "2019-06-30"),
    ("Từ ngày 15/4/2019 đến 30/4/2019", "period", "2019-04-15", "2019-04-30"),
    ("Thực hiện từ quý II/2019 đến quý IV/2019", "period", "2019-04-01", "2019-12-31"),
    ("Từ tháng 3/2019 đến hết năm 2019", "period", "2019-03-01", "2019-12-31"),
    ("Triển khai từ tháng 9/2019, hoàn thành tháng 12/2019", "period", "2019-09-01", "2019-12-31"),
    ("Từ quý III/2019, hoàn thành trong quý I/2020", "period", "2019-07-01", "2020-03-31"),
    ("Bắt đầu từ năm 2019, hoàn thành năm 2020", "period", "2019-01-01", "2020-12-31"),
    # expected months and quarters
    ("dự kiến tháng 7 năm 2019", "period", "2019-07-01", "2019-07-31"),
    ("Dự kiến tổ chức trong tháng 9/2019", "period", "2019-09-01", "2019-09-30"),
    ("Tháng 7/2019 (dự kiến)", "period", "2019-07-01", "2019-07-31"),
    ("Dự kiến quý IV/2019", "quarter", "2019-10-01", "2019-12-31"),
    ("Quý IV năm 2019", "quarter", "2019-10-01", "2019-12-31"),
    ("Năm 2019 - 2020", "period", "2019-01-01", "2020-12-31"),
]


@pytest.mark.parametrize(("text", "kind", "start", "end"), TABLE, ids=[row[0] for row in TABLE])
def test_timeframe(text: str, kind: str, start: str | None, end: str | None) -> None:
    tf = parse_timeframe(text, period=PERIOD, plan_date=PLAN_DATE)
    got = (tf.kind, tf.start.isoformat() if tf.start else None, tf.end.isoformat() if tf.end else None)
    assert got == (kind, start, end)
    assert tf.understood
    assert tf.text == " ".join(text.split())


def test_the_table_is_large_enough() -> None:
    assert len(TABLE) >= 80
    assert {row[1] for row in TABLE} == {"yearly", "quarterly", "monthly", "period", "quarter", "by_date", "ongoing"}


def test_a_yearly_deadline_keeps_its_day() -> None:
    tf = parse_timeframe("Trước ngày 25/11 hằng năm", period=PERIOD)
    assert (tf.kind, tf.due, tf.as_dict()["due"]) == ("yearly", "11-25", "11-25")
    tf = parse_timeframe("ngày 15 tháng 12 hàng năm", period=PERIOD)
    assert tf.due == "12-15"


def test_without_a_period_recurring_timeframes_have_no_dates() -> None:
    tf = parse_timeframe("Hằng năm")
    assert (tf.kind, tf.start, tf.end) == ("yearly", None, None)
    assert parse_timeframe("").kind == "ongoing"
    # An empty timeframe in a plan with a period means: for the whole period.
    tf = parse_timeframe("", period=PERIOD)
    assert (tf.kind, tf.start, tf.end) == ("period", PERIOD[0], PERIOD[1])


def test_unknown_text_is_flagged_not_guessed() -> None:
    tf = parse_timeframe("Tùy tình hình thời tiết", period=PERIOD)
    assert tf.kind == "ongoing" and not tf.understood


@pytest.mark.parametrize(("text", "expected"), [
    ("Hằng năm", True), ("Quý II/2019", True), ("Năm 2018", True), ("Giai đoạn 2018 - 2020", True),
    ("Thường xuyên", True), ("Hằng quý", True), ("Hằng tháng", True), ("Tổ chức Giải giao hữu năm 2018.", False),
    ("Xuất bản Tập san song ngữ Đối ngoại Đắk Lắk", False), ("SỞ NGOẠI VỤ", False),
])
def test_timeframe_cells_are_told_from_task_cells(text: str, expected: bool) -> None:
    assert looks_like_timeframe(text) is expected
