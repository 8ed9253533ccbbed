"""Every act on a dispute: one function each, atomic, locked, permission-checked, on the record.

By subject: opening, negotiation, returns, replacement, messages, appeal, rating, and a
sandbox's test clock (sandbox); `kernel` holds what they all do the same way. An act the
clock also does (when a party let its time run out) is one implementation with a batch form,
`<entity>_<action>_many`, which the rule engine calls with disputes it has locked, each with
the time its deadline fell due; the person's act is that batch with one dispute in it.
Callers pass `now` only from tests, demo data and the engine.
"""

from . import appeal, messages, negotiation, replacement, returns
from .appeal import dispute_finalize_many
from .catchup import deadlines_first, dispute_catch_up
from .kernel import Due, Proposal, lock
from .messages import dispute_evidence_overdue_many
from .negotiation import (
    dispute_escalate_many,
    dispute_resolve_for_seller_silence,
    dispute_resolve_for_seller_silence_many,
)
from .opening import dispute_open
from .rating import rating_leave
from .replacement import (
    dispute_confirm_replacement_receipt_many,
    dispute_refund_unshipped_replacement_many,
)
from .returns import dispute_close_unshipped_return_many, dispute_refund_unconfirmed_return_many
from .sandbox import (
    Advance,
    Reach,
    dispute_advance,
    dispute_advance_clock,
    dispute_advance_to_end,
    sandbox_only,
)

# A person's act on a dispute: the dispute's clocks already due decide first (see catchup).
dispute_accept_offer = deadlines_first(negotiation.dispute_accept_offer)
dispute_appeal = deadlines_first(appeal.dispute_appeal)
dispute_cancel = deadlines_first(negotiation.dispute_cancel)
dispute_confirm_replacement = deadlines_first(replacement.dispute_confirm_replacement)
dispute_confirm_return = deadlines_first(returns.dispute_confirm_return)
dispute_escalate_by_buyer = deadlines_first(negotiation.dispute_escalate_by_buyer)
dispute_modify = deadlines_first(negotiation.dispute_modify)
dispute_post_message = deadlines_first(messages.dispute_post_message)
dispute_seller_accept = deadlines_first(negotiation.dispute_seller_accept)
dispute_seller_reject = deadlines_first(negotiation.dispute_seller_reject)
dispute_record_return_delivery = deadlines_first(returns.dispute_record_return_delivery)
dispute_ship_replacement = deadlines_first(replacement.dispute_ship_replacement)
dispute_ship_return = deadlines_first(returns.dispute_ship_return)

__all__ = [
    "Advance",
    "Due",
    "Proposal",
    "Reach",
    "deadlines_first",
    "dispute_accept_offer",
    "dispute_advance",
    "dispute_advance_clock",
    "dispute_advance_to_end",
    "dispute_appeal",
    "dispute_cancel",
    "dispute_catch_up",
    "dispute_close_unshipped_return_many",
    "dispute_confirm_replacement",
    "dispute_confirm_replacement_receipt_many",
    "dispute_confirm_return",
    "dispute_escalate_by_buyer",
    "dispute_escalate_many",
    "dispute_evidence_overdue_many",
    "dispute_finalize_many",
    "dispute_modify",
    "dispute_open",
    "dispute_post_message",
    "dispute_record_return_delivery",
    "dispute_refund_unconfirmed_return_many",
    "dispute_refund_unshipped_replacement_many",
    "dispute_resolve_for_seller_silence",
    "dispute_resolve_for_seller_silence_many",
    "dispute_seller_accept",
    "dispute_seller_reject",
    "dispute_ship_replacement",
    "dispute_ship_return",
    "lock",
    "rating_leave",
    "sandbox_only",
]
