"""The return path: the buyer ships the item back, the seller confirms it arrived and the
agreed refund is paid; or the clock closes it when either of them let the time run out."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ActionRefused, StaleState
from core.fsm import transition
from core.moments import moment
from core.timeline import Recorder

from ..clocks import clock_of
from ..events import offer_data, people, record, recorded, shipping
from ..events import rules as by_rule
from ..models import DeadlineKind, Dispute, Outcome
from .kernel import Due, Settling, clock_data, finish, finish_many, lock, settle_offers


@transaction.atomic
def dispute_ship_return(
    *,
    dispute: Dispute,
    actor: User,
    carrier: str,
    tracking_number: str,
    now: datetime | None = None,
) -> Dispute:
    now = now or timezone.now()
    dispute = lock(dispute, now)
    from_state = transition(dispute, "buyer_ship_return", actor)
    dispute.return_carrier = carrier
    dispute.return_tracking_number = tracking_number
    dispute.return_shipped_at = now
    finish(dispute, now)
    data = {"carrier": carrier, "tracking_number": tracking_number}
    code = people.RETURN_SHIPPED.code
    record(dispute, code, actor=actor, at=now, from_state=from_state, data=data)
    return dispute


@transaction.atomic
def dispute_record_return_delivery(
    *,
    dispute: Dispute,
    actor: User | None,
    delivered_at: datetime | None = None,
    now: datetime | None = None,
) -> Dispute:
    """The returned parcel's delivery, recorded once: by the seller (delivered now), by staff
    or by the carrier's tracking event through the marketplace (actor=None; when the carrier
    says it was, not before its shipment nor in the future). The seller's days to confirm the
    return run from it instead of the transit allowance."""
    now = now or timezone.now()
    dispute = lock(dispute, now)
    if dispute.return_delivered_at is not None:
        when = moment(dispute.return_delivered_at)
        raise StaleState(
            _("The return's delivery was already recorded: %(when)s.") % {"when": when}
        )
    delivered_at = delivered_at or now
    shipped_at = dispute.return_shipped_at
    if delivered_at > now or (shipped_at is not None and delivered_at < shipped_at):
        raise ActionRefused(_("The delivery must be between the return's shipment and now."))
    from_state = transition(dispute, "record_return_delivery", actor)
    dispute.return_delivered_at = delivered_at
    finish(dispute, now)
    confirm_by = clock_of(DeadlineKind.RETURN_RECEIPT).due(dispute)
    assert confirm_by is not None  # the return is still on its way
    data = {
        "by": _reported_by(dispute, actor),
        "delivered_at": delivered_at.isoformat(),
        "confirm_by": confirm_by.isoformat(),
    }
    code = shipping.RETURN_DELIVERED.code
    record(dispute, code, actor=actor, at=now, from_state=from_state, data=data)
    return dispute


def _reported_by(dispute: Dispute, actor: User | None) -> str:
    if actor is None:
        return "carrier"
    return "seller" if actor.pk == dispute.order.store.owner_id else "staff"


@transaction.atomic
def dispute_confirm_return(
    *, dispute: Dispute, actor: User, now: datetime | None = None
) -> Dispute:
    """The seller confirms the returned item arrived: the agreed refund is paid."""
    now = now or timezone.now()
    dispute = lock(dispute, now)
    _refund_return_many([(dispute, now)], actor=actor)
    return dispute


def dispute_refund_unconfirmed_return_many(
    dues: list[Due], *, ran_at: datetime | None = None
) -> None:
    """The seller did not confirm the returned item in time: it is deemed to have arrived, and
    the agreed refund is paid, as on the seller's confirmation."""
    _refund_return_many(dues, actor=None, ran_at=ran_at)


def _refund_return_many(
    dues: list[Due], *, actor: User | None, ran_at: datetime | None = None
) -> None:
    """The return arrived (actor: the seller who says so) or is deemed to (actor=None, the
    clock): pay each dispute's agreed refund. One statement per table for all of them."""
    move = "seller_confirm_return" if actor else "refund_unconfirmed_return"
    code = people.RETURN_RECEIVED.code if actor else by_rule.RETURN_RECEIPT.code
    recorder = Recorder()
    settling: list[Settling] = []
    for dispute, now in dues:
        from_state = transition(dispute, move, actor)
        about = {}
        if actor is None:
            about = clock_data(now, ran_at, DeadlineKind.RETURN_RECEIPT)
        else:
            dispute.return_received_at = now  # seen by the seller; the clock only deems it
        offer = dispute.agreed_offer
        assert offer is not None  # the return path starts from an agreed offer
        settling.append((dispute, offer, code, now))
        data = {"offer": offer_data(offer), **about}
        recorded(recorder, dispute, code, actor=actor, at=now, from_state=from_state, data=data)
    settle_offers(settling)
    finish_many(dues, ["state", "outcome", "closed_at", "return_received_at"])
    recorder.write()


def dispute_close_unshipped_return_many(dues: list[Due], *, ran_at: datetime | None = None) -> None:
    """The buyer did not ship the return in time: the dispute closes in the seller's favour,
    without a refund."""
    recorder = Recorder()
    for dispute, now in dues:
        from_state = transition(dispute, "close_unshipped_return", None)
        dispute.outcome = Outcome.RETURN_NOT_SHIPPED
        dispute.closed_at = now
        data = {
            **clock_data(now, ran_at, DeadlineKind.RETURN_SHIPMENT),
            "days": dispute.policy.return_ship_days,
        }
        code = by_rule.RETURN_NOT_SHIPPED.code
        recorded(recorder, dispute, code, actor=None, at=now, from_state=from_state, data=data)
    finish_many(dues, ["state", "outcome", "closed_at"])
    recorder.write()
