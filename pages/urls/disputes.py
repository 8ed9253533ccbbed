from django.urls import path

from disputes.urls import urlpatterns as disputes_own

from .. import views

app_name = "disputes"

urlpatterns = [
    *disputes_own,
    path("seller/disputes/", views.seller_disputes, name="seller_list"),
]
