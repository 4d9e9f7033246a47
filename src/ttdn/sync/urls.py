from django.urls import URLPattern, URLResolver

app_name = "sync"

urlpatterns: list[URLPattern | URLResolver] = []
