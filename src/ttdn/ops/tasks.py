"""The daily backup the worker takes when TTDN_BACKUP_DIR is set, with its retention."""

from __future__ import annotations

import os

from django_tasks import task

from ttdn.core.registry import periodic
from ttdn.ops import services


@task()
def scheduled_backup() -> str:
    if not os.environ.get("TTDN_BACKUP_DIR"):
        return "no TTDN_BACKUP_DIR"
    repository = services.backup_repository()
    result = services.do_backup(None, repository, services.passphrase())
    services.do_prune(None, repository)
    return result.snapshot_id


# Daily (it does nothing unless TTDN_BACKUP_DIR is set).
periodic(scheduled_backup, every=86400)
