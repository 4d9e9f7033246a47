from django.urls import path

from ttdn.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("read/", views.mark_read, name="mark_read"),
    path("settings/", views.preferences, name="preferences"),
    path("<int:pk>/open/", views.notice_open, name="open"),
]
