"""Reads scoped to who asks: a buyer sees only their orders, a seller only their store's."""

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts.models import User

from .models import Order, OrderEvent, OrderState, Parcel, Store


def _with_details(qs: QuerySet[Order]) -> QuerySet[Order]:
    # A correlated count (evaluated for the page's rows only), not a JOIN + GROUP BY over
    # every order of the list.
    parcels = (
        Parcel.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(n=Count("id"))
        .values("n")
    )
    # Lines prefetched: lists name each order's items (`Order.items_label`) in one query.
    return (
        qs.select_related("store", "buyer", "policy")
        .prefetch_related("lines")
        .annotate(parcel_count=Coalesce(Subquery(parcels), 0))
    )


def buyer_orders(user: User) -> QuerySet[Order]:
    return _with_details(Order.objects.filter(buyer=user)).order_by("-placed_at", "-id")


def buyer_order(user: User, reference: str) -> Order:
    return get_object_or_404(_order_detail_qs().filter(buyer=user), reference=reference)


def seller_orders_to_ship(user: User) -> QuerySet[Order]:
    """Paid and not yet fully shipped, the longest-waiting first."""
    return _with_details(
        Order.objects.filter(store_id=user.store.pk, state=OrderState.PAID)
    ).order_by("paid_at", "id")


def seller_orders_shipped(user: User) -> QuerySet[Order]:
    states = [OrderState.SHIPPED, OrderState.RECEIVED, OrderState.COMPLETED]
    return _with_details(Order.objects.filter(store_id=user.store.pk, state__in=states)).order_by(
        "-all_shipped_at", "-id"
    )


def seller_order(user: User, reference: str) -> Order:
    return get_object_or_404(_order_detail_qs().filter(store__owner=user), reference=reference)


def _order_detail_qs() -> QuerySet[Order]:
    # Each event with its actor in the same query (a prefetch of `events__actor` takes two).
    events = Prefetch("events", queryset=OrderEvent.objects.select_related("actor"))
    return Order.objects.select_related("store", "buyer", "policy", "payment").prefetch_related(
        "lines", "parcels", events
    )


def store_of(user: User) -> Store:
    """The seller's own store (a seller without one gets a 404)."""
    return get_object_or_404(Store, owner=user)
