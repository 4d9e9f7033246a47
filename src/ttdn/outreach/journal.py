"""What a sender has put on the wire and what the SMSC answered, kept on disk the moment it happens.

Why: a batch is committed to the database only after all its submit_sm are answered. A sender killed in
between used to leave every message of the batch *uncertain*, to be settled by a receipt from its number or
offered again after a grace period — a duplicate whenever the receipt came late. Kept here, line by line:
- `o <message> <part>` before a part's submit_sm is written: a claimed message with no such line never left;
- `a <message> <part> <smsc id>` as soon as its submit_sm_resp is read: the SMSC has the part, under that id,
  which query_sm can ask about (SMPP 3.4 has no other way to name a message to the SMSC).
Only an answer still on its way when the sender died is unknown (at most a window of parts).

Each line is one `write` on a file opened for appending: it is in the kernel's hands when the call returns and
survives the process being killed. One file per run, emptied each time the run has committed a batch, removed once
its content is committed by the run that recovers it (or by the run itself when it ends).

Not fsynced, on purpose: a power cut (or a kernel crash) can lose its last lines, and an fsync before each
submit_sm would cost more than the send (measured in docs/benchmarks.md). What a lost line would do wrong is
taken care of instead: the journal starts with the kernel's boot id (`b <id>`), and a journal written before
the machine restarted is trusted only for what it says (the SMSC's ids), never for what it does not — a
message with no `o` line there is uncertain (left to its receipt), not "never offered". A lost `a` line makes
a message uncertain, which is safe anyway.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    """What the journal of a dead run says about one message."""

    offered: set[int] = field(default_factory=set)  # parts written to the SMSC
    ids: dict[int, str] = field(default_factory=dict)  # part → the SMSC's id


def path_for(folder: Path, operator: str, run_id: str) -> Path:
    return folder / f"outreach-{operator}-{run_id}.journal"


def boot_id() -> str:
    """This boot of the kernel (Linux); "" where it cannot be known (then no journal is trusted whole)."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


class Journal:
    def __init__(self, folder: Path, operator: str, run_id: str) -> None:
        self.path = path_for(folder, operator, run_id)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._boot = boot_id()
        self._line(f"b {self._boot}")

    def _line(self, text: str) -> None:
        os.write(self._fd, text.encode("utf-8") + b"\n")

    def offered(self, message: str, part: int) -> None:
        self._line(f"o {message} {part}")

    def accepted(self, message: str, part: int, smsc_id: str) -> None:
        self._line(f"a {message} {part} {smsc_id}")

    def clear(self) -> None:
        """Everything noted so far is committed (a batch settled): start empty, so that a sender running for
        weeks does not keep a line for every message it ever sent."""
        os.ftruncate(self._fd, 0)
        self._line(f"b {self._boot}")

    def close(self, remove: bool = False) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if remove:
            self.path.unlink(missing_ok=True)


def left_behind(folder: Path, operator: str, live_run: str) -> Iterator[tuple[str, Path]]:
    """(run id, path) of the journals of other runs of this operator (runs that died)."""
    prefix = f"outreach-{operator}-"
    for path in folder.glob(f"{prefix}*.journal"):
        run_id = path.name[len(prefix):-len(".journal")]
        if run_id != live_run:
            yield run_id, path


def written_this_boot(path: Path) -> bool:
    """Whether the journal was written since the kernel last started: then every line written before a kill is
    there (the page cache outlives the process), and a missing `o` line means the part never left."""
    with open(path, "rb") as handle:
        first = handle.readline()
    current = boot_id()
    return bool(current) and first == f"b {current}\n".encode()


def read(path: Path, wanted: set[int]) -> dict[int, Entry]:
    """Message pk (of those wanted) → what was offered and accepted; a line cut short by the kill is
    ignored."""
    entries: dict[int, Entry] = {}
    with open(path, "rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break  # the last line, half written
            words = raw.decode("utf-8", "replace").rstrip("\n").split(" ", 3)
            try:
                kind, message, part = words[0], int(words[1]), int(words[2])
            except (IndexError, ValueError):
                continue
            if message not in wanted:
                continue  # committed since, by the run that wrote it
            entry = entries.setdefault(message, Entry())
            if kind == "o":
                entry.offered.add(part)
            elif kind == "a" and len(words) == 4 and words[3]:
                entry.offered.add(part)
                entry.ids[part] = words[3]
    return entries
