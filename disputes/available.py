"""Each party's available acts on a dispute, with the deadline that bounds them and what
happens at that deadline if nobody acts: the contract a marketplace shows in its own app.

Read from the same rules the case page uses: the acts are `selectors.dispute_actions` (the
state machine's transitions with their permission, none once a clock has run out) and the
deadline is the dispute's soonest running clock, worded by that clock (`Clock.reads`, as the
page's "what happens at zero"). The soonest clock bounds every act: when it fires, its act at
zero changes the case before any later act (deadlines decide), so an act offered past it
would already be too late. Messages have no deadline of their own."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from .clocks import clock_of
from .models import Deadline, Dispute, Party
from .selectors import dispute_actions, pending_deadlines

MESSAGE = "message"


@dataclass(frozen=True)
class AvailableAction:
    action: str  # a transition's name ("seller_accept", …) or "message"
    due_by: datetime | None  # the last moment it can be taken as things stand
    default_outcome: str  # what happens at `due_by` if nobody acts ("" when nothing does)
    clock: str  # the DeadlineKind that bounds it ("" when none)


def _bounded(
    dispute: Dispute, action: str, deadline: Deadline | None, party: str
) -> AvailableAction:
    if deadline is None or deadline.due_at is None or action == MESSAGE:
        return AvailableAction(action, None, "", "")
    words = clock_of(deadline.kind).reads(dispute, deadline.due_at, party)
    return AvailableAction(action, deadline.due_at, words, deadline.kind)


def available_actions(
    dispute: Dispute, now: datetime | None = None
) -> dict[str, list[AvailableAction]]:
    """The buyer's and the seller's acts now, each with its deadline and default outcome
    (pass a dispute loaded with `order__store__owner` and `order__buyer`)."""
    now = now or timezone.now()
    soonest = pending_deadlines(dispute).first()
    people = {Party.BUYER: dispute.order.buyer, Party.SELLER: dispute.order.store.owner}
    return {
        party.value: [
            _bounded(dispute, action, soonest, party)
            for action in sorted(dispute_actions(dispute, person, now))
        ]
        for party, person in people.items()
    }
