from django.urls import URLPattern, path

from ttdn.points import hub_views, views

app_name = "points"

urlpatterns: list[URLPattern] = [
    path("", views.devices, name="devices"),
    path("pair", views.pair, name="pair"),
    path("devices/<int:device_id>/revoke", views.revoke, name="revoke"),
    path("devices/<int:device_id>/rules", views.add_rule, name="add_rule"),
    path("devices/<int:device_id>/rules/remove", views.remove_rule, name="remove_rule"),
    path("conflicts/<int:conflict_id>/seen", views.conflict_seen, name="conflict_seen"),
    path("devices/<int:device_id>/pinned", views.set_pinned, name="set_pinned"),
    path("devices/<int:device_id>/slots", views.add_slot, name="add_slot"),
    path("devices/<int:device_id>/slots/remove", views.remove_slot, name="remove_slot"),
    path("bulletins", views.bulletin, name="bulletin"),
    path("player/", views.player, name="player"),
    path("player/start", views.player_start, name="player_start"),
    path("player/playlist", views.player_playlist, name="player_playlist"),
    path("player/alert", views.player_alert, name="player_alert"),
    path("player/heartbeat", views.player_heartbeat, name="player_heartbeat"),
    path("speaker/", views.speaker, name="speaker"),
    path("speaker/programme", views.speaker_programme, name="speaker_programme"),
    path("speaker/speech/<uuid:uid>/<str:lang>/<int:version>.mp3", views.speech, name="speech"),
    path("kiosk/", views.kiosk, name="kiosk"),
    path("kiosk/catalogue", views.kiosk_catalogue, name="kiosk_catalogue"),
    # The hub's side.
    path("hub/wake", hub_views.wake, name="hub_wake"),
    path("hub/bulletins", hub_views.hub_bulletins, name="hub_bulletins"),
    path("hub/bulletins/set", hub_views.hub_bulletin_set, name="hub_bulletin_set"),
    path("hub/bulletins/cancel", hub_views.hub_bulletin_cancel, name="hub_bulletin_cancel"),
    path("hub/devices/<int:device_id>/", hub_views.hub_device, name="hub_device"),
    path("hub/devices/<int:device_id>/edit", hub_views.hub_device_edit, name="hub_device_edit"),
]
