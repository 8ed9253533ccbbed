"""The disputes app's models, one module per subject; import them from here."""

from .choices import (
    APPEALABLE,
    ARBITRATION_STATES,
    CARRYING_OUT,
    HOLDS_PAYOUT,
    NEGOTIATING,
    OPEN_STATES,
    RUNNING_STATUSES,
    WITHDRAWABLE,
    DeadlineKind,
    DeadlineStatus,
    DisputeState,
    Outcome,
    Party,
    Reason,
    RefundStatus,
    Remedy,
)
from .claimed import ClaimedLine
from .deadline import Deadline
from .dispute import Dispute
from .evidence import EvidenceItem, Message, _evidence_name, _thumbnail_name
from .offer import Offer, remedy_text
from .rating import SellerRating
from .refund import Refund
from .timeline import DisputeEvent

__all__ = [
    "APPEALABLE",
    "ARBITRATION_STATES",
    "CARRYING_OUT",
    "HOLDS_PAYOUT",
    "NEGOTIATING",
    "OPEN_STATES",
    "RUNNING_STATUSES",
    "WITHDRAWABLE",
    "ClaimedLine",
    "Deadline",
    "DeadlineKind",
    "DeadlineStatus",
    "Dispute",
    "DisputeEvent",
    "DisputeState",
    "EvidenceItem",
    "Message",
    "Offer",
    "Outcome",
    "Party",
    "Reason",
    "Refund",
    "RefundStatus",
    "Remedy",
    "SellerRating",
    "_evidence_name",  # named by migration 0001 (upload_to)
    "_thumbnail_name",
    "remedy_text",
]
