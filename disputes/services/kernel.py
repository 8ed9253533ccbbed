"""What every act on a dispute does the same way: lock it, check who is who, take a new
offer, carry out what was agreed or decided, and save with the deadlines brought in line.

The arbitration app's acts use these too (an arbiter's decision is carried out like an
agreement). Lock order is always dispute, then order (the ledger locks the order), so two
acts never deadlock.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from accounts.models import User
from core.bulk import update_rows
from core.errors import ActionRefused, StaleState
from core.fsm import locked
from core.moments import moment
from core.money import Money
from orders.models import Order

from .. import ledger
from ..clocks import clock_of
from ..deadlines import sync_deadlines, sync_deadlines_many
from ..evidence import ProcessedPhoto, check_evidence_room
from ..models import (
    CARRYING_OUT,
    DeadlineStatus,
    Dispute,
    EvidenceItem,
    Message,
    Offer,
    Outcome,
    Party,
    Remedy,
)
from ..selectors import current_offer
from .items import amount_limit

Due = tuple[Dispute, datetime]  # a locked dispute, and when its act happens (or fell due)
Settling = tuple[Dispute, Offer, str, datetime]  # a dispute, the offer it pays, the act, when


@dataclass(frozen=True)
class Proposal:
    """What a party asks for: a remedy and, for refunds, an amount."""

    remedy: str
    amount: Decimal | None = None
    note: str = ""


def lock(dispute: Dispute, now: datetime | None = None) -> Dispute:
    """The dispute again, under its row lock, with what acts read loaded. A person's act
    passes its `now`: if one of the dispute's clocks fell due by then (in the instant since
    `catchup.deadlines_first` looked), the act is too late and is refused."""
    dispute = locked(dispute, "order__store", "order__payment", "policy")
    if now is not None:
        late = dispute.deadlines.filter(status=DeadlineStatus.PENDING, due_at__lte=now).first()
        if late is not None:
            assert late.due_at is not None  # pending rows are due
            raise StaleState(
                _(
                    # Translators: %(clock)s names a deadline, e.g. "Seller's answer".
                    "%(clock)s ran out on %(when)s, before this act: what happens then applies "
                    "first. Reload the page to see it."
                )
                % {"clock": clock_of(late.kind).label, "when": moment(late.due_at)}
            )
    return dispute


def party_of(dispute: Dispute, user: User) -> str:
    if user.pk == dispute.order.buyer_id:
        return Party.BUYER
    if user.pk == dispute.order.store.owner_id:
        return Party.SELLER
    raise ActionRefused(_("Only the buyer and the seller take part in this dispute."))


def clock_data(now: datetime, ran_at: datetime | None, rule: str) -> dict[str, Any]:
    """What every act of the clock keeps: its deadline's kind, when that fell due (the act is
    dated then) and when the engine really ran (ISO moments, to the microsecond)."""
    return {"rule": str(rule), "due_at": now.isoformat(), "ran_at": (ran_at or now).isoformat()}


def attach_photos(
    dispute: Dispute,
    photos: Sequence[ProcessedPhoto],
    *,
    actor: User,
    now: datetime,
    message: Message | None = None,
    offer: Offer | None = None,
) -> None:
    # Again here, under the dispute's row lock, where the count cannot change underneath.
    check_evidence_room(dispute, len(photos))
    for photo in photos:
        item = EvidenceItem(
            dispute=dispute,
            uploaded_by=actor,
            party=party_of(dispute, actor),
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


def new_offer(
    dispute: Dispute, *, party: str, actor: User, proposal: Proposal, now: datetime
) -> Offer:
    """A party's new offer, superseding its previous one. (An arbiter's decisions are never
    superseded: the ruling's and the appeal's stand side by side.)"""
    previous = current_offer(dispute, party) if party != Party.ARBITER else None
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
        dispute.claimed_amount = offer.amount or Decimal(0)  # the queue sorts by it; caller saves
    return offer


def lapse_counter_offer(dispute: Dispute, now: datetime) -> Offer | None:
    """The seller's counter-offer on the table lapses (the buyer changed the claim, or the
    seller answers again): it can no longer be accepted. Returns it, if there was one."""
    offer = current_offer(dispute, Party.SELLER)
    if offer is not None:
        offer.lapsed_at = now
        offer.save(update_fields=["lapsed_at"])
    return offer


def validated(order: Order, proposal: Proposal, cap: Money | None = None) -> Proposal:
    """Fix the amount each remedy implies and refuse amounts above what can be refunded: what
    was paid and not yet refunded, and, for a claim about some items (`cap`, see
    items.dispute_cap), their value. A full refund is the most that can be refunded."""
    refundable = ledger.refundable_amount(order)
    if proposal.remedy == Remedy.REPLACEMENT:
        return Proposal(proposal.remedy, None, proposal.note)
    if refundable.amount <= 0:
        raise ActionRefused(_("Everything paid for this order has already been refunded."))
    limit, too_much = amount_limit(refundable, cap)
    if proposal.remedy == Remedy.FULL_REFUND or (
        proposal.remedy == Remedy.RETURN_AND_REFUND and proposal.amount is None
    ):
        return Proposal(proposal.remedy, limit.amount, proposal.note)
    if proposal.amount is None or proposal.amount <= 0:
        raise ActionRefused(_("Enter the amount you are asking for."))
    if Money(proposal.amount, order.currency) > limit:
        raise ActionRefused(too_much)
    return proposal


# --- Carrying out what was agreed or decided ----------------------------------------------------


def agreed(dispute: Dispute, offer: Offer, *, source: str, now: datetime) -> Settling | None:
    """After a move to RESOLVED, onto the return path or the replacement path: the offer is
    what was agreed. Returns what to settle now (None while the remedy is being carried out:
    the refund waits for the returned item, a replacement for its shipment)."""
    dispute.agreed_offer = offer
    dispute.agreed_at = now
    if dispute.state in CARRYING_OUT:
        return None  # refunded when the return arrives; a replacement is shipped first
    return (dispute, offer, source, now)


def carry_out(dispute: Dispute, offer: Offer, *, source: str, now: datetime) -> None:
    """One dispute's `agreed`, settled at once if it is due now."""
    due = agreed(dispute, offer, source=source, now=now)
    if due is not None:
        settle_offers([due])


def settle_offers(settling: list[Settling]) -> None:
    """Carry out what each dispute's agreed offer says, closing it: one ledger call for all.
    The disputes must be locked; `source` (the act's code) is kept on the refund."""
    paid = []
    for dispute, offer, source, now in settling:
        dispute.closed_at = now
        if offer.remedy == Remedy.REPLACEMENT:
            dispute.outcome = Outcome.REPLACEMENT
            continue
        assert offer.money is not None  # every other remedy has an amount
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
    for (dispute, _request), refund in zip(paid, refunds, strict=True):
        fully = refund.left_after == 0
        dispute.outcome = Outcome.REFUNDED if fully else Outcome.PARTIALLY_REFUNDED


def end_evidence_request(dispute: Dispute) -> None:
    dispute.evidence_requested_from = ""
    dispute.evidence_due_at = None
    dispute.no_answer_from = ""


# --- Saving -------------------------------------------------------------------------------------


def finish(dispute: Dispute, now: datetime) -> None:
    """Save one dispute and bring its deadlines in line with its new state."""
    dispute.save()
    sync_deadlines(dispute, now)


def finish_many(dues: list[Due], fields: list[str]) -> None:
    """Save `fields` of many disputes and bring their deadlines in line: one statement per
    table for all of them (the batch forms' `finish`)."""
    disputes = [dispute for dispute, _ in dues]
    update_rows(disputes, fields)
    for dispute in disputes:
        # Saved, as save() would: a later save() of the same object expects this state.
        dispute._update_initial_state()
    sync_deadlines_many(dues)
