"""When a dispute may be opened (policy.md, "Opening a dispute"). Pure reads, no writes."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from orders.models import Order, OrderState
from policies.models import Policy

from .ledger import refundable_amount


@dataclass(frozen=True)
class OpeningWindow:
    allowed: bool
    explanation: str
    opens_at: datetime | None = None
    closes_at: datetime | None = None


def _fmt(moment: datetime) -> str:
    return f"{moment:%-d %b %Y, %H:%M} UTC"


def earliest_opening(order: Order, policy: Policy) -> datetime | None:
    """Some days after all goods shipped; at once when the promised delivery is that quick."""
    if order.all_shipped_at is None:
        return None
    if order.delivery_days < policy.instant_dispute_below_delivery_days:
        return order.all_shipped_at
    return order.all_shipped_at + timedelta(days=policy.dispute_earliest_days_after_shipping)


def _nothing_to_claim(order: Order) -> str:
    """Why an order with all goods shipped has nothing left to claim ("" when it has)."""
    if order.state == OrderState.CANCELLED:
        return "This order was cancelled."
    if refundable_amount(order).amount <= 0:
        return (
            "Everything paid for this order has already been refunded: there is nothing left "
            "to claim."
        )
    return ""


def opening_window(order: Order, now: datetime) -> OpeningWindow:
    # The window is the order's: the protection terms in force when the buyer paid.
    policy = order.policy
    # Also while a ruling can still be appealed: the appeal would reopen that dispute.
    open_dispute = next((d for d in order.disputes.all() if d.holds_payout), None)
    if open_dispute is not None:
        return OpeningWindow(
            False, f"Dispute {open_dispute.reference} is already open on this order."
        )
    if order.state in (OrderState.PLACED, OrderState.PAID) or order.all_shipped_at is None:
        return OpeningWindow(False, "You can open a dispute once the seller has shipped all goods.")
    if closed := _nothing_to_claim(order):
        return OpeningWindow(False, closed)
    opens_at = earliest_opening(order, policy)
    assert opens_at is not None  # all goods shipped: checked above
    closes_at = order.protection_ends_at  # none until receipt: the window stays open
    if now < opens_at:
        return OpeningWindow(
            False,
            f"You can open a dispute from {_fmt(opens_at)}, "
            f"{policy.dispute_earliest_days_after_shipping} days after the seller shipped "
            "everything. Parcels often arrive in that time.",
            opens_at,
            closes_at,
        )
    if order.state == OrderState.COMPLETED or (closes_at is not None and now > closes_at):
        assert closes_at is not None  # an order completes when its protection ends
        return OpeningWindow(
            False,
            f"Buyer protection for this order ended on {_fmt(closes_at)}, "
            f"{policy.protection_days_after_receipt} days after receipt.",
            opens_at,
            closes_at,
        )
    until = f" until {_fmt(closes_at)}" if closes_at else ""
    return OpeningWindow(True, f"You can open a dispute{until}.", opens_at, closes_at)
