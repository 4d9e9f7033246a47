"""Sentences by ICU in the desk's languages, and a body rebuilt in its own blocks."""

from __future__ import annotations

import pytest

from ttdn.translation import segmenter


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("vi", "Mang theo giấy tờ. Không vượt biên trái phép! Gọi 113?",
     ["Mang theo giấy tờ.", "Không vượt biên trái phép!", "Gọi 113?"]),
    ("en", "Lan works at the border gate. She checks papers.",
     ["Lan works at the border gate.", "She checks papers."]),
    ("zh-Hans", "请携带身份证件。不要非法越境！边境口岸开放。",
     ["请携带身份证件。", "不要非法越境！", "边境口岸开放。"]),
    ("km", "សូមយកអត្តសញ្ញាណប័ណ្ណ។ កុំឆ្លងព្រំដែនខុសច្បាប់។", ["សូមយកអត្តសញ្ញាណប័ណ្ណ។", "កុំឆ្លងព្រំដែនខុសច្បាប់។"]),
    ("lo", "ກະລຸນາເອົາບັດປະຈຳຕົວມາ. ຢ່າຂ້າມຊາຍແດນຜິດກົດໝາຍ.", ["ກະລຸນາເອົາບັດປະຈຳຕົວມາ.", "ຢ່າຂ້າມຊາຍແດນຜິດກົດໝາຍ."]),
    ("th", "โปรดนำบัตรประชาชนมาด้วย! ห้ามข้ามแดน?", ["โปรดนำบัตรประชาชนมาด้วย!", "ห้ามข้ามแดน?"]),
])
def test_sentences(language: str, text: str, expected: list[str]) -> None:
    assert segmenter.sentences(text, language) == expected


def test_characters_beyond_the_basic_plane_keep_their_place() -> None:
    assert segmenter.sentences("𠀀𠀁 câu một. Câu hai.", "vi") == ["𠀀𠀁 câu một.", "Câu hai."]


def test_pieces_and_rebuild() -> None:
    body = "<h2>Quy định</h2><p>Câu một. Câu <b>hai</b>.</p><ol><li>Mục một.</li><li>Mục hai.</li></ol><p>Hết.</p>"
    pieces = segmenter.pieces("Tiêu đề", "Tóm tắt một. Tóm tắt hai.", body, "vi")
    assert [(p.part, p.tag, p.wrap, p.text) for p in pieces] == [
        ("title", "title", "", "Tiêu đề"), ("summary", "summary", "", "Tóm tắt một."),
        ("summary", "summary", "", "Tóm tắt hai."), ("body", "h2", "", "Quy định"), ("body", "p", "", "Câu một."),
        ("body", "p", "", "Câu hai."), ("body", "li", "ol", "Mục một."), ("body", "li", "ol", "Mục hai."),
        ("body", "p", "", "Hết."),
    ]
    rows = [(p.part, p.block, p.tag, p.wrap, p.text.upper()) for p in pieces]
    title, summary, rebuilt = segmenter.rebuild(rows, "en")
    assert title == "TIÊU ĐỀ" and summary == "TÓM TẮT MỘT. TÓM TẮT HAI."
    assert rebuilt == ("<h2>QUY ĐỊNH</h2><p>CÂU MỘT. CÂU HAI.</p><ol><li>MỤC MỘT.</li><li>MỤC HAI.</li></ol>"
                       "<p>HẾT.</p>")
    assert segmenter.rebuild([("body", 0, "p", "", "一。"), ("body", 0, "p", "", "二。")], "zh-Hans")[2] == \
        "<p>一。二。</p>"
    # Text is escaped, never markup.
    assert segmenter.rebuild([("body", 0, "p", "", "<script>x</script>")], "en")[2] == \
        "<p>&lt;script&gt;x&lt;/script&gt;</p>"
