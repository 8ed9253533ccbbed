"""The one table from timeline codes to webhook event types, and the codes deliberately not
sent (tests/test_webhooks.py: every catalogued dispute and order code is in one of
the two)."""

from collections.abc import Mapping

from core.timeline import Entry
from disputes.models import OPEN_STATES

EVENT_TYPES: Mapping[str, str] = {
    # The case
    "disputes.dispute.opened": "case.created",
    "disputes.dispute.modified": "case.updated",
    "disputes.deadline.extended": "case.updated",
    "disputes.deadline.paused": "case.updated",
    "disputes.deadline.resumed": "case.updated",
    "disputes.dispute.seller_accepted": "case.offer.accepted",
    "disputes.offer.accepted": "case.offer.accepted",
    "disputes.dispute.seller_rejected": "case.offer.rejected",
    "disputes.message.posted": "case.message.added",
    "disputes.evidence.requested": "case.evidence.requested",
    "disputes.rule.evidence_overdue": "case.evidence.overdue",
    "disputes.dispute.escalated": "case.escalated",
    "disputes.rule.negotiation_limit": "case.escalated",
    "disputes.rule.goods_in_transit": "case.escalated",
    "disputes.rule.seller_silence": "case.updated",
    "disputes.dispute.ruled": "case.ruled",
    "disputes.dispute.appealed": "case.appeal.filed",
    "disputes.dispute.appeal_decided": "case.appeal.decided",
    # The appeal window ended unused: the ruling stands for good (the case may still be on
    # its return or replacement path, so this is not case.closed).
    "disputes.rule.ruling_final": "case.ruling_final",
    "disputes.dispute.cancelled": "case.closed",
    "disputes.deadline.reminded": "case.action_due_soon",
    # Returns and replacements
    "disputes.return.shipped": "return.shipped",
    "disputes.return.delivered": "return.delivered",
    "disputes.return.received": "return.received",
    "disputes.rule.return_receipt": "return.received",
    "disputes.rule.return_not_shipped": "return.not_shipped",
    "disputes.replacement.shipped": "replacement.shipped",
    "disputes.replacement.received": "replacement.received",
    "disputes.rule.replacement_receipt": "replacement.received",
    "disputes.rule.replacement_not_shipped": "replacement.not_shipped",
    # Money
    "disputes.order.refund_recorded": "refund.created",
    "disputes.refund.failed": "refund.failed",
    "disputes.refund.settled": "refund.settled",
    "disputes.refund.reissued": "refund.reissued",
    "orders.order.completed": "order.payout.released",
    # The order, by Parley
    "orders.order.received": "order.received",
    "orders.order.cancelled": "order.cancelled",
}

# Codes never sent, each with why.
EXCLUDED: Mapping[str, str] = {
    "disputes.order.dispute_opened": "the dispute's own event (case.created) tells it",
    "disputes.order.dispute_reopened": "the dispute's own event (case.appeal.filed) tells it",
    "disputes.order.dispute_closed": "the dispute's own event tells it",
    "orders.order.placed": "the marketplace sent it in",
    "orders.order.paid": "the marketplace sent it in",
    "orders.order.shipped": "the marketplace sent it in",
    "orders.parcel.shipped": "the marketplace sent it in",
    "disputes.sandbox.advanced": "a sandbox's test clock: the act the clock then runs is sent "
    "as in production",
    "arbitration.case.taken": "staff workflow, not an act on the case",
    "arbitration.case.released": "staff workflow, not an act on the case",
    "arbitration.case.reassigned": "staff workflow (names an arbiter)",
}

# Types that a message with photos becomes, and that every act closing a case also sends.
EVIDENCE_ADDED = "case.evidence.added"
CLOSED = "case.closed"
UPDATED = "case.updated"
_OPEN = frozenset(OPEN_STATES)


def event_types(entry: Entry) -> list[str]:
    """The webhook types a recorded event is sent as: none when it is not sent; its own type;
    and `case.closed` after it when it takes the case out of the open states (resolved or
    withdrawn, whichever act did it), so a receiver needs no list of the acts that close a
    case. A bare update that closes the case is sent as `case.closed` alone."""
    kind = EVENT_TYPES.get(entry.code)
    if kind is None:
        return []
    if kind == "case.message.added" and entry.data.get("photos"):
        return [EVIDENCE_ADDED]
    closes = entry.from_state in _OPEN and entry.to_state and entry.to_state not in _OPEN
    if not closes or kind == CLOSED:
        return [kind]
    return [CLOSED] if kind == UPDATED else [kind, CLOSED]


def all_types() -> list[str]:
    return sorted({*EVENT_TYPES.values(), EVIDENCE_ADDED, CLOSED})
