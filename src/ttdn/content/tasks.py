"""Background work for material: the validity-window sweep."""

from __future__ import annotations

from django_tasks import task

from ttdn.content import services


@task()
def expire_due_items() -> int:
    return services.do_expire_due()


@task()
def collect_orphan_blobs() -> int:
    return services.do_collect_orphan_blobs()
