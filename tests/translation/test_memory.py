"""The memory: exact and fuzzy matches (character-based, so Lao, Khmer and Chinese match without spaces),
context first, and the edit distance it ranks by."""

from __future__ import annotations

import random

import pytest

from ttdn.translation import memory
from ttdn.translation.distance import levenshtein
from ttdn.translation.models import MemoryUnit
from ttdn.translation.segmenter import source_hash

pytestmark = pytest.mark.django_db


def unit(src_lang: str, tgt_lang: str, source: str, target: str, kind: str = "", topic: str = "") -> MemoryUnit:
    return MemoryUnit.objects.create(source_language=src_lang, target_language=tgt_lang, source=source,
                                     target=target, source_hash=source_hash(source), target_hash=source_hash(target),
                                     kind=kind, topic=topic)


@pytest.mark.parametrize(("src", "tgt", "stored", "query", "target"), [
    ("vi", "lo", "Công dân phải mang theo giấy tờ tùy thân khi vào khu vực biên giới.",
     "Công dân cần mang theo giấy tờ tùy thân khi vào khu vực biên giới.", "ພົນລະເມືອງຕ້ອງນຳເອົາເອກະສານ"),
    ("lo", "vi", "ພົນລະເມືອງຕ້ອງນຳເອົາບັດປະຈຳຕົວເມື່ອເຂົ້າເຂດຊາຍແດນ",
     "ພົນລະເມືອງຕ້ອງນຳເອົາບັດປະຈຳຕົວເມື່ອເຂົ້າເຂດຊາຍແດນທາງບົກ", "Công dân phải mang giấy tờ"),
    ("km", "vi", "ប្រជាពលរដ្ឋត្រូវយកអត្តសញ្ញាណប័ណ្ណនៅពេលចូលតំបន់ព្រំដែន",
     "ប្រជាពលរដ្ឋត្រូវយកអត្តសញ្ញាណប័ណ្ណនៅពេលចូលព្រំដែន", "Công dân phải mang căn cước"),
    ("zh-Hans", "vi", "公民进入边境地区时必须携带身份证件", "公民进入边境地区必须携带身份证件",
     "Công dân phải mang giấy tờ"),
])
def test_fuzzy_match_without_spaces(src: str, tgt: str, stored: str, query: str, target: str) -> None:
    unit(src, tgt, stored, target)
    rng = random.Random(7)
    for n in range(300):  # other sentences around it
        noise = "".join(rng.choice(stored) for _ in range(len(stored)))
        unit(src, tgt, noise + str(n), f"khác {n}")
    matches = memory.lookup(query, src, tgt)
    assert matches and matches[0].target == target
    assert 0.6 <= matches[0].score < 1.0 and 60 <= matches[0].percent < 100
    # The same sentence is an exact match (100 %), found by its hash.
    exact = memory.lookup(stored, src, tgt)
    assert exact[0].score == 1.0 and exact[0].target == target
    # Another language pair knows nothing of it.
    assert memory.lookup(query, src, "th") == []


def test_exact_matches_prefer_the_same_context_and_new_units_are_seen() -> None:
    text = "Không xâm phạm mốc quốc giới."
    unit("vi", "lo", text, "ບໍ່ລະເມີດຫຼັກໝາຍ (SMS)", kind="sms")
    assert memory.lookup(text, "vi", "lo", kind="leaflet")[0].target == "ບໍ່ລະເມີດຫຼັກໝາຍ (SMS)"
    unit("vi", "lo", text, "ບໍ່ລະເມີດຫຼັກໝາຍຊາຍແດນ", kind="leaflet", topic="border")
    found = memory.lookup(text, "vi", "lo", kind="leaflet", topic="border")
    assert [m.target for m in found] == ["ບໍ່ລະເມີດຫຼັກໝາຍຊາຍແດນ", "ບໍ່ລະເມີດຫຼັກໝາຍ (SMS)"]
    # The fuzzy index takes units added after it was built.
    assert memory.lookup("Không xâm phạm mốc quốc giới số 5.", "vi", "lo")[0].score < 1.0


def test_nothing_close_is_nothing() -> None:
    unit("vi", "lo", "Mang theo giấy tờ.", "x")
    assert memory.lookup("Phòng chống dịch bệnh ở thôn bản vùng cao.", "vi", "lo") == []


def _dp(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_bit_vector_edit_distance_agrees_with_the_textbook() -> None:
    rng = random.Random(11)
    alphabet = "aăâbđ ơư中ລ"
    for _ in range(2000):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 70)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 70)))
        assert levenshtein(a, b) == _dp(a, b), (a, b)
