"""Background work for search: the impact index rebuilt once enough material changed (run by `ttdn worker`)."""

from __future__ import annotations

from django_tasks import task

from ttdn.core.registry import periodic
from ttdn.search import services


@task()
def rebuild_impact_index() -> int:
    return services.do_rebuild_impact_index_if_changed()


# Every ten minutes; rebuilt only once enough material changed.
periodic(rebuild_impact_index, every=600)
