"""`ttdn verify-backup DIR`: every object of every snapshot checked against its hash, nothing restored."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ttdn.core.errors import ServiceError
from ttdn.ops import backup as backups
from ttdn.ops import services


class Command(BaseCommand):
    help = "Check a backup repository's snapshots against their hashes without restoring them."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("repository", nargs="?", help="backup directory (TTDN_BACKUP_DIR by default)")
        parser.add_argument("--snapshot", action="append", help="only this snapshot (repeatable)")
        parser.add_argument("--list", action="store_true", help="list the snapshots and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            repository = services.backup_repository(options["repository"])
            if options["list"]:
                for snapshot_id in backups.Repository(repository).snapshot_ids():
                    self.stdout.write(snapshot_id)
                return
            checked, problems = backups.verify_repository(repository, services.passphrase(), options["snapshot"])
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        for problem in problems:
            self.stderr.write(f"{problem.snapshot}: {problem.what}")
        if problems:
            raise CommandError(f"{len(problems)} problems in {checked} objects checked")
        self.stdout.write(f"{checked} objects checked, all sound")
