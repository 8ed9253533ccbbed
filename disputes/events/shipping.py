"""Parcels a dispute sends: the seller's replacement and its receipt, and the returned
parcel's recorded delivery. Codes `disputes.replacement.*`, `disputes.return.delivered`, and
the clock's `disputes.rule.replacement_*` (data as in rules.py: `rule`, `due_at`, `ran_at`)."""

from core.moments import moment, parsed
from core.timeline import Data, event_kind
from orders.models import Carrier

from ..models import DisputeState
from ._words import both, full_stop, state


def _money(data: Data) -> str:
    return f"{data['amount']} {data['currency']}"


def _replacement_shipped(data: Data) -> str:
    carrier = Carrier(data["carrier"]).label
    return (
        f"Seller shipped the replacement with {carrier}, tracking {data['tracking_number']}; "
        f"delivery expected by {moment(parsed(data['delivery_by']))}"
    )


def _window(data: Data) -> str:
    return f"a new dispute about it can be opened until {moment(parsed(data['window_until']))}"


def _replacement_received(data: Data) -> str:
    return f"Buyer confirmed the replacement arrived: resolved by replacement; {_window(data)}"


def _replacement_deemed(data: Data) -> str:
    return (
        "The replacement's delivery time limit ran out: it is taken as received and the "
        f"dispute is resolved by replacement; {_window(data)}"
    )


def _replacement_not_shipped(data: Data) -> str:
    refund = (
        f"the refund of {_money(data)} is paid" if data["amount"] else "nothing was left to refund"
    )
    return f"The seller did not ship the replacement within {data['days']} days: {refund}"


def _return_delivered(data: Data) -> str:
    who = {"staff": "Parley staff recorded", "carrier": "The carrier reported"}.get(
        data["by"], "Seller confirmed"
    )
    return (
        f"{who} the returned parcel's delivery on {moment(parsed(data['delivered_at']))}; "
        f"the return is to be confirmed by {moment(parsed(data['confirm_by']))}"
    )


REPLACEMENT_SHIPPED = event_kind(
    "disputes.replacement.shipped",
    _replacement_shipped,
    tell=both,
    headline=lambda d: state(DisputeState.REPLACEMENT_IN_TRANSIT),
    told=full_stop(_replacement_shipped),
)
REPLACEMENT_RECEIVED = event_kind(
    "disputes.replacement.received",
    _replacement_received,
    tell=both,
    headline=lambda d: "resolved by replacement",
    told=full_stop(_replacement_received),
)
REPLACEMENT_DEEMED_RECEIVED = event_kind(
    "disputes.rule.replacement_receipt",
    _replacement_deemed,
    tell=both,
    headline=lambda d: "resolved by replacement",
    told=full_stop(_replacement_deemed),
)
REPLACEMENT_NOT_SHIPPED = event_kind(
    "disputes.rule.replacement_not_shipped",
    _replacement_not_shipped,
    tell=both,
    headline=lambda d: state(DisputeState.RESOLVED),
    told=full_stop(_replacement_not_shipped),
)
RETURN_DELIVERED = event_kind(
    "disputes.return.delivered",
    _return_delivered,
    tell=both,
    headline=lambda d: "the return was delivered",
    told=full_stop(_return_delivered),
)
