from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("buyer/orders/", views.buyer_orders, name="buyer_orders"),
    path("buyer/orders/new/", views.buyer_new_order, name="buyer_new_order"),
    path("buyer/orders/<str:reference>/", views.buyer_order_detail, name="buyer_order_detail"),
    path(
        "buyer/orders/<str:reference>/confirm-receipt/",
        views.buyer_confirm_receipt,
        name="buyer_confirm_receipt",
    ),
    path("seller/", views.seller_dashboard, name="seller_dashboard"),
    path("seller/orders/<str:reference>/", views.seller_order_detail, name="seller_order_detail"),
    path("seller/orders/<str:reference>/ship/", views.seller_ship, name="seller_ship"),
]
