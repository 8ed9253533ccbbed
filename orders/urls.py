"""The pages the orders app serves alone. The "orders" namespace is pages/urls/orders.py: it
adds the order pages that show disputes too (a floor up, because they read disputes)."""

from django.urls import path

from . import views

urlpatterns = [
    path("buyer/orders/", views.buyer_orders, name="buyer_orders"),
    path("buyer/orders/new/", views.buyer_new_order, name="buyer_new_order"),
    path(
        "buyer/orders/<ref:reference>/confirm-receipt/",
        views.buyer_confirm_receipt,
        name="buyer_confirm_receipt",
    ),
    path("seller/orders/<ref:reference>/ship/", views.seller_ship, name="seller_ship"),
    path("seller/store/", views.seller_store, name="seller_store"),
]
