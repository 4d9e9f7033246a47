from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "ttdn.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from ttdn.content import changes
        from ttdn.search.services import index_pending, on_items_changed

        # The index follows every content write, inside its transaction (or right after, for deferring writers).
        changes.on_items_changed(on_items_changed)
        changes.on_catch_up(index_pending)
        post_migrate.connect(_index_existing_material, sender=self)


def _index_existing_material(sender: Any, using: str = "default", verbosity: int = 1, **kwargs: Any) -> None:
    """A database that had material before the search app arrived gets its index built once, and an index
    written by another version of the text pipeline (INDEX_FORMAT) is rebuilt: its tokens would not be the
    queries'."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from ttdn.content.models import Variant
    from ttdn.search.models import IndexInfo, SearchDocument
    from ttdn.search.services import INDEX_FORMAT, do_reindex_all

    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return  # migrated back, or part of the way: the index this code writes would not fit the schema
    if not Variant.objects.using(using).exists():
        return
    indexed = SearchDocument.objects.using(using).exists()
    stamp = IndexInfo.objects.using(using).filter(key="format").values_list("value", flat=True).first()
    if indexed and stamp == INDEX_FORMAT:
        return
    if verbosity:
        print("Xây lại chỉ mục tìm kiếm / rebuilding the search index", flush=True)
    do_reindex_all()
