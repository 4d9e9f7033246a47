from django.urls import URLPattern, URLResolver, path, re_path

from ttdn.sync.hub import revoke_views, views

app_name = "sync"

urlpatterns: list[URLPattern | URLResolver] = [
    path("enroll", views.enroll, name="enroll"),
    path("uplink", views.uplink, name="uplink"),
    path("feed", views.feed_view, name="feed"),
    path("records", views.records, name="records"),
    path("chunks", views.chunks, name="chunks"),
    re_path(r"^chunks/(?P<sha>[0-9a-f]{64})$", views.chunk, name="chunk"),
    path("nodes/", views.dashboard, name="dashboard"),
    path("nodes/<uuid:uid>/revoke/", revoke_views.node_revoke, name="node_revoke"),
    path("nodes/codes/", views.issue_code, name="issue_code"),
]
