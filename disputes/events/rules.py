"""What the clock does to a dispute when nobody acted in time: the catalogue entries of its
acts (codes `disputes.rule.<what happened>`). Their data keeps the deadline's kind (`rule`),
when it fell due (`due_at`, the act's date) and when the engine really ran (`ran_at`)."""

from core.timeline import Data, event_kind

from ..models import DisputeState
from ._words import both, full_stop, now_in, offer_money, offer_text, party, state


def _seller_silence(data: Data) -> str:
    return (
        f"The seller did not answer in {data['days']} days: "
        f"the buyer's claim is carried out ({offer_text(data['offer'])})"
    )


def _negotiation_limit(data: Data) -> str:
    return f"No agreement within {data['days']} days of filing: the case went to a Parley arbiter"


def _goods_in_transit(data: Data) -> str:
    return (
        "The seller's delivery time limit ran out with the parcel still not received: "
        "the case went to a Parley arbiter"
    )


def _return_not_shipped(data: Data) -> str:
    return (
        f"The buyer did not ship the return within {data['days']} days: "
        "the dispute is closed in the seller's favour, without a refund"
    )


def _return_receipt(data: Data) -> str:
    refund = offer_money(data["offer"])
    return f"The seller did not confirm the returned item in time: the refund of {refund} is paid"


def _escalated(data: Data) -> str:
    return state(DisputeState.ESCALATED)


SELLER_SILENCE = event_kind(
    "disputes.rule.seller_silence",
    _seller_silence,
    tell=both,
    headline=now_in,
    told=full_stop(_seller_silence),
)
# The two escalations tell their sentence as it is (no full stop), as they always have.
NEGOTIATION_LIMIT = event_kind(
    "disputes.rule.negotiation_limit", _negotiation_limit, tell=both, headline=_escalated
)
GOODS_IN_TRANSIT = event_kind(
    "disputes.rule.goods_in_transit", _goods_in_transit, tell=both, headline=_escalated
)
RETURN_NOT_SHIPPED = event_kind(
    "disputes.rule.return_not_shipped",
    _return_not_shipped,
    tell=both,
    headline=lambda d: state(DisputeState.RESOLVED),
    told=full_stop(_return_not_shipped),
)
RETURN_RECEIPT = event_kind(
    "disputes.rule.return_receipt",
    _return_receipt,
    tell=both,
    headline=lambda d: state(DisputeState.RESOLVED),
    told=full_stop(_return_receipt),
)
RULING_FINAL = event_kind(
    "disputes.rule.ruling_final",
    lambda d: f"No appeal within {d['days']} days: the ruling is final",
    tell=both,
    headline=now_in,
    told=lambda d: "Nobody appealed in time: the ruling is final.",
)
EVIDENCE_OVERDUE = event_kind(
    "disputes.rule.evidence_overdue",
    lambda d: f"No answer from the {party(d)} in time: the case returned to the queue",
    tell=both,
    headline=now_in,
    told=lambda d: (
        f"No answer from the {party(d)} to the arbiter's request: the arbiter decides on what "
        "is there."
    ),
)
