from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "ttdn.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from ttdn.documents import checks  # noqa: F401  (registers the deploy check)
