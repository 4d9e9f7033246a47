"""`ttdn backup [DIR]`: one snapshot of the database and every stored file it refers to (incremental)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ttdn.core.errors import ServiceError
from ttdn.ops import services


class Command(BaseCommand):
    help = "Take a backup snapshot into a repository directory (TTDN_BACKUP_DIR by default)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("repository", nargs="?", help="backup directory (created on first use)")
        parser.add_argument("--prune", action="store_true",
                            help="then keep 7 daily, 4 weekly and 12 monthly snapshots and drop the rest")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            repository = services.backup_repository(options["repository"])
            result = services.do_backup(None, repository, services.passphrase())
            self.stdout.write(f"snapshot {result.snapshot_id}: {result.files} files, {result.copied} copied "
                              f"({result.copied_bytes / 1e6:.1f} MB of {result.total_bytes / 1e6:.1f} MB)")
            if options["prune"]:
                removed, freed = services.do_prune(None, repository)
                self.stdout.write(f"pruned {len(removed)} snapshots, {freed} objects")
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
