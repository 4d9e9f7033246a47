"""What the sender's journal would cost if each line were forced to disk: `Journal.offered` (one `write` per part,
as the sender does before each submit_sm) against the same with an `fdatasync` after each line, and with one
`fdatasync` per batch of 50 (a batch's lines written first, then synced once).

Usage: python bench/outreach/journal_sync.py [lines] [folder]   (folder: where the data directory would be;
default a temporary folder, i.e. /tmp's file system). Last line: one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from ttdn.outreach.journal import Journal  # noqa: E402


def rate(folder: Path, lines: int, sync_every: int) -> float:
    """Lines per second, with an fdatasync every `sync_every` lines (0: never)."""
    book = Journal(folder, "bench", f"sync{sync_every}")
    started = time.perf_counter()
    for n in range(lines):
        book.offered(str(1_000_000 + n), 1)
        if sync_every and (n + 1) % sync_every == 0:
            os.fdatasync(book._fd)
    seconds = time.perf_counter() - started
    book.close(remove=True)
    return lines / seconds


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="ttdn-journal-"))
    plain = rate(folder, lines, 0)
    each = rate(folder, max(lines // 10, 200), 1)
    batch = rate(folder, lines, 50)
    print(f"journal lines/s on {folder}: no sync {plain:,.0f}; fdatasync each line {each:,.0f}; "
          f"fdatasync per 50 lines {batch:,.0f}; load {os.getloadavg()[0]:.1f}")
    print(json.dumps({"folder": str(folder), "no_sync": round(plain), "sync_each_line": round(each),
                      "sync_per_50": round(batch), "load": round(os.getloadavg()[0], 1)}))


if __name__ == "__main__":
    main()
