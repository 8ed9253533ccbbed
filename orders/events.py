"""The orders app's entries in the event catalogue: what each code says, and whom it tells.

The words are rendered when shown, in the reader's language (gettext called then), with
moments and money through core.moments."""

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


def _split(data: Data) -> bool:
    """Whether refunds took some of a payout (older rows say neither)."""
    return bool(data.get("refunded")) and Decimal(data["refunded"]) != 0


def _amounts(data: Data) -> dict[str, str]:
    words = {"released": _money(data, "released")}
    if _split(data):
        words |= {"paid": _money(data, "paid"), "refunded": _money(data, "refunded")}
    return words


def _completed(data: Data) -> str:
    if _split(data):
        return _(
            "Protection period ended; %(released)s released to the seller (%(paid)s paid, "
            "%(refunded)s refunded)"
        ) % _amounts(data)
    return _("Protection period ended; %(released)s released to the seller") % _amounts(data)


def _completed_told(data: Data) -> str:
    if _split(data):
        return _(
            "Buyer protection ended with no dispute open: %(released)s is released to you "
            "(%(paid)s paid, %(refunded)s refunded)."
        ) % _amounts(data)
    return _("Buyer protection ended with no dispute open: %(released)s is released to you.") % (
        _amounts(data)
    )


def _received(data: Data) -> str:
    until = {"until": moment(parsed(data["protection_ends_at"]))}
    if data["automatic"]:
        return (
            _(
                "Receipt confirmed automatically: the delivery time limit ran out; protection open "
                "until %(until)s"
            )
            % until
        )
    return _("Receipt confirmed by the buyer; protection open until %(until)s") % until


def _shipped(data: Data) -> str:
    days = data["delivery_days"]
    return ngettext(
        "All goods shipped; delivery promised within %(days)s day, by %(date)s",
        "All goods shipped; delivery promised within %(days)s days, by %(date)s",
        days,
    ) % {"days": days, "date": day(parsed(data["promised_delivery_at"]))}


PLACED = event_kind(
    "orders.order.placed", lambda d: _("Order placed: %(total)s") % {"total": _money(d, "total")}
)
PAID = event_kind(
    "orders.order.paid",
    lambda d: (
        _("Payment received: %(amount)s (%(method)s)")
        % {"amount": _money(d, "amount"), "method": PaymentMethod(d["method"]).label}
    ),
)
CANCELLED = event_kind("orders.order.cancelled", lambda d: _("Order cancelled"))
PARCEL_SHIPPED = event_kind(
    "orders.parcel.shipped",
    lambda d: (
        _("Parcel shipped with %(carrier)s, tracking %(tracking)s")
        % {"carrier": Carrier(d["carrier"]).label, "tracking": d["tracking_number"]}
    ),
)
SHIPPED = event_kind("orders.order.shipped", _shipped)
RECEIVED = event_kind(
    "orders.order.received",
    _received,
    tell=lambda d: ["buyer"] if d["automatic"] else [],
    headline=lambda d: _("receipt confirmed automatically"),
    told=lambda d: (
        _(
            "The seller's delivery time limit ran out, so receipt was confirmed for you. If "
            "something is wrong with the order, you can open a dispute until %(until)s."
        )
        % {"until": moment(parsed(d["protection_ends_at"]))}
    ),
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
