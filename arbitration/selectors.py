"""Reads for the arbitration queue and case page."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core import signing
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from core.cache import cached_or_computed
from disputes.models import ARBITRATION_STATES, Dispute, DisputeState, Outcome
from disputes.selectors import with_case_counts, with_items
from orders.models import Order, OrderState

from .models import AGAINST_SELLER, Ruling

PAGE_SIZE = 25
_CURSOR_SALT = "arbitration.queue"


@dataclass(frozen=True)
class QueueFilters:
    reason: str = ""
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    min_age_days: int | None = None
    assignee: str = ""  # "", "me", "unassigned", or a user id
    appeals: bool = False


def _filtered(filters: QueueFilters, viewer: User, now: datetime) -> QuerySet[Dispute]:
    qs = Dispute.objects.filter(state__in=ARBITRATION_STATES)
    if filters.appeals:
        qs = qs.filter(state=DisputeState.APPEALED)
    if filters.reason:
        qs = qs.filter(reason=filters.reason)
    if filters.min_amount is not None:
        qs = qs.filter(claimed_amount__gte=filters.min_amount)
    if filters.max_amount is not None:
        qs = qs.filter(claimed_amount__lte=filters.max_amount)
    if filters.min_age_days:
        qs = qs.filter(opened_at__lte=now - timedelta(days=filters.min_age_days))
    if filters.assignee == "me":
        qs = qs.filter(assignee=viewer)
    elif filters.assignee == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        qs = qs.filter(assignee_id=int(filters.assignee))
    return qs


def _after(qs: QuerySet[Dispute], cursor: str) -> QuerySet[Dispute]:
    """Keyset pagination on (target_at asc, claimed_amount desc, id asc): no OFFSET, so the
    thousandth page costs what the first does."""
    try:
        target, amount, pk = signing.loads(cursor, salt=_CURSOR_SALT)
        target, amount, pk = parse_datetime(target), Decimal(amount), int(pk)
    except (signing.BadSignature, ValueError, TypeError, InvalidOperation):
        return qs
    return qs.filter(
        Q(target_at__gt=target)
        | Q(target_at=target, claimed_amount__lt=amount)
        | Q(target_at=target, claimed_amount=amount, pk__gt=pk)
    )


def _cursor(dispute: Dispute) -> str:
    data = [dispute.target_at.isoformat(), str(dispute.claimed_amount), dispute.pk]
    return signing.dumps(data, salt=_CURSOR_SALT)


def queue_page(
    filters: QueueFilters, viewer: User, cursor: str = "", now: datetime | None = None
) -> tuple[list[Dispute], str]:
    now = now or timezone.now()
    qs = _filtered(filters, viewer, now)
    if cursor:
        qs = _after(qs, cursor)
    rows = list(
        with_items(qs.select_related("order__store", "order__buyer", "assignee")).order_by(
            "target_at", "-claimed_amount", "id"
        )[: PAGE_SIZE + 1]
    )
    next_cursor = _cursor(rows[PAGE_SIZE - 1]) if len(rows) > PAGE_SIZE else ""
    return rows[:PAGE_SIZE], next_cursor


COUNT_CAP = 1000


def _capped(qs: QuerySet[Dispute]) -> int:
    """Exact up to the cap, then one more: counting 50,000 waiting cases on every page view
    would make the queue slower as it grows, and nobody needs the exact figure."""
    return qs[: COUNT_CAP + 1].count()


def _said(n: int) -> str:
    """A capped count as the reader writes numbers: "12", or "1,000+" past the cap."""
    if n > COUNT_CAP:
        return _("%(number)s+") % {"number": number_format(COUNT_CAP, force_grouping=True)}
    return str(n)


def queue_counts(viewer: User) -> dict[str, str]:
    escalated = Dispute.objects.filter(state__in=ARBITRATION_STATES)
    # Shared by every arbiter and only a headline: a few seconds stale is fine. The number is
    # kept, never its words: arbiters read it in different languages.
    waiting = cached_or_computed(
        "arbitration:waiting_count",
        lambda: str(_capped(escalated.filter(assignee__isnull=True))),
        10,
    )
    mine = _capped(escalated.filter(assignee=viewer))
    return {"waiting": _said(int(waiting)), "mine": _said(mine)}


def arbiters() -> QuerySet[User]:
    return User.objects.filter(role="arbiter", is_staff=True, is_active=True).order_by("username")


# --- Who may take an appeal: any arbiter but the one who ruled (policy.md, "appeal") ----------


def first_arbiters(cases: Iterable[Dispute]) -> dict[int, User]:
    """The arbiter who made each appealed case's ruling, by dispute id."""
    appealed = [case.pk for case in cases if case.state == DisputeState.APPEALED]
    rulings = Ruling.objects.filter(dispute_id__in=appealed, on_appeal=False)
    return {r.dispute_id: r.arbiter for r in rulings.select_related("arbiter")}


def may_take(first: User | None, viewer: User) -> str:
    """Who may take a case, in words, as the viewer reads it."""
    if first is None:
        return _("Any arbiter")
    if first.pk == viewer.pk:
        return _("Any arbiter except you (you made the ruling)")
    return _("Any arbiter except %(name)s") % {"name": first.display_name}


@dataclass(frozen=True)
class QueueRow:
    case: Dispute
    may_take: str


def queue_rows(cases: list[Dispute], viewer: User) -> list[QueueRow]:
    ruled_by = first_arbiters(cases)
    return [QueueRow(case, may_take(ruled_by.get(case.pk), viewer)) for case in cases]


def eligible_arbiters(dispute: Dispute) -> QuerySet[User]:
    """The arbiters a lead may assign the case to: for an appeal, not the one who ruled."""
    qs = arbiters()
    if dispute.state == DisputeState.APPEALED:
        qs = qs.exclude(pk__in=dispute.rulings.values("arbiter_id"))
    return qs


def nothing_to_take(viewer: User) -> str:
    """Why "take next" found nothing for the viewer: the appeals only others may decide."""
    n = (
        Dispute.objects.filter(
            state=DisputeState.APPEALED, assignee__isnull=True, rulings__arbiter=viewer
        )
        .distinct()
        .count()
    )
    if n == 0:
        return _("No unassigned case is waiting. Well done.")
    return ngettext(
        "No case you may take is waiting. %(n)s appeal is waiting, but you made its ruling; "
        "another arbiter must decide it.",
        "No case you may take is waiting. %(n)s appeals are waiting, but you made their "
        "rulings; another arbiter must decide them.",
        n,
    ) % {"n": n}


def case_for_arbiter(reference: str, *, counted: bool = False) -> Dispute:
    """The case; `counted`: with its messages and events counted, for the case page."""
    queryset = with_items(
        Dispute.objects.select_related(
            "order__store__owner", "order__buyer", "order__payment", "policy", "assignee"
        )
    )
    return get_object_or_404(
        with_case_counts(queryset) if counted else queryset, reference=reference
    )


# --- Signals for the decision: the seller's record and the buyer's history -----------------------

LOST_OUTCOMES = [Outcome.REFUNDED, Outcome.PARTIALLY_REFUNDED]


@dataclass(frozen=True)
class SellerRecord:
    orders_shipped: int
    disputes: int
    rulings_against: int
    violations: int

    @property
    def dispute_rate(self) -> float:
        return self.disputes / self.orders_shipped if self.orders_shipped else 0.0


def seller_record(store_id: int, now: datetime, days: int = 90) -> SellerRecord:
    since = now - timedelta(days=days)
    shipped_states = [OrderState.SHIPPED, OrderState.RECEIVED, OrderState.COMPLETED]
    shipped = Order.objects.filter(
        store_id=store_id, state__in=shipped_states, all_shipped_at__gte=since
    ).count()
    disputes = Dispute.objects.filter(store_id=store_id, opened_at__gte=since).count()
    rulings = Ruling.objects.final().filter(dispute__store_id=store_id, created_at__gte=since)
    counted = rulings.aggregate(
        against=Count("pk", filter=AGAINST_SELLER),
        violations=Count("pk", filter=Q(seller_violation=True)),
    )
    return SellerRecord(
        orders_shipped=shipped,
        disputes=disputes,
        rulings_against=counted["against"],
        violations=counted["violations"],
    )


def buyer_history(buyer_id: int) -> dict[str, int]:
    """How the buyer's claims ended: many claims, many lost, is a signal worth a look."""
    counts = Dispute.objects.filter(order__buyer_id=buyer_id).aggregate(
        claims=Count("id"),
        refunded=Count("id", filter=Q(outcome__in=LOST_OUTCOMES)),
        rejected=Count("id", filter=Q(outcome=Outcome.CLAIM_REJECTED)),
        withdrawn=Count("id", filter=Q(state=DisputeState.CANCELLED)),
    )
    return counts
