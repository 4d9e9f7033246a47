from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "ttdn.points"
    label = "points"
    verbose_name = "Information points"
