"""`ttdn impact_index`: rebuild PostgreSQL's impact index from the indexed documents (minutes, not a reindex)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ttdn.search.services import do_build_impact_index


class Command(BaseCommand):
    help = "Rebuild the search impact index (PostgreSQL only; searches use the previous one until it ends)."

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Chỉ dùng với PostgreSQL / PostgreSQL only.")
        started = time.perf_counter()
        lexemes = do_build_impact_index()
        self.stdout.write(f"Chỉ mục trọng số / impact index: {lexemes} ({time.perf_counter() - started:.1f} s)")
