"""`ttdn points-watch`: keep the wake poll running on a node (next to `ttdn sync --loop`), so that an urgent
bulletin changed at the hub reaches the node's devices within seconds. Prints one JSON line per woken pass."""

from __future__ import annotations

import http.client
import json
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ttdn.points.watch import WakeClient, Watcher


class Command(BaseCommand):
    help = "Poll the hub every few seconds for urgent bulletins and sync at once when they change (edge only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=2.0, help="seconds between polls (default 2)")
        parser.add_argument("--once", action="store_true", help="one poll (and pass if needed), then stop")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ROLE != "edge":
            raise CommandError("ttdn points-watch runs on an edge node (TTDN_ROLE=edge).")
        every = max(0.5, float(options["every"]))
        watcher = Watcher(WakeClient())
        failures = 0
        while True:
            try:
                result = watcher.step()
                failures = 0
            except (OSError, http.client.HTTPException, ValueError) as exc:
                failures += 1
                result = {"status": "offline", "error": str(exc)}
                if options["once"]:
                    raise CommandError(str(exc)) from exc
            if result is not None:
                self.stdout.write(json.dumps(result, ensure_ascii=False))
                self.stdout.flush()
            if options["once"]:
                return
            # Unreachable hub: back off up to a minute (the link is down; USB bundles carry bulletins too).
            time.sleep(min(every * 2 ** min(failures, 5), 60) if failures else every)
