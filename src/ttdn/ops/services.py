"""Backups as operations: each taken, restored or pruned snapshot is recorded in the audit trail."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ttdn.core import audit
from ttdn.core.errors import ServiceError
from ttdn.ops import backup as backups
from ttdn.ops.stores import is_remote

if TYPE_CHECKING:
    from ttdn.accounts.models import User


def backup_repository(path: str | Path | None = None) -> str | Path:
    """The repository named on the command line (a directory or s3://bucket/prefix), else TTDN_BACKUP_DIR."""
    chosen = path or getattr(settings, "BACKUP_DIR", "") or os.environ.get("TTDN_BACKUP_DIR", "")
    if not chosen:
        raise ServiceError("backup.no_repository", _("Name a backup directory (or set TTDN_BACKUP_DIR)."))
    return _location(chosen)


def _location(chosen: str | Path) -> str | Path:
    return str(chosen) if is_remote(chosen) else Path(chosen).expanduser()


def scheduled_repositories() -> list[str | Path]:
    """Where the worker's daily snapshot goes: TTDN_BACKUP_DIR, and TTDN_BACKUP_OFFSITE (an off-site copy,
    usually s3://bucket/prefix on another site's object store) when set."""
    return [_location(os.environ[name]) for name in ("TTDN_BACKUP_DIR", "TTDN_BACKUP_OFFSITE")
            if os.environ.get(name)]


def passphrase() -> str | None:
    return os.environ.get(backups.PASSPHRASE_ENV) or None


def do_backup(actor: User | None, repository: str | Path, secret: str | None = None) -> backups.BackupResult:
    # The snapshot is taken first; the audit entry is written after it, so it is in the next snapshot, not this one.
    result = backups.backup(repository, secret)
    with transaction.atomic(durable=True):
        audit.record(actor, "ops.backup", snapshot=result.snapshot_id, files=result.files, copied=result.copied,
                     copied_bytes=result.copied_bytes, repository=str(repository))
    return result


def do_restore(repository: str | Path, secret: str | None = None, snapshot_id: str | None = None) -> str:
    restored = backups.restore(repository, secret, snapshot_id)
    # A snapshot of an earlier version is brought up to this one's schema.
    call_command("migrate", interactive=False, verbosity=0)
    with transaction.atomic(durable=True):
        audit.record(None, "ops.restore", snapshot=restored, repository=str(repository))
    return restored


def do_prune(actor: User | None, repository: str | Path, daily: int = 7, weekly: int = 4,
             monthly: int = 12) -> tuple[list[str], int]:
    removed, freed = backups.prune(repository, daily, weekly, monthly)
    with transaction.atomic(durable=True):
        audit.record(actor, "ops.prune", removed=removed, objects_freed=freed, repository=str(repository))
    return removed, freed
