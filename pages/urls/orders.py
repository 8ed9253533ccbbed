from django.urls import path

from orders.urls import urlpatterns as orders_own

from .. import views

app_name = "orders"

urlpatterns = [
    # First: "buyer/orders/new/" must match before "buyer/orders/<ref:reference>/".
    *orders_own,
    path("buyer/orders/<ref:reference>/", views.buyer_order_detail, name="buyer_order_detail"),
    path("seller/", views.seller_dashboard, name="seller_dashboard"),
    path("seller/orders/<ref:reference>/", views.seller_order_detail, name="seller_order_detail"),
]
