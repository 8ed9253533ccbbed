"""Reads scoped to who asks: only the dispute's buyer and seller (and arbiters) see it."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
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
    Party,
    Refund,
)


def with_items(qs: QuerySet[Dispute]) -> QuerySet[Dispute]:
    """Disputes with what each claim is about loaded for `Dispute.items_label` (two queries
    for the whole list, however long: the claimed lines, and the order lines of disputes from
    before claims named items)."""
    claimed = ClaimedLine.objects.select_related("line")
    return qs.prefetch_related(Prefetch("claimed_lines", queryset=claimed), "order__lines")


def _party_filter(user: User) -> Q:
    return Q(order__buyer=user) | Q(order__store__owner=user)


def with_claim(qs: QuerySet[Dispute]) -> QuerySet[Dispute]:
    """`with_items` for one dispute: its claimed lines only (one query). Every dispute opened
    since claims named items has them; one from before reads its order's lines when shown."""
    return qs.prefetch_related(
        Prefetch("claimed_lines", queryset=ClaimedLine.objects.select_related("line"))
    )


def _for_party(
    user: User, items: Callable[[QuerySet[Dispute]], QuerySet[Dispute]] = with_items
) -> QuerySet[Dispute]:
    queryset = Dispute.objects.select_related(
        "order__store__owner", "order__buyer", "order__payment", "policy", "agreed_offer"
    )
    return items(queryset.filter(_party_filter(user)))


def dispute_for_party(user: User, reference: str) -> Dispute:
    return get_object_or_404(_for_party(user), reference=reference)


def _count_of(model: type[Message] | type[DisputeEvent]) -> RawSQL:
    # The SQL a correlated Subquery(Count) would write, written once: Django builds that
    # subquery anew for every request at a cost above the COUNT query it saves. The dispute
    # table, the query's base, is always aliased by its own name.
    table, base = model._meta.db_table, Dispute._meta.db_table
    sql = f'SELECT count(*) FROM "{table}" WHERE "{table}"."dispute_id" = "{base}"."id"'
    return RawSQL(sql, (), output_field=IntegerField())


def with_case_counts(qs: QuerySet[Dispute]) -> QuerySet[Dispute]:
    """Disputes with `message_count` and `event_count`, counted in the query that loads them
    (the case page's `thread` and `timeline` page with them instead of a COUNT each)."""
    return qs.annotate(message_count=_count_of(Message), event_count=_count_of(DisputeEvent))


def case_for_party(user: User, reference: str) -> Dispute:
    """`dispute_for_party` with what its case page reads besides, in the same query: who made
    the agreed offer, the buyer's rating of this dispute, how many messages and events it has."""
    queryset = _for_party(user, with_claim).select_related("agreed_offer__author", "rating")
    return get_object_or_404(with_case_counts(queryset), reference=reference)


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


def disputes_of_order(order: Order) -> list[Dispute]:
    """The order's disputes, newest first, loaded onto the order: what else the order page
    asks of them (`rules.opening_window`) reads `order.disputes.all()` without a query."""
    prefetch_related_objects([order], "disputes")
    return list(order.disputes.all())


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


def running_clocks(dispute: Dispute) -> list[Deadline]:
    """The case's running clocks, pending and paused, soonest first: what a case page reads
    of its clocks, in one query (pass it on to `dispute_actions` and `presenters.next_step`)."""
    return list(dispute.deadlines.filter(status__in=RUNNING_STATUSES).order_by("due_at", "id"))


def running_deadline(
    dispute: Dispute, kind: str, clocks: Sequence[Deadline] | None = None
) -> Deadline | None:
    """The clock of `kind` running now (pending or paused): its due time is the one that
    counts, staff extensions included. `clocks`: the case's `running_clocks`, if read."""
    if clocks is not None:
        return next((clock for clock in clocks if clock.kind == kind), None)
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


@dataclass(frozen=True)
class CaseOffers:
    """Every offer of a case, oldest first, with each party's on the table now (as
    `current_offer` reads it): a case page's offers in one query."""

    history: list[Offer]
    buyer: Offer | None
    seller: Offer | None


def case_offers(dispute: Dispute) -> CaseOffers:
    history = list(dispute.offers.select_related("author").order_by("created_at", "id"))
    return CaseOffers(history, _on_table(history, Party.BUYER), _on_table(history, Party.SELLER))


def _on_table(offers: list[Offer], party: str) -> Offer | None:
    current = [offer for offer in offers if offer.party == party and offer.is_current]
    return max(current, key=lambda offer: offer.pk, default=None)


def _clock_ran_out(dispute: Dispute, now: datetime, clocks: Sequence[Deadline] | None) -> bool:
    if clocks is None:
        return pending_deadlines(dispute).filter(due_at__lte=now).exists()
    return any(
        clock.status == DeadlineStatus.PENDING and clock.due_at is not None and clock.due_at <= now
        for clock in clocks
    )


def dispute_actions(
    dispute: Dispute,
    user: User,
    now: datetime | None = None,
    clocks: Sequence[Deadline] | None = None,
) -> set[str]:
    """The acts `user` may choose now, for pages to offer (services decide again on POST).
    None while a clock of the dispute has run out: what it decided applies before any act.
    `clocks`: the case's `running_clocks`, when the page has read them already."""
    if _clock_ran_out(dispute, now or timezone.now(), clocks):
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


def case_refunds(dispute: Dispute) -> list[Refund]:
    """The dispute's refunds, oldest first, loaded as `refund_lines` reads them."""
    return list(dispute.refunds.select_related("order__policy").order_by("created_at", "id"))


def thread(dispute: Dispute, query: QueryDict) -> Latest[Message]:
    """The case's latest messages, oldest first, or an earlier page (`?messages_page=`);
    counted by `with_case_counts` when the dispute was loaded with it. Their photos are the
    case's evidence (case_rows.message_rows finds them there, without a query)."""
    return latest(
        dispute.messages.select_related("author").order_by("-created_at", "-id"),
        query,
        per_page=settings.PARLEY_CASE_PAGE["messages"],
        param="messages_page",
        oldest_first=True,
        count=getattr(dispute, "message_count", None),
    )


def timeline(dispute: Dispute, query: QueryDict) -> Latest[DisputeEvent]:
    """The case's latest events, newest first, or an earlier page (`?events_page=`);
    counted by `with_case_counts` when the dispute was loaded with it."""
    return latest(
        dispute.events.select_related("actor").order_by("-created_at", "-id"),
        query,
        per_page=settings.PARLEY_CASE_PAGE["events"],
        param="events_page",
        count=getattr(dispute, "event_count", None),
    )
