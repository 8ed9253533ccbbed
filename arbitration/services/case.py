"""What every act on a case checks first, and the decision an arbiter writes."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ActionRefused, StaleState
from core.languages import active_language
from disputes.models import ARBITRATION_STATES, Dispute, DisputeState, EvidenceItem, Remedy
from disputes.services.kernel import lock

from ..models import RulingOutcome

QUEUE_STATES = ARBITRATION_STATES

# The remedy each outcome grants (a rejected claim grants none).
# A decision goes on the table as an offer whose note is the start of its reasons (the ruling
# keeps them whole), cut with an ellipsis.
NOTE_LENGTH = 200

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
    # The language the rationale is written in: the one the arbiter reads Parley in as they write.
    language: str = field(default_factory=active_language)

    @property
    def written(self) -> dict[str, Any]:
        """The ruling's written fields."""
        return {
            "rationale": self.rationale,
            "language": self.language,
            "policy_clause": self.policy_clause,
            "seller_violation": self.seller_violation,
            "penalty_note": self.penalty_note,
        }

    def cited(self, dispute: Dispute) -> QuerySet[EvidenceItem]:
        """The evidence the decision cites, of its own dispute only."""
        return EvidenceItem.objects.filter(dispute=dispute, pk__in=self.cited_evidence)


def require_arbiter(user: User) -> None:
    if not user.is_arbiter:
        raise ActionRefused(_("Only Parley arbiters work the queue."))


def locked_case(dispute: Dispute, now: datetime) -> Dispute:
    dispute = lock(dispute, now)
    if dispute.state not in QUEUE_STATES:
        raise StaleState(now_in(dispute))
    return dispute


def decided_case(dispute: Dispute, arbiter: User, decision: Decision, now: datetime) -> Dispute:
    """The case locked for a decision, by an arbiter who wrote their reasons."""
    require_arbiter(arbiter)
    if not decision.rationale.strip():
        raise ActionRefused(_("Write the reasons for your decision: both parties read them."))
    return locked_case(dispute, now)


def now_in(dispute: Dispute) -> str:
    """Why an act found the case moved on: the state it is in now."""
    return _("This case is now “%(state)s”.") % {"state": dispute.get_state_display()}


def require_assignee(dispute: Dispute, arbiter: User, refusal: str) -> None:
    """`refusal` says what to do first, e.g. "Take the case before ruling on it." """
    if dispute.assignee_id != arbiter.pk:
        raise ActionRefused(refusal)


def refuse_first_arbiter_on_appeal(dispute: Dispute, arbiter: User) -> None:
    if dispute.state == DisputeState.APPEALED and dispute.rulings.filter(arbiter=arbiter).exists():
        raise ActionRefused(_("An appeal is decided by another arbiter than the one who ruled."))
