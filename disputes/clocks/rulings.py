"""The clocks around an arbiter's ruling: the window to appeal it, and a request for evidence."""

from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.moments import moment

from ..models import ARBITRATION_STATES, DeadlineKind, Dispute, Party
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
        return _("If neither side appeals by %(when)s, the ruling becomes final.") % {
            "when": moment(due_at)
        }

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        days = dispute.policy.appeal_days
        return ngettext(
            "The %(days)s day to appeal ended on %(when)s: the ruling is final.",
            "The %(days)s days to appeal ended on %(when)s: the ruling is final.",
            days,
        ) % {"days": days, "when": moment(due_at)}


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
        if dispute.no_answer_from == Party.BUYER:
            sentence = _(
                "The time for the buyer to send evidence ended on %(when)s: the arbiter "
                "decides on what is there."
            )
        elif dispute.no_answer_from == Party.SELLER:
            sentence = _(
                "The time for the seller to send evidence ended on %(when)s: the arbiter "
                "decides on what is there."
            )
        else:
            sentence = _(
                "The time for the party asked to send evidence ended on %(when)s: the arbiter "
                "decides on what is there."
            )
        return sentence % {"when": moment(due_at)}
