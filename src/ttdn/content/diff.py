"""Word-level comparison of two texts, for the revisions page.

Words are cut by ICU's word boundaries (the search app's segmenter), so Lao, Khmer and Chinese runs written
without spaces are compared word by word rather than as one long "word", and Vietnamese syllables,
combining marks (Jarai, Bahnar) and punctuation stay whole.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ttdn.core.text import html_to_text, nfc
from ttdn.search.normalize import icu_words

EQUAL, INSERT, DELETE = "equal", "insert", "delete"


@dataclass(frozen=True)
class Piece:
    op: str  # equal, insert or delete
    text: str


def words(text: str) -> list[str]:
    """The text cut into words, spaces and punctuation; joined back they give the text again."""
    text = nfc(text)
    return icu_words(text) if text else []


def word_diff(old: str, new: str) -> list[Piece]:
    """What changed from `old` to `new`, as runs of equal, deleted and inserted text."""
    a, b = words(old), words(new)
    # autojunk off: in a long text, common words (spaces, "và") must still anchor the comparison.
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    # A lone space between two changes belongs to the change: "giấy tờ" → "căn cước" reads as one
    # replacement, not four.
    groups: list[tuple[bool, str, str]] = []  # (equal?, old text, new text)
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        old_text, new_text = "".join(a[i1:i2]), "".join(b[j1:j2])
        between_changes = 0 < n < len(opcodes) - 1 and not old_text.strip()
        equal = tag == "equal" and not between_changes
        if groups and not equal and not groups[-1][0]:
            _eq, o, w = groups.pop()
            groups.append((False, o + old_text, w + new_text))
        else:
            groups.append((equal, old_text, new_text))
    pieces: list[Piece] = []
    for equal, old_text, new_text in groups:
        if equal:
            pieces.append(Piece(EQUAL, old_text))
            continue
        if old_text:
            pieces.append(Piece(DELETE, old_text))
        if new_text:
            pieces.append(Piece(INSERT, new_text))
    return pieces


def body_diff(old_html: str, new_html: str) -> list[Piece]:
    """Bodies are compared as the text a reader sees, not as markup."""
    return word_diff(html_to_text(old_html), html_to_text(new_html))
