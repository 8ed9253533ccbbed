"""Each party's available acts on a dispute, with the deadline that bounds them and what
happens at that deadline if nobody acts: the contract a marketplace shows in its own app.

Read from the same rules the case page uses: the acts are the state machine's transitions
with their permission (`selectors.acts_in_state`), none once a clock has run out (as
`selectors.dispute_actions`), and the deadline is the dispute's soonest running clock, worded
by that clock (`Clock.reads`, as the page's "what happens at zero"). The soonest clock bounds
every act: when it fires, its act at zero changes the case before any later act (deadlines
decide), so an act offered past it would already be too late. Messages have no deadline of
their own.

One implementation for one dispute (the API's case read) and many (the webhooks of an engine
batch): `available_actions` is `available_actions_many` with a list of one."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import prefetch_related_objects
from django.utils import timezone

from accounts.models import User

from .clocks import clock_of
from .models import Deadline, DeadlineStatus, Dispute, Party
from .selectors import acts_in_state

MESSAGE = "message"
PARTIES: tuple[str, ...] = (Party.BUYER.value, Party.SELLER.value)


@dataclass(frozen=True)
class AvailableAction:
    action: str  # a transition's name ("seller_accept", …) or "message"
    due_by: datetime | None  # the last moment it can be taken as things stand
    default_outcome: str  # what happens at `due_by` if nobody acts ("" when nothing does)
    clock: str  # the DeadlineKind that bounds it ("" when none)


Parties = dict[str, list[AvailableAction]]  # by party ("buyer", "seller")


def available_actions(dispute: Dispute, now: datetime | None = None) -> Parties:
    """The buyer's and the seller's acts now, each with its deadline and default outcome."""
    return available_actions_many([dispute], now)[dispute.pk]


def available_actions_many(
    disputes: Sequence[Dispute], now: datetime | None = None
) -> dict[int, Parties]:
    """`available_actions` of many disputes, by dispute id, in a fixed number of queries
    however many: their running deadlines (one), and what the soonest clocks' words read
    (`Clock.reads_many`: a few per kind of clock). Pass disputes loaded with
    `order__store__owner` and `order__buyer`, or they are loaded here (two more)."""
    now = now or timezone.now()
    disputes = list(disputes)
    prefetch_related_objects(disputes, "order__store__owner", "order__buyer")
    soonest = _soonest(disputes)
    acts: dict[tuple[int, str], list[str]] = {}
    for dispute in disputes:
        deadline = soonest.get(dispute.pk)
        overdue = deadline is not None and deadline.due_at is not None and deadline.due_at <= now
        for party, person in _people(dispute).items():
            acts[dispute.pk, party] = [] if overdue else sorted(acts_in_state(dispute, person))
    words = _outcomes(disputes, soonest, acts)
    return {
        dispute.pk: {
            party: [
                _bounded(action, soonest.get(dispute.pk), words.get((dispute.pk, party), ""))
                for action in acts[dispute.pk, party]
            ]
            for party in PARTIES
        }
        for dispute in disputes
    }


def _people(dispute: Dispute) -> dict[str, User]:
    return {Party.BUYER.value: dispute.order.buyer, Party.SELLER.value: dispute.order.store.owner}


def _soonest(disputes: list[Dispute]) -> dict[int, Deadline]:
    """Each dispute's soonest running clock (none when no clock runs)."""
    pending = Deadline.objects.filter(dispute__in=disputes, status=DeadlineStatus.PENDING)
    first = pending.order_by("dispute_id", "due_at", "id").distinct("dispute_id")
    return {deadline.dispute_id: deadline for deadline in first}


def _outcomes(
    disputes: list[Dispute], soonest: dict[int, Deadline], acts: dict[tuple[int, str], list[str]]
) -> dict[tuple[int, str], str]:
    """The soonest clock's words for each party with an act it bounds, asked of each kind of
    clock once per party for all its disputes."""
    wanted: dict[tuple[str, str], list[tuple[Dispute, datetime]]] = defaultdict(list)
    for dispute in disputes:
        deadline = soonest.get(dispute.pk)
        if deadline is None or deadline.due_at is None:
            continue
        for party in PARTIES:
            if any(action != MESSAGE for action in acts[dispute.pk, party]):
                wanted[deadline.kind, party].append((dispute, deadline.due_at))
    words: dict[tuple[int, str], str] = {}
    for (kind, viewer), dues in wanted.items():
        for (dispute, _), said in zip(dues, clock_of(kind).reads_many(dues, viewer), strict=True):
            words[dispute.pk, viewer] = said
    return words


def _bounded(action: str, deadline: Deadline | None, words: str) -> AvailableAction:
    if deadline is None or deadline.due_at is None or action == MESSAGE:
        return AvailableAction(action, None, "", "")
    return AvailableAction(action, deadline.due_at, words, deadline.kind)
