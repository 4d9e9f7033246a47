"""`ttdn restore DIR [--snapshot ID]`: a snapshot into this server's empty database and data directory."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ttdn.core.errors import ServiceError
from ttdn.ops import services


class Command(BaseCommand):
    help = "Restore a backup snapshot (the newest by default) into an empty database and data directory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("repository", nargs="?", help="backup directory (TTDN_BACKUP_DIR by default)")
        parser.add_argument("--snapshot", help="the snapshot's id (see `ttdn verify-backup --list`)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            repository = services.backup_repository(options["repository"])
            restored = services.do_restore(repository, services.passphrase(), options["snapshot"])
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"restored snapshot {restored}")
