from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "ttdn.places"
    label = "places"
    verbose_name = "Places"
