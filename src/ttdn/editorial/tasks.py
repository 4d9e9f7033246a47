"""Background work: publishing scheduled material when its time comes."""

from __future__ import annotations

from django_tasks import task

from ttdn.editorial import services


@task()
def publish_due_items() -> int:
    return services.do_publish_due()
