"""How fast a node applies records: one `ttdn sync` pass with every file already on the node, the time spent
inside `ttdn.sync.node.apply.apply_batch` measured around each call.

Run with an enrolled node's environment (TTDN_ROLE=edge, TTDN_DATA_DIR) whose blob directory already holds
the hub's files (run.py hard-links them in), so the pass fetches the batches from the hub (not timed) and
applies them (timed): records written in one transaction per batch, set-based, tombstones, the cursor, and
the change announcement (the search index drops what changed). Right after each commit the search index takes
the items back (`changes.catch_up`), timed apart. Prints one JSON line: `records_per_s` (the apply),
`searchable_records_per_s` (the apply and the index catch-up together), the listeners' time apart. Wall time
counts; the CPU time of the applying thread is printed beside it (`*_cpu`), since the wall time on a shared
machine says as much about the neighbours.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
    import django

    django.setup()
    from ttdn.content import changes
    from ttdn.sync.node import apply, client

    spent = [0.0, 0, 0.0]  # wall seconds, calls, CPU seconds of the applying thread
    listeners = [0.0, 0.0]
    original = apply.apply_batch
    original_notify = changes.notify

    def timed_notify(item_ids: Any) -> None:
        # The change announcement runs every listener (the search index) inside the apply transaction.
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            original_notify(item_ids)
        finally:
            listeners[0] += time.perf_counter() - started
            listeners[1] += time.thread_time() - cpu

    def timed(*args: Any, **kwargs: Any) -> apply.ApplyStats:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started
            spent[1] += 1
            spent[2] += time.thread_time() - cpu

    caught = [0.0, 0.0, 0]  # wall seconds, CPU seconds, items indexed after the commits
    original_catch_up = changes.catch_up

    def timed_catch_up() -> int:
        # The search index taking the applied items back, right after each apply's commit.
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            done = original_catch_up()
            caught[2] += done
            return done
        finally:
            caught[0] += time.perf_counter() - started
            caught[1] += time.thread_time() - cpu

    apply.apply_batch = timed  # type: ignore[assignment]  # the client calls it through the module
    changes.notify = timed_notify  # apply calls it through the module too
    changes.catch_up = timed_catch_up  # the client calls it through the module too
    started = time.perf_counter()
    summary = client.run_sync()
    total = time.perf_counter() - started
    data = summary.as_dict()
    records = int(data.get("records", 0))
    print(json.dumps({
        "status": data.get("status"), "records": records, "tombstones": data.get("tombstones"),
        "chunks_fetched": data.get("chunks_fetched"), "batches": spent[1], "apply_seconds": round(spent[0], 3),
        "pass_seconds": round(total, 3), "records_per_s": round(records / spent[0], 1) if spent[0] else None,
        "listener_seconds": round(listeners[0], 3),
        "records_per_s_without_listeners": round(records / own, 1) if (own := spent[0] - listeners[0]) > 0 else None,
        "apply_cpu_seconds": round(spent[2], 3), "listener_cpu_seconds": round(listeners[1], 3),
        "records_per_s_cpu": round(records / spent[2], 1) if spent[2] else None,
        "index_catch_up_seconds": round(caught[0], 3), "index_catch_up_cpu_seconds": round(caught[1], 3),
        "items_indexed_after_commit": caught[2],
        # Apply and the search index together: records applied and searchable per second.
        "searchable_records_per_s": round(records / (spent[0] + caught[0]), 1) if spent[0] + caught[0] else None,
    }), flush=True)


if __name__ == "__main__":
    main()
