"""Parcels a dispute sends: the seller's replacement and its receipt, and the returned
parcel's recorded delivery. Codes `disputes.replacement.*`, `disputes.return.delivered`, and
the clock's `disputes.rule.replacement_*` (data as in rules.py: `rule`, `due_at`, `ran_at`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.moments import moment, parsed
from core.timeline import Data, event_kind
from orders.models import Carrier

from ..models import DisputeState
from ._words import amount_of, both, full_stop, state


def _replacement_shipped(data: Data) -> str:
    return _(
        "Seller shipped the replacement with %(carrier)s, tracking %(tracking)s; delivery "
        "expected by %(when)s"
    ) % {
        "carrier": Carrier(data["carrier"]).label,
        "tracking": data["tracking_number"],
        "when": moment(parsed(data["delivery_by"])),
    }


def _replacement_received(data: Data) -> str:
    return _(
        "Buyer confirmed the replacement arrived: resolved by replacement; a new dispute about "
        "it can be opened until %(until)s"
    ) % {"until": moment(parsed(data["window_until"]))}


def _replacement_deemed(data: Data) -> str:
    return _(
        "The replacement's delivery time limit ran out: it is taken as received and the "
        "dispute is resolved by replacement; a new dispute about it can be opened until "
        "%(until)s"
    ) % {"until": moment(parsed(data["window_until"]))}


def _replacement_not_shipped(data: Data) -> str:
    days = data["days"]
    if data["amount"]:
        return ngettext(
            "The seller did not ship the replacement within %(days)s day: the refund of "
            "%(amount)s is paid",
            "The seller did not ship the replacement within %(days)s days: the refund of "
            "%(amount)s is paid",
            days,
        ) % {"days": days, "amount": amount_of(data)}
    return ngettext(
        "The seller did not ship the replacement within %(days)s day: nothing was left to refund",
        "The seller did not ship the replacement within %(days)s days: nothing was left to refund",
        days,
    ) % {"days": days}


# Who recorded a returned parcel's delivery (data["by"]; the seller when it is neither).
_RETURN_DELIVERED = {
    "staff": gettext_lazy(
        "Parley staff recorded the returned parcel's delivery on %(delivered)s; the return is "
        "to be confirmed by %(confirm_by)s"
    ),
    "carrier": gettext_lazy(
        "The carrier reported the returned parcel's delivery on %(delivered)s; the return is "
        "to be confirmed by %(confirm_by)s"
    ),
    "seller": gettext_lazy(
        "Seller confirmed the returned parcel's delivery on %(delivered)s; the return is to be "
        "confirmed by %(confirm_by)s"
    ),
}


def _return_delivered(data: Data) -> str:
    sentence = _RETURN_DELIVERED.get(data["by"], _RETURN_DELIVERED["seller"])
    return str(sentence) % {
        "delivered": moment(parsed(data["delivered_at"])),
        "confirm_by": moment(parsed(data["confirm_by"])),
    }


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
    headline=lambda d: _("resolved by replacement"),
    told=full_stop(_replacement_received),
)
REPLACEMENT_DEEMED_RECEIVED = event_kind(
    "disputes.rule.replacement_receipt",
    _replacement_deemed,
    tell=both,
    headline=lambda d: _("resolved by replacement"),
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
    headline=lambda d: _("the return was delivered"),
    told=full_stop(_return_delivered),
)
