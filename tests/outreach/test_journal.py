"""The sender's journal read back after a kill: parts offered and the SMSC's ids per message, a line cut short
by the kill ignored, lines of messages committed since left out, and a cleared journal saying nothing."""

from __future__ import annotations

from pathlib import Path

from ttdn.outreach import journal


def test_journal_read_back(tmp_path: Path) -> None:
    book = journal.Journal(tmp_path, "viettel", "run1")
    book.offered("7", 1)
    book.accepted("7", 1, "00B0 0001")  # an id with a space is kept whole
    book.offered("7", 2)
    book.offered("8", 1)
    book.offered("9", 1)
    book.close()
    with open(book.path, "ab") as handle:
        handle.write(b"a 9 1 00B00")  # the kill came in the middle of this line
    found = journal.read(book.path, {7, 8, 9})
    assert found[7].offered == {1, 2} and found[7].ids == {1: "00B0 0001"}
    assert found[8].offered == {1} and not found[8].ids
    assert found[9].offered == {1} and not found[9].ids
    assert set(journal.read(book.path, {8})) == {8}
    assert dict(journal.left_behind(tmp_path, "viettel", "run2")) == {"run1": book.path}
    assert not list(journal.left_behind(tmp_path, "viettel", "run1"))
    assert not list(journal.left_behind(tmp_path, "vinaphone", "run2"))


def test_cleared_journal_starts_empty_and_goes_on(tmp_path: Path) -> None:
    book = journal.Journal(tmp_path, "viettel", "run1")
    book.offered("1", 1)
    book.accepted("1", 1, "A1")
    book.clear()
    assert journal.read(book.path, {1, 2}) == {}
    book.offered("2", 1)
    assert book.path.read_bytes() == b"o 2 1\n"
    book.close(remove=True)
    assert not book.path.exists()
