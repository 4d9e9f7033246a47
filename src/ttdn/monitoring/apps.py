from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "ttdn.monitoring"
    label = "monitoring"
    verbose_name = "Press monitoring"

    def ready(self) -> None:
        from ttdn.content import changes
        from ttdn.monitoring import alerts  # noqa: F401  (registers the notice kinds)
        from ttdn.monitoring.services import on_items_changed

        # A response item published closes its story's loop.
        changes.on_items_changed(on_items_changed)
