from django.urls import URLPattern, path

from ttdn.points import views

app_name = "points"

urlpatterns: list[URLPattern] = [
    path("", views.devices, name="devices"),
    path("pair", views.pair, name="pair"),
    path("devices/<int:device_id>/revoke", views.revoke, name="revoke"),
    path("devices/<int:device_id>/rules", views.add_rule, name="add_rule"),
    path("devices/<int:device_id>/pinned", views.set_pinned, name="set_pinned"),
    path("bulletins", views.bulletin, name="bulletin"),
    path("player/", views.player, name="player"),
    path("player/start", views.player_start, name="player_start"),
    path("player/playlist", views.player_playlist, name="player_playlist"),
    path("player/alert", views.player_alert, name="player_alert"),
    path("player/heartbeat", views.player_heartbeat, name="player_heartbeat"),
]
