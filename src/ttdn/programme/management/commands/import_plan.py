"""`ttdn import-plan FILE`: read a plan (TXT, DOCX, PDF) and print the proposed draft for review.

`--format json` prints the draft as JSON, `--format text` a readable review; nothing is saved unless `--save
--user USERNAME` is given, which hands the draft to the plans service as that user. The command lives with the
plans because it may write one; `documents` only reads the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ttdn.accounts.models import Agency
from ttdn.core.errors import ServiceError
from ttdn.core.installation import require_migrated
from ttdn.documents.agency_match import resolve_province
from ttdn.documents.plan_draft import Draft
from ttdn.documents.plan_import import match_sites, read_draft, read_plan_file
from ttdn.documents.review import review_text


class Command(BaseCommand):
    help = "Read a plan (TXT, DOCX or PDF) and print the proposed draft; --save creates it after review."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--province", help="the province whose agencies to match (AdminUnit key or name)")
        parser.add_argument("--save", action="store_true", help="create the plan from the draft")
        parser.add_argument("--user", help="the account the plan is created as (with --save)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if options["save"] and not options["user"]:
            raise CommandError("--save needs --user USERNAME")
        self.require_migrated()
        agencies = Agency.objects.all()
        if options["province"]:
            province = resolve_province(options["province"])
            if province is None:
                raise CommandError(f"unknown province: {options['province']}")
            agencies = agencies.filter(province__isnull=True) | agencies.filter(province=province)
        try:
            draft = match_sites(read_draft(read_plan_file(path), agencies=agencies))
        except ServiceError as exc:
            raise CommandError(f"{path.name}: {exc.message}") from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(draft.to_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(review_text(draft))
        if options["save"]:
            self.save(draft, options["user"])

    @staticmethod
    def require_migrated() -> None:
        """A data directory never set up (or left behind by an upgrade) gets the command to run, not a traceback
        from the first query."""
        require_migrated(_("The database has not been set up for this version: run `ttdn migrate` first, "
                           "then load the agencies (`ttdn demo` for the demonstration data)."))

    def save(self, draft: Draft, username: str) -> None:
        from ttdn.accounts.models import User

        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username}")
        from ttdn.programme.services import do_import_plan

        try:
            plan = do_import_plan(user, draft)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stderr.write(f"saved: {plan}")
