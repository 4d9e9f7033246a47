from django.contrib import admin
from django.urls import include, path

from ttdn.api import api

urlpatterns = [
    path("accounts/", include("ttdn.accounts.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("ttdn.content.urls")),
]
