from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "ttdn.documents"
    label = "documents"
    verbose_name = "Documents"
