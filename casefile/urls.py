from django.urls import path

from . import pdf_views, views

app_name = "casefile"

urlpatterns = [
    path("disputes/<ref:dispute_ref>/case-file.json", views.case_file_json, name="json"),
    path("disputes/<ref:dispute_ref>/evidence.zip", views.case_file_evidence, name="evidence"),
    path("disputes/<ref:dispute_ref>/case-file.pdf", pdf_views.case_file_pdf_view, name="pdf"),
    path("disputes/<ref:dispute_ref>/case-file/", pdf_views.prepare_export, name="prepare"),
    path(
        "disputes/<ref:dispute_ref>/case-file/<uuid:public_id>/",
        pdf_views.export_page,
        name="export",
    ),
    path(
        "disputes/<ref:dispute_ref>/case-file/<uuid:public_id>/pdf/",
        pdf_views.export_download,
        name="export_download",
    ),
]
