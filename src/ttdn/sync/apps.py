from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "ttdn.sync"
    label = "sync"
    verbose_name = "Sync"

    def ready(self) -> None:
        from ttdn.content import changes
        from ttdn.sync.hub.feed import record_changes

        # Every content write adds its items to the change feed, inside the same transaction.
        changes.on_items_changed(record_changes)
