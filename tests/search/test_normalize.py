"""The one normaliser and tokenizer, table-driven: what documents and queries become before either backend
sees them."""

from __future__ import annotations

import unicodedata

import pytest

from ttdn.search.normalize import (
    clusters,
    fold,
    icu_words,
    index_tokens,
    index_tokens_reference,
    normalize,
    query_tokens,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(("text", "normalized", "folded"), [
    # đ/Đ and Jarai ƀ do not decompose: mapped by hand.
    ("Đắk Lắk", "Đắk Lắk", "dak lak"),
    ("đường biên", "đường biên", "duong bien"),
    ("ƀôn Ƀuôn", "ƀôn Ƀuôn", "bon buon"),
    # Letters with two marks fold fully (SQLite's remove_diacritics 1 leaves these).
    ("giới người quốc", "giới người quốc", "gioi nguoi quoc"),
    # Breves of Bahnar/Jarai (ă, ŏ, ĕ, ĭ, ŭ) fold, and survive normalisation untouched.
    ("bŏk Kŏng ĕa ăn", "bŏk Kŏng ĕa ăn", "bok kong ea an"),
    ("Pơlei Ea H'leo", "Pơlei Ea H'leo", "polei ea h'leo"),
    # Tone placement: one rule (the classic one) for old and new spellings.
    ("hoà", "hòa", "hoa"),
    ("Thanh Hoá", "Thanh Hóa", "thanh hoa"),
    ("thuý", "thúy", "thuy"),
    ("khoẻ", "khỏe", "khoe"),
    ("hòa thúy khỏe", "hòa thúy khỏe", "hoa thuy khoe"),
    ("HOÀ BÌNH", "HÒA BÌNH", "hoa binh"),
    ("quý già giữa người hoàng khuỷu", "quý già giữa người hoàng khuỷu", "qui gia giua nguoi hoang khuyu"),
    # NFD input (as typed on some keyboards or pasted from PDFs) becomes NFC.
    (nfd("biên giới hoà"), "biên giới hòa", "bien gioi hoa"),
    # Zero-width spaces and joiners are spaces; the soft hyphen disappears.
    ("biên\u200bgiới", "biên giới", "bien gioi"),
    ("a\u200cb\u200dc\ufeffd", "a b c d", "a b c d"),
    ("biên\u00adgiới", "biêngiới", "biengioi"),
    # Lao and Khmer vowel signs are combining marks (category M) and stay.
    ("ດ່ານສາກົນ", "ດ່ານສາກົນ", "ດ່ານສາກົນ"),
    ("ព្រំដែន", "ព្រំដែន", "ព្រំដែន"),
    ("ด่านชายแดน", "ด่านชายแดน", "ด่านชายแดน"),
    ("边境管理", "边境管理", "边境管理"),
    # Spellings typed either way fold to one: a lone y or i after h, k, l, m, s, t, qu (not in other words,
    # nor y alone, nor English words that only end in y) …
    ("Kỹ thuật, kĩ thuật", "Kỹ thuật, kĩ thuật", "ki thuat, ki thuat"),
    ("lý do lí do quy định qui định", "lý do lí do quy định qui định", "li do li do qui dinh qui dinh"),
    ("hy vọng Mỹ sỹ công ty", "hy vọng Mỹ sỹ công ty", "hi vong mi si cong ti"),
    ("ý kiến tuy quyết khuya thuý", "ý kiến tuy quyết khuya thúy", "y kien tuy quyet khuya thuy"),
    ("key sky my", "key sky my", "key sky mi"),
    # … full-width letters and digits (Chinese input), ligatures (PDF text) …
    ("ＣＯＶＩＤ－１９\u3000防控", "ＣＯＶＩＤ－１９\u3000防控", "covid-19 防控"),
    ("\ufb01le \ufb02ow", "\ufb01le \ufb02ow", "file flow"),
    # … Lao ໜ ໝ and ຫນ ຫມ; Khmer subscript DA and TA, ឲ and ឱ.
    ("ໜອງຄາຍ ກົດໝາຍ", "ໜອງຄາຍ ກົດໝາຍ", "ຫນອງຄາຍ ກົດຫມາຍ"),
    ("ຫນອງຄາຍ ກົດຫມາຍ", "ຫນອງຄາຍ ກົດຫມາຍ", "ຫນອງຄາຍ ກົດຫມາຍ"),
    ("ស្ដីពី ឲ្យ", "ស្ដីពី ឲ្យ", "ស្តីពី ឱ្យ"),
])
def test_normalize_and_fold(text: str, normalized: str, folded: str) -> None:
    assert normalize(text) == normalized
    assert fold(text) == folded
    assert fold(normalized) == folded


def test_lao_and_khmer_marks_are_combining_and_kept() -> None:
    assert any(unicodedata.category(ch).startswith("M") for ch in "ດ່ານ")
    assert any(unicodedata.category(ch).startswith("M") for ch in "ព្រំដែន")
    assert fold("ກົດລະບຽບ") == "ກົດລະບຽບ"
    # Stripping every combining mark would destroy them; only U+0300–U+036F go.
    assert len(fold("ព្រំដែន")) == len("ព្រំដែន")


def test_spaced_words_are_folded_tokens() -> None:
    assert index_tokens("Khu vực Biên giới, năm 2025!") == ["khu", "vuc", "bien", "gioi", "nam", "2025"]
    assert query_tokens("KHU VỰC") == ["khu", "vuc"]
    assert index_tokens("H'Mông M'Nông") == ["h", "mong", "m", "nong"]
    assert index_tokens("") == [] and query_tokens("  ,.  ") == []


@pytest.mark.parametrize(("document", "word"), [
    ("ດ່ານສາກົນລາວ", "ສາກົນ"),  # Lao: "international" inside "international checkpoint, Laos"
    ("ຂໍ້ມູນຂ່າວສານ", "ຂ່າວ"),
    ("ខ្ញុំចង់ទៅផ្សារ", "ទៅ"),  # Khmer: ICU glues ចង់ទៅ; the pairs still find ទៅ
    ("ខ្ញុំចង់ទៅផ្សារ", "ផ្សារ"),
    ("ព្រំដែនកម្ពុជាវៀតណាម", "កម្ពុជា"),
    ("ด่านชายแดนไทย", "ชายแดน"),
    ("边境管理办法", "管理"),  # a 2-character Chinese word inside a run
    ("中越边境口岸", "口岸"),
    ("中越边境口岸", "边境口岸"),
    ("6个月的护照", "护照"),  # a run right after a number is still a run
    ("2025年芒街交易会", "芒街"),
])
def test_a_word_inside_a_run_is_found(document: str, word: str) -> None:
    doc = index_tokens(document)
    query = query_tokens(word)
    if len(clusters(word)) == 1:
        # One cluster: a prefix of some token (every cluster starts one).
        assert any(token.startswith(word) for token in doc), (doc, query)
        return
    # The query is a phrase: its tokens stand next to each other somewhere in the document's tokens.
    assert any(doc[i:i + len(query)] == query for i in range(len(doc))), (doc, query)


def test_runs_are_cut_into_cluster_pairs() -> None:
    assert index_tokens("边境管理") == ["边境", "境管", "管理", "理"]
    assert query_tokens("边境") == ["边境"]
    # Pairs are of grapheme clusters: a Lao vowel sign stays with its consonant.
    assert query_tokens("ດ່ານ") == ["ດ່າ", "ານ"]
    assert index_tokens("ດ່ານ") == ["ດ່າ", "ານ", "ນ"]
    # Mixed text: Vietnamese words and a Lao run in one sentence.
    assert index_tokens("Cửa khẩu ດ່ານ 2025") == ["cua", "khau", "ດ່າ", "ານ", "ນ", "2025"]


def test_icu_cuts_a_query_run_into_words_found_written_apart() -> None:
    from ttdn.search.query import parse, to_fts5

    # ICU glues some Khmer words (ចង់ទៅ), but separates these; a document with a (zero-width) space between
    # the words is found by the words written apart, next to each other, as well as by the whole run; the
    # words wherever they stand only when nothing holds the run (the relaxed query).
    assert icu_words("ខ្ញុំចង់ទៅផ្សារ") == ["ខ្ញុំ", "ចង់ទៅ", "ផ្សារ"]
    parsed = parse("边境管理")
    assert to_fts5(parsed) == '("边境 境管 管理" OR "边境 境 管理")'
    assert index_tokens("边境\u200b管理") == ["边境", "境", "管理", "理"]
    assert parsed.has_pieces()
    assert to_fts5(parsed.with_pieces()) == '("边境 境管 管理" OR "边境 境 管理" OR ("边境" AND "管理"))'
    # ໝາຍ folds as ຫມາຍ, which ICU cuts ຫ | ມາຍ: a word of one cluster goes with its neighbour.
    assert to_fts5(parse("ຫຼັກໝາຍ")) == '("ຫຼັກ ກຫ ຫມ ມາ າຍ" OR "ຫຼັກ ກ ຫມ ມາ າຍ")'



# Characters the fast paths of index_tokens have to tell apart: ASCII, "_", Vietnamese and minority letters,
# combining marks inside and outside U+0300–U+036F, Lao/Khmer/Thai letters and signs, Chinese, zero-width
# characters and the soft hyphen, Greek sigma (lower-cased by context), İ, Cyrillic with its marks, Hangul,
# a CJK extension B character, a variation selector, number forms.
_ALPHABET = [
    *"aAzZ09 _-.,'\n\t", *"đĐƀɃăâêôơưĂÂ",
    "\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0306", "\u0302", "\u031b", "\u0483", "\u1dc0", "\u20d0",
    *"ສາຍແດນ\u0eb1\u0eb4\u0ec8ກ", *"ព្រំដែន\u17b6\u17c1\u17d2\u17cb។", *"边境护照年6个月", *"ไทย\u0e31\u0e48",
    "\u200b", "\u200c", "\u200d", "\u00ad", "\ufeff", "\u2060", *"ΣσςΑΒİIıŉ", *"Жж", *"한글ㄱ",
    "\U00020000", "\U0002a6d6", "\U000e0100", *"①²½ⅫＡ", *"ēṣ",
]


def test_index_tokens_fast_paths_cut_exactly_as_the_definition() -> None:
    import json
    import random
    from pathlib import Path

    texts: list[str] = []
    gold = Path(__file__).parent / "gold" / "items.jsonl"
    for line in gold.read_text(encoding="utf-8").splitlines():
        for variant in json.loads(line)["variants"]:
            texts += [value for value in variant.values() if isinstance(value, str)]
    rng = random.Random(4)
    texts += ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 40))) for _ in range(5000)]
    texts += ["Biên giới Việt Nam", "plain ascii_words and_more", "Đắk Lắk\u00adbiên", "ΣΟΦΊΑ σοφία", "İstanbul"]
    differ = [text for text in texts if index_tokens(text) != index_tokens_reference(text)]
    assert not differ, differ[:5]
