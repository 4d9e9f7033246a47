from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "ttdn.sync"
    label = "sync"
    verbose_name = "Sync"
