"""The sender's journal read back after a kill: parts offered and the SMSC's ids per message, a line cut short
by the kill ignored, lines of messages committed since left out, a cleared journal saying nothing, and a
journal written before the machine restarted trusted only for what it says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from ttdn.accounts.models import Agency
from ttdn.outreach import journal
from ttdn.outreach.models import Campaign, Message, MessageState, Operator
from ttdn.outreach.sending import recover


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
    assert book.path.read_bytes() == f"b {journal.boot_id()}\no 2 1\n".encode()
    book.close(remove=True)
    assert not book.path.exists()


def test_boot_id_tells_a_journal_written_before_a_restart(tmp_path: Path) -> None:
    book = journal.Journal(tmp_path, "viettel", "run1")
    book.offered("1", 1)
    book.close()
    assert journal.written_this_boot(book.path)
    text = book.path.read_text()
    book.path.write_text(text.replace(journal.boot_id(), "00000000-0000-0000-0000-000000000000"))
    assert not journal.written_this_boot(book.path)
    assert journal.read(book.path, {1})[1].offered == {1}  # its lines are read all the same


@pytest.mark.parametrize("restarted", [False, True], ids=["killed", "power-cut"])
def test_recovery_trusts_a_missing_line_only_from_this_boot(db: Any, tmp_path: Path, restarted: bool) -> None:
    """A message claimed by a dead run that its journal does not show offered goes back to pending at once
    after a kill; after a restart of the machine the page cache (and the line) may have been lost, so it
    waits for its receipt as uncertain. A part the journal gives an id for is submitted either way."""
    agency = Agency.objects.create(code="so-tt", name="Sở Thông tin", kind="department")
    operator = Operator.objects.create(code="viettel", name="Viettel", host="127.0.0.1", system_id="ttdn")
    campaign = Campaign.objects.create(agency=agency, title="Họp dân", sender_name="SoTTTT", state="sending")
    sent, unanswered, unnoted = (Message.objects.create(campaign=campaign, number=f"849600000{i}", operator=operator,
                                                        language="vi", state=MessageState.CLAIMED, claim="dead")
                                 for i in range(3))
    book = journal.Journal(tmp_path, "viettel", "dead")
    book.offered(str(sent.pk), 1)
    book.accepted(str(sent.pk), 1, "00B00001")
    book.offered(str(unanswered.pk), 1)
    book.close()
    if restarted:
        book.path.write_text(book.path.read_text().replace(journal.boot_id(), "another-boot"))
    found = recover(operator.pk, "viettel", "live", timezone.now(), tmp_path)
    states = dict(Message.objects.values_list("pk", "state"))
    assert states[sent.pk] == MessageState.SUBMITTED and found.from_journal == 1
    assert states[unanswered.pk] == MessageState.UNCERTAIN
    assert states[unnoted.pk] == (MessageState.UNCERTAIN if restarted else MessageState.PENDING)
    assert (found.uncertain, found.not_offered) == ((2, 0) if restarted else (1, 1))
    assert not book.path.exists()
