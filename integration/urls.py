"""Pages of the integration outside the API (login links land here)."""

from django.urls import path

from . import views

app_name = "integration"
urlpatterns = [
    path("login-link/<str:token>/", views.login_link, name="login_link"),
]
