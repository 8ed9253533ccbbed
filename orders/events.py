"""The orders app's entries in the event catalogue: what each code says, and whom it tells.

Words are rendered when shown (the reader's language and zone), from the data alone."""

from decimal import Decimal
from functools import cache

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.moments import day, moment, money, parsed
from core.timeline import Data, event_kind

from .models import Carrier, Order, PaymentMethod


def _money(data: Data, key: str) -> str:
    return money(Decimal(data[key]), data["currency"])


def _refunded(data: Data) -> bool:
    """Whether refunds took some of a payout (older rows do not say)."""
    return bool(data.get("refunded")) and Decimal(data["refunded"]) != 0


def _received(data: Data) -> str:
    until = moment(parsed(data["protection_ends_at"]))
    if data["automatic"]:
        return _(
            "Receipt confirmed automatically: the delivery time limit ran out; protection open "
            "until %(until)s"
        ) % {"until": until}
    return _("Receipt confirmed by the buyer; protection open until %(until)s") % {"until": until}


def _placed(data: Data) -> str:
    return _("Order placed: %(total)s") % {"total": _money(data, "total")}


def _paid(data: Data) -> str:
    return _("Payment received: %(amount)s (%(method)s)") % {
        "amount": _money(data, "amount"),
        "method": PaymentMethod(data["method"]).label,
    }


def _parcel_shipped(data: Data) -> str:
    return _("Parcel shipped with %(carrier)s, tracking %(tracking)s") % {
        "carrier": Carrier(data["carrier"]).label,
        "tracking": data["tracking_number"],
    }


def _shipped(data: Data) -> str:
    days = int(data["delivery_days"])
    return ngettext(
        "All goods shipped; delivery promised within %(days)d day, by %(day)s",
        "All goods shipped; delivery promised within %(days)d days, by %(day)s",
        days,
    ) % {"days": days, "day": day(parsed(data["promised_delivery_at"]))}


def _receipt_told(data: Data) -> str:
    return _(
        "The seller's delivery time limit ran out, so receipt was confirmed for you. If "
        "something is wrong with the order, you can open a dispute until %(until)s."
    ) % {"until": moment(parsed(data["protection_ends_at"]))}


def _completed(data: Data) -> str:
    values = {"released": _money(data, "released")}
    if _refunded(data):
        values |= {"paid": _money(data, "paid"), "refunded": _money(data, "refunded")}
        return (
            _(
                "Protection period ended; %(released)s released to the seller (%(paid)s paid, "
                "%(refunded)s refunded)"
            )
            % values
        )
    return _("Protection period ended; %(released)s released to the seller") % values


def _completed_told(data: Data) -> str:
    values = {"released": _money(data, "released")}
    if _refunded(data):
        values |= {"paid": _money(data, "paid"), "refunded": _money(data, "refunded")}
        return (
            _(
                "Buyer protection ended with no dispute open: %(released)s is released to you "
                "(%(paid)s paid, %(refunded)s refunded)."
            )
            % values
        )
    return _("Buyer protection ended with no dispute open: %(released)s is released to you.") % (
        values
    )


PLACED = event_kind("orders.order.placed", _placed)
PAID = event_kind("orders.order.paid", _paid)
CANCELLED = event_kind("orders.order.cancelled", lambda d: _("Order cancelled"))
PARCEL_SHIPPED = event_kind("orders.parcel.shipped", _parcel_shipped)
SHIPPED = event_kind("orders.order.shipped", _shipped)
RECEIVED = event_kind(
    "orders.order.received",
    _received,
    tell=lambda d: ["buyer"] if d["automatic"] else [],
    headline=lambda d: _("receipt confirmed automatically"),
    told=_receipt_told,
)
COMPLETED = event_kind(
    "orders.order.completed",
    _completed,
    tell=lambda d: ["seller"],
    headline=lambda d: _("payout released"),
    told=_completed_told,
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
