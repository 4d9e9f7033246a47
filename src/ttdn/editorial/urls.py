from django.urls import path

from ttdn.editorial import views

app_name = "editorial"
urlpatterns = [
    path("items/<uuid:uid>/appraise/", views.appraise, name="appraise"),
    path("items/<uuid:uid>/schedule/", views.schedule, name="schedule"),
    path("items/<uuid:uid>/schedule/cancel/", views.schedule_cancel, name="schedule_cancel"),
    path("opinions/<int:pk>/", views.opinion_print, name="opinion"),
    path("opinions/<int:pk>/docx/", views.opinion_docx, name="opinion_docx"),
]
