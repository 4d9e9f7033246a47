from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "ttdn.editorial"
    label = "editorial"
    verbose_name = "Editorial"

    def ready(self) -> None:
        from ttdn.editorial import services  # noqa: F401  (registers the editorial notice kinds)
