"""The orders app's entries in the event catalogue: what each code says, and whom it tells."""

from decimal import Decimal
from functools import cache

from django.urls import reverse

from core.moments import day, moment, parsed
from core.money import Money
from core.timeline import Data, event_kind

from .models import Carrier, Order, PaymentMethod


def _money(data: Data, key: str) -> Money:
    return Money(Decimal(data[key]), data["currency"])


def _of_paid(data: Data) -> str:
    """How a payout was reached, when refunds took some of it (older rows say neither)."""
    if not data.get("refunded") or Decimal(data["refunded"]) == 0:
        return ""
    return f" ({_money(data, 'paid')} paid, {_money(data, 'refunded')} refunded)"


def _received(data: Data) -> str:
    who = "automatically: the delivery time limit ran out" if data["automatic"] else "by the buyer"
    until = moment(parsed(data["protection_ends_at"]))
    return f"Receipt confirmed {who}; protection open until {until}"


PLACED = event_kind("orders.order.placed", lambda d: f"Order placed: {_money(d, 'total')}")
PAID = event_kind(
    "orders.order.paid",
    lambda d: f"Payment received: {_money(d, 'amount')} ({PaymentMethod(d['method']).label})",
)
CANCELLED = event_kind("orders.order.cancelled", lambda d: "Order cancelled")
PARCEL_SHIPPED = event_kind(
    "orders.parcel.shipped",
    lambda d: f"Parcel shipped with {Carrier(d['carrier']).label}, tracking {d['tracking_number']}",
)
SHIPPED = event_kind(
    "orders.order.shipped",
    lambda d: (
        f"All goods shipped; delivery promised within {d['delivery_days']} days, "
        f"by {day(parsed(d['promised_delivery_at']))}"
    ),
)
RECEIVED = event_kind(
    "orders.order.received",
    _received,
    tell=lambda d: ["buyer"] if d["automatic"] else [],
    headline=lambda d: "receipt confirmed automatically",
    told=lambda d: (
        "The seller's delivery time limit ran out, so receipt was confirmed for you. "
        "If something is wrong with the order, you can open a dispute until "
        f"{moment(parsed(d['protection_ends_at']))}."
    ),
)
COMPLETED = event_kind(
    "orders.order.completed",
    lambda d: (
        f"Protection period ended; {_money(d, 'released')} released to the seller{_of_paid(d)}"
    ),
    tell=lambda d: ["seller"],
    headline=lambda d: "payout released",
    told=lambda d: (
        f"Buyer protection ended with no dispute open: {_money(d, 'released')} is released to you"
        f"{_of_paid(d)}."
    ),
)


@cache
def _url_templates() -> dict[str, str]:
    # Formatted, not reversed, per note: the engine writes thousands at a time.
    kwargs = {"reference": "REFERENCE"}
    return {
        "buyer": reverse("orders:buyer_order_detail", kwargs=kwargs),
        "seller": reverse("orders:seller_order_detail", kwargs=kwargs),
    }


def audience(order: Order) -> dict[str, tuple[int, str]]:
    """Who hears of an order's acts, and the page each one is sent to."""
    urls = {
        party: url.replace("REFERENCE", order.reference) for party, url in _url_templates().items()
    }
    return {
        "buyer": (order.buyer_id, urls["buyer"]),
        "seller": (order.store.owner_id, urls["seller"]),
    }
