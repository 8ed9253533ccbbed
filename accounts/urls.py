from django.contrib.auth import views as auth_views
from django.urls import path

from core.ratelimit import rate_limited

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        # Attempts per client address; axes locks one account per (account, address).
        rate_limited("logins")(views.SignInView.as_view()),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/", views.account, name="account"),
    path("accounts/language/", views.switch_language, name="switch_language"),
]
