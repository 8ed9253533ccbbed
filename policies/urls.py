from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("policy/", views.policy_page, name="current"),
    path("policy/v<num:version>/", views.policy_page, name="version"),
]
