"""`ttdn load_sites FILE.json`: create or update border sites from a JSON list of records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ttdn.core.errors import ServiceError
from ttdn.places.services import do_import_border_sites


class Command(BaseCommand):
    help = "Create or update border sites from JSON records: code, name, kind, province, commune, " \
           "neighbour_country, languages."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = do_import_border_sites(None, json.loads(options["file"].read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"{options['file']}: {exc}") from exc
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{count} sites saved")
