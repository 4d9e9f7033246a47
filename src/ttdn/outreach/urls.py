from django.urls import URLPattern, path

from ttdn.outreach import views

app_name = "outreach"

urlpatterns: list[URLPattern] = [
    path("", views.campaigns, name="campaigns"),
    path("new", views.campaign_new, name="campaign_new"),
    path("preview", views.preview, name="preview"),
    path("<int:pk>/", views.campaign, name="campaign"),
    path("<int:pk>/figures", views.figures, name="figures"),
    path("<int:pk>/action", views.campaign_action, name="campaign_action"),
    path("<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("<int:pk>/order.<str:fmt>", views.area_order, name="area_order"),
    path("<int:pk>/area-results", views.area_results, name="area_results"),
    path("<int:pk>/voice", views.voice_make, name="voice_make"),
    path("<int:pk>/voice/upload", views.voice_upload, name="voice_upload"),
    path("<int:pk>/voice/<str:language>", views.voice_audio, name="voice_audio"),
    path("subscribers", views.subscribers, name="subscribers"),
    path("do-not-contact", views.do_not_contact, name="do_not_contact"),
]
