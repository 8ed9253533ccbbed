"""The replacement path: the seller ships the agreed (or ruled) replacement with tracking, the
buyer confirms it arrived (or the clock does at its delivery time limit) and the dispute
closes resolved by replacement, with a fresh protection period for a new dispute about it; or
the seller let the shipping time run out and the buyer is refunded for the items at issue."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import User
from core.errors import ActionRefused
from core.fsm import transition
from core.timeline import Recorder
from orders import services as order_services

from .. import ledger
from ..clocks.replacement import replacement_refund
from ..events import record, recorded, shipping
from ..models import DeadlineKind, Dispute, Outcome
from .kernel import Due, clock_data, finish, finish_many, lock


@transaction.atomic
def dispute_ship_replacement(
    *,
    dispute: Dispute,
    actor: User,
    carrier: str,
    tracking_number: str,
    delivery_days: int,
    now: datetime | None = None,
) -> Dispute:
    """The seller ships the replacement, as an order's delivery form: carrier, tracking and
    the delivery time limit, after which receipt is confirmed for the buyer."""
    now = now or timezone.now()
    dispute = lock(dispute, now)
    longest = dispute.policy.max_delivery_days
    if not 1 <= delivery_days <= longest:
        raise ActionRefused(
            ngettext(
                "The delivery time limit must be between 1 and %(most)s day.",
                "The delivery time limit must be between 1 and %(most)s days.",
                longest,
            )
            % {"most": longest}
        )
    from_state = transition(dispute, "seller_ship_replacement", actor)
    dispute.replacement_carrier = carrier
    dispute.replacement_tracking_number = tracking_number
    dispute.replacement_shipped_at = now
    dispute.replacement_delivery_days = delivery_days
    finish(dispute, now)
    data = {
        "carrier": carrier,
        "tracking_number": tracking_number,
        "delivery_days": delivery_days,
        "delivery_by": (now + timedelta(days=delivery_days)).isoformat(),
    }
    code = shipping.REPLACEMENT_SHIPPED.code
    record(dispute, code, actor=actor, at=now, from_state=from_state, data=data)
    return dispute


@transaction.atomic
def dispute_confirm_replacement(
    *, dispute: Dispute, actor: User, now: datetime | None = None
) -> Dispute:
    """The buyer confirms the replacement arrived: the dispute is resolved by replacement."""
    now = now or timezone.now()
    dispute = lock(dispute, now)
    _receive_many([(dispute, now)], actor=actor)
    return dispute


def dispute_confirm_replacement_receipt_many(
    dues: list[Due], *, ran_at: datetime | None = None
) -> None:
    """The replacement's delivery time limit ran out without the buyer's word: it is taken
    as received, as on the buyer's confirmation (as an order's receipt is)."""
    _receive_many(dues, actor=None, ran_at=ran_at)


def _receive_many(dues: list[Due], *, actor: User | None, ran_at: datetime | None = None) -> None:
    """The replacement arrived (actor: the buyer) or is taken to have (None: the clock): each
    dispute closes resolved by replacement and the order's protection runs again from then.
    One statement per table for all of them."""
    move = "buyer_confirm_replacement" if actor else "confirm_replacement_automatically"
    code = (shipping.REPLACEMENT_RECEIVED if actor else shipping.REPLACEMENT_DEEMED_RECEIVED).code
    moved = [(dispute, now, transition(dispute, move, actor)) for dispute, now in dues]
    ends = order_services.order_protect_again_many(
        [(dispute.order, now) for dispute, now in dues], actor=actor
    )
    recorder = Recorder()
    for (dispute, now, from_state), window_until in zip(moved, ends, strict=True):
        dispute.replacement_received_at = now
        dispute.outcome = Outcome.REPLACEMENT
        dispute.closed_at = now
        about = {} if actor else clock_data(now, ran_at, DeadlineKind.REPLACEMENT_RECEIPT)
        data = {"window_until": window_until.isoformat(), **about}
        recorded(recorder, dispute, code, actor=actor, at=now, from_state=from_state, data=data)
    finish_many(dues, ["state", "outcome", "closed_at", "replacement_received_at"])
    recorder.write()


def dispute_refund_unshipped_replacement_many(
    dues: list[Due], *, ran_at: datetime | None = None
) -> None:
    """The seller did not ship the replacement in time: the buyer is refunded for the items
    at issue (see `replacement_refund`) and the dispute closes. One ledger call for all."""
    recorder, requests = Recorder(), []
    for dispute, now in dues:
        from_state = transition(dispute, "refund_unshipped_replacement", None)
        refund = replacement_refund(dispute)
        dispute.outcome = Outcome.REPLACEMENT_NOT_SHIPPED
        dispute.closed_at = now
        code = shipping.REPLACEMENT_NOT_SHIPPED.code
        if refund.amount > 0:
            requests.append(
                ledger.RefundRequest(
                    order=dispute.order,
                    amount=refund,
                    reason=f"Dispute {dispute.reference}: the replacement was not shipped",
                    source=code,
                    idempotency_key=f"dispute:{dispute.pk}:replacement-not-shipped",
                    dispute=dispute,
                    now=now,
                )
            )
        data = {
            **clock_data(now, ran_at, DeadlineKind.REPLACEMENT_SHIPMENT),
            "days": dispute.policy.replacement_ship_days,
            "amount": str(refund.amount) if refund.amount > 0 else None,
            "currency": refund.currency,
        }
        recorded(recorder, dispute, code, actor=None, at=now, from_state=from_state, data=data)
    ledger.refund_issue_many(requests)
    finish_many(dues, ["state", "outcome", "closed_at"])
    recorder.write()
