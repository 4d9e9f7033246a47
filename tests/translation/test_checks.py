"""The checks per segment, as a table: source, translation, what each check says."""

from __future__ import annotations

import unicodedata

import pytest

from ttdn.translation import checks
from ttdn.translation.models import Term, TermStatus

TERMS = (
    Term(source_language="vi", target_language="lo", source="mốc quốc giới", target="ຫຼັກໝາຍຊາຍແດນ",
         status=TermStatus.PREFERRED),
    Term(source_language="vi", target_language="lo", source="Gia Lai", target="", status=TermStatus.DO_NOT_TRANSLATE),
    Term(source_language="vi", target_language="lo", source="biên giới", target="ເສັ້ນແບ່ງ",
         status=TermStatus.FORBIDDEN),
)


@pytest.mark.parametrize(("source", "target", "language", "kind", "expected"), [
    ("Gọi 069 2345 678 trước 15/3/2026.", "ໂທ 069 2345 678 ກ່ອນ 15/3/2026.", "lo", "", set()),
    ("Gọi 069 2345 678.", "ໂທ 069 2345.", "lo", "", {"numbers"}),
    ("Mốc số 42.", "ຫຼັກໝາຍ ໔໒.", "lo", "", set()),  # Lao digits read as the same number
    ("Xin chào %(name)s, mã {code}.", "ສະບາຍດີ %(name)s.", "lo", "", {"placeholders"}),
    ("Xin chào.", "ສະບາຍດີ <b>.", "lo", "", {"placeholders"}),
    ("Xin chào.", "Cafe\u0301.", "en", "", {"nfc"}),
    ("Xin chào.", "Hello\u200bthere.", "en", "", {"zwsp"}),
    ("Xin chào.", "ສະບາຍ\u200bດີ.", "lo", "", set()),
    ("Xin chào.", "ສະບາຍ\u200b\u200bດີ.", "lo", "", {"zwsp"}),
    ("Chào.", "x" * 40, "en", "", {"length"}),
    ("Câu này khá dài để kiểm tra độ ngắn của bản dịch nhé.", "Ok.", "en", "", {"length"}),
    ("Tin nhắn.", "ສ" * 250, "lo", "sms", {"sms", "length"}),
    ("Tin nhắn.", "Tin nhan.", "en", "sms", set()),
    ("Không xê dịch mốc quốc giới ở Gia Lai.", "ບໍ່ຍ້າຍຫຼັກໝາຍຊາຍແດນ ຢູ່ Gia Lai.", "lo", "", set()),
    ("Không xê dịch mốc quốc giới ở Gia Lai.", "ບໍ່ຍ້າຍຫຼັກ ຢູ່ ເຈຍລາຍ.", "lo", "", {"glossary"}),
    ("Khu vực biên giới.", "ເຂດ ເສັ້ນແບ່ງ.", "lo", "", {"glossary"}),
])
def test_checks(source: str, target: str, language: str, kind: str, expected: set[str]) -> None:
    found = checks.run(checks.Context(source, target, "vi", language, kind, TERMS))
    assert {f.check for f in found} == expected
    assert all(str(f.message) for f in found)


def test_checks_are_loaded_from_the_list() -> None:
    assert [c.code for c in checks.loaded()] == ["numbers", "placeholders", "nfc", "zwsp", "length", "sms",
                                                 "glossary"]


def test_sms_parts() -> None:
    assert checks.sms_parts("a" * 160) == 1 and checks.sms_parts("a" * 161) == 2
    assert checks.sms_parts("ă" * 70) == 1 and checks.sms_parts("ă" * 71) == 2


def test_sms_parts_is_outreachs_counting_rule() -> None:
    """The budget check counts as outreach sends (one rule, `core.sms`): NFC first, a GSM escape is two
    septets, an emoji two UTF-16 units."""
    from ttdn.core.sms import analyse

    decomposed = unicodedata.normalize("NFD", "ă" * 70)  # 140 code points, 70 characters once composed
    assert checks.sms_parts(decomposed) == 1
    assert checks.sms_parts("€" * 80) == 1 and checks.sms_parts("€" * 81) == 2  # 160 / 162 septets
    assert checks.sms_parts("😀" * 35) == 1 and checks.sms_parts("😀" * 36) == 2  # 70 / 72 units
    for text in ("Họp dân lúc 8 giờ", "ປະຊຸມ" * 20, "ប្រជុំ" * 30, "会议" * 40, "a{b}" * 60, decomposed):
        assert checks.sms_parts(text) == analyse(text).segments
