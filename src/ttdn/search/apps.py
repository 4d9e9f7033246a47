from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "ttdn.search"
    label = "search"
    verbose_name = "Search"
