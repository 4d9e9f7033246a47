"""`ttdn load_agencies FILE.json`: create or update the agency tree from a JSON list of records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ttdn.accounts.services import do_import_agencies
from ttdn.core.errors import ServiceError


class Command(BaseCommand):
    help = ("Create or update agencies from JSON records: code, name, name_en, abbreviation, kind, parent, "
            "province, admin_unit {level, name, era}, is_central, valid_from, valid_to, successor.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rows = json.loads(options["file"].read_text(encoding="utf-8"))
            saved = do_import_agencies(None, rows)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"{options['file']}: {exc}") from exc
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{len(saved)} agencies saved")
