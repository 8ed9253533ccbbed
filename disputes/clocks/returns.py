"""The clocks of a return: the buyer ships it in time, the seller confirms it arrived."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.moments import moment, money

from ..models import DeadlineKind, Dispute, DisputeState, Party
from .base import Clock, registered


def return_delivered(dispute: Dispute) -> datetime:
    """When the returned parcel counts as delivered: its recorded delivery, else its shipment
    plus the policy's return transit allowance."""
    if dispute.return_delivered_at is not None:
        return dispute.return_delivered_at
    assert dispute.return_shipped_at is not None  # in transit since the buyer shipped it
    return dispute.return_shipped_at + timedelta(days=dispute.policy.return_transit_days)


@registered
class ReturnShipment(Clock):
    """The buyer ships an agreed return within the policy's days, or the dispute closes in
    the seller's favour without a refund."""

    kind = DeadlineKind.RETURN_SHIPMENT
    reminds = Party.BUYER
    at_zero = "dispute_close_unshipped_return_many"

    def due(self, dispute: Dispute) -> datetime | None:
        if dispute.state != DisputeState.AWAITING_RETURN:
            return None
        assert dispute.agreed_at is not None  # a return follows an agreement or a ruling
        return dispute.agreed_at + timedelta(days=dispute.policy.return_ship_days)

    def reads(self, dispute: Dispute, due_at: datetime, viewer: str) -> str:
        if viewer == Party.BUYER:
            sentence = _(
                "If you do not ship the return by %(when)s, the dispute closes without a refund."
            )
        else:
            sentence = _(
                "If the buyer does not ship the return by %(when)s, it closes in your favour."
            )
        return sentence % {"when": moment(due_at)}

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        days = dispute.policy.return_ship_days
        return ngettext(
            "The %(days)s day to ship the return ended on %(when)s: the dispute closed without "
            "a refund.",
            "The %(days)s days to ship the return ended on %(when)s: the dispute closed without "
            "a refund.",
            days,
        ) % {"days": days, "when": moment(due_at)}


@registered
class ReturnReceipt(Clock):
    """The seller confirms the returned item arrived within the policy's days of its recorded
    delivery, or the buyer is refunded anyway. With no delivery recorded, the return is deemed
    delivered at its shipment plus the policy's return transit allowance."""

    kind = DeadlineKind.RETURN_RECEIPT
    reminds = Party.SELLER
    at_zero = "dispute_refund_unconfirmed_return_many"

    def due(self, dispute: Dispute) -> datetime | None:
        if dispute.state != DisputeState.RETURN_IN_TRANSIT:
            return None
        return return_delivered(dispute) + timedelta(days=dispute.policy.return_receipt_days)

    def reads_many(self, dues: Sequence[tuple[Dispute, datetime]], viewer: str) -> list[str]:
        prefetch_related_objects([dispute for dispute, _due in dues], "agreed_offer")
        return super().reads_many(dues, viewer)

    def reads(self, dispute: Dispute, due_at: datetime, viewer: str) -> str:
        offer = dispute.agreed_offer
        assert offer is not None and offer.amount is not None  # an agreed return and refund
        if viewer == Party.BUYER:
            sentence = _(
                "If the seller does not confirm the return by %(when)s, you are refunded "
                "%(amount)s anyway."
            )
        else:
            sentence = _(
                "If you do not confirm the return by %(when)s, the buyer is refunded %(amount)s "
                "anyway."
            )
        return sentence % {"when": moment(due_at), "amount": money(offer.amount, offer.currency)}

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        days = dispute.policy.return_receipt_days
        return ngettext(
            "The %(days)s day to confirm the return ended on %(when)s: the buyer's refund was "
            "paid.",
            "The %(days)s days to confirm the return ended on %(when)s: the buyer's refund was "
            "paid.",
            days,
        ) % {"days": days, "when": moment(due_at)}
