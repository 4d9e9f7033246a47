from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "ttdn.portal"
    label = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from ttdn.content.changes import on_items_changed

        from . import queries, services, webhooks

        # Inside the transaction of every change: an alert whose item left the public is cancelled, and the
        # receiving systems' deliveries are queued (a failing listener rolls the change back).
        on_items_changed(services.cancel_gone)
        on_items_changed(webhooks.queue_changes)
        on_items_changed(queries.items_changed)
