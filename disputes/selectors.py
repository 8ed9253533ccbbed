"""Reads scoped to who asks: only the dispute's buyer and seller (and arbiters) see it."""

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.paging import Latest, latest
from orders.models import Order

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

from .models import (
    RUNNING_STATUSES,
    ClaimedLine,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Dispute,
    DisputeEvent,
    DisputeState,
    EvidenceItem,
    Message,
    Offer,
)


def with_items(qs: QuerySet[Dispute]) -> QuerySet[Dispute]:
    """Disputes with what each claim is about loaded for `Dispute.items_label` (two queries
    for the whole list, however long: the claimed lines, and the order lines of disputes from
    before claims named items)."""
    claimed = ClaimedLine.objects.select_related("line")
    return qs.prefetch_related(Prefetch("claimed_lines", queryset=claimed), "order__lines")


def _party_filter(user: User) -> Q:
    return Q(order__buyer=user) | Q(order__store__owner=user)


def dispute_for_party(user: User, reference: str) -> Dispute:
    queryset = Dispute.objects.select_related(
        "order__store__owner", "order__buyer", "order__payment", "policy", "agreed_offer"
    )
    return get_object_or_404(with_items(queryset.filter(_party_filter(user))), reference=reference)


def buyer_disputes(user: User) -> QuerySet[Dispute]:
    return with_items(
        Dispute.objects.filter(order__buyer=user)
        .select_related("order__store")
        .order_by("-opened_at", "-id")
    )


# What the seller must do, by state, and the clock that gives its due time. The words are
# lazy (built at import) and put in the reader's language when a query or a page uses them.
SELLER_MOVES: dict[str, tuple["StrPromise", str]] = {
    DisputeState.AWAITING_SELLER: (_("Answer the claim"), DeadlineKind.SELLER_ANSWER),
    DisputeState.RETURN_IN_TRANSIT: (_("Confirm the return"), DeadlineKind.RETURN_RECEIPT),
    DisputeState.AWAITING_REPLACEMENT: (
        _("Ship the replacement"),
        DeadlineKind.REPLACEMENT_SHIPMENT,
    ),
}


def _seller_due() -> Subquery:
    """When the seller's move falls due: its clock's due time (the soonest, if several)."""
    clocks = Deadline.objects.filter(
        dispute=OuterRef("pk"),
        kind__in=[kind for _words, kind in SELLER_MOVES.values()],
        status=DeadlineStatus.PENDING,
    )
    return Subquery(clocks.order_by("due_at").values("due_at")[:1])


def seller_disputes(user: User) -> QuerySet[Dispute]:
    """The seller's work list: cases waiting for their answer or confirmation first, the
    soonest due at the top (each with `seller_move` and `seller_due`); then the rest, newest
    first. One query per page, however many cases."""
    move = Case(
        *(
            When(state=state, then=Value(str(words)))
            for state, (words, _kind) in SELLER_MOVES.items()
        ),
        default=Value(""),
    )
    return with_items(
        Dispute.objects.filter(store__owner=user)
        .select_related("order__buyer")
        .annotate(seller_move=move, seller_due=_seller_due())
        .order_by(
            Case(When(seller_move="", then=Value(1)), default=Value(0)),  # moves first
            F("seller_due").asc(nulls_last=True),
            "-opened_at",
            "-id",
        )
    )


def seller_work_counts(user: User) -> dict[str, int]:
    """How many cases wait for each of the seller's moves (by its words), in one query."""
    counts = Dispute.objects.filter(store__owner=user, state__in=list(SELLER_MOVES)).aggregate(
        **{state: Count("pk", filter=Q(state=state)) for state in SELLER_MOVES}
    )
    return {str(words): counts[state] for state, (words, _kind) in SELLER_MOVES.items()}


def disputes_of_order(order: Order) -> QuerySet[Dispute]:
    return order.disputes.order_by("-opened_at")


def evidence_for_viewer(user: User, public_id: UUID) -> EvidenceItem:
    item = get_object_or_404(
        EvidenceItem.objects.select_related("dispute__order__store"), public_id=public_id
    )
    order = item.dispute.order
    if user.pk in (order.buyer_id, order.store.owner_id) or user.is_arbiter:
        return item
    raise Http404


def pending_deadlines(dispute: Dispute) -> QuerySet[Deadline]:
    return dispute.deadlines.filter(status=DeadlineStatus.PENDING).order_by("due_at")


def running_deadline(dispute: Dispute, kind: str) -> Deadline | None:
    """The clock of `kind` running now (pending or paused): its due time is the one that
    counts, staff extensions included."""
    return dispute.deadlines.filter(kind=kind, status__in=RUNNING_STATUSES).first()


def current_offer(dispute: Dispute, party: str) -> Offer | None:
    """The party's offer on the table now (its newest, neither superseded nor lapsed)."""
    return current_offers([dispute], party).get(dispute.pk)


def current_offers(disputes: Sequence[Dispute], party: str) -> dict[int, Offer]:
    """`current_offer` of many disputes at once, by dispute id (one query however many)."""
    offers = Offer.objects.filter(
        dispute__in=disputes, party=party, superseded_by__isnull=True, lapsed_at__isnull=True
    )
    # With its author: pages name who made the offer (a query each otherwise).
    newest = offers.select_related("author").order_by("dispute_id", "-id").distinct("dispute_id")
    return {offer.dispute_id: offer for offer in newest}


def dispute_actions(dispute: Dispute, user: User, now: datetime | None = None) -> set[str]:
    """The acts `user` may choose now, for pages to offer (services decide again on POST).
    None while a clock of the dispute has run out: what it decided applies before any act."""
    overdue = pending_deadlines(dispute).filter(due_at__lte=now or timezone.now())
    if overdue.exists():
        return set()
    return acts_in_state(dispute, user)


def acts_in_state(dispute: Dispute, user: User) -> set[str]:
    """The acts the dispute's state offers `user`, before asking whether a clock has run out
    (`dispute_actions` asks; `available.available_actions_many` asks for many disputes at
    once). No query when the order, its store and buyer are loaded."""
    # Transitions without a permission belong to the clock, never to a person.
    actions = {
        t.name
        for t in dispute.get_available_user_state_transitions(user)
        if t.permission is not None
    }
    order = dispute.order
    if dispute.is_open and user.pk in (order.buyer_id, order.store.owner_id):
        actions.add("message")
    return actions


def thread(dispute: Dispute, query: QueryDict) -> Latest[Message]:
    """The case's latest messages, oldest first, or an earlier page (`?messages_page=`)."""
    messages = dispute.messages.select_related("author").prefetch_related("photos")
    return latest(
        messages.order_by("-created_at", "-id"),
        query,
        per_page=settings.PARLEY_CASE_PAGE["messages"],
        param="messages_page",
        oldest_first=True,
    )


def timeline(dispute: Dispute, query: QueryDict) -> Latest[DisputeEvent]:
    """The case's latest events, newest first, or an earlier page (`?events_page=`)."""
    return latest(
        dispute.events.select_related("actor").order_by("-created_at", "-id"),
        query,
        per_page=settings.PARLEY_CASE_PAGE["events"],
        param="events_page",
    )
