"""The arbitration queue: taking, releasing and reassigning cases, and ruling on them."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.errors import ActionRefused, StaleState
from disputes import services as dispute_services
from disputes.models import (
    ARBITRATION_STATES,
    Dispute,
    DisputeEvent,
    DisputeState,
    EvidenceItem,
    Remedy,
)

from .models import Ruling, RulingOutcome

QUEUE_STATES = ARBITRATION_STATES


def _require_arbiter(user: User) -> None:
    if not user.is_arbiter:
        raise ActionRefused("Only Parley arbiters work the queue.")


def _note(dispute: Dispute, actor: User, code: str, message: str, now: datetime) -> None:
    DisputeEvent.objects.create(
        dispute=dispute,
        actor=actor,
        code=code,
        from_state=dispute.state,
        to_state=dispute.state,
        data={"text": message},
        created_at=now,
    )


@transaction.atomic
def case_take_next(*, arbiter: User, now: datetime | None = None) -> Dispute | None:
    """Assign the most urgent unassigned case to `arbiter`. Two arbiters clicking at once get
    two different cases: each skips the row the other has locked."""
    _require_arbiter(arbiter)
    now = now or timezone.now()
    dispute = (
        Dispute.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(state__in=QUEUE_STATES, assignee__isnull=True)
        # An appeal goes to another arbiter than the one who ruled.
        .exclude(state=DisputeState.APPEALED, rulings__arbiter=arbiter)
        .order_by("target_at", "-claimed_amount", "id")
        .first()
    )
    if dispute is None:
        return None
    dispute.assignee = arbiter
    dispute.assigned_at = now
    dispute.save(update_fields=["assignee", "assigned_at"])
    _note(dispute, arbiter, "arbitration.case.taken", "An arbiter took the case", now)
    return dispute


def _locked_case(dispute: Dispute) -> Dispute:
    dispute = dispute_services.locked_for_arbitration(dispute)
    if dispute.state not in QUEUE_STATES:
        raise StaleState(f"This case is now “{dispute.get_state_display()}”.")
    return dispute


@transaction.atomic
def case_release(*, dispute: Dispute, arbiter: User, now: datetime | None = None) -> Dispute:
    _require_arbiter(arbiter)
    now = now or timezone.now()
    dispute = _locked_case(dispute)
    if dispute.assignee_id != arbiter.pk:
        raise ActionRefused("Only the arbiter working this case can release it.")
    dispute.assignee = None
    dispute.assigned_at = None
    dispute.save(update_fields=["assignee", "assigned_at"])
    _note(dispute, arbiter, "arbitration.case.released", "The case went back to the queue", now)
    return dispute


@transaction.atomic
def case_reassign(
    *, dispute: Dispute, lead: User, to: User, now: datetime | None = None
) -> Dispute:
    _require_arbiter(lead)
    if not lead.is_lead_arbiter:
        raise ActionRefused("Only a lead arbiter can reassign cases.")
    _require_arbiter(to)
    now = now or timezone.now()
    dispute = _locked_case(dispute)
    _refuse_first_arbiter_on_appeal(dispute, to)
    dispute.assignee = to
    dispute.assigned_at = now
    dispute.save(update_fields=["assignee", "assigned_at"])
    _note(
        dispute, lead, "arbitration.case.reassigned", f"Case reassigned to {to.display_name}", now
    )
    return dispute


def _refuse_first_arbiter_on_appeal(dispute: Dispute, arbiter: User) -> None:
    if dispute.state == DisputeState.APPEALED and dispute.rulings.filter(arbiter=arbiter).exists():
        raise ActionRefused("An appeal is decided by another arbiter than the one who ruled.")


@dataclass(frozen=True)
class Decision:
    outcome: str
    rationale: str
    policy_clause: str
    amount: Decimal | None = None
    cited_evidence: tuple[int, ...] = ()
    seller_violation: bool = False
    penalty_note: str = ""


_REMEDIES = {
    RulingOutcome.FULL_REFUND: Remedy.FULL_REFUND,
    RulingOutcome.PARTIAL_REFUND: Remedy.PARTIAL_REFUND,
    RulingOutcome.RETURN_THEN_REFUND: Remedy.RETURN_AND_REFUND,
}


@transaction.atomic
def case_rule(
    *, dispute: Dispute, arbiter: User, decision: Decision, now: datetime | None = None
) -> Ruling:
    """Decide the case: the written ruling, and its effects through the refund ledger."""
    _require_arbiter(arbiter)
    now = now or timezone.now()
    if not decision.rationale.strip():
        raise ActionRefused("Write the reasons for your decision: both parties read them.")
    dispute = _locked_case(dispute)
    if dispute.state == DisputeState.APPEALED:
        raise StaleState("This case is an appeal: uphold or replace the ruling instead.")
    remedy = _REMEDIES.get(decision.outcome)
    proposal = (
        dispute_services.Proposal(remedy, decision.amount, note=decision.rationale[:200])
        if remedy
        else None
    )
    dispute, offer = dispute_services.dispute_rule(
        dispute=dispute, actor=arbiter, proposal=proposal, now=now
    )
    return _write_ruling(
        dispute,
        arbiter,
        decision,
        offer,
        outcome=decision.outcome,
        amount=offer.amount if offer else None,
        now=now,
    )


def _write_ruling(dispute, arbiter, decision, offer, *, outcome, amount, now, **appeal) -> Ruling:
    """The written record of a decision, with the evidence it cites (same dispute only)."""
    ruling = Ruling.objects.create(
        dispute=dispute,
        arbiter=arbiter,
        outcome=outcome,
        amount=amount,
        remedy_offer=offer,
        rationale=decision.rationale,
        policy_clause=decision.policy_clause,
        seller_violation=decision.seller_violation,
        penalty_note=decision.penalty_note,
        created_at=now,
        **appeal,
    )
    cited = EvidenceItem.objects.filter(dispute=dispute, pk__in=decision.cited_evidence)
    ruling.cited_evidence.set(cited)
    return ruling


@transaction.atomic
def case_decide_appeal(
    *,
    dispute: Dispute,
    arbiter: User,
    uphold: bool,
    decision: Decision,
    now: datetime | None = None,
) -> Ruling:
    """The final word on an appeal: uphold the ruling, or replace it (money corrected through
    the ledger). Never by the arbiter who ruled first."""
    _require_arbiter(arbiter)
    now = now or timezone.now()
    if not decision.rationale.strip():
        raise ActionRefused("Write the reasons for your decision: both parties read them.")
    dispute = _locked_case(dispute)
    if dispute.state != DisputeState.APPEALED:
        raise StaleState(f"This case is now “{dispute.get_state_display()}”.")
    _refuse_first_arbiter_on_appeal(dispute, arbiter)
    first = dispute.rulings.get(on_appeal=False)
    remedy = _REMEDIES.get(decision.outcome)
    proposal = None if uphold or not remedy else dispute_services.Proposal(remedy, decision.amount)
    dispute, offer = dispute_services.dispute_decide_appeal(
        dispute=dispute, actor=arbiter, uphold=uphold, proposal=proposal, now=now
    )
    return _write_ruling(
        dispute,
        arbiter,
        decision,
        offer,
        outcome=first.outcome if uphold else decision.outcome,
        amount=first.amount if uphold else decision.amount,
        now=now,
        on_appeal=True,
        upheld=uphold,
    )


@transaction.atomic
def case_request_evidence(
    *,
    dispute: Dispute,
    arbiter: User,
    party: str,
    request: str,
    hours: int,
    now: datetime | None = None,
) -> Dispute:
    _require_arbiter(arbiter)
    now = now or timezone.now()
    dispute = _locked_case(dispute)
    dispute_services.dispute_request_evidence(
        dispute=dispute,
        actor=arbiter,
        party=party,
        request=request,
        due_at=now + timedelta(hours=hours),
        now=now,
    )
    return dispute
