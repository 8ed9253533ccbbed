from django.urls import path

from . import views

app_name = "arbitration"

urlpatterns = [
    path("arbitration/", views.queue, name="queue"),
    path("arbitration/disputes/<str:dispute_ref>/clocks/", views.case_clocks, name="case_clocks"),
]
