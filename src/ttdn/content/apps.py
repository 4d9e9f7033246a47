from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "ttdn.content"
    label = "content"
    verbose_name = "Content"
