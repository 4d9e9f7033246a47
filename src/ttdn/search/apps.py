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


def _index_existing_material(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """A database that had material before the search app arrived gets its index built once."""
    from ttdn.content.models import Variant
    from ttdn.search.models import SearchDocument
    from ttdn.search.services import do_reindex_all

    if not SearchDocument.objects.using(using).exists() and Variant.objects.using(using).exists():
        do_reindex_all()
