"""Every act on a dispute: one function each, atomic, locked, permission-checked, on the record.

Lock order is always dispute, then order (the ledger locks the order), so two acts never
deadlock. Callers pass `now` only from tests, demo data and the rule engine.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from accounts.models import User
from core.errors import ActionRefused, StaleState
from core.money import Money
from orders.models import Order
from policies.models import Policy

from . import ledger
from .deadlines import sync_deadlines
from .evidence import ProcessedPhoto
from .models import (
    RUNNING_STATUSES,
    DeadlineKind,
    Dispute,
    DisputeEvent,
    DisputeState,
    EvidenceItem,
    Message,
    Offer,
    Outcome,
    Party,
    Reason,
    Remedy,
    SellerRating,
)
from .notify import tell, tell_both
from .rules import opening_window

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Proposal:
    """What a party asks for: a remedy and, for refunds, an amount."""

    remedy: str
    amount: Decimal | None = None
    note: str = ""


# --- Small building blocks --------------------------------------------------------------------


def _record(
    dispute: Dispute,
    *,
    actor: User | None,
    code: str,
    message: str,
    now: datetime,
    from_state: str = "",
    data: dict | None = None,
) -> DisputeEvent:
    return DisputeEvent.objects.create(
        dispute=dispute,
        actor=actor,
        code=code,
        from_state=from_state or dispute.state,
        to_state=dispute.state,
        data={**(data or {}), "text": message},
        created_at=now,
    )


def _locked(dispute: Dispute) -> Dispute:
    return (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("order__store", "order__payment", "policy")
        .get(pk=dispute.pk)
    )


def _transition(dispute: Dispute, name: str, actor: User | None, **kwargs) -> str:
    """Check state and right to act, then move. actor=None is the system (the clock)."""
    method = getattr(dispute, name)
    if not can_proceed(method, check_conditions=False):
        raise StaleState(f"This dispute is now “{dispute.get_state_display()}”.")
    if actor is not None and not has_transition_perm(method, actor):
        raise ActionRefused("You are not allowed to do this on this dispute.")
    from_state = dispute.state
    try:
        method(**kwargs)
    except TransitionNotAllowed as exc:
        raise StaleState(f"This dispute is now “{dispute.get_state_display()}”.") from exc
    return from_state


def _party_of(dispute: Dispute, user: User) -> str:
    if user.pk == dispute.order.buyer_id:
        return Party.BUYER
    if user.pk == dispute.order.store.owner_id:
        return Party.SELLER
    raise ActionRefused("Only the buyer and the seller take part in this dispute.")


def _attach_photos(
    dispute: Dispute,
    photos: Iterable[ProcessedPhoto],
    *,
    actor: User,
    now: datetime,
    message: Message | None = None,
    offer: Offer | None = None,
) -> list[EvidenceItem]:
    items = []
    for photo in photos:
        item = EvidenceItem(
            dispute=dispute,
            uploaded_by=actor,
            party=_party_of(dispute, actor),
            message=message,
            offer=offer,
            original_name=photo.original_name,
            content_type=photo.content_type,
            size=len(photo.content),
            width=photo.width,
            height=photo.height,
            sha256=photo.sha256,
            created_at=now,
        )
        # Saved through the storage; names are random (see models._evidence_name).
        item.file.save("photo.jpg", ContentFile(photo.content), save=False)
        item.thumbnail.save("thumb.jpg", ContentFile(photo.thumbnail), save=False)
        item.save()
        items.append(item)
    return items


def current_offer(dispute: Dispute, party: str) -> Offer | None:
    return dispute.offers.filter(party=party, superseded_by__isnull=True).order_by("-id").first()


def _new_offer(
    dispute: Dispute, *, party: str, actor: User, proposal: Proposal, now: datetime
) -> Offer:
    previous = current_offer(dispute, party)
    offer = Offer.objects.create(
        dispute=dispute,
        party=party,
        author=actor,
        remedy=proposal.remedy,
        amount=proposal.amount,
        currency=dispute.order.currency,
        note=proposal.note,
        created_at=now,
    )
    if previous is not None:
        previous.superseded_by = offer
        previous.save(update_fields=["superseded_by"])
    if party == Party.BUYER:
        dispute.claimed_amount = offer.amount or 0  # the queue sorts by it; caller saves
    return offer


def _validated(order: Order, proposal: Proposal) -> Proposal:
    """Fix the amount each remedy implies and refuse amounts above what can be refunded."""
    refundable = ledger.refundable_amount(order)
    if proposal.remedy == Remedy.REPLACEMENT:
        return Proposal(proposal.remedy, None, proposal.note)
    if refundable.amount <= 0:
        raise ActionRefused("Everything paid for this order has already been refunded.")
    if proposal.remedy == Remedy.FULL_REFUND or (
        proposal.remedy == Remedy.RETURN_AND_REFUND and proposal.amount is None
    ):
        return Proposal(proposal.remedy, refundable.amount, proposal.note)
    if proposal.amount is None or proposal.amount <= 0:
        raise ActionRefused("Enter the amount you are asking for.")
    if Money(proposal.amount, order.currency) > refundable:
        raise ActionRefused(
            f"The amount cannot be more than {refundable}, what was paid and not yet refunded."
        )
    return proposal


# --- Carrying out what was agreed or decided ----------------------------------------------------


def _carry_out(dispute: Dispute, offer: Offer, *, source: str, now: datetime) -> None:
    """After a transition to RESOLVED or the return path: pay what is due now."""
    dispute.agreed_offer = offer
    dispute.agreed_at = now
    if dispute.state in (DisputeState.AWAITING_RETURN, DisputeState.RETURN_IN_TRANSIT):
        return  # the refund waits for the returned item
    _settle_offer(dispute, offer, source=source, now=now)


def _settle_offer(dispute: Dispute, offer: Offer, *, source: str, now: datetime) -> None:
    settle_offers([(dispute, offer, source, now)])


def settle_offers(settling: list[tuple[Dispute, Offer, str, datetime]]) -> None:
    """Carry out what each dispute's agreed offer says, closing it: one ledger call for all.
    Each tuple is (dispute, offer, source, when); the disputes must be locked."""
    paid = []
    for dispute, offer, source, now in settling:
        dispute.closed_at = now
        if offer.remedy == Remedy.REPLACEMENT:
            dispute.outcome = Outcome.REPLACEMENT
            continue
        request = ledger.RefundRequest(
            order=dispute.order,
            amount=offer.money,
            reason=f"Dispute {dispute.reference}: {offer.describe()}",
            source=source,
            idempotency_key=f"dispute:{dispute.pk}:offer:{offer.pk}",
            dispute=dispute,
            now=now,
        )
        paid.append((dispute, request))
    refunds = ledger.refund_issue_many([request for _, request in paid])
    for (dispute, _), refund in zip(paid, refunds, strict=True):
        fully = refund.left_after == 0
        dispute.outcome = Outcome.REFUNDED if fully else Outcome.PARTIALLY_REFUNDED


def _finish(dispute: Dispute, now: datetime) -> None:
    dispute.save()
    sync_deadlines(dispute, now)


def _end_evidence_request(dispute: Dispute) -> None:
    dispute.evidence_requested_from = ""
    dispute.evidence_due_at = None
    dispute.no_answer_from = ""


def _agree(dispute, offer, actor, transition, code, message, now) -> Dispute:
    """One party accepted the other's offer: move, carry it out, record it, tell both."""
    from_state = _transition(dispute, transition, actor, needs_return=offer.needs_return)
    _carry_out(dispute, offer, source=code, now=now)
    _finish(dispute, now)
    _record(
        dispute,
        actor=actor,
        code=code,
        message=message,
        now=now,
        from_state=from_state,
        data={"offer": offer.pk},
    )
    _tell_act(dispute, code, message, now)
    return dispute


def _record_and_tell(dispute: Dispute, *, actor, code, message, now, from_state) -> None:
    """An act both parties hear of: on the timeline, and in their notifications."""
    _record(dispute, actor=actor, code=code, message=message, now=now, from_state=from_state)
    _tell_act(dispute, code, message, now)


def _tell_act(dispute: Dispute, code: str, message: str, now: datetime) -> None:
    tell_both(
        dispute,
        key=f"dispute:{dispute.pk}:{code}:{now.timestamp():.0f}",
        subject=f"Dispute {dispute.reference}: {dispute.get_state_display().lower()}",
        body=f"{message}.",
        now=now,
    )


# --- Buyer's acts ------------------------------------------------------------------------------


@transaction.atomic
def dispute_open(
    *,
    order: Order,
    actor: User,
    reason: str,
    proposal: Proposal,
    description: str,
    photos: list[ProcessedPhoto] = (),
    now: datetime | None = None,
) -> Dispute:
    now = now or timezone.now()
    order = Order.objects.select_for_update(of=("self",)).select_related("store").get(pk=order.pk)
    if actor.pk != order.buyer_id:
        raise ActionRefused("Only the buyer of this order can open a dispute on it.")
    window = opening_window(order, now)
    if not window.allowed:
        raise ActionRefused(window.explanation)
    if reason in Reason.needing_photos() and not photos:
        label = Reason(reason).label.lower()
        raise ActionRefused(f"A “{label}” claim needs at least one photo of the item.")
    proposal = _validated(order, proposal)
    policy = Policy.current()
    dispute = Dispute.objects.create(
        reference="DS-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8)),
        order=order,
        store_id=order.store_id,
        policy=policy,
        reason=reason,
        description=description,
        opened_at=now,
        seller_clock_started_at=now,
        target_at=now + timedelta(days=policy.resolution_target_days),
        claimed_amount=proposal.amount or 0,
    )
    offer = _new_offer(dispute, party=Party.BUYER, actor=actor, proposal=proposal, now=now)
    _attach_photos(dispute, photos, actor=actor, now=now, offer=offer)
    _record(
        dispute,
        actor=actor,
        code="disputes.dispute.opened",
        message=f"Dispute opened ({dispute.get_reason_display()}); asks for {offer.describe()}",
        now=now,
        from_state="",
        data={"offer": offer.pk, "photos": len(photos)},
    )
    sync_deadlines(dispute, now)
    tell(
        dispute,
        Party.SELLER,
        key=f"dispute:{dispute.pk}:opened",
        subject=f"New dispute {dispute.reference} on order {order.reference}",
        body=f"The buyer reports “{dispute.get_reason_display()}” and asks for "
        f"{offer.describe()}. Please answer within {dispute.policy.seller_answer_days} days; "
        "if you don't, the buyer's claim is carried out.",
        now=now,
    )
    return dispute


@transaction.atomic
def dispute_modify(
    *,
    dispute: Dispute,
    actor: User,
    proposal: Proposal,
    photos: list[ProcessedPhoto] = (),
    now: datetime | None = None,
) -> Offer:
    """The buyer changes the claim or adds evidence: the seller's answer clock restarts."""
    now = now or timezone.now()
    dispute = _locked(dispute)
    from_state = _transition(dispute, "buyer_modify", actor)
    proposal = _validated(dispute.order, proposal)
    offer = _new_offer(dispute, party=Party.BUYER, actor=actor, proposal=proposal, now=now)
    _attach_photos(dispute, photos, actor=actor, now=now, offer=offer)
    dispute.seller_clock_started_at = now
    _finish(dispute, now)
    _record(
        dispute,
        actor=actor,
        code="disputes.dispute.modified",
        message=f"Buyer changed the claim: now asks for {offer.describe()}",
        now=now,
        from_state=from_state,
        data={"offer": offer.pk, "photos": len(photos)},
    )
    tell(
        dispute,
        Party.SELLER,
        key=f"dispute:{dispute.pk}:modified:{offer.pk}",
        subject=f"Dispute {dispute.reference}: the buyer changed the claim",
        body=f"The buyer now asks for {offer.describe()}. Your time to answer starts again.",
        now=now,
    )
    return offer


@transaction.atomic
def dispute_accept_offer(
    *, dispute: Dispute, actor: User, offer_id: int, now: datetime | None = None
) -> Dispute:
    """The buyer accepts the seller's counter-offer; it is carried out at once."""
    now = now or timezone.now()
    dispute = _locked(dispute)
    offer = current_offer(dispute, Party.SELLER)
    if offer is None or offer.pk != offer_id:
        raise StaleState("That offer is no longer on the table.")
    return _agree(
        dispute,
        offer,
        actor,
        "buyer_accept_offer",
        "disputes.offer.accepted",
        f"Buyer accepted the seller's offer: {offer.describe()}",
        now,
    )


@transaction.atomic
def dispute_escalate_by_buyer(
    *, dispute: Dispute, actor: User, now: datetime | None = None
) -> Dispute:
    now = now or timezone.now()
    dispute = _locked(dispute)
    from_state = _transition(dispute, "buyer_escalate", actor)
    dispute.escalated_at = now
    _finish(dispute, now)
    _record_and_tell(
        dispute,
        actor=actor,
        code="disputes.dispute.escalated",
        message="Buyer asked Parley to decide: the case went to an arbiter",
        now=now,
        from_state=from_state,
    )
    return dispute


@transaction.atomic
def dispute_cancel(*, dispute: Dispute, actor: User, now: datetime | None = None) -> Dispute:
    now = now or timezone.now()
    dispute = _locked(dispute)
    from_state = _transition(dispute, "buyer_cancel", actor)
    dispute.closed_at = now
    _finish(dispute, now)
    _record_and_tell(
        dispute,
        actor=actor,
        code="disputes.dispute.cancelled",
        message="Buyer withdrew the dispute",
        now=now,
        from_state=from_state,
    )
    return dispute


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
    dispute = _locked(dispute)
    from_state = _transition(dispute, "buyer_ship_return", actor)
    dispute.return_carrier = carrier
    dispute.return_tracking_number = tracking_number
    dispute.return_shipped_at = now
    _finish(dispute, now)
    _record_and_tell(
        dispute,
        actor=actor,
        code="disputes.return.shipped",
        message=f"Buyer shipped the return with {dispute.get_return_carrier_display()}, "
        f"tracking {tracking_number}",
        now=now,
        from_state=from_state,
    )
    return dispute


# --- Seller's acts -----------------------------------------------------------------------------


@transaction.atomic
def dispute_seller_accept(
    *, dispute: Dispute, actor: User, offer_id: int | None = None, now: datetime | None = None
) -> Dispute:
    """The seller accepts the buyer's current proposal; it is carried out at once.

    Pages pass the id of the proposal the seller saw: if the buyer changed it meanwhile, the
    seller is shown the new one instead of agreeing to something unseen.
    """
    now = now or timezone.now()
    dispute = _locked(dispute)
    offer = current_offer(dispute, Party.BUYER)
    if offer_id is not None and (offer is None or offer.pk != offer_id):
        raise StaleState("The buyer changed the claim: read the new one before you accept.")
    return _agree(
        dispute,
        offer,
        actor,
        "seller_accept",
        "disputes.dispute.seller_accepted",
        f"Seller accepted the buyer's claim: {offer.describe()}",
        now,
    )


@transaction.atomic
def dispute_seller_reject(
    *,
    dispute: Dispute,
    actor: User,
    explanation: str,
    counter: Proposal | None = None,
    photos: list[ProcessedPhoto] = (),
    now: datetime | None = None,
) -> Dispute:
    now = now or timezone.now()
    dispute = _locked(dispute)
    from_state = _transition(dispute, "seller_reject", actor)
    if not explanation.strip():
        raise ActionRefused("Say why you reject the claim.")
    offer = None
    if counter is not None:
        counter = _validated(dispute.order, counter)
        offer = _new_offer(dispute, party=Party.SELLER, actor=actor, proposal=counter, now=now)
    message = Message.objects.create(
        dispute=dispute, author=actor, body=explanation, created_at=now
    )
    _attach_photos(dispute, photos, actor=actor, now=now, message=message, offer=offer)
    _finish(dispute, now)
    counter_text = f"; offers {offer.describe()} instead" if offer else ""
    _record(
        dispute,
        actor=actor,
        code="disputes.dispute.seller_rejected",
        message=f"Seller rejected the claim{counter_text}",
        now=now,
        from_state=from_state,
        data={"offer": offer.pk if offer else None, "photos": len(photos)},
    )
    tell(
        dispute,
        Party.BUYER,
        key=f"dispute:{dispute.pk}:rejected:{message.pk}",
        subject=f"Dispute {dispute.reference}: the seller answered",
        body=f"The seller rejected your claim{counter_text}. You can accept, change your claim, "
        "or ask Parley to decide.",
        now=now,
    )
    return dispute


@transaction.atomic
def dispute_confirm_return(
    *, dispute: Dispute, actor: User, now: datetime | None = None
) -> Dispute:
    now = now or timezone.now()
    dispute = _locked(dispute)
    from_state = _transition(dispute, "seller_confirm_return", actor)
    dispute.return_received_at = now
    _settle_offer(dispute, dispute.agreed_offer, source="disputes.return.received", now=now)
    _finish(dispute, now)
    _record_and_tell(
        dispute,
        actor=actor,
        code="disputes.return.received",
        message=f"Seller confirmed the returned item arrived; refund of "
        f"{dispute.agreed_offer.money} paid",
        now=now,
        from_state=from_state,
    )
    return dispute


# --- Either party ------------------------------------------------------------------------------


@transaction.atomic
def dispute_post_message(
    *,
    dispute: Dispute,
    actor: User,
    body: str,
    photos: list[ProcessedPhoto] = (),
    now: datetime | None = None,
) -> Message:
    now = now or timezone.now()
    dispute = _locked(dispute)
    _party_of(dispute, actor)
    if not dispute.is_open:
        raise StaleState("This dispute is closed; messages can no longer be added.")
    if not body.strip() and not photos:
        raise ActionRefused("Write a message or add a photo.")
    message = Message.objects.create(dispute=dispute, author=actor, body=body, created_at=now)
    _attach_photos(dispute, photos, actor=actor, now=now, message=message)
    if dispute.evidence_requested_from == _party_of(dispute, actor):
        # The arbiter's request is answered: its clock stops.
        dispute.evidence_requested_from = ""
        dispute.evidence_due_at = None
        dispute.no_answer_from = ""
        _finish(dispute, now)
    _record(
        dispute,
        actor=actor,
        code="disputes.message.posted",
        message="Message" + (f" with {len(photos)} photo(s)" if photos else ""),
        now=now,
        data={"message": message.pk},
    )
    return message


# --- Arbitration ---------------------------------------------------------------------------------


def dispute_rule(
    *, dispute: Dispute, actor: User, proposal: Proposal | None, now: datetime
) -> tuple[Dispute, Offer | None]:
    """Carry out an arbiter's decision: `proposal` is the remedy granted, None rejects the claim.

    Runs inside the caller's transaction (arbitration.services.case_rule), which records the
    written ruling; the dispute must already be locked and assigned to `actor`.
    """
    if dispute.assignee_id != actor.pk:
        raise ActionRefused("Take the case before ruling on it.")
    offer = None
    if proposal is not None:
        proposal = _validated(dispute.order, proposal)
        offer = Offer.objects.create(
            dispute=dispute,
            party=Party.ARBITER,
            author=actor,
            remedy=proposal.remedy,
            amount=proposal.amount,
            currency=dispute.order.currency,
            note=proposal.note,
            created_at=now,
        )
    from_state = _transition(
        dispute, "rule", actor, needs_return=bool(offer and offer.needs_return)
    )
    if offer is None:
        dispute.outcome = Outcome.CLAIM_REJECTED
        dispute.closed_at = now
    else:
        _carry_out(dispute, offer, source="disputes.dispute.ruled", now=now)
    dispute.assignee = None
    dispute.ruled_at = now
    _end_evidence_request(dispute)
    _finish(dispute, now)
    decided = offer.describe() if offer else "the claim is rejected"
    _record(
        dispute,
        actor=actor,
        code="disputes.dispute.ruled",
        message=f"Parley arbiter ruled: {decided}",
        now=now,
        from_state=from_state,
        data={"offer": offer.pk if offer else None},
    )
    tell_both(
        dispute,
        key=f"dispute:{dispute.pk}:ruled",
        subject=f"Dispute {dispute.reference}: the arbiter has decided",
        body=f"Decision: {decided}. Open the dispute to read the arbiter's reasons.",
        now=now,
    )
    return dispute, offer


def locked_for_arbitration(dispute: Dispute) -> Dispute:
    return _locked(dispute)


def dispute_request_evidence(
    *, dispute: Dispute, actor: User, party: str, request: str, due_at: datetime, now: datetime
) -> Message:
    """An arbiter asks one party for more evidence by a due time (inside the caller's
    transaction; the dispute is locked and assigned to `actor`)."""
    if dispute.assignee_id != actor.pk:
        raise ActionRefused("Take the case before asking for evidence.")
    if party not in (Party.BUYER, Party.SELLER) or not request.strip():
        raise ActionRefused("Say whom you ask and what you need.")
    dispute.evidence_requested_from = party
    dispute.evidence_due_at = due_at
    dispute.no_answer_from = ""
    label = Party(party).label.lower()
    message = Message.objects.create(
        dispute=dispute,
        author=actor,
        body=f"Parley arbiter to the {label}: {request}",
        created_at=now,
    )
    _finish(dispute, now)
    when = f"{due_at:%-d %b %Y, %H:%M} UTC"
    _record(
        dispute,
        actor=actor,
        code="disputes.evidence.requested",
        message=f"The arbiter asked the {label} for more evidence by {when}",
        now=now,
        data={"party": party, "message": message.pk},
    )
    tell(
        dispute,
        party,
        key=f"dispute:{dispute.pk}:evidence:{message.pk}",
        subject=f"Dispute {dispute.reference}: the arbiter needs more from you",
        body=f"{request} Please answer in the dispute's messages by {when}; without an answer "
        "the arbiter decides on what is there.",
        now=now,
    )
    return message


@transaction.atomic
def dispute_appeal(
    *,
    dispute: Dispute,
    actor: User,
    statement: str,
    photos: list[ProcessedPhoto] = (),
    now: datetime | None = None,
) -> Dispute:
    """Either party appeals the ruling, once, within the policy's window, with new evidence."""
    now = now or timezone.now()
    dispute = _locked(dispute)
    if not statement.strip():
        raise ActionRefused("Explain why the ruling should change.")
    # The running appeal clock, which staff may have extended or paused.
    clock = dispute.deadlines.filter(kind=DeadlineKind.APPEAL, status__in=RUNNING_STATUSES).first()
    if clock is None or (clock.due_at is not None and now > clock.due_at):
        raise StaleState("The appeal window has closed: the ruling is final.")
    from_state = _transition(dispute, "appeal", actor)
    dispute.appealed_at = now
    dispute.appealed_by = actor
    dispute.escalated_at = now
    dispute.assignee = None
    message = Message.objects.create(
        dispute=dispute, author=actor, body=f"Appeal: {statement}", created_at=now
    )
    _attach_photos(dispute, photos, actor=actor, now=now, message=message)
    _finish(dispute, now)
    who = _party_of(dispute, actor)
    _record(
        dispute,
        actor=actor,
        code="disputes.dispute.appealed",
        message=f"The {who} appealed the ruling; another arbiter will decide, and that decision "
        "is final",
        now=now,
        from_state=from_state,
        data={"message": message.pk, "photos": len(photos)},
    )
    tell_both(
        dispute,
        key=f"dispute:{dispute.pk}:appealed",
        subject=f"Dispute {dispute.reference}: the ruling was appealed",
        body=f"The {who} appealed. A different Parley arbiter will review the case.",
        now=now,
    )
    return dispute


def _refunded_by(dispute: Dispute) -> Decimal:
    return sum((r.amount for r in dispute.refunds.exclude(status="failed")), Decimal(0))


def _appeal_offer(
    dispute: Dispute, actor: User, proposal: Proposal | None, now: datetime
) -> Offer | None:
    """What the appeal decision still owes the buyer, beyond what this dispute already
    refunded: the arbiter states the total; the ledger pays only the difference."""
    if proposal is None:
        return None
    amount = None
    remedy = proposal.remedy
    if remedy != Remedy.REPLACEMENT:
        paid = ledger.paid_amount(dispute.order)
        total = paid.amount
        if remedy == Remedy.PARTIAL_REFUND or (
            remedy == Remedy.RETURN_AND_REFUND and proposal.amount is not None
        ):
            total = proposal.amount or Decimal(0)
        if total > paid.amount:
            raise ActionRefused(f"The amount cannot be more than {paid}, what was paid.")
        still = ledger.refundable_amount(dispute.order).amount  # other disputes may have refunded
        amount = min(total - _refunded_by(dispute), still)
        if amount <= 0:
            return None
        if remedy == Remedy.FULL_REFUND:
            remedy = Remedy.PARTIAL_REFUND  # the rest of the full amount
    return Offer.objects.create(
        dispute=dispute,
        party=Party.ARBITER,
        author=actor,
        remedy=remedy,
        amount=amount,
        currency=dispute.order.currency,
        note="Appeal decision",
        created_at=now,
    )


def dispute_decide_appeal(
    *, dispute: Dispute, actor: User, uphold: bool, proposal: Proposal | None, now: datetime
) -> tuple[Dispute, Offer | None]:
    """Carry out the final decision on an appeal, inside the caller's transaction.

    Upheld: the first ruling's effects stand. Replaced: money is corrected through the ledger
    with a further refund up to the new amount (never beyond what was paid). Refunds already
    paid are not clawed back through Parley.
    """
    if dispute.assignee_id != actor.pk:
        raise ActionRefused("Take the case before deciding the appeal.")
    first = dispute.agreed_offer
    offer = None
    if uphold:
        waiting_for_return = bool(first and first.needs_return and dispute.closed_at is None)
        from_state = _transition(dispute, "decide_appeal", actor, needs_return=waiting_for_return)
        if dispute.state == DisputeState.AWAITING_RETURN:
            dispute.agreed_at = now  # the return's clock starts again from the final decision
        decided = "the ruling is upheld"
    else:
        offer = _appeal_offer(dispute, actor, proposal, now)
        needs_return = bool(offer and offer.needs_return)
        from_state = _transition(dispute, "decide_appeal", actor, needs_return=needs_return)
        if offer is not None:
            _carry_out(dispute, offer, source="disputes.dispute.appeal_decided", now=now)
            decided = offer.describe()
        elif proposal is None:
            dispute.outcome = Outcome.CLAIM_REJECTED
            decided = "the claim is rejected (refunds already paid are not reclaimed)"
        else:
            decided = "no further refund is due"
    if dispute.state == DisputeState.RESOLVED:
        dispute.closed_at = now
    dispute.final_at = now
    dispute.assignee = None
    _end_evidence_request(dispute)
    _finish(dispute, now)
    _record(
        dispute,
        actor=actor,
        code="disputes.dispute.appeal_decided",
        message=f"Appeal decided, final: {decided}",
        now=now,
        from_state=from_state,
        data={"offer": offer.pk if offer else None, "upheld": uphold},
    )
    tell_both(
        dispute,
        key=f"dispute:{dispute.pk}:appeal_decided",
        subject=f"Dispute {dispute.reference}: the appeal is decided",
        body=f"Final decision: {decided}. Open the dispute to read the reasons.",
        now=now,
    )
    return dispute, offer


@transaction.atomic
def rating_leave(
    *, order: Order, buyer: User, stars: int, comment: str, now: datetime | None = None
) -> SellerRating:
    """After a dispute on the order ended, its buyer may rate the seller, once."""
    now = now or timezone.now()
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if buyer.pk != order.buyer_id:
        raise ActionRefused("Only the buyer of this order can rate the seller.")
    disputes = list(order.disputes.all())
    if not disputes or any(d.is_open for d in disputes):
        raise ActionRefused("You can rate the seller once the dispute has ended.")
    if not 1 <= stars <= 5:
        raise ActionRefused("Choose from 1 to 5 stars.")
    if SellerRating.objects.filter(order=order).exists():
        raise ActionRefused("You already rated the seller for this order.")
    return SellerRating.objects.create(
        order=order,
        store_id=order.store_id,
        buyer=buyer,
        stars=stars,
        comment=comment,
        created_at=now,
    )


def order_refund_summary(order: Order) -> str:
    return ledger.refund_status_label(order)


def dispute_actions(dispute: Dispute, user: User) -> set[str]:
    """The acts `user` may choose now, for pages to offer (services decide again on POST)."""
    # Transitions without a permission belong to the clock, never to a person.
    actions = {
        t.name
        for t in dispute.get_available_user_state_transitions(user)
        if t.permission is not None
    }
    order = dispute.order
    if dispute.is_open and user.pk in (order.buyer_id, order.store.owner_id):
        actions.add("message")
    return actions
