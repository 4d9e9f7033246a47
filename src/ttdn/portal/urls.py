from django.urls import path

from ttdn.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("feeds/<str:language>.atom", views.feed_atom, name="feed_atom"),
    path("feeds/<str:language>.json", views.feed_json, name="feed_json"),
    path("ninjs/<str:language>/<uuid:uid>.json", views.ninjs_item, name="ninjs"),
    path("search/", views.search_page, name="search"),
    path("widget/<str:language>/", views.widget, name="widget"),
    path("<str:language>/items/<uuid:uid>/", views.item_page, name="item_bare"),
    path("<str:language>/items/<uuid:uid>/<slug:slug_text>/", views.item_page, name="item"),
]
