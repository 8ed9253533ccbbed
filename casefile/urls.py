from django.urls import path

from . import views

app_name = "casefile"

urlpatterns = [
    path("disputes/<ref:dispute_ref>/case-file.json", views.case_file_json, name="json"),
    path("disputes/<ref:dispute_ref>/evidence.zip", views.case_file_evidence, name="evidence"),
]
