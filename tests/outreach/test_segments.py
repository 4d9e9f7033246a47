"""Segment counting: the table of the issue (Vietnamese with and without diacritics, decomposed input, Lao,
Khmer, Chinese, emoji, GSM extended characters), the cut points, the wire form and the cost."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from django.utils import translation

from ttdn.core.errors import ServiceError
from ttdn.core.sms import (
    analyse,
    check_segment_limit,
    costs_per_operator,
    decode_part,
    unaccented,
    wire_parts,
)

VI = "Người dân xã biên giới chú ý: bão số 3 đổ bộ đêm nay."
LAO = "ສະບາຍດີ"
KHMER = "សួស្តី"

TABLE = [
    # (label, text, no_accents, encoding, characters, units, part lengths in code points)
    ("ascii", "Xin chao ba con", False, "GSM-7", 15, 15, [15]),
    ("gsm 160", "a" * 160, False, "GSM-7", 160, 160, [160]),
    ("gsm 161", "a" * 161, False, "GSM-7", 161, 161, [153, 8]),
    ("gsm 306", "a" * 306, False, "GSM-7", 306, 306, [153, 153]),
    ("gsm 307", "a" * 307, False, "GSM-7", 307, 307, [153, 153, 1]),
    ("gsm accents in alphabet", "Cà é ù ì ò", False, "GSM-7", 10, 10, [10]),
    ("gsm extension 80", "€" * 80, False, "GSM-7", 80, 160, [80]),
    ("gsm extension 81", "€" * 81, False, "GSM-7", 81, 162, [76, 5]),
    ("escape never split", "a" * 152 + "€" + "a" * 10, False, "GSM-7", 163, 164, [152, 11]),
    ("gsm brackets", "[x]{y}|~^\\", False, "GSM-7", 10, 18, [10]),
    ("vietnamese diacritics", VI, False, "UCS-2", len(VI), len(VI), [len(VI)]),
    ("vietnamese 70", "ă" * 70, False, "UCS-2", 70, 70, [70]),
    ("vietnamese 71", "ă" * 71, False, "UCS-2", 71, 71, [67, 4]),
    ("one ê forces ucs-2", "Ca phê", False, "UCS-2", 6, 6, [6]),
    ("decomposed vietnamese", unicodedata.normalize("NFD", "ệ" * 70), False, "UCS-2", 70, 70, [70]),
    ("không dấu", VI, True, "GSM-7", len(VI), len(VI), [len(VI)]),
    ("không dấu decomposed", unicodedata.normalize("NFD", "Đường " * 30), True, "GSM-7", 180, 180, [153, 27]),
    ("lao", LAO, False, "UCS-2", 7, 7, [7]),
    ("lao unaccented untouched", LAO, True, "UCS-2", 7, 7, [7]),
    ("khmer", KHMER, False, "UCS-2", 6, 6, [6]),
    ("chinese 70", "你好" * 35, False, "UCS-2", 70, 70, [70]),
    ("chinese 72", "你好" * 36, False, "UCS-2", 72, 72, [67, 5]),
    ("emoji 35", "😀" * 35, False, "UCS-2", 35, 70, [35]),
    ("emoji 36", "😀" * 36, False, "UCS-2", 36, 72, [33, 3]),
    ("surrogate pair never split", "a" * 66 + "😀" * 3, False, "UCS-2", 69, 72, [66, 3]),
    ("empty", "", False, "GSM-7", 0, 0, []),
]


@pytest.mark.parametrize(("label", "text", "no_accents", "encoding", "characters", "units", "parts"), TABLE,
                         ids=[row[0] for row in TABLE])
def test_segment_table(label: str, text: str, no_accents: bool, encoding: str, characters: int, units: int,
                       parts: list[int]) -> None:
    info = analyse(text, no_accents=no_accents)
    assert (info.encoding, info.characters, info.units) == (encoding, characters, units)
    assert [len(p) for p in info.parts] == parts
    assert info.segments == len(parts)
    # Nothing lost or reordered by the cut.
    assert "".join(info.parts) == info.text


def test_unaccented_maps_d_and_keeps_lao_and_khmer() -> None:
    assert unaccented("Đường đi Ba Na ƀơ̆") == "Duong di Ba Na bo"
    assert unaccented(VI) == "Nguoi dan xa bien gioi chu y: bao so 3 do bo dem nay."
    assert unaccented(LAO + " " + KHMER) == LAO + " " + KHMER


def test_wire_parts_carry_udh_and_decode_back() -> None:
    info = analyse("a" * 152 + "€" + "a" * 10)
    wire = wire_parts(info, reference=0x1A7)
    assert [w[:6] for w in wire] == [bytes((5, 0, 3, 0xA7, 2, 1)), bytes((5, 0, 3, 0xA7, 2, 2))]
    assert len(wire[0]) - 6 == 152 and wire[1][6:] == bytes((0x1B, 0x65)) + b"a" * 10
    assert "".join(decode_part(w[6:], info.encoding) for w in wire) == info.text

    emoji = analyse("a" * 66 + "😀" * 3)
    wire = wire_parts(emoji, reference=9)
    # Each part is valid UTF-16 on its own: the pair travels whole in the second part.
    assert [decode_part(w[6:], "UCS-2") for w in wire] == ["a" * 66, "😀" * 3]

    single = wire_parts(analyse(VI), reference=1)
    assert single == [VI.encode("utf-16-be")]


def test_segment_limit_refuses_in_vietnamese_never_truncates() -> None:
    info = analyse("ă" * 200)
    assert info.segments == 3
    check_segment_limit(info, 3)
    with translation.override("vi"), pytest.raises(ServiceError) as refused:
        check_segment_limit(info, 2)
    assert refused.value.code == "too_many_segments"
    assert "3 phần tin" in str(refused.value.message) and "tối đa 2" in str(refused.value.message)
    assert info.text == "ă" * 200


def test_cost_per_operator_price_per_segment() -> None:
    accented, plain = analyse(VI * 4), analyse(VI * 4, no_accents=True)
    assert (accented.segments, plain.segments) == (4, 2)
    prices = {"viettel": Decimal("250"), "vinaphone": Decimal("270")}
    assert costs_per_operator(accented, {"viettel": 1000, "vinaphone": 10}, prices) == {
        "viettel": Decimal("1000000"), "vinaphone": Decimal("10800")}
    assert costs_per_operator(plain, {"viettel": 1000}, prices) == {"viettel": Decimal("500000")}
    with translation.override("vi"), pytest.raises(ServiceError) as refused:
        costs_per_operator(plain, {"mobifone": 5}, prices)
    assert refused.value.code == "no_price" and "mobifone" in str(refused.value.message)
