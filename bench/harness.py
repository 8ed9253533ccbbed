"""What the campaign's benches (storms, faults, load) share: their own database and Redis, the
cast of people, orders in the shape a scenario needs, and the invariants every bench checks.

`configure(suffix)` must run before Django is set up: it points DATABASE_URL at
`<DATABASE_URL's name>_bench_<suffix>` on the same server (dropped and created again by
`recreate_database`), and the broker and the cache at one Redis database,
PARLEY_BENCH_REDIS_DB (else PARLEY_TEST_REDIS_DB, else 15), so that a bench never touches the
development database, another checkout's Redis database, or db 0.
"""

import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from accounts.models import User

ROOT = Path(__file__).resolve().parents[1]
PAID = Decimal("50.00")


@dataclass(frozen=True)
class Target:
    server: str  # the PostgreSQL server's URL, without a database
    database: str
    redis: str  # the Redis URL of the bench's database

    @property
    def url(self) -> str:
        return f"{self.server}/{self.database}"


_configured: list[Target] = []


def configure(suffix: str) -> Target:
    """The first call decides: a bench that borrows another's data (bench/pages.py builds what
    bench/load.py builds) keeps its own database when it imports the other."""
    if _configured:
        return _configured[0]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    server, _, source = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parley"
    ).rpartition("/")
    database = f"{source}_bench_{suffix}"
    redis_db = (
        os.environ.get("PARLEY_BENCH_REDIS_DB") or os.environ.get("PARLEY_TEST_REDIS_DB") or "15"
    )
    redis = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    redis_url = urlunsplit(redis._replace(path=f"/{redis_db}"))
    os.environ["DATABASE_URL"] = f"{server}/{database}"
    os.environ["REDIS_URL"] = redis_url
    os.environ["CELERY_BROKER_URL"] = redis_url
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    _configured.append(Target(server, database, redis_url))
    return _configured[0]


def recreate_database(target: Target) -> None:
    import psycopg

    with psycopg.connect(f"{target.server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.database}"')


def setup_django(migrate: bool = False) -> None:
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def flush_redis(target: Target) -> None:
    import redis

    redis.Redis.from_url(target.redis).flushdb()


# --- The cast and their orders ------------------------------------------------------------------


@dataclass
class Cast:
    buyer: "User"
    seller: "User"
    arbiters: list["User"]  # two arbiters who rule and decide appeals
    lead: "User"  # a lead arbiter, who assigns cases to them


def cast(tag: str = "") -> Cast:
    from accounts.models import Role, User
    from orders.models import Store

    def user(name: str, role: str, **extra) -> User:
        person, _ = User.objects.get_or_create(
            username=f"{name}{tag}",
            defaults={"role": role, "email": f"{name}{tag}@bench.test", **extra},
        )
        return person

    seller = user("seller", Role.SELLER)
    Store.objects.get_or_create(owner=seller, defaults={"name": f"Bench store {tag}"})
    seller.refresh_from_db()
    return Cast(
        buyer=user("buyer", Role.BUYER),
        seller=seller,
        arbiters=[user(f"arbiter{i}", Role.ARBITER, is_staff=True) for i in (1, 2)],
        lead=user("lead", Role.ARBITER, is_staff=True, is_lead_arbiter=True),
    )


_serial = [0]


def order(people: Cast, now: datetime, **fields):
    """A paid order of PAID; by default received long ago, protected for a month more (no
    order clock runs), so disputes can be opened at any moment of the last 50 days."""
    from orders.models import Order, OrderState, Payment
    from policies.models import Policy

    _serial[0] += 1
    values = {
        "state": OrderState.RECEIVED,
        "delivery_days": 10,
        "all_shipped_at": now - timedelta(days=60),
        "promised_delivery_at": now - timedelta(days=50),
        "received_at": now - timedelta(days=50),
        "protection_ends_at": now + timedelta(days=30),
        **fields,
    }
    placed = values["all_shipped_at"] - timedelta(days=1)
    created = Order.objects.create(
        reference=f"PB{os.getpid() % 10000:04d}{_serial[0]:08d}",
        buyer=people.buyer,
        store=people.seller.store,
        policy=Policy.current(),
        currency="USD",
        total=PAID,
        placed_at=placed,
        paid_at=placed,
        **values,
    )
    Payment.objects.create(
        order=created,
        amount=PAID,
        currency="USD",
        method="card",
        provider_reference=f"pay_{created.reference}",
        paid_at=placed,
    )
    return created


# --- Invariants -----------------------------------------------------------------------------------


@dataclass
class Findings:
    """Invariant violations, by kind, with a few examples each."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, example: str) -> None:
        self.counts[kind] += 1
        if len(self.examples[kind]) < 3:
            self.examples[kind].append(example)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def merge(self, other: "Findings") -> None:
        for kind, n in other.counts.items():
            self.counts[kind] += n
            for example in other.examples[kind]:
                if len(self.examples[kind]) < 3:
                    self.examples[kind].append(example)


def check_invariants(order_ids: list[int]) -> Findings:
    """Everything that must hold of these orders and their disputes, whatever happened:
    money (never above what was paid, each refund once and as agreed), one outcome per
    dispute, clocks that match the state, timelines whose state changes chain, no payout under
    a dispute, no automatic receipt behind a delivery claim."""
    from disputes.clocks import wanted_deadlines
    from disputes.models import (
        HOLDS_PAYOUT,
        OPEN_STATES,
        RUNNING_STATUSES,
        Deadline,
        DeadlineKind,
        Dispute,
        DisputeState,
        Offer,
        Outcome,
        Reason,
        Refund,
        RefundStatus,
    )
    from orders.models import Order, OrderState, Payment

    found = Findings()
    orders = {o.pk: o for o in Order.objects.filter(pk__in=order_ids)}
    paid = dict(Payment.objects.filter(order_id__in=order_ids).values_list("order_id", "amount"))
    disputes = list(
        Dispute.objects.filter(order_id__in=order_ids).select_related("order", "policy")
    )
    offers = {o.pk: o for o in Offer.objects.filter(dispute__in=disputes)}
    refunds = list(
        Refund.objects.filter(order_id__in=order_ids).exclude(status=RefundStatus.FAILED)
    )

    # Money: never above what was paid; each refund pays one offer of its dispute, once, as much
    # as the offer says.
    by_order: dict[int, Decimal] = defaultdict(Decimal)
    by_dispute: dict[int, Decimal] = defaultdict(Decimal)
    for refund in refunds:
        by_order[refund.order_id] += refund.amount
        if refund.dispute_id is not None:
            by_dispute[refund.dispute_id] += refund.amount
        offer_id = int(refund.idempotency_key.rsplit(":", 1)[1])
        offer = offers.get(offer_id)
        if offer is None or offer.dispute_id != refund.dispute_id:
            found.add("refund for another dispute's offer", refund.idempotency_key)
        elif offer.amount != refund.amount:
            found.add("refund differs from its offer", f"{refund.amount} vs {offer.amount}")
    for order_id, total in by_order.items():
        if total > paid.get(order_id, Decimal(0)):
            found.add("refunded more than paid", f"order {order_id}: {total}")

    # One outcome, and money that follows it (an appeal may change the outcome after money
    # moved: refunds paid are not clawed back, so appealed disputes are exempt there).
    open_by_order: dict[int, int] = defaultdict(int)
    for d in disputes:
        if d.state in OPEN_STATES:
            open_by_order[d.order_id] += 1
        refunded = by_dispute.get(d.pk, Decimal(0))
        if d.state == DisputeState.RESOLVED and (not d.outcome or d.closed_at is None):
            found.add("resolved without an outcome", d.reference)
        if d.state == DisputeState.CANCELLED and (d.outcome or refunded):
            found.add("withdrawn with an outcome or money", d.reference)
        if d.state in OPEN_STATES and d.state != DisputeState.APPEALED and d.outcome:
            found.add("open with an outcome", f"{d.reference} {d.state} {d.outcome}")
        if d.appealed_at is None and d.state == DisputeState.RESOLVED:
            if d.outcome in (Outcome.REFUNDED, Outcome.PARTIALLY_REFUNDED):
                agreed = offers.get(d.agreed_offer_id) if d.agreed_offer_id else None
                if agreed is None or refunded != agreed.amount:
                    found.add("refund outcome without its refund", f"{d.reference} {refunded}")
            elif refunded:
                found.add("money without a refund outcome", f"{d.reference} {d.outcome}")
    for order_id, n in open_by_order.items():
        if n > 1:
            found.add("two open disputes on one order", str(order_id))

    # Clocks: running ones are those the state gives, at the times it gives (a delivery claim's
    # clock made moot by a confirmed receipt waits for the engine to retire it).
    running: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for deadline in Deadline.objects.filter(dispute__in=disputes, status__in=RUNNING_STATUSES):
        running[deadline.dispute_id][deadline.kind].append(deadline)
    for d in disputes:
        have = running[d.pk]
        for kind, rows in have.items():
            if len(rows) > 1:
                found.add("two running clocks of a kind", f"{d.reference} {kind}")
        wanted = wanted_deadlines(d)
        got = {kind: rows[0].base_due_at for kind, rows in have.items()}
        if (
            DeadlineKind.GOODS_IN_TRANSIT in got
            and DeadlineKind.GOODS_IN_TRANSIT not in wanted
            and d.order.received_at is not None
        ):
            got.pop(DeadlineKind.GOODS_IN_TRANSIT)
        if got != wanted:
            found.add(
                "clocks do not match the state", f"{d.reference} {d.state}: {got} vs {wanted}"
            )

    # Timelines: each state change starts where the previous one ended (two acts that both
    # moved the dispute out of one state would show as a break).
    chains: dict[int, str] = {}
    from disputes.models import DisputeEvent

    for event in DisputeEvent.objects.filter(dispute__in=disputes).order_by("dispute", "id"):
        if not event.to_state or event.from_state == event.to_state:
            continue
        before = chains.get(event.dispute_id)
        if before is not None and event.from_state and event.from_state != before:
            found.add("timeline state change does not chain", f"{event.code}: {before} -> {event}")
        chains[event.dispute_id] = event.to_state

    # Orders: no payout while a dispute holds it; no automatic receipt behind a delivery claim.
    holding = set(
        Dispute.objects.filter(HOLDS_PAYOUT, order_id__in=order_ids).values_list("order", flat=True)
    )
    for order in orders.values():
        if order.state == OrderState.COMPLETED and order.pk in holding:
            found.add("paid out under a dispute", order.reference)
        if order.receipt_confirmed_automatically and order.protection_ends_at is not None:
            # A delivery claim dated after the protection that this receipt started had ended
            # could only have been filed before the receipt: the clock acted behind it.
            late = [
                d
                for d in disputes
                if d.order_id == order.pk
                and d.reason in Reason.about_delivery()
                and d.opened_at > order.protection_ends_at
            ]
            if late:
                found.add("received automatically behind a delivery claim", order.reference)
    return found


# --- Many overdue clocks at once ---------------------------------------------------------------

OVERDUE_STATES = {
    "seller_answer": "awaiting_seller",  # refunded for the seller's silence
    "negotiation_limit": "awaiting_buyer",  # escalated
    "return_receipt": "return_in_transit",  # refunded although the seller did not confirm
}
REFUNDING = {"seller_answer", "return_receipt"}


def build_overdue(people: Cast, n: int, kinds=tuple(OVERDUE_STATES), chunk: int = 2000) -> None:
    """n disputes (n / len(kinds) of each kind) whose clock fell due an hour ago, bulk-built
    (as bench/timers.py builds them): each on its own paid order, with the buyer's claim of
    10.00 (a return and refund of 10.00 for returns)."""
    from django.db import transaction
    from django.utils import timezone

    from disputes.models import Deadline, Dispute, Offer
    from orders.models import Order, OrderState, Payment
    from policies.models import Policy

    now = timezone.now()
    past = now - timedelta(days=40)
    due = now - timedelta(hours=1)
    policy = Policy.current()
    store = people.seller.store
    per_kind = n // len(kinds)
    for kind in kinds:
        for start in range(0, per_kind, chunk):
            size = min(chunk, per_kind - start)
            with transaction.atomic():
                _serial[0] += 1
                prefix = f"{kind[:2].upper()}{os.getpid() % 1000:03d}{_serial[0]:05d}"
                orders = Order.objects.bulk_create(
                    Order(
                        reference=f"{prefix}-{i}",
                        buyer=people.buyer,
                        store=store,
                        policy=policy,
                        currency="USD",
                        total=PAID,
                        state=OrderState.RECEIVED,
                        placed_at=past,
                        paid_at=past,
                        delivery_days=10,
                        all_shipped_at=past,
                        promised_delivery_at=past,
                        received_at=past,
                        protection_ends_at=now + timedelta(days=10),
                    )
                    for i in range(size)
                )
                Payment.objects.bulk_create(
                    Payment(
                        order=o,
                        amount=PAID,
                        currency="USD",
                        method="card",
                        provider_reference=f"p-{o.reference}",
                        paid_at=past,
                    )
                    for o in orders
                )
                disputes = Dispute.objects.bulk_create(
                    Dispute(
                        reference=f"D{o.reference}"[:20],
                        order=o,
                        store_id=o.store_id,
                        policy=policy,
                        reason="wrong_item",
                        description="bench",
                        state=OVERDUE_STATES[kind],
                        # Each clock's start, so that the policy gives exactly `due`.
                        opened_at=due - timedelta(days=15),
                        seller_clock_started_at=due - timedelta(days=5),
                        agreed_at=due - timedelta(days=25),
                        return_shipped_at=due - timedelta(days=20),
                        return_delivered_at=due
                        - timedelta(days=10),  # the seller's days run from it
                        target_at=past,
                        claimed_amount=Decimal("10.00"),
                    )
                    for o in orders
                )
                remedy = "return_and_refund" if kind == "return_receipt" else "partial_refund"
                offers = Offer.objects.bulk_create(
                    Offer(
                        dispute=d,
                        party="buyer",
                        author=people.buyer,
                        remedy=remedy,
                        amount=Decimal("10.00"),
                        currency="USD",
                        created_at=past,
                    )
                    for d in disputes
                )
                if kind == "return_receipt":
                    for d, offer in zip(disputes, offers, strict=True):
                        d.agreed_offer = offer
                    Dispute.objects.bulk_update(disputes, ["agreed_offer"])
                Deadline.objects.bulk_create(
                    Deadline(dispute=d, kind=kind, base_due_at=due, due_at=due, created_at=past)
                    for d in disputes
                )
