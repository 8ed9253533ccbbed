"""The clocks around an arbiter's ruling: the window to appeal it, and a request for evidence."""

from datetime import datetime, timedelta

from core.moments import moment

from ..models import ARBITRATION_STATES, DeadlineKind, Dispute
from .base import Clock, registered


@registered
class Appeal(Clock):
    """Either party may appeal a ruling once within the policy's days; then it is final (and
    the seller's payout can follow)."""

    kind = DeadlineKind.APPEAL
    at_zero = "dispute_finalize_many"

    def due(self, dispute: Dispute) -> datetime | None:
        if not dispute.appeal_open or dispute.ruled_at is None:
            return None
        return dispute.ruled_at + timedelta(days=dispute.policy.appeal_days)

    def reads(self, dispute: Dispute, due_at: datetime, viewer: str) -> str:
        return f"If neither side appeals by {moment(due_at)}, the ruling becomes final."

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        days = dispute.policy.appeal_days
        return f"The {days} days to appeal ended on {moment(due_at)}: the ruling is final."


@registered
class EvidenceRequest(Clock):
    """The party an arbiter asked for evidence answers by the time the arbiter set; if not,
    the case returns to the queue marked so."""

    kind = DeadlineKind.EVIDENCE_REQUEST
    at_zero = "dispute_evidence_overdue_many"

    def due(self, dispute: Dispute) -> datetime | None:
        if dispute.state not in ARBITRATION_STATES:
            return None
        return dispute.evidence_due_at

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        party = dispute.no_answer_from or "party asked"
        return (
            f"The time for the {party} to send evidence ended on {moment(due_at)}: "
            "the arbiter decides on what is there."
        )
