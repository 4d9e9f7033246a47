"""`ttdn sync`: bring this node up to date with its hub once, or keep doing so (`--loop`).

Prints one JSON line per pass: records applied, bytes down/up, chunks fetched/reused, resumes, seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from ttdn.core.errors import ServiceError
from ttdn.core.installation import require_migrated
from ttdn.sync.node.client import run_sync
from ttdn.sync.node.services import NOT_SET_UP


def parse_window(text: str) -> tuple[dt.time, dt.time]:
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise CommandError(f"--window: expected HH:MM-HH:MM, not {text!r}") from None
    return start, end


def in_window(now: dt.time, window: tuple[dt.time, dt.time] | None) -> bool:
    if window is None:
        return True
    start, end = window
    return start <= now < end if start <= end else (now >= start or now < end)


class Command(BaseCommand):
    help = "Synchronise this edge node with its hub (once, or --loop with back-off)."
    # A node runs this every few minutes: Django's system checks would import every view of the product (and with
    # them the PDF, image and media libraries the node's sync stands apart from) at each pass — twice the CPU and
    # 40 MB more to start. `ttdn check`, `migrate` and `serve` run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--min-wait", type=float, default=30)
        parser.add_argument("--max-wait", type=float, default=3600)
        parser.add_argument("--daily-bytes", type=int, default=None)
        parser.add_argument("--window", default=None, help="only sync between these local times, e.g. 22:00-05:00")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ROLE != "edge":
            raise CommandError("ttdn sync runs on an edge node (TTDN_ROLE=edge).")
        window = parse_window(options["window"]) if options["window"] else None
        wait = options["min_wait"]
        while True:
            if in_window(timezone.localtime().time(), window):
                try:
                    summary = run_sync(options["daily_bytes"])
                except ServiceError as exc:  # not enrolled yet, revoked …: the message, not a traceback
                    raise CommandError(str(exc.message)) from exc
                except DatabaseError:
                    require_migrated(str(NOT_SET_UP))  # a box never set up: say what to run, not a traceback
                    raise
                self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
                self.stdout.flush()
                if not options["loop"]:
                    if summary.status not in {"ok", "budget"}:
                        raise CommandError(summary.error or summary.status)
                    return
                # Back off while the hub is unreachable or refuses; come back soon when it answers.
                wait = options["min_wait"] if summary.status == "ok" else min(wait * 2, options["max_wait"])
            elif not options["loop"]:
                self.stdout.write(json.dumps({"status": "outside_window"}))
                return
            time.sleep(wait * random.uniform(0.8, 1.2))
