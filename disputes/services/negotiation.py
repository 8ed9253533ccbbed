"""Buyer and seller looking for an agreement: the claim, its answer, counter-offers, the
agreement carried out, and the case going to an arbiter when there is none.

When the clock acts because a party did not, it does what that party's act would have done
(the seller's silence carries out the buyer's claim as the seller's acceptance does; the
negotiation limit escalates as the buyer can): each pair is one implementation, in its batch
form, with the person's act a batch of one.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ActionRefused, StaleState
from core.fsm import transition
from core.languages import active_language
from core.moments import moment
from core.timeline import Recorder

from ..events import offer_data, people, record, recorded
from ..events import rules as by_rule
from ..evidence import ProcessedPhoto
from ..models import DeadlineKind, Dispute, Message, Offer, Party
from ..selectors import current_offer
from .items import ClaimedItem, claim_cap, claim_data, claim_of, dispute_cap, save_claim
from .kernel import (
    Due,
    Proposal,
    agreed,
    attach_photos,
    clock_data,
    finish,
    finish_many,
    lapse_counter_offer,
    lock,
    new_offer,
    settle_offers,
    validated,
)

About = Callable[[Dispute, datetime], dict[str, Any]]  # an act's data beyond the common


def _nothing(dispute: Dispute, now: datetime) -> dict[str, Any]:
    return {}


# --- The buyer's claim ------------------------------------------------------------------------


@transaction.atomic
def dispute_modify(
    *,
    dispute: Dispute,
    actor: User,
    proposal: Proposal,
    photos: Sequence[ProcessedPhoto] = (),
    items: Sequence[ClaimedItem] | None = None,
    now: datetime | None = None,
) -> Offer:
    """The buyer changes the claim or adds evidence: the seller's answer clock restarts.
    `items` (None: as they were) may name other lines or quantities, with the same caps."""
    now = now or timezone.now()
    dispute = lock(dispute, now)
    from_state = transition(dispute, "buyer_modify", actor)
    order = dispute.order
    claim = dispute.claimed_items if items is None else claim_of(order, items)
    proposal = validated(order, proposal, claim_cap(order, claim))
    if items is not None:
        save_claim(dispute, claim)
    offer = new_offer(dispute, party=Party.BUYER, actor=actor, proposal=proposal, now=now)
    lapsed = lapse_counter_offer(dispute, now)
    attach_photos(dispute, photos, actor=actor, now=now, offer=offer)
    dispute.seller_clock_started_at = now
    finish(dispute, now)
    data = {
        "offer": offer_data(offer),
        "photos": len(photos),
        "lapsed": _lapsed_data(lapsed),
        "items": claim_data(claim),
    }
    record(dispute, people.MODIFIED.code, actor=actor, at=now, from_state=from_state, data=data)
    return offer


@transaction.atomic
def dispute_cancel(*, dispute: Dispute, actor: User, now: datetime | None = None) -> Dispute:
    now = now or timezone.now()
    dispute = lock(dispute, now)
    if dispute.ruled_at is not None:
        raise StaleState(_("An arbiter has ruled on this dispute: it can no longer be withdrawn."))
    from_state = transition(dispute, "buyer_cancel", actor)
    dispute.closed_at = now
    finish(dispute, now)
    record(dispute, people.CANCELLED.code, actor=actor, at=now, from_state=from_state)
    return dispute


# --- Carrying out an offer both sides agree to ------------------------------------------------


def _agree_many(
    agreements: list[tuple[Dispute, Offer, datetime]],
    *,
    move: str,
    actor: User | None,
    code: str,
    about: About = _nothing,
) -> None:
    """One side agreed to the other's offer (or the clock agreed for a silent seller): move,
    carry it out, record it, tell both. One statement per table for all of them."""
    recorder, settling = Recorder(), []
    for dispute, offer, now in agreements:
        from_state = transition(
            dispute,
            move,
            actor,
            needs_return=offer.needs_return,
            needs_replacement=offer.needs_replacement,
        )
        if due := agreed(dispute, offer, source=code, now=now):
            settling.append(due)
        data = {"offer": offer_data(offer), "state": dispute.state, **about(dispute, now)}
        recorded(recorder, dispute, code, actor=actor, at=now, from_state=from_state, data=data)
    settle_offers(settling)
    dues = [(dispute, now) for dispute, _, now in agreements]
    finish_many(dues, ["state", "agreed_offer", "agreed_at", "outcome", "closed_at"])
    recorder.write()


@transaction.atomic
def dispute_seller_accept(
    *, dispute: Dispute, actor: User, offer_id: int | None = None, now: datetime | None = None
) -> Dispute:
    """The seller accepts the buyer's current claim; it is carried out at once.

    Pages pass the id of the claim the seller saw: if the buyer changed it meanwhile, the
    seller is shown the new one instead of agreeing to something unseen.
    """
    now = now or timezone.now()
    dispute = lock(dispute, now)
    offer = current_offer(dispute, Party.BUYER)
    if offer is None or (offer_id is not None and offer.pk != offer_id):
        raise StaleState(_("The buyer changed the claim: read the new one before you accept."))
    _agree_many(
        [(dispute, offer, now)], move="seller_accept", actor=actor, code=people.SELLER_ACCEPTED.code
    )
    return dispute


def dispute_resolve_for_seller_silence_many(
    dues: list[Due], *, ran_at: datetime | None = None
) -> None:
    """The seller did not answer in time: the buyer's current claim is carried out, as if the
    seller had accepted it (paid now, or after the return if the buyer asked for one)."""
    claims = _current_buyer_offers(dues)

    def about(dispute: Dispute, now: datetime) -> dict[str, Any]:
        rule = clock_data(now, ran_at, DeadlineKind.SELLER_ANSWER)
        return {**rule, "days": dispute.policy.seller_answer_days}

    _agree_many(
        [(dispute, claims[dispute.pk], now) for dispute, now in dues],
        move="resolve_for_seller_silence",
        actor=None,
        code=by_rule.SELLER_SILENCE.code,
        about=about,
    )


@transaction.atomic
def dispute_resolve_for_seller_silence(
    *, dispute: Dispute, now: datetime, ran_at: datetime | None = None
) -> Dispute:
    """One dispute's seller silence, at the time it fell due (the demo data ages disputes so)."""
    dispute = lock(dispute)
    dispute_resolve_for_seller_silence_many([(dispute, now)], ran_at=ran_at)
    return dispute


def _current_buyer_offers(dues: list[Due]) -> dict[int, Offer]:
    """Each dispute's current claim, in one read for the batch."""
    offers = Offer.objects.filter(
        dispute__any=[dispute for dispute, _ in dues],
        party=Party.BUYER,
        superseded_by__isnull=True,
    ).order_by("id")
    return {offer.dispute_id: offer for offer in offers}  # the newest wins


# --- The seller's answer and the buyer's reply ------------------------------------------------


@transaction.atomic
def dispute_seller_reject(
    *,
    dispute: Dispute,
    actor: User,
    explanation: str,
    counter: Proposal | None = None,
    photos: Sequence[ProcessedPhoto] = (),
    now: datetime | None = None,
) -> Dispute:
    now = now or timezone.now()
    dispute = lock(dispute, now)
    from_state = transition(dispute, "seller_reject", actor)
    if not explanation.strip():
        raise ActionRefused(_("Say why you reject the claim."))
    lapsed, offer = lapse_counter_offer(dispute, now), None
    if counter is not None:
        counter = validated(dispute.order, counter, dispute_cap(dispute))
        offer = new_offer(dispute, party=Party.SELLER, actor=actor, proposal=counter, now=now)
    message = Message.objects.create(
        dispute=dispute, author=actor, body=explanation, language=active_language(), created_at=now
    )
    attach_photos(dispute, photos, actor=actor, now=now, message=message, offer=offer)
    finish(dispute, now)
    data = {
        "offer": offer_data(offer) if offer else None,
        "message": message.pk,
        "photos": len(photos),
        "lapsed": _lapsed_data(lapsed),
    }
    code = people.SELLER_REJECTED.code
    record(dispute, code, actor=actor, at=now, from_state=from_state, data=data)
    return dispute


@transaction.atomic
def dispute_accept_offer(
    *, dispute: Dispute, actor: User, offer_id: int, now: datetime | None = None
) -> Dispute:
    """The buyer accepts the seller's counter-offer; it is carried out at once."""
    now = now or timezone.now()
    dispute = lock(dispute, now)
    offer = current_offer(dispute, Party.SELLER)
    if offer is None or offer.pk != offer_id:
        raise StaleState(_off_the_table(dispute, offer_id))
    code = people.OFFER_ACCEPTED.code
    _agree_many([(dispute, offer, now)], move="buyer_accept_offer", actor=actor, code=code)
    return dispute


def _lapsed_data(offer: Offer | None) -> dict[str, Any] | None:
    if offer is None or offer.lapsed_at is None:
        return None
    return {**offer_data(offer), "lapsed_at": offer.lapsed_at.isoformat()}


def _off_the_table(dispute: Dispute, offer_id: int) -> str:
    offer = dispute.offers.filter(pk=offer_id, party=Party.SELLER).first()
    if offer is not None and offer.lapsed_at is not None:
        return _(
            "That offer lapsed on %(when)s: only the latest answer is on the table (the buyer "
            "changed the claim, or the seller answered again)."
        ) % {"when": moment(offer.lapsed_at)}
    return _("That offer is no longer on the table.")


# --- No agreement: the case goes to an arbiter ------------------------------------------------


def _escalate_many(
    dues: list[Due], *, move: str, actor: User | None, code: str, about: About = _nothing
) -> None:
    recorder = Recorder()
    for dispute, now in dues:
        from_state = transition(dispute, move, actor)
        dispute.escalated_at = now
        data = about(dispute, now)
        recorded(recorder, dispute, code, actor=actor, at=now, from_state=from_state, data=data)
    finish_many(dues, ["state", "escalated_at"])
    recorder.write()


@transaction.atomic
def dispute_escalate_by_buyer(
    *, dispute: Dispute, actor: User, now: datetime | None = None
) -> Dispute:
    """The buyer asks Parley to decide."""
    now = now or timezone.now()
    dispute = lock(dispute, now)
    _escalate_many([(dispute, now)], move="buyer_escalate", actor=actor, code=people.ESCALATED.code)
    return dispute


_ESCALATIONS: dict[str, str] = {
    DeadlineKind.NEGOTIATION_LIMIT: by_rule.NEGOTIATION_LIMIT.code,
    DeadlineKind.GOODS_IN_TRANSIT: by_rule.GOODS_IN_TRANSIT.code,
}


def dispute_escalate_many(dues: list[Due], *, rule: str, ran_at: datetime | None = None) -> None:
    """No agreement in time (`rule` the negotiation limit), or the parcel never came (the
    goods in transit): the case goes to an arbiter, as when the buyer asks."""

    def about(dispute: Dispute, now: datetime) -> dict[str, Any]:
        return {**clock_data(now, ran_at, rule), "days": dispute.policy.negotiation_days}

    _escalate_many(dues, move="escalate", actor=None, code=_ESCALATIONS[rule], about=about)
