"""When a dispute may be opened (policy.md, "Opening a dispute"). Pure reads, no writes.

The explanation is written when the window is asked for, in the language active then."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.moments import moment
from orders.models import Order, OrderState
from policies.models import Policy

from .ledger import refundable_amount


@dataclass(frozen=True)
class OpeningWindow:
    allowed: bool
    explanation: str
    opens_at: datetime | None = None
    closes_at: datetime | None = None


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
        return _("This order was cancelled.")
    if refundable_amount(order).amount <= 0:
        return _(
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
            False,
            _("Dispute %(reference)s is already open on this order.")
            % {"reference": open_dispute.reference},
        )
    if order.state in (OrderState.PLACED, OrderState.PAID) or order.all_shipped_at is None:
        return OpeningWindow(
            False, _("You can open a dispute once the seller has shipped all goods.")
        )
    if closed := _nothing_to_claim(order):
        return OpeningWindow(False, closed)
    opens_at = earliest_opening(order, policy)
    assert opens_at is not None  # all goods shipped: checked above
    closes_at = order.protection_ends_at  # none until receipt: the window stays open
    if now < opens_at:
        return OpeningWindow(False, _not_yet(opens_at, policy), opens_at, closes_at)
    if order.state == OrderState.COMPLETED or (closes_at is not None and now > closes_at):
        assert closes_at is not None  # an order completes when its protection ends
        return OpeningWindow(False, _ended(closes_at, policy), opens_at, closes_at)
    if closes_at is None:
        return OpeningWindow(True, _("You can open a dispute."), opens_at, closes_at)
    until = _("You can open a dispute until %(when)s.") % {"when": moment(closes_at)}
    return OpeningWindow(True, until, opens_at, closes_at)


def _not_yet(opens_at: datetime, policy: Policy) -> str:
    days = policy.dispute_earliest_days_after_shipping
    return ngettext(
        "You can open a dispute from %(when)s, %(days)s day after the seller shipped "
        "everything. Parcels often arrive in that time.",
        "You can open a dispute from %(when)s, %(days)s days after the seller shipped "
        "everything. Parcels often arrive in that time.",
        days,
    ) % {"when": moment(opens_at), "days": days}


def _ended(closes_at: datetime, policy: Policy) -> str:
    days = policy.protection_days_after_receipt
    return ngettext(
        "Buyer protection for this order ended on %(when)s, %(days)s day after receipt.",
        "Buyer protection for this order ended on %(when)s, %(days)s days after receipt.",
        days,
    ) % {"when": moment(closes_at), "days": days}
