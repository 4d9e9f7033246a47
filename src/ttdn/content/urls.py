from django.urls import path, re_path

from ttdn.content import revision_views, views

app_name = "content"

_SHA256 = r"(?P<sha256>[0-9a-f]{64})"

urlpatterns = [
    path("", views.home, name="home"),
    path("my-work/", views.my_work, name="my_work"),
    path("published/", views.published, name="published"),
    path("appraisal/", views.appraisal_queue, name="appraisal_queue"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<uuid:uid>/", views.item_detail, name="item_detail"),
    path("items/<uuid:uid>/edit/", views.item_edit, name="item_edit"),
    path("items/<uuid:uid>/transition/<slug:action>/", views.transition, name="transition"),
    path("items/<uuid:uid>/variants/", views.variant_add, name="variant_add"),
    path("items/<uuid:uid>/variants/<str:lang>/", views.variant_edit, name="variant_edit"),
    path("items/<uuid:uid>/variants/<str:lang>/delete/", views.variant_delete, name="variant_delete"),
    path("items/<uuid:uid>/variants/<str:lang>/revisions/", revision_views.revisions, name="revisions"),
    path("items/<uuid:uid>/variants/<str:lang>/revisions/<int:number>/restore/", revision_views.revision_restore,
         name="revision_restore"),
    path("items/<uuid:uid>/attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    re_path(rf"^files/{_SHA256}/$", views.file_download, name="file"),
    re_path(rf"^files/{_SHA256}/thumb/$", views.file_thumb, name="file_thumb"),
]
