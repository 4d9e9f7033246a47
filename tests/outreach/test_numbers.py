"""Vietnamese mobile numbers in the forms people type, and the refusals in Vietnamese."""

from __future__ import annotations

import pytest
from django.utils import translation

from ttdn.core.errors import ServiceError
from ttdn.outreach.numbers import normalise_mobile


@pytest.mark.parametrize(("raw", "expected"), [
    ("0912345678", "84912345678"),
    ("84912345678", "84912345678"),
    ("+84 912 345 678", "84912345678"),
    ("091.234.5678", "84912345678"),
    ("0382-123-456", "84382123456"),
    (" 0868 123 456 ", "84868123456"),
])
def test_accepted_forms(raw: str, expected: str) -> None:
    assert normalise_mobile(raw) == expected


@pytest.mark.parametrize(("raw", "says"), [
    ("09123a5678", "chỉ được có chữ số"),
    ("912345678", "phải bắt đầu bằng 0 hoặc 84"),
    ("01661234567", "không phải số di động 10 chữ số"),  # an 11-digit number from before 2018
    ("091234567", "không phải số di động 10 chữ số"),
    ("0212345678", "đầu số di động"),  # a landline area code
    ("0112345678", "đầu số di động"),
])
def test_refused_forms_say_why_in_vietnamese(raw: str, says: str) -> None:
    with translation.override("vi"), pytest.raises(ServiceError) as refused:
        normalise_mobile(raw)
    assert refused.value.code == "bad_mobile"
    assert says in str(refused.value.message) and raw in str(refused.value.message)
