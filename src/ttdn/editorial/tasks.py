"""Background work: publishing scheduled material when its time comes."""

from __future__ import annotations

from django_tasks import task

from ttdn.core.registry import periodic
from ttdn.editorial import services


@task()
def publish_due_items() -> int:
    return services.do_publish_due()


# At every sweep of `ttdn worker`, before the expiry sweep (as the worker did before the registry).
periodic(publish_due_items, order=10)
