from django.apps import AppConfig


class TranslationConfig(AppConfig):
    name = "ttdn.translation"
    label = "translation"
    verbose_name = "Translation desk"

    def ready(self) -> None:
        from ttdn.content import changes
        from ttdn.translation import (
            notices,  # noqa: F401  (registers the desk's notice kinds)
            services,
        )

        # A change to an item's source marks the changed segments of its jobs stale, in the same transaction.
        changes.on_items_changed(services.follow_source_changes)
