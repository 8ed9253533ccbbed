"""The clocks of the negotiation: the seller's answer, and the limits on how long the parties
may negotiate (in all, and while a parcel that never came is still "in transit")."""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.moments import moment, money

from ..models import NEGOTIATING, DeadlineKind, Dispute, DisputeState, Offer, Party, Reason, Remedy
from ..selectors import current_offers
from .base import Clock, registered


def _if_buyer_is_silent(offer: Offer, when: str) -> str:
    """What the buyer reads: the seller's silence carries out the claim, in whole sentences
    (who is refunded changes the words around it)."""
    words = {"when": when, "amount": _amount(offer)}
    if offer.remedy == Remedy.REPLACEMENT:
        return _("If the seller does not answer by %(when)s, a replacement is agreed.") % words
    if offer.remedy == Remedy.RETURN_AND_REFUND:
        return (
            _(
                "If the seller does not answer by %(when)s, the return starts, and you will be "
                "refunded %(amount)s when it arrives."
            )
            % words
        )
    return _("If the seller does not answer by %(when)s, you will be refunded %(amount)s.") % words


def _if_you_are_silent(offer: Offer, when: str) -> str:
    """What the seller reads of their own silence."""
    words = {"when": when, "amount": _amount(offer)}
    if offer.remedy == Remedy.REPLACEMENT:
        return _("If you do not answer by %(when)s, a replacement is agreed.") % words
    if offer.remedy == Remedy.RETURN_AND_REFUND:
        return (
            _(
                "If you do not answer by %(when)s, the return starts, and the buyer will be "
                "refunded %(amount)s when it arrives."
            )
            % words
        )
    return _("If you do not answer by %(when)s, the buyer will be refunded %(amount)s.") % words


def _amount(offer: Offer) -> str:
    return "" if offer.amount is None else money(offer.amount, offer.currency)


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
        claims = current_offers([dispute for dispute, _due in dues], Party.BUYER)
        return [self._reads(claims[dispute.pk], due_at, viewer) for dispute, due_at in dues]

    def _reads(self, claim: Offer, due_at: datetime, viewer: str) -> str:
        when = moment(due_at)
        if viewer == Party.BUYER:
            return _if_buyer_is_silent(claim, when)
        return _if_you_are_silent(claim, when)

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        days = dispute.policy.seller_answer_days
        return ngettext(
            "The %(days)s day to answer ended on %(when)s: the buyer's claim was carried out.",
            "The %(days)s days to answer ended on %(when)s: the buyer's claim was carried out.",
            days,
        ) % {"days": days, "when": moment(due_at)}


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
        return _("If there is no agreement by %(when)s, a Parley arbiter decides the case.") % {
            "when": moment(due_at)
        }

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        days = dispute.policy.negotiation_days
        return ngettext(
            "The %(days)s day to agree ended on %(when)s: the case went to a Parley arbiter.",
            "The %(days)s days to agree ended on %(when)s: the case went to a Parley arbiter.",
            days,
        ) % {"days": days, "when": moment(due_at)}


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
        return _(
            "If the parcel has not been confirmed received by %(when)s (the seller's delivery "
            "time limit), a Parley arbiter decides the case."
        ) % {"when": moment(due_at)}

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        return _(
            "The seller's delivery time limit ended on %(when)s with the parcel not confirmed "
            "received: the case went to a Parley arbiter."
        ) % {"when": moment(due_at)}
