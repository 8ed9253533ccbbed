from django.urls import path

from . import views

app_name = "arbitration"

urlpatterns = [
    path("arbitration/", views.queue, name="queue"),
    path("arbitration/next/", views.take_next, name="take_next"),
    path("arbitration/metrics/", views.metrics, name="metrics"),
    path("arbitration/disputes/<ref:dispute_ref>/", views.case, name="case"),
    path("arbitration/disputes/<ref:dispute_ref>/release/", views.release, name="release"),
    path("arbitration/disputes/<ref:dispute_ref>/reassign/", views.reassign, name="reassign"),
    path("arbitration/disputes/<ref:dispute_ref>/rule/", views.rule, name="rule"),
    path(
        "arbitration/disputes/<ref:dispute_ref>/evidence/",
        views.request_evidence,
        name="request_evidence",
    ),
    path(
        "arbitration/disputes/<ref:dispute_ref>/appeal/", views.decide_appeal, name="decide_appeal"
    ),
    path("arbitration/disputes/<ref:dispute_ref>/clocks/", views.case_clocks, name="case_clocks"),
    # Only in a sandbox deployment (settings.PARLEY_SANDBOX); refused with a 403 elsewhere.
    path("arbitration/disputes/<ref:dispute_ref>/test-clock/", views.test_clock, name="test_clock"),
    path(
        "arbitration/disputes/<ref:dispute_ref>/return-delivered/",
        views.record_return_delivery,
        name="record_return_delivery",
    ),
]
