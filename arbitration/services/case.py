"""What every act on a case checks first, and the decision an arbiter writes."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from core.errors import ActionRefused, StaleState
from disputes.models import ARBITRATION_STATES, Dispute, DisputeState, EvidenceItem, Remedy
from disputes.services.kernel import lock

from ..models import RulingOutcome

QUEUE_STATES = ARBITRATION_STATES

# The remedy each outcome grants (a rejected claim grants none).
REMEDIES: dict[str, str] = {
    RulingOutcome.FULL_REFUND: Remedy.FULL_REFUND,
    RulingOutcome.PARTIAL_REFUND: Remedy.PARTIAL_REFUND,
    RulingOutcome.RETURN_THEN_REFUND: Remedy.RETURN_AND_REFUND,
    RulingOutcome.REPLACEMENT: Remedy.REPLACEMENT,
}


@dataclass(frozen=True)
class Decision:
    """What the arbiter decided and wrote: both parties read the rationale."""

    outcome: str
    rationale: str
    policy_clause: str
    amount: Decimal | None = None
    cited_evidence: tuple[int, ...] = ()
    seller_violation: bool = False
    penalty_note: str = ""

    @property
    def written(self) -> dict[str, Any]:
        """The ruling's written fields."""
        return {
            "rationale": self.rationale,
            "policy_clause": self.policy_clause,
            "seller_violation": self.seller_violation,
            "penalty_note": self.penalty_note,
        }

    def cited(self, dispute: Dispute) -> QuerySet[EvidenceItem]:
        """The evidence the decision cites, of its own dispute only."""
        return EvidenceItem.objects.filter(dispute=dispute, pk__in=self.cited_evidence)


def require_arbiter(user: User) -> None:
    if not user.is_arbiter:
        raise ActionRefused("Only Parley arbiters work the queue.")


def locked_case(dispute: Dispute, now: datetime) -> Dispute:
    dispute = lock(dispute, now)
    if dispute.state not in QUEUE_STATES:
        raise StaleState(f"This case is now “{dispute.get_state_display()}”.")
    return dispute


def decided_case(dispute: Dispute, arbiter: User, decision: Decision, now: datetime) -> Dispute:
    """The case locked for a decision, by an arbiter who wrote their reasons."""
    require_arbiter(arbiter)
    if not decision.rationale.strip():
        raise ActionRefused("Write the reasons for your decision: both parties read them.")
    return locked_case(dispute, now)


def require_assignee(dispute: Dispute, arbiter: User, doing: str) -> None:
    if dispute.assignee_id != arbiter.pk:
        raise ActionRefused(f"Take the case before {doing}.")


def refuse_first_arbiter_on_appeal(dispute: Dispute, arbiter: User) -> None:
    if dispute.state == DisputeState.APPEALED and dispute.rulings.filter(arbiter=arbiter).exists():
        raise ActionRefused("An appeal is decided by another arbiter than the one who ruled.")
