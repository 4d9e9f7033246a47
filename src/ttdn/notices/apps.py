from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "ttdn.notices"
    label = "notices"
    verbose_name = "Notices"
