"""The Vietnamese word list and how a query's syllables are grouped into words (no database)."""

from __future__ import annotations

import pytest

from ttdn.search import lexicon
from ttdn.search import query as q


def pairs(text: str) -> list[tuple[str, ...]]:
    parsed = q.parse(text)
    return [parsed.pairs[i].tokens for i in sorted(parsed.pairs)]


@pytest.mark.parametrize(("text", "expected"), [
    ("đường biên giới", [("duong", "bien"), ("bien", "gioi")]),  # two words overlapping: both kept
    ("duong bien gioi", [("duong", "bien"), ("bien", "gioi")]),
    ("hội chợ biên giới Lào Cai", [("hoi", "cho"), ("bien", "gioi"), ("lao", "cai")]),
    # "chó biển" folds as "chợ biên": never on a segmentation into fewest pieces, typed with marks or not
    ("hoi cho bien gioi lao cai", [("hoi", "cho"), ("bien", "gioi"), ("lao", "cai")]),
    # "bảo giờ" is no word ("bao giờ" is): typed with its marks the syllables say which they are
    ("cửa khẩu Lao Bảo giờ làm việc", [("cua", "khau"), ("lao", "bao"), ("lam", "viec")]),
    ("nghệ nhân", [("nghe", "nhan")]),
    ("Ia Mơ", [("ia", "mo")]),  # a place name of the places package
    ("nghe an nhan dan", [("nghe", "an"), ("nhan", "dan")]),
    # Syllables no word covers, next to each other: a word the lists lack (a term, a name, English words).
    ("cột mốc A Dơi", [("cot", "moc"), ("a", "doi")]),
    ("Pa Thơm nhập cảnh", [("pa", "thom"), ("nhap", "canh")]),
    ("hello world", [("hello", "world")]),
    ("biên", []),
])
def test_pairs_inside_words(text: str, expected: list[tuple[str, ...]]) -> None:
    assert pairs(text) == expected


def test_pairs_stop_at_phrases_runs_and_prefixes() -> None:
    assert pairs('"biên giới" Lào Cai') == [("lao", "cai")]  # a quoted phrase is a phrase already
    assert pairs("biên ດ່ານ giới") == []  # a Lao run between the syllables
    parsed = q.parse("biên gi*")
    assert [(p.tokens, p.prefix) for p in parsed.pairs.values()] == [(("bien", "gi"), True)]
    assert q.to_fts5(parsed) == '("bien gi"* OR "bien") AND "gi"*'
    assert pairs("zz biên giới") == [("bien", "gioi")]  # a lone syllable before a word stays alone


def test_the_pair_is_scored_never_required() -> None:
    parsed = q.parse("gian hàng")
    # With the windows of the tapering bonus (query.NEAR_WINDOWS), scored where they hold, never required.
    windows = 'NEAR("gian" "hang", 1) OR NEAR("gian" "hang", 3)'
    assert q.to_fts5(parsed) == f'({windows} OR "gian hang" OR "gian") AND "hang"'
    assert q.to_fts5(parsed, any_term=True) == f'({windows} OR "gian hang" OR "gian") OR "hang"'
    assert q.near_pairs(parsed) == [(0, "gian", "hang", 1), (0, "gian", "hang", 3)]
    assert q.to_tsquery(parsed) == "'gian' & 'hang'"  # PostgreSQL scores the pair apart from the match


def test_windows_only_for_a_query_of_one_word_of_several_syllables() -> None:
    """Two words of several syllables: their pairs score side by side, without the tapering windows (four
    more phrases each, which the gold set's ranking does not need); the same on both backends (near_pairs)."""
    parsed = q.parse("gian hàng biên giới")
    assert len(parsed.pairs) == 2 > q.WINDOWED_PAIRS
    assert q.near_pairs(parsed) == []
    assert q.to_fts5(parsed) == '("gian hang" OR "gian") AND "hang" AND ("bien gioi" OR "bien") AND "gioi"'


def test_word_pairs_directly() -> None:
    assert lexicon.word_pairs(["duong", "bien", "gioi"]) == {0, 1}
    assert lexicon.word_pairs(["lao", "bao", "gio"], ["lao", "bảo", "giờ"]) == {0}  # Lao Bảo | giờ
    assert lexicon.word_pairs(["lao", "bao", "gio"], ["lao", None, "giờ"]) == {0, 1}  # either word: both
    assert lexicon.word_pairs(["cho", "bien", "gioi"], ["chợ", "biên", "giới"]) == {1}
    assert lexicon.word_pairs([]) == set()
    assert lexicon.word_pairs(["bien", "gi"], last_is_prefix=True) == {0}
