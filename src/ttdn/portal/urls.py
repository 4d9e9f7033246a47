from django.urls import path

from ttdn.portal import pages, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("feeds/<str:language>.atom", views.feed_atom, name="feed_atom"),
    path("feeds/<str:language>.json", views.feed_json, name="feed_json"),
    path("feeds/<str:language>/<path:segments>.atom", views.feed_atom_path, name="feed_atom_path"),
    path("feeds/<str:language>/<path:segments>.json", views.feed_json_path, name="feed_json_path"),
    path("ninjs/<str:language>/<uuid:uid>.json", views.ninjs_item, name="ninjs"),
    path("search/", views.search_page, name="search"),
    path("cap/alerts.atom", views.cap_index, name="cap_index"),
    path("cap/<str:identifier>.xml", views.cap_message, name="cap_message"),
    path("alerts/", pages.alerts, name="alerts"),
    path("alerts/<uuid:uid>/", pages.alert_form, name="alert_form"),
    path("alerts/<uuid:uid>/cancel/", pages.alert_cancel, name="alert_cancel"),
    path("cap/senders/", pages.senders, name="senders"),
    path("widget/<str:language>/", views.widget, name="widget"),
    path("<str:language>/items/<uuid:uid>/", views.item_page, name="item_bare"),
    path("<str:language>/items/<uuid:uid>/<slug:slug_text>/", views.item_page, name="item"),
]
