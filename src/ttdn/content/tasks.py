"""Background work for material: the validity-window sweep."""

from __future__ import annotations

from django_tasks import task

from ttdn.content import services
from ttdn.core.registry import periodic


@task()
def expire_due_items() -> int:
    return services.do_expire_due()


@task()
def collect_orphan_blobs() -> int:
    return services.do_collect_orphan_blobs()


# Expiry at every sweep of `ttdn worker`; the stored-file clean-up every six hours.
periodic(expire_due_items)
periodic(collect_orphan_blobs, every=6 * 3600)
