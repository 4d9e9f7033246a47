from django.urls import URLPattern, path

from ttdn.monitoring import views

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    path("", views.queue, name="queue"),
    path("stories/<int:pk>/", views.story, name="story"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("sources/", views.sources, name="sources"),
    path("sources/new", views.outlet_new, name="outlet_new"),
    path("sources/<int:pk>/", views.outlet_edit, name="outlet_edit"),
    path("sources/<int:pk>/delete", views.outlet_delete, name="outlet_delete"),
    path("sources/collections", views.collection_add, name="collection_add"),
    path("feeds/<int:pk>/resume", views.feed_resume, name="feed_resume"),
    path("watch/", views.watch_lists, name="watch_lists"),
    path("watch/<int:pk>/terms", views.term_add, name="term_add"),
    path("watch/<int:pk>/thresholds", views.thresholds, name="thresholds"),
    path("digest/", views.digest, name="digest"),
    path("digest.docx", views.digest_docx, name="digest_docx"),
    path("stories.csv", views.stories_csv, name="stories_csv"),
]
