from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "ttdn.portal"
    label = "portal"
    verbose_name = "Portal"
