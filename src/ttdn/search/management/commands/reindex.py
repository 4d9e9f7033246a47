"""`ttdn reindex`: rebuild the search index from the material, with a progress bar on stderr."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from ttdn.search.services import backend_name, do_reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index of every language version (one transaction; searches keep working)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        bar = tqdm(total=0, unit="variant", file=sys.stderr, disable=options["quiet"], dynamic_ncols=True,
                   desc=f"reindex ({backend_name()})")

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            count = do_reindex_all(progress)
        finally:
            bar.close()
        self.stdout.write(f"Đã lập chỉ mục / indexed: {count} ({backend_name()})")
