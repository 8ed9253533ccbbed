"""The clocks of the negotiation: the seller's answer, and the limits on how long the parties
may negotiate (in all, and while a parcel that never came is still "in transit")."""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from core.moments import moment

from ..models import NEGOTIATING, DeadlineKind, Dispute, DisputeState, Offer, Party, Reason, Remedy
from ..selectors import current_offers
from .base import Clock, registered


def _effect_of(offer: Offer, you: bool) -> str:
    who = "you will" if you else "the buyer will"
    if offer.remedy == Remedy.REPLACEMENT:
        return "a replacement is agreed"
    if offer.remedy == Remedy.RETURN_AND_REFUND:
        return f"the return starts, and {who} be refunded {offer.money} when it arrives"
    return f"{who} be refunded {offer.money}"


@registered
class SellerAnswer(Clock):
    """The seller answers a claim, or a modified claim, within the policy's days; if not, the
    buyer's claim is carried out as if accepted."""

    kind = DeadlineKind.SELLER_ANSWER
    reminds = Party.SELLER
    at_zero = "dispute_resolve_for_seller_silence_many"

    def due(self, dispute: Dispute) -> datetime | None:
        if dispute.state != DisputeState.AWAITING_SELLER:
            return None
        return dispute.seller_clock_started_at + timedelta(days=dispute.policy.seller_answer_days)

    def reads(self, dispute: Dispute, due_at: datetime, viewer: str) -> str:
        return self.reads_many([(dispute, due_at)], viewer)[0]

    def reads_many(self, dues: Sequence[tuple[Dispute, datetime]], viewer: str) -> list[str]:
        # A dispute opens with the buyer's claim: each has one (a KeyError otherwise).
        claims = current_offers([dispute for dispute, _ in dues], Party.BUYER)
        return [self._reads(claims[dispute.pk], due_at, viewer) for dispute, due_at in dues]

    def _reads(self, claim: Offer, due_at: datetime, viewer: str) -> str:
        buyer = viewer == Party.BUYER
        effect = _effect_of(claim, you=buyer)
        who = "the seller does" if buyer else "you do"
        return f"If {who} not answer by {moment(due_at)}, {effect}."

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        days = dispute.policy.seller_answer_days
        due = moment(due_at)
        return f"The {days} days to answer ended on {due}: the buyer's claim was carried out."


class _Escalation(Clock):
    """A limit on negotiating: at zero the case goes to an arbiter."""

    at_zero = "dispute_escalate_many"

    def act_options(self) -> Mapping[str, object]:
        # Which limit ran out: the act's event code (and so its words) follows from it.
        return {"rule": self.kind}


@registered
class NegotiationLimit(_Escalation):
    kind = DeadlineKind.NEGOTIATION_LIMIT

    def due(self, dispute: Dispute) -> datetime | None:
        if dispute.state not in NEGOTIATING:
            return None
        return dispute.opened_at + timedelta(days=dispute.policy.negotiation_days)

    def reads(self, dispute: Dispute, due_at: datetime, viewer: str) -> str:
        return f"If there is no agreement by {moment(due_at)}, a Parley arbiter decides the case."

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        days = dispute.policy.negotiation_days
        due = moment(due_at)
        return f"The {days} days to agree ended on {due}: the case went to a Parley arbiter."


@registered
class GoodsInTransit(_Escalation):
    """A claim about delivery, while the parcel is not confirmed received: runs out with the
    seller's own delivery time limit."""

    kind = DeadlineKind.GOODS_IN_TRANSIT

    def due(self, dispute: Dispute) -> datetime | None:
        order = dispute.order
        about_delivery = dispute.reason in Reason.about_delivery()
        in_transit = order.received_at is None
        if dispute.state not in NEGOTIATING or not (about_delivery and in_transit):
            return None
        return order.promised_delivery_at

    def reads(self, dispute: Dispute, due_at: datetime, viewer: str) -> str:
        return (
            f"If the parcel has not been confirmed received by {moment(due_at)} (the seller's "
            "delivery time limit), a Parley arbiter decides the case."
        )

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        return (
            f"The seller's delivery time limit ended on {moment(due_at)} with the parcel not "
            "confirmed received: the case went to a Parley arbiter."
        )
