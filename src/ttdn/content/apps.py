from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "ttdn.content"
    label = "content"
    verbose_name = "Content"

    def ready(self) -> None:
        from ttdn.content import notices  # noqa: F401  (registers the content notice kinds)
