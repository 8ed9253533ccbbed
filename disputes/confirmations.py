"""What a party's act that cannot be undone will do, in words and exact amounts, for the
confirm step (core.confirm). Pure reads: the act itself decides again when it is confirmed."""

from core.confirm import Confirmation
from core.moments import moment
from core.money import Money

from . import ledger
from .clocks.replacement import replacement_refund
from .models import Dispute, DisputeState, Offer, Remedy


def _refund_words(offer: Offer, *, to: str, arrival_days: int) -> str:
    return (
        f"{offer.money} is refunded to {to} original payment method; it takes up to "
        f"{arrival_days} business days to arrive."
    )


def _return_words(dispute: Dispute, offer: Offer, *, who: str) -> str:
    policy = dispute.policy
    return (
        f"{who} the item back with tracking within {policy.return_ship_days} days. "
        f"{offer.money} is refunded once the seller confirms it arrived, or automatically "
        f"{policy.return_receipt_days} days after it is delivered."
    )


def replacement_words(dispute: Dispute, *, to: str) -> list[str]:
    """A replacement agreed or ruled: shipped within the policy's days, or the value at issue
    refunded instead (what `replacement_refund` pays when the clock runs out)."""
    days = dispute.policy.replacement_ship_days
    return [
        f"The seller ships a replacement with tracking within {days} days; no money is "
        "refunded for it.",
        f"If it is not shipped in time, {replacement_refund(dispute)} is refunded to {to} "
        "original payment method instead.",
        "The dispute closes when the replacement arrives.",
    ]


def _kept(dispute: Dispute, offer: Offer) -> str:
    """What the seller keeps of the payment after this refund."""
    refundable = ledger.refundable_amount(dispute.order)
    left = refundable - offer.money if offer.money else refundable
    return f"The seller keeps {left} of the {ledger.paid_amount(dispute.order)} paid."


def _carried_out(dispute: Dispute, offer: Offer, *, buyer_view: bool) -> list[str]:
    """What happens when `offer` is agreed, as the buyer or the seller reads it."""
    arrival = dispute.policy.refund_arrival_business_days
    if offer.remedy == Remedy.REPLACEMENT:
        return replacement_words(dispute, to="your" if buyer_view else "the buyer's")
    if offer.needs_return:
        who = "You send" if buyer_view else "The buyer sends"
        return [_return_words(dispute, offer, who=who), _kept(dispute, offer)]
    to = "your" if buyer_view else "the buyer's"
    return [
        _refund_words(offer, to=to, arrival_days=arrival),
        _kept(dispute, offer),
        "The dispute closes.",
    ]


def seller_accepts(dispute: Dispute, claim: Offer) -> Confirmation:
    return Confirmation(
        act=f"accept the buyer's claim: {claim.describe()}",
        consequences=_carried_out(dispute, claim, buyer_view=False),
        confirm_label=f"Yes, accept: {claim.describe()}",
        carried=[("offer", str(claim.pk))],
    )


def buyer_accepts(dispute: Dispute, offer: Offer, claim: Offer | None) -> Confirmation:
    lines = _carried_out(dispute, offer, buyer_view=True)
    if claim is not None:
        lines.append(
            f"Your own claim ({claim.describe()}) is no longer on the table: you cannot ask "
            "for more in this dispute afterwards."
        )
    return Confirmation(
        act=f"accept the seller's offer: {offer.describe()}",
        consequences=lines,
        confirm_label=f"Yes, accept: {offer.describe()}",
    )


def _refunded_here(dispute: Dispute) -> Money | None:
    amounts = [r.money for r in dispute.refunds.exclude(status="failed")]
    return sum(amounts[1:], amounts[0]) if amounts else None


def withdraws(dispute: Dispute, claim: Offer | None) -> Confirmation:
    lines = ["The dispute closes and the seller keeps the payment: nothing more is refunded."]
    if claim is not None:
        lines[0] = (
            f"The dispute closes without your claim ({claim.describe()}): the seller keeps "
            "the payment and nothing more is refunded."
        )
    if dispute.state in (DisputeState.AWAITING_RETURN, DisputeState.RETURN_IN_TRANSIT):
        agreed = dispute.agreed_offer
        what = f" ({agreed.describe()})" if agreed else ""
        lines.append(f"The agreed refund{what} is not paid, even if the item is on its way back.")
    if refunded := _refunded_here(dispute):
        lines.append(f"Refunds already made in this dispute ({refunded}) stay yours.")
    ends = dispute.order.protection_ends_at
    until = f"until {moment(ends)}" if ends else "while buyer protection lasts"
    lines.append(f"You can open a new dispute on this order only {until}.")
    return Confirmation(
        act=f"withdraw dispute {dispute.reference}",
        consequences=lines,
        confirm_label="Yes, withdraw the dispute",
    )
