"""`ttdn toplists`: rebuild PostgreSQL's champion lists from the indexed documents (minutes, not a reindex)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ttdn.search.services import do_build_toplists


class Command(BaseCommand):
    help = "Rebuild the search champion lists of frequent words (PostgreSQL only; searches wait until it ends)."

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Chỉ dùng với PostgreSQL / PostgreSQL only.")
        started = time.perf_counter()
        lexemes = do_build_toplists()
        self.stdout.write(f"Danh sách từ phổ biến / champion lists: {lexemes} ({time.perf_counter() - started:.1f} s)")
