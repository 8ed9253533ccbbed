"""The clocks of a return: the buyer ships it in time, the seller confirms it arrived."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import prefetch_related_objects

from core.moments import moment

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
        due = moment(due_at)
        if viewer == Party.BUYER:
            return f"If you do not ship the return by {due}, the dispute closes without a refund."
        return f"If the buyer does not ship the return by {due}, it closes in your favour."

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        days = dispute.policy.return_ship_days
        return (
            f"The {days} days to ship the return ended on {moment(due_at)}: "
            "the dispute closed without a refund."
        )


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
        prefetch_related_objects([dispute for dispute, _ in dues], "agreed_offer")
        return super().reads_many(dues, viewer)

    def reads(self, dispute: Dispute, due_at: datetime, viewer: str) -> str:
        assert dispute.agreed_offer is not None  # a return follows an agreed remedy
        money, buyer = dispute.agreed_offer.money, viewer == Party.BUYER
        who = "the seller does" if buyer else "you do"
        whom = "you are" if buyer else "the buyer is"
        due = moment(due_at)
        return f"If {who} not confirm the return by {due}, {whom} refunded {money} anyway."

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        days = dispute.policy.return_receipt_days
        return (
            f"The {days} days to confirm the return ended on {moment(due_at)}: "
            "the buyer's refund was paid."
        )
