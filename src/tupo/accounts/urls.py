from django.urls import path

from tupo.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.otp_verify, name="otp_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_view, name="password"),
    path("two-factor/", views.otp_setup, name="otp_setup"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.users, name="users"),
    path("users/<int:pk>/active/", views.user_active, name="user_active"),
    path("users/<int:pk>/password/", views.user_reset_password, name="user_reset_password"),
    path("roles/", views.grants, name="grants"),
    path("roles/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("policy/", views.policy, name="policy"),
    path("policy/unlock/", views.unlock, name="unlock"),
]
