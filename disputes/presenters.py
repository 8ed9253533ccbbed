"""Plain-words descriptions of a dispute for the person looking at it: whose move it is, by
when, and what happens if nobody acts. Views pass these to templates, which only display them."""

from dataclasses import dataclass, field
from datetime import datetime

from accounts.models import User

from .models import Deadline, DeadlineKind, Dispute, DisputeState, Offer, Party, Remedy
from .selectors import pending_deadlines
from .services import current_offer


@dataclass(frozen=True)
class Clock:
    deadline: Deadline
    consequence: str


@dataclass(frozen=True)
class NextStep:
    headline: str
    detail: str
    your_move: bool
    clocks: list[Clock] = field(default_factory=list)


def _when(moment: datetime) -> str:
    return f"{moment:%-d %b %Y, %H:%M} UTC"


def _effect_of(offer: Offer, you: bool) -> str:
    who = "you will" if you else "the buyer will"
    if offer.remedy == Remedy.REPLACEMENT:
        return "a replacement is agreed"
    if offer.remedy == Remedy.RETURN_AND_REFUND:
        return f"the return starts, and {who} be refunded {offer.money} when it arrives"
    return f"{who} be refunded {offer.money}"


def _consequence(dispute: Dispute, deadline: Deadline, viewer: str) -> str:
    assert deadline.due_at is not None  # only paused deadlines have none; these are pending
    due = _when(deadline.due_at)
    buyer = viewer == Party.BUYER
    match deadline.kind:
        case DeadlineKind.SELLER_ANSWER:
            claim = current_offer(dispute, Party.BUYER)
            assert claim is not None  # a dispute opens with the buyer's claim
            effect = _effect_of(claim, you=buyer)
            who = "the seller does" if buyer else "you do"
            return f"If {who} not answer by {due}, {effect}."
        case DeadlineKind.NEGOTIATION_LIMIT:
            return f"If there is no agreement by {due}, a Parley arbiter decides the case."
        case DeadlineKind.GOODS_IN_TRANSIT:
            return (
                f"If the parcel has not been confirmed received by {due} (the seller's delivery "
                "time limit), a Parley arbiter decides the case."
            )
        case DeadlineKind.RETURN_SHIPMENT:
            if buyer:
                return (
                    f"If you do not ship the return by {due}, the dispute closes without a refund."
                )
            return f"If the buyer does not ship the return by {due}, it closes in your favour."
        case DeadlineKind.APPEAL:
            return f"If neither side appeals by {due}, the ruling becomes final."
        case DeadlineKind.RETURN_RECEIPT:
            assert dispute.agreed_offer is not None  # a return follows an agreed remedy
            money = dispute.agreed_offer.money
            who = "the seller does" if buyer else "you do"
            whom = "you are" if buyer else "the buyer is"
            return f"If {who} not confirm the return by {due}, {whom} refunded {money} anyway."
    return f"Due {due}."


_HEADLINES: dict[tuple[str, str], tuple[str, str, bool]] = {
    (DisputeState.AWAITING_SELLER, Party.BUYER): (
        "Waiting for the seller's answer",
        "The seller can accept your claim, or reject it with a counter-offer.",
        False,
    ),
    (DisputeState.AWAITING_SELLER, Party.SELLER): (
        "Your answer is needed",
        "Accept the buyer's claim, or reject it with your reasons and, ideally, a counter-offer.",
        True,
    ),
    (DisputeState.AWAITING_BUYER, Party.BUYER): (
        "The seller rejected your claim: your move",
        "Accept the seller's offer, change your claim, ask Parley to decide, or withdraw.",
        True,
    ),
    (DisputeState.AWAITING_BUYER, Party.SELLER): (
        "Waiting for the buyer to respond",
        "The buyer can accept your offer, change the claim, or ask Parley to decide.",
        False,
    ),
    (DisputeState.ESCALATED, Party.BUYER): (
        "A Parley arbiter is reviewing the case",
        "The arbiter decides from the evidence of both sides and explains the decision.",
        False,
    ),
    (DisputeState.ESCALATED, Party.SELLER): (
        "A Parley arbiter is reviewing the case",
        "The arbiter decides from the evidence of both sides and explains the decision.",
        False,
    ),
    (DisputeState.APPEALED, Party.BUYER): (
        "The ruling was appealed",
        "A different Parley arbiter reviews the case; that decision is final.",
        False,
    ),
    (DisputeState.APPEALED, Party.SELLER): (
        "The ruling was appealed",
        "A different Parley arbiter reviews the case; that decision is final.",
        False,
    ),
    (DisputeState.AWAITING_RETURN, Party.BUYER): (
        "Send the item back",
        "Ship the item to the seller and enter the carrier and tracking number here.",
        True,
    ),
    (DisputeState.AWAITING_RETURN, Party.SELLER): (
        "Waiting for the buyer to ship the return",
        "You will see the tracking number here once it is shipped.",
        False,
    ),
    (DisputeState.RETURN_IN_TRANSIT, Party.BUYER): (
        "Your return is on its way",
        "The refund is paid when the seller confirms the item arrived.",
        False,
    ),
    (DisputeState.RETURN_IN_TRANSIT, Party.SELLER): (
        "Confirm when the returned item arrives",
        "The refund is paid to the buyer as soon as you confirm.",
        True,
    ),
}


def next_step(dispute: Dispute, viewer: str) -> NextStep:
    clocks = [Clock(d, _consequence(dispute, d, viewer)) for d in pending_deadlines(dispute)]
    if dispute.state == DisputeState.RESOLVED:
        detail = dispute.get_outcome_display()
        if dispute.ruled_at and not dispute.final_at and not dispute.appealed_at:
            detail += ". Either side may appeal the ruling once."
        return NextStep("Resolved", detail, False, clocks)
    if dispute.state == DisputeState.CANCELLED:
        return NextStep("Withdrawn", "The buyer withdrew this dispute.", False, clocks)
    headline, detail, your_move = _HEADLINES[(dispute.state, viewer)]
    return NextStep(headline, detail, your_move, clocks)


def viewer_party(dispute: Dispute, user: User) -> str:
    return Party.BUYER if user.pk == dispute.order.buyer_id else Party.SELLER
