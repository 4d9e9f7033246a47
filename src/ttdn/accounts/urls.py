from django.urls import path

from ttdn.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("two-factor/", views.two_factor_view, name="two_factor"),
    path("logout/", views.logout_view, name="logout"),
    path("staff/", views.staff_view, name="staff"),
    path("staff/<int:pk>/", views.staff_user_view, name="staff_user"),
    path("staff/<int:pk>/roles/", views.staff_role_view, name="staff_role"),
    path("staff/<int:pk>/password/", views.staff_password_view, name="staff_password"),
    path("staff/<int:pk>/two-factor/reset/", views.staff_totp_reset_view, name="staff_totp_reset"),
    path("staff/<int:pk>/tokens/<int:token_id>/revoke/", views.staff_token_revoke_view, name="staff_token_revoke"),
    path("staff/<int:pk>/active/", views.staff_active_view, name="staff_active"),
]
