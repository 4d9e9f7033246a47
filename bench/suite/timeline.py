"""How a test pass used its workers, from the files `TTDN_TEST_TIMELINE=DIR` makes each worker write
(tests/conftest.py): each worker's busy time and when it ended, the idle tail of the pass (one worker done, the
other still running), the tests and groups that cost the most, and what ran last on each worker.

    mkdir /tmp/tl && TTDN_TEST_TIMELINE=/tmp/tl python -m pytest -n 2 -p no:cacheprovider ...
    python bench/suite/timeline.py /tmp/tl
"""

from __future__ import annotations

import ast
import json
import sys
from collections import defaultdict
from pathlib import Path

CONFTEST = Path(__file__).resolve().parents[2] / "tests" / "conftest.py"


def xdist_groups() -> dict[str, str]:
    """tests/conftest.py's XDIST_GROUPS, read without importing it (it needs Django set up)."""
    for node in ast.parse(CONFTEST.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "XDIST_GROUPS" for t in node.targets):
            groups: dict[str, str] = ast.literal_eval(node.value)
            return groups
    return {}


def main(folder: Path, top: int = 25) -> dict[str, object]:
    runs: dict[str, list[tuple[float, float, str]]] = {}
    cpu_of: dict[str, float] = {}
    for file in sorted(folder.glob("*.tsv")):
        rows = []
        for line in file.read_text().splitlines():
            fields = line.split("\t")
            start, end, nodeid = fields[0], fields[1], fields[-1]
            if len(fields) == 4:  # with the CPU the test and its reaped processes took
                cpu_of[nodeid] = cpu_of.get(nodeid, 0.0) + float(fields[2])
            rows.append((float(start), float(end), nodeid))
        runs[file.stem] = sorted(rows)
    first = min(r[0][0] for r in runs.values())
    last = max(r[-1][1] for r in runs.values())
    figures: dict[str, object] = {"span_s": round(last - first, 1), "tests": sum(len(r) for r in runs.values())}
    for worker, rows in runs.items():
        busy = sum(end - start for start, end, _ in rows)
        ended = rows[-1][1] - first
        print(f"{worker}: {len(rows)} tests, busy {busy:.0f} s, ended at {ended:.0f} s; last: "
              f"{rows[-1][2]} ({rows[-1][1] - rows[-1][0]:.1f} s)")
        figures[f"{worker}_busy_s"] = round(busy, 1)
        figures[f"{worker}_end_s"] = round(ended, 1)
    ends = sorted(r[-1][1] for r in runs.values())
    figures["idle_tail_s"] = round(ends[-1] - ends[0], 1)
    print(f"span {last - first:.0f} s; the last worker ran alone for {ends[-1] - ends[0]:.0f} s")
    groups = xdist_groups()
    per_scope: dict[str, float] = defaultdict(float)
    cpu_scope: dict[str, float] = defaultdict(float)
    per_test = []
    for rows in runs.values():
        for start, end, nodeid in rows:
            module = nodeid.split("::", 1)[0]
            per_scope[groups.get(module, module)] += end - start
            cpu_scope[groups.get(module, module)] += cpu_of.get(nodeid, 0.0)
            per_test.append((end - start, nodeid))
    if cpu_of:
        # CPU well under the wall time: a test waiting (on timers, other processes' answers), which more workers
        # than cores would overlap.
        wall, used = sum(per_scope.values()), sum(cpu_scope.values())
        print(f"\nCPU of the workers and their reaped processes: {used:.0f} s over {wall:.0f} s of tests "
              f"({100 * used / max(wall, 1e-9):.0f} %)")
        figures["test_cpu_s"], figures["test_wall_s"] = round(used, 1), round(wall, 1)
    print(f"\nthe {top} costliest groups or modules (seconds of a worker, CPU seconds):")
    for scope, seconds in sorted(per_scope.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {seconds:7.1f}  {cpu_scope[scope]:7.1f}  {scope}")
    print(f"\nthe {top} costliest tests (setup to teardown):")
    for seconds, nodeid in sorted(per_test, reverse=True)[:top]:
        print(f"  {seconds:7.1f}  {nodeid}")
    return figures


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
