from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "ttdn.editorial"
    label = "editorial"
    verbose_name = "Editorial"
