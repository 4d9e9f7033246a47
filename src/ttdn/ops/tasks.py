"""The daily backup the worker takes when TTDN_BACKUP_DIR (and TTDN_BACKUP_OFFSITE) is set, with its retention."""

from __future__ import annotations

from django_tasks import task

from ttdn.core.registry import periodic
from ttdn.ops import services


@task()
def scheduled_backup() -> str:
    repositories = services.scheduled_repositories()
    if not repositories:
        return "no TTDN_BACKUP_DIR"
    taken = []
    # Each repository gets its own snapshot: the off-site copy stands alone when the local disk is lost.
    for repository in repositories:
        result = services.do_backup(None, repository, services.passphrase())
        services.do_prune(None, repository)
        taken.append(result.snapshot_id)
    return " ".join(taken)


# Daily (it does nothing unless TTDN_BACKUP_DIR is set).
periodic(scheduled_backup, every=86400)
