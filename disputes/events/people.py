"""What buyers, sellers and arbiters do to a dispute: the catalogue entries of their acts.

Each entry says the act in the timeline's words and names whom it is told to, with the note's
subject (after "Dispute DS-…: ") and body; all from the event's data alone.
"""

from core.moments import moment, parsed
from core.timeline import Data, event_kind
from orders.models import Carrier

from ..models import DisputeState, Party, Reason
from ._words import (
    both,
    full_stop,
    items_text,
    now_in,
    offer_money,
    offer_text,
    party,
    state,
)


def _reason(data: Data) -> str:
    return str(Reason(data["reason"]).label)


def _opened(data: Data) -> str:
    return (
        f"Dispute opened ({_reason(data)}){items_text(data)}; asks for {offer_text(data['offer'])}"
    )


def _opened_told(data: Data) -> str:
    return (
        f"The buyer reports “{_reason(data)}”{items_text(data)} and asks for "
        f"{offer_text(data['offer'])}. "
        f"Please answer within {data['answer_days']} days; if you don't, the buyer's claim "
        "is carried out."
    )


def _counter(data: Data) -> str:
    return f"; offers {offer_text(data['offer'])} instead" if data["offer"] else ""


def _lapsed(data: Data) -> str:
    """The seller's earlier counter-offer that this act took off the table (older rows have
    no such key)."""
    lapsed = data.get("lapsed")
    return f" (the seller's offer of {offer_text(lapsed)} lapsed)" if lapsed else ""


def _ruled(data: Data) -> str:
    return offer_text(data["offer"]) if data["offer"] else "the claim is rejected"


_APPEAL_DECISIONS = {
    "upheld": "the ruling is upheld",
    "rejected": "the claim is rejected (refunds already paid are not reclaimed)",
    "nothing_due": "no further refund is due",
}


def _appeal_decided(data: Data) -> str:
    decision = data["decision"]
    return offer_text(data["offer"]) if decision == "replaced" else _APPEAL_DECISIONS[decision]


def _evidence_requested(data: Data) -> str:
    when = moment(parsed(data["due_at"]))
    return f"The arbiter asked the {party(data)} for more evidence by {when}"


def _message(data: Data) -> str:
    photos = data["photos"]
    return "Message" + (f" with {photos} photo{'' if photos == 1 else 's'}" if photos else "")


# --- The buyer --------------------------------------------------------------------------------

OPENED = event_kind(
    "disputes.dispute.opened",
    _opened,
    tell=lambda d: [Party.SELLER],
    headline=lambda d: f"opened on order {d['order']}",
    told=_opened_told,
)
MODIFIED = event_kind(
    "disputes.dispute.modified",
    lambda d: (
        f"Buyer changed the claim{items_text(d)}: now asks for {offer_text(d['offer'])}{_lapsed(d)}"
    ),
    tell=lambda d: [Party.SELLER],
    headline=lambda d: "the buyer changed the claim",
    told=lambda d: (
        f"The buyer now asks for {offer_text(d['offer'])}. Your time to answer starts again."
    ),
)


def _offer_accepted(data: Data) -> str:
    return f"Buyer accepted the seller's offer: {offer_text(data['offer'])}"


OFFER_ACCEPTED = event_kind(
    "disputes.offer.accepted",
    _offer_accepted,
    tell=both,
    headline=now_in,
    told=full_stop(_offer_accepted),
)


def _escalated(data: Data) -> str:
    return "Buyer asked Parley to decide: the case went to an arbiter"


ESCALATED = event_kind(
    "disputes.dispute.escalated",
    _escalated,
    tell=both,
    headline=lambda d: state(DisputeState.ESCALATED),
    told=full_stop(_escalated),
)
CANCELLED = event_kind(
    "disputes.dispute.cancelled",
    lambda d: "Buyer withdrew the dispute",
    tell=both,
    headline=lambda d: state(DisputeState.CANCELLED),
    told=lambda d: "Buyer withdrew the dispute.",
)


def _return_shipped(data: Data) -> str:
    carrier = Carrier(data["carrier"]).label
    return f"Buyer shipped the return with {carrier}, tracking {data['tracking_number']}"


RETURN_SHIPPED = event_kind(
    "disputes.return.shipped",
    _return_shipped,
    tell=both,
    headline=lambda d: state(DisputeState.RETURN_IN_TRANSIT),
    told=full_stop(_return_shipped),
)

# --- The seller -------------------------------------------------------------------------------


def _seller_accepted(data: Data) -> str:
    return f"Seller accepted the buyer's claim: {offer_text(data['offer'])}"


SELLER_ACCEPTED = event_kind(
    "disputes.dispute.seller_accepted",
    _seller_accepted,
    tell=both,
    headline=now_in,
    told=full_stop(_seller_accepted),
)
SELLER_REJECTED = event_kind(
    "disputes.dispute.seller_rejected",
    lambda d: f"Seller rejected the claim{_counter(d)}{_lapsed(d)}",
    tell=lambda d: [Party.BUYER],
    headline=lambda d: "the seller answered",
    told=lambda d: (
        f"The seller rejected your claim{_counter(d)}. You can accept, change your claim, "
        "or ask Parley to decide."
    ),
)


def _return_received(data: Data) -> str:
    refund = offer_money(data["offer"])
    return f"Seller confirmed the returned item arrived; refund of {refund} paid"


RETURN_RECEIVED = event_kind(
    "disputes.return.received",
    _return_received,
    tell=both,
    headline=lambda d: state(DisputeState.RESOLVED),
    told=full_stop(_return_received),
)

# --- Either party -----------------------------------------------------------------------------

MESSAGE_POSTED = event_kind("disputes.message.posted", _message)
APPEALED = event_kind(
    "disputes.dispute.appealed",
    lambda d: (
        f"The {party(d)} appealed the ruling; another arbiter will decide, and that "
        "decision is final"
    ),
    tell=both,
    headline=lambda d: "the ruling was appealed",
    told=lambda d: f"The {party(d)} appealed. A different Parley arbiter will review the case.",
)

# --- The arbiter ------------------------------------------------------------------------------

RULED = event_kind(
    "disputes.dispute.ruled",
    lambda d: f"Parley arbiter ruled: {_ruled(d)}",
    tell=both,
    headline=lambda d: "the arbiter has decided",
    told=lambda d: f"Decision: {_ruled(d)}. Open the dispute to read the arbiter's reasons.",
)
EVIDENCE_REQUESTED = event_kind(
    "disputes.evidence.requested",
    _evidence_requested,
    tell=lambda d: [d["party"]],
    headline=lambda d: "the arbiter needs more from you",
    told=lambda d: (
        f"{d['request']} Please answer in the dispute's messages by "
        f"{moment(parsed(d['due_at']))}; without an answer the arbiter decides on what is there."
    ),
)
APPEAL_DECIDED = event_kind(
    "disputes.dispute.appeal_decided",
    lambda d: f"Appeal decided, final: {_appeal_decided(d)}",
    tell=both,
    headline=lambda d: "the appeal is decided",
    told=lambda d: f"Final decision: {_appeal_decided(d)}. Open the dispute to read the reasons.",
)
