"""Store the SQLite top 10 of every gold query in tests/search/gold/expected_top10.json.

  python bench/search/expected_top10.py

tests/search/test_gold.py compares each backend's top 10 with this file; regenerate it when the gold set or
the ranking changes on purpose, and say why in the commit.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parent / "run.py"

if __name__ == "__main__":
    # The SQLite phase of the benchmark with no generated corpus: the gold set alone, as the test loads it.
    raise SystemExit(subprocess.call([sys.executable, str(RUN), "--phase", "sqlite", "--variants", "0",
                                      "--write-expected"]))
