from django.urls import path

from . import views

app_name = "arbitration"

urlpatterns = [
    path("arbitration/", views.queue, name="queue"),
]
