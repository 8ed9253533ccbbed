"""The clocks of a replacement: the seller ships it in time, the buyer's receipt follows."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.moments import moment, money
from core.money import Money

from .. import ledger
from ..claims import claim_cap
from ..models import ClaimedLine, DeadlineKind, Dispute, DisputeState, Party
from .base import Clock, registered


def replacement_refund(dispute: Dispute) -> Money:
    """What the buyer is refunded when the replacement is not shipped in time: the value at
    issue. A replacement offer names no amount, so it is what the agreed offer says if it
    says one, else the value of the items the claim is about; never more than is still
    refundable on the order."""
    return replacement_refunds([dispute])[dispute.pk]


def replacement_refunds(disputes: Sequence[Dispute]) -> dict[int, Money]:
    """`replacement_refund` of many disputes at once, by dispute id (a few queries however
    many: what each reads is loaded for all)."""
    claimed = Prefetch("claimed_lines", queryset=ClaimedLine.objects.select_related("line"))
    prefetch_related_objects(list(disputes), "agreed_offer", "order__lines", claimed)
    lefts = ledger.refundable_amounts([dispute.order for dispute in disputes])
    refunds = {}
    for dispute in disputes:
        left, offer = lefts[dispute.order_id], dispute.agreed_offer
        value = offer.money if offer is not None and offer.money is not None else None
        value = value or claim_cap(dispute.order, dispute.claimed_items)
        refunds[dispute.pk] = left if value is None else min(value, left, key=lambda m: m.amount)
    return refunds


def replacement_delivery_days(dispute: Dispute) -> int:
    """The replacement's delivery time limit: the seller's, else the order's own."""
    return dispute.replacement_delivery_days or dispute.order.delivery_days or 0


@registered
class ReplacementShipment(Clock):
    """The seller ships an agreed or ruled replacement, with tracking, within the policy's
    days; if not, the buyer is refunded for the items at issue."""

    kind = DeadlineKind.REPLACEMENT_SHIPMENT
    reminds = Party.SELLER
    at_zero = "dispute_refund_unshipped_replacement_many"

    def due(self, dispute: Dispute) -> datetime | None:
        if dispute.state != DisputeState.AWAITING_REPLACEMENT:
            return None
        assert dispute.agreed_at is not None  # a replacement follows an agreement or a ruling
        return dispute.agreed_at + timedelta(days=dispute.policy.replacement_ship_days)

    def reads(self, dispute: Dispute, due_at: datetime, viewer: str) -> str:
        return self.reads_many([(dispute, due_at)], viewer)[0]

    def reads_many(self, dues: Sequence[tuple[Dispute, datetime]], viewer: str) -> list[str]:
        refunds = replacement_refunds([dispute for dispute, _due in dues])
        return [self._reads(refunds[dispute.pk], due_at, viewer) for dispute, due_at in dues]

    def _reads(self, refund: Money, due_at: datetime, viewer: str) -> str:
        if viewer == Party.BUYER:
            sentence = _(
                "If the seller does not ship the replacement by %(when)s, you are refunded "
                "%(amount)s."
            )
        else:
            sentence = _(
                "Ship the replacement with a tracking number by %(when)s; if you do not, the "
                "buyer is refunded %(amount)s."
            )
        return sentence % {"when": moment(due_at), "amount": money(refund.amount, refund.currency)}

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        days = dispute.policy.replacement_ship_days
        return ngettext(
            "The %(days)s day to ship the replacement ended on %(when)s: the buyer's refund was "
            "paid instead.",
            "The %(days)s days to ship the replacement ended on %(when)s: the buyer's refund was "
            "paid instead.",
            days,
        ) % {"days": days, "when": moment(due_at)}


@registered
class ReplacementReceipt(Clock):
    """The buyer confirms the replacement arrived; at its delivery time limit receipt is
    confirmed for them (as an order's is), and the dispute closes resolved by replacement."""

    kind = DeadlineKind.REPLACEMENT_RECEIPT
    at_zero = "dispute_confirm_replacement_receipt_many"

    def due(self, dispute: Dispute) -> datetime | None:
        if dispute.state != DisputeState.REPLACEMENT_IN_TRANSIT:
            return None
        assert dispute.replacement_shipped_at is not None  # in transit since it was shipped
        days = replacement_delivery_days(dispute)
        return dispute.replacement_shipped_at + timedelta(days=days)

    def reads(self, dispute: Dispute, due_at: datetime, viewer: str) -> str:
        if viewer == Party.BUYER:
            sentence = _(
                "Confirm when the replacement arrives; if you have not by %(when)s, it is "
                "taken as received. Tell the seller, or open a new dispute, if it is not right."
            )
        else:
            sentence = _(
                "If the buyer does not confirm receipt by %(when)s, it is taken as received."
            )
        return sentence % {"when": moment(due_at)}

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        return _(
            "The replacement's delivery time limit ended on %(when)s: it was taken as received "
            "and the dispute closed."
        ) % {"when": moment(due_at)}
