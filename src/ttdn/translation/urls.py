from django.urls import path

from ttdn.translation import views

app_name = "translation"
urlpatterns = [
    path("", views.board_page, name="board"),
    path("items/<uuid:uid>/", views.item_languages, name="item"),
    path("items/<uuid:uid>/request/", views.request_jobs, name="request"),
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("jobs/<int:pk>/segments/<int:position>/", views.save_segment, name="segment"),
    path("jobs/<int:pk>/action/", views.job_action, name="job_action"),
    path("jobs/<int:pk>/xliff/", views.job_xliff, name="job_xliff"),
    path("jobs/<int:pk>/xliff/import/", views.job_xliff_import, name="job_xliff_import"),
    path("glossary/", views.glossary, name="glossary"),
    path("memory/", views.memory_page, name="memory"),
]
