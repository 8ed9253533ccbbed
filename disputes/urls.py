"""The pages the disputes app serves alone. The "disputes" namespace is pages/urls/disputes.py:
it adds the seller's list, which can show the disputes behind a figure of their standing."""

from django.urls import path

from . import appeal_views, confirm_views, parcel_views, sandbox_views, views

urlpatterns = [
    path("buyer/orders/<ref:reference>/dispute/", views.open_dispute, name="open"),
    path("buyer/disputes/", views.buyer_list, name="buyer_list"),
    path("disputes/<ref:dispute_ref>/", views.detail, name="detail"),
    path("disputes/<ref:dispute_ref>/messages/", views.post_message, name="message"),
    path("disputes/<ref:dispute_ref>/modify/", views.modify, name="modify"),
    path("disputes/<ref:dispute_ref>/accept/", confirm_views.seller_accept, name="seller_accept"),
    path("disputes/<ref:dispute_ref>/reject/", views.reject, name="reject"),
    path(
        "disputes/<ref:dispute_ref>/offers/<int:offer_id>/accept/",
        confirm_views.accept_offer,
        name="accept_offer",
    ),
    path("disputes/<ref:dispute_ref>/escalate/", views.escalate, name="escalate"),
    path("disputes/<ref:dispute_ref>/appeal/", appeal_views.appeal, name="appeal"),
    path("disputes/<ref:dispute_ref>/rate/", views.rate, name="rate"),
    path("disputes/<ref:dispute_ref>/cancel/", confirm_views.cancel, name="cancel"),
    path("disputes/<ref:dispute_ref>/return/ship/", views.ship_return, name="ship_return"),
    path(
        "disputes/<ref:dispute_ref>/return/received/",
        views.confirm_return,
        name="confirm_return",
    ),
    path(
        "disputes/<ref:dispute_ref>/return/delivered/",
        parcel_views.record_return_delivery,
        name="record_return_delivery",
    ),
    path(
        "disputes/<ref:dispute_ref>/replacement/ship/",
        parcel_views.ship_replacement,
        name="ship_replacement",
    ),
    path(
        "disputes/<ref:dispute_ref>/replacement/received/",
        parcel_views.confirm_replacement,
        name="confirm_replacement",
    ),
    # Only in a sandbox deployment (settings.PARLEY_SANDBOX); refused with a 403 elsewhere.
    path("disputes/<ref:dispute_ref>/test-clock/", sandbox_views.test_clock, name="test_clock"),
    path("evidence/<uuid:public_id>/", views.evidence_file, name="evidence_file"),
    path("evidence/<uuid:public_id>/thumbnail/", views.evidence_thumbnail, name="evidence_thumb"),
]
