"""Pages of the integration outside the API (login links land here)."""

from django.urls import URLPattern

app_name = "integration"
urlpatterns: list[URLPattern] = []
