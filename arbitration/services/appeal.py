"""Another arbiter decides an appeal, finally: the ruling upheld, or replaced."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ActionRefused, StaleState
from core.fsm import transition
from core.moments import money
from disputes import ledger
from disputes.events import offer_data, people, record
from disputes.models import Dispute, DisputeState, Offer, Outcome, Party, Remedy
from disputes.services.items import dispute_cap
from disputes.services.kernel import Proposal, carry_out, end_evidence_request, finish, new_offer

from ..models import Ruling
from .case import (
    NOTE_LENGTH,
    REMEDIES,
    Decision,
    decided_case,
    now_in,
    refuse_first_arbiter_on_appeal,
    require_assignee,
)


@transaction.atomic
def case_decide_appeal(
    *,
    dispute: Dispute,
    arbiter: User,
    uphold: bool,
    decision: Decision,
    now: datetime | None = None,
) -> Ruling:
    """The final word on an appeal, never by the arbiter who ruled first.

    Upheld: the first ruling's effects stand. Replaced: money is corrected through the ledger
    with a further refund up to the new amount (never beyond what was paid). Refunds already
    paid are not clawed back through Parley.
    """
    now = now or timezone.now()
    dispute, first = _appealed_case(dispute, arbiter, decision, now)
    from_state, offer, verdict = _decided(dispute, arbiter, uphold, decision, now)
    # Resolved, the case closes now; sent back onto a return or a replacement (from a ruling
    # that had closed it), it is open again until that is carried out.
    dispute.closed_at = now if dispute.state == DisputeState.RESOLVED else None
    dispute.final_at = now
    dispute.assignee = None
    end_evidence_request(dispute)
    finish(dispute, now)
    ruling = Ruling.objects.create(
        dispute=dispute,
        arbiter=arbiter,
        outcome=first.outcome if uphold else decision.outcome,
        amount=first.amount if uphold else decision.amount,
        remedy_offer=offer,
        on_appeal=True,
        upheld=uphold,
        created_at=now,
        **_written(first, uphold, decision),
    )
    ruling.cited_evidence.set(decision.cited(dispute))
    data = {"decision": verdict, "offer": offer_data(offer) if offer else None, "ruling": ruling.pk}
    code = people.APPEAL_DECIDED.code
    record(dispute, code, actor=arbiter, at=now, from_state=from_state, data=data)
    return ruling


def _written(first: Ruling, uphold: bool, decision: Decision) -> dict[str, Any]:
    """The decision's written fields. Upheld, the first ruling's violation stands with it (the
    final word carries the penalty: standing counts final decisions only); replaced, only
    what the appeal's decision records counts."""
    written = decision.written
    if uphold and first.seller_violation and not decision.seller_violation:
        written |= {"seller_violation": True, "penalty_note": first.penalty_note}
    return written


def _appealed_case(
    dispute: Dispute, arbiter: User, decision: Decision, now: datetime
) -> tuple[Dispute, Ruling]:
    """The appealed case, locked, with its first ruling, for an arbiter who may decide it."""
    dispute = decided_case(dispute, arbiter, decision, now)
    if dispute.state != DisputeState.APPEALED:
        raise StaleState(now_in(dispute))
    refuse_first_arbiter_on_appeal(dispute, arbiter)
    first = dispute.rulings.get(on_appeal=False)
    require_assignee(dispute, arbiter, _("Take the case before deciding the appeal."))
    return dispute, first


def _decided(
    dispute: Dispute, arbiter: User, uphold: bool, decision: Decision, now: datetime
) -> tuple[str, Offer | None, str]:
    """Move the appeal to its end and carry out what the decision changes. Returns the state
    moved from, the further remedy (if any) and the verdict, as the event's data says it."""
    if uphold:
        first = dispute.agreed_offer
        waiting = dispute.closed_at is None  # the remedy was still being carried out
        from_state = transition(
            dispute,
            "decide_appeal",
            arbiter,
            needs_return=bool(first and waiting and first.needs_return),
            needs_replacement=bool(first and waiting and first.needs_replacement),
        )
        if dispute.state in (DisputeState.AWAITING_RETURN, DisputeState.AWAITING_REPLACEMENT):
            dispute.agreed_at = now  # the remedy's clock starts again from the final decision
        return from_state, None, "upheld"
    remedy = REMEDIES.get(decision.outcome)
    offer = _further(dispute, arbiter, remedy, decision, now) if remedy else None
    todo = still_to_do(dispute, offer.remedy if offer else None)
    from_state = transition(dispute, "decide_appeal", arbiter, **todo)
    if offer is not None:
        carry_out(dispute, offer, source=people.APPEAL_DECIDED.code, now=now)
        return from_state, offer, "replaced"
    if remedy is None:
        dispute.outcome = Outcome.CLAIM_REJECTED
        return from_state, None, "rejected"
    if not dispute.outcome:
        # Still carrying out the first remedy, so nothing refunded by this case, and nothing
        # more owed: the order has nothing left to refund. The buyer has it all back.
        dispute.outcome = Outcome.REFUNDED
    return from_state, None, "nothing_due"


def still_to_do(dispute: Dispute, remedy: str | None) -> dict[str, bool]:
    """What a replacing decision's remedy still asks of the parties (the transition's
    arguments). A return the seller already has back, or a replacement the buyer already
    received (either closed the case before the appeal), is not asked for twice: what the
    decision adds is carried out at once. A pure read, for the confirm step too."""
    closed = dispute.closed_at is not None  # read before the decision moves the case
    returned = closed and dispute.return_shipped_at is not None
    replaced = closed and dispute.replacement_shipped_at is not None
    return {
        "needs_return": remedy == Remedy.RETURN_AND_REFUND and not returned,
        "needs_replacement": remedy == Remedy.REPLACEMENT and not replaced,
    }


def _further(
    dispute: Dispute, arbiter: User, remedy: str, decision: Decision, now: datetime
) -> Offer | None:
    """What the decision still owes the buyer beyond what this dispute already refunded: the
    arbiter states the total; the ledger pays only the difference (None: nothing more)."""
    owed = appeal_owed(dispute, remedy, decision.amount)
    if owed is None and remedy != Remedy.REPLACEMENT:
        return None
    if remedy == Remedy.FULL_REFUND:
        remedy = Remedy.PARTIAL_REFUND  # the rest of the full amount
    # The note is the arbiter's own words, as a ruling's offer carries them (never prose of ours
    # stored in one language).
    proposal = Proposal(remedy, owed, note=Truncator(decision.rationale).chars(NOTE_LENGTH))
    return new_offer(dispute, party=Party.ARBITER, actor=arbiter, proposal=proposal, now=now)


def appeal_owed(dispute: Dispute, remedy: str, amount: Decimal | None) -> Decimal | None:
    """The refund a replacing decision adds: its total less what this dispute already
    refunded, within what is still refundable (None: nothing more, or a replacement).
    A pure read, so the confirm step names the same amount the decision pays."""
    if remedy == Remedy.REPLACEMENT:
        return None
    paid = ledger.paid_amount(dispute.order)
    total = (dispute_cap(dispute) or paid).amount  # in full: the claimed items' value
    if remedy == Remedy.PARTIAL_REFUND or (
        remedy == Remedy.RETURN_AND_REFUND and amount is not None
    ):
        if amount is None or amount <= 0:  # as a ruling refuses it (kernel.validated)
            raise ActionRefused(_("Enter the amount to refund."))
        total = amount
    if total > paid.amount:
        paid_words = money(paid.amount, paid.currency)
        raise ActionRefused(
            _("The amount cannot be more than %(paid)s, what was paid.") % {"paid": paid_words}
        )
    still = ledger.refundable_amount(dispute.order).amount  # other disputes may have refunded
    owed = min(total - refunded_by(dispute), still)
    return owed if owed > 0 else None


def refunded_by(dispute: Dispute) -> Decimal:
    return sum((r.amount for r in dispute.refunds.exclude(status="failed")), Decimal(0))
