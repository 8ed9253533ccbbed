"""What the clock does to disputes when nobody acted in time: for one dispute, or many at once.

The rule engine hands each `*_many` function disputes it has already locked (with their order,
store, payment and policy loaded), each paired with the time its rule fell due. The act is dated
then, so a late run has the outcome an on-time run would have had; `ran_at` (when the engine
really ran) is kept in the event's data. A batch is written with one statement per table, which
is what lets the engine keep up with a backlog of many thousand clocks.

The single-dispute forms lock the dispute themselves; they are what tests and the demo call.
"""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from core.bulk import insert_rows, update_rows
from core.errors import StaleState
from notifications.services import notify_many

from .deadlines import sync_deadlines_many
from .models import Dispute, DisputeEvent, DisputeState, Offer, Outcome, Party
from .notify import notes_for_both
from .services import _locked, _transition, settle_offers

Due = tuple[Dispute, datetime]  # a locked dispute, and when its rule fell due


class _Acts:
    """The record of a batch of clock acts (timeline events and notifications), then one
    write per table for all of them."""

    def __init__(self, rule: str, ran_at: datetime | None):
        self.rule, self.ran_at = rule, ran_at
        self.events: list[DisputeEvent] = []
        self.notes = []

    def add(self, dispute, now, *, from_state, code, message, told=None, tell_key=None):
        data = {"rule": self.rule, "due_at": now.isoformat(), "text": message}
        data["ran_at"] = (self.ran_at or now).isoformat()
        self.events.append(
            DisputeEvent(
                dispute=dispute,
                code=code,
                from_state=from_state,
                to_state=dispute.state,
                data=data,
                created_at=now,
            )
        )
        self.notes += notes_for_both(
            dispute,
            key=f"dispute:{dispute.pk}:rule:{tell_key or code.rsplit('.', 1)[-1]}",
            subject=f"Dispute {dispute.reference}: {dispute.get_state_display().lower()}",
            body=told or f"{message}.",
            at=now,
        )

    def write(self, dues: list[Due], fields: list[str]) -> None:
        update_rows([dispute for dispute, _ in dues], fields)
        sync_deadlines_many(dues)
        insert_rows(self.events)
        notify_many(self.notes)


def _one(act: Callable[..., None], dispute: Dispute, now: datetime, **kwargs) -> Dispute:
    with transaction.atomic():
        dispute = _locked(dispute)
        act([(dispute, now)], **kwargs)
    return dispute


def _current_buyer_offers(dues: list[Due]) -> dict[int, Offer]:
    offers = Offer.objects.filter(
        dispute__in=[dispute for dispute, _ in dues],
        party=Party.BUYER,
        superseded_by__isnull=True,
    ).order_by("id")
    return {offer.dispute_id: offer for offer in offers}  # the newest wins


# --- Seller silence ---------------------------------------------------------------------------


def resolve_for_seller_silence_many(dues: list[Due], *, ran_at: datetime | None = None) -> None:
    """The seller did not answer in time: the buyer's claim is carried out (paid now, or after
    the return if they asked for one)."""
    offers = _current_buyer_offers(dues)
    acts, settling = _Acts("seller_answer", ran_at), []
    for dispute, now in dues:
        offer = offers[dispute.pk]
        from_state = _transition(
            dispute, "resolve_for_seller_silence", None, needs_return=offer.needs_return
        )
        dispute.agreed_offer, dispute.agreed_at = offer, now
        if dispute.state == DisputeState.RESOLVED:
            settling.append((dispute, offer, "disputes.rule.seller_silence", now))
        days = dispute.policy.seller_answer_days
        text = (
            f"The seller did not answer in {days} days: "
            f"the buyer's claim is carried out ({offer.describe()})"
        )
        acts.add(
            dispute, now, from_state=from_state, code="disputes.rule.seller_silence", message=text
        )
    settle_offers(settling)
    acts.write(dues, ["state", "agreed_offer", "agreed_at", "outcome", "closed_at"])


def dispute_resolve_for_seller_silence(*, dispute, now, ran_at=None) -> Dispute:
    return _one(resolve_for_seller_silence_many, dispute, now, ran_at=ran_at)


# --- Escalation by the clock ------------------------------------------------------------------


def escalate_many(
    dues: list[Due], *, rule: str, explanation: Callable[[Dispute], str], ran_at=None
) -> None:
    """No agreement in time (or the parcel never came): the case goes to an arbiter."""
    acts = _Acts(rule, ran_at)
    for dispute, now in dues:
        from_state = _transition(dispute, "escalate", None)
        dispute.escalated_at = now
        acts.add(
            dispute,
            now,
            from_state=from_state,
            code=f"disputes.rule.{rule}",
            message=explanation(dispute),
            told=explanation(dispute),
        )
    acts.write(dues, ["state", "escalated_at"])


def dispute_escalate(*, dispute, rule: str, explanation: str, now, ran_at=None) -> Dispute:
    return _one(
        escalate_many, dispute, now, rule=rule, explanation=lambda _: explanation, ran_at=ran_at
    )


# --- The return path --------------------------------------------------------------------------


def close_unshipped_return_many(dues: list[Due], *, ran_at=None) -> None:
    acts = _Acts("return_shipment", ran_at)
    for dispute, now in dues:
        from_state = _transition(dispute, "close_unshipped_return", None)
        dispute.outcome = Outcome.RETURN_NOT_SHIPPED
        dispute.closed_at = now
        text = (
            f"The buyer did not ship the return within {dispute.policy.return_ship_days} days: "
            "the dispute is closed in the seller's favour, without a refund"
        )
        acts.add(
            dispute,
            now,
            from_state=from_state,
            code="disputes.rule.return_not_shipped",
            message=text,
        )
    acts.write(dues, ["state", "outcome", "closed_at"])


def dispute_close_unshipped_return(*, dispute, now, ran_at=None) -> Dispute:
    return _one(close_unshipped_return_many, dispute, now, ran_at=ran_at)


def refund_unconfirmed_return_many(dues: list[Due], *, ran_at=None) -> None:
    acts, settling = _Acts("return_receipt", ran_at), []
    for dispute, now in dues:
        from_state = _transition(dispute, "refund_unconfirmed_return", None)
        offer = dispute.agreed_offer
        settling.append((dispute, offer, "disputes.rule.return_receipt", now))
        text = (
            f"The seller did not confirm the returned item in time: the refund of "
            f"{offer.money} is paid"
        )
        acts.add(
            dispute, now, from_state=from_state, code="disputes.rule.return_receipt", message=text
        )
    settle_offers(settling)
    acts.write(dues, ["state", "outcome", "closed_at"])


def dispute_refund_unconfirmed_return(*, dispute, now, ran_at=None) -> Dispute:
    return _one(refund_unconfirmed_return_many, dispute, now, ran_at=ran_at)


# --- Arbitration clocks -----------------------------------------------------------------------


def finalize_many(dues: list[Due], *, ran_at=None) -> None:
    """No appeal within the window: the ruling is final (and the seller's payout can follow)."""
    acts = _Acts("appeal", ran_at)
    for dispute, now in dues:
        if dispute.final_at or dispute.appealed_at or not dispute.ruled_at:
            raise StaleState("Nothing to make final.")
        dispute.final_at = now
        acts.add(
            dispute,
            now,
            from_state=dispute.state,
            code="disputes.rule.ruling_final",
            message=f"No appeal within {dispute.policy.appeal_days} days: the ruling is final",
            told="Nobody appealed in time: the ruling is final.",
        )
    acts.write(dues, ["final_at"])


def dispute_finalize(*, dispute, now, ran_at=None) -> Dispute:
    return _one(finalize_many, dispute, now, ran_at=ran_at)


def evidence_overdue_many(dues: list[Due], *, ran_at=None) -> None:
    """The party asked for evidence did not answer: the case goes back to the queue, marked."""
    acts = _Acts("evidence_request", ran_at)
    for dispute, now in dues:
        party = dispute.evidence_requested_from
        if not party or dispute.state not in (DisputeState.ESCALATED, DisputeState.APPEALED):
            raise StaleState("No evidence request is waiting.")
        dispute.no_answer_from = party
        dispute.evidence_requested_from = ""
        dispute.evidence_due_at = None
        dispute.assignee = None
        dispute.assigned_at = None
        label = Party(party).label.lower()
        acts.add(
            dispute,
            now,
            from_state=dispute.state,
            code="disputes.rule.evidence_overdue",
            message=f"No answer from the {label} in time: the case returned to the queue",
            told=f"No answer from the {label} to the arbiter's request: the arbiter decides on "
            "what is there.",
            tell_key=f"evidence_overdue:{now.timestamp():.0f}",
        )
    fields = ["no_answer_from", "evidence_requested_from", "evidence_due_at", "assignee"]
    acts.write(dues, [*fields, "assigned_at"])


def dispute_evidence_overdue(*, dispute, now, ran_at=None) -> Dispute:
    return _one(evidence_overdue_many, dispute, now, ran_at=ran_at)
