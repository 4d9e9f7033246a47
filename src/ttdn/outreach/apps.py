from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "ttdn.outreach"
    label = "outreach"
    verbose_name = "Outreach"
