"""Benchmark of the deadline engine on PostgreSQL (not a test: run it by hand, `make bench`).

Builds N overdue deadlines of six kinds (seller silence, negotiation limit, return not shipped,
return not confirmed, automatic receipt, end of protection) with bulk inserts, then measures:
  1. one engine process acting on all of them;
  2. the same data rebuilt, two engine processes in parallel;
  3. the floor: the same row changes issued as set-based SQL through psycopg.

    python bench/timers.py --n 100000

Uses its own database (parley_bench on the DATABASE_URL server) and Redis db 15 as the broker.
"""

import argparse
import multiprocessing
import os
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parley")
BENCH_URL = SERVER.rsplit("/", 1)[0] + "/parley_bench"
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

KINDS = [
    "seller_answer",
    "negotiation_limit",
    "return_shipment",
    "return_receipt",
    "receipt",
    "protection",
]


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(SERVER.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS parley_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE parley_bench")


def setup_django() -> None:
    import django

    django.setup()


def build(n: int) -> float:
    """Bulk-insert n overdue items, n/6 of each kind. Returns seconds taken."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role, User
    from orders.models import Store
    from policies.models import Policy

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    now = timezone.now()
    past = now - timedelta(days=40)
    with transaction.atomic():
        buyer = User.objects.create(username="b", role=Role.BUYER, email="b@x.test")
        seller = User.objects.create(username="s", role=Role.SELLER, email="s@x.test")
        store = Store.objects.create(name="Bench", owner=seller)
        policy = Policy.current()
    per_kind = n // len(KINDS)
    chunk = 5000
    for kind in KINDS:
        for start in range(0, per_kind, chunk):
            size = min(chunk, per_kind - start)
            with transaction.atomic():
                _build_chunk(
                    kind, size, f"{KINDS.index(kind)}-{start}", buyer, store, policy, now, past
                )
    return time.perf_counter() - started


def _build_chunk(kind, size, prefix, buyer, store, policy, now, past):
    from disputes.models import Deadline, Dispute, Offer
    from orders.models import Order, Payment

    state = {
        "receipt": "shipped",
        "protection": "received",
    }.get(kind, "received")
    orders = Order.objects.bulk_create(
        Order(
            reference=f"B{prefix}-{i}",
            buyer=buyer,
            store=store,
            policy=policy,
            currency="USD",
            total=Decimal("40.00"),
            state=state,
            placed_at=past,
            paid_at=past,
            delivery_days=10,
            all_shipped_at=past,
            # Receipt overdue for "receipt" orders; protection not yet over after it fires.
            promised_delivery_at=now - timedelta(days=1) if kind == "receipt" else past,
            received_at=None if kind == "receipt" else past,
            protection_ends_at=None
            if kind == "receipt"
            else (now - timedelta(hours=1) if kind == "protection" else now + timedelta(days=10)),
        )
        for i in range(size)
    )
    Payment.objects.bulk_create(
        Payment(
            order=o,
            amount=o.total,
            currency="USD",
            method="card",
            provider_reference=f"p-{o.reference}",
            paid_at=past,
        )
        for o in orders
    )
    if kind in ("receipt", "protection"):
        return
    due = past + timedelta(hours=1)
    dispute_state = {
        "seller_answer": "awaiting_seller",
        "negotiation_limit": "awaiting_buyer",
        "return_shipment": "awaiting_return",
        "return_receipt": "return_in_transit",
    }[kind]
    disputes = Dispute.objects.bulk_create(
        Dispute(
            reference=f"D{o.reference}"[:20],
            order=o,
            store_id=o.store_id,
            policy=policy,
            reason="damaged",
            description="bench",
            state=dispute_state,
            # Each clock's start, so that the policy gives exactly `due` (the engine retires a
            # clock whose state no longer gives its time).
            opened_at=due - timedelta(days=15),
            seller_clock_started_at=due - timedelta(days=5),
            agreed_at=due - timedelta(days=10),
            return_shipped_at=due - timedelta(days=20),
            target_at=past,
        )
        for o in orders
    )
    remedy = "return_and_refund" if kind.startswith("return") else "partial_refund"
    offers = Offer.objects.bulk_create(
        Offer(
            dispute=d,
            party="buyer",
            author=buyer,
            remedy=remedy,
            amount=Decimal("10.00"),
            currency="USD",
            created_at=past,
        )
        for d in disputes
    )
    if kind.startswith("return"):
        for d, offer in zip(disputes, offers, strict=True):
            d.agreed_offer = offer
        Dispute.objects.bulk_update(disputes, ["agreed_offer"])
    Deadline.objects.bulk_create(
        Deadline(dispute=d, kind=kind, base_due_at=due, due_at=due, created_at=past)
        for d in disputes
    )


def _engine_process(queue) -> None:
    setup_django()
    from timers.engine import enforce_deadlines

    started = time.perf_counter()
    report = enforce_deadlines(batch_size=200)
    queue.put((report.total, time.perf_counter() - started))


def run_engines(count: int) -> tuple[int, float]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    started = time.perf_counter()
    procs = [ctx.Process(target=_engine_process, args=(queue,)) for _ in range(count)]
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    return sum(total for total, _ in results), time.perf_counter() - started


FLOOR_SQL = [
    # Seller silence: fire the clock, resolve, record, refund, notify both parties.
    """WITH d AS (UPDATE disputes_deadline SET status='fired', closed_at=now()
                  WHERE status='pending' AND kind='seller_answer' RETURNING dispute_id),
            s AS (UPDATE disputes_dispute SET state='resolved', outcome='partially_refunded',
                  closed_at=now(), agreed_at=now() WHERE id IN (SELECT dispute_id FROM d) RETURNING id, order_id)
       INSERT INTO disputes_refund (order_id, dispute_id, amount, currency, reason, source,
              idempotency_key, status, provider_reference, created_at)
       SELECT order_id, id, 10, 'USD', 'silence', 'rule', 'floor:' || id, 'pending', '', now() FROM s""",
    # Escalations, closed returns and refunded returns: state changes.
    """WITH d AS (UPDATE disputes_deadline SET status='fired', closed_at=now()
                  WHERE status='pending' AND kind='negotiation_limit' RETURNING dispute_id)
       UPDATE disputes_dispute SET state='escalated' WHERE id IN (SELECT dispute_id FROM d)""",
    """WITH d AS (UPDATE disputes_deadline SET status='fired', closed_at=now()
                  WHERE status='pending' AND kind='return_shipment' RETURNING dispute_id)
       UPDATE disputes_dispute SET state='resolved', outcome='return_not_shipped', closed_at=now()
       WHERE id IN (SELECT dispute_id FROM d)""",
    """WITH d AS (UPDATE disputes_deadline SET status='fired', closed_at=now()
                  WHERE status='pending' AND kind='return_receipt' RETURNING dispute_id),
            s AS (UPDATE disputes_dispute SET state='resolved', outcome='partially_refunded',
                  closed_at=now() WHERE id IN (SELECT dispute_id FROM d) RETURNING id, order_id)
       INSERT INTO disputes_refund (order_id, dispute_id, amount, currency, reason, source,
              idempotency_key, status, provider_reference, created_at)
       SELECT order_id, id, 10, 'USD', 'return', 'rule', 'floor-r:' || id, 'pending', '', now() FROM s""",
    # One timeline event per dispute acted on.
    """INSERT INTO disputes_disputeevent (dispute_id, code, from_state, to_state, message, data, created_at)
       SELECT dispute_id, 'rule', '', '', 'floor', '{}', now() FROM disputes_deadline WHERE status='fired'""",
    # Two notifications per dispute (buyer and seller).
    """INSERT INTO notifications_notification (recipient_id, dedupe_key, subject, body, url, created_at)
       SELECT o.buyer_id, 'floor:' || g || ':' || d.id, 's', 'b', '', now()
       FROM disputes_dispute d JOIN orders_order o ON o.id = d.order_id, generate_series(1, 2) g
       WHERE d.state <> 'awaiting_seller'""",
    # Orders: automatic receipt and completion, each with an order event.
    """WITH o AS (UPDATE orders_order SET state='received', received_at=promised_delivery_at,
                  protection_ends_at=promised_delivery_at + interval '15 days'
                  WHERE state='shipped' AND promised_delivery_at <= now() RETURNING id)
       INSERT INTO orders_orderevent (order_id, code, from_state, to_state, message, data, created_at)
       SELECT id, 'received', 'shipped', 'received', 'floor', '{}', now() FROM o""",
    """WITH o AS (UPDATE orders_order SET state='completed', completed_at=protection_ends_at
                  WHERE state='received' AND protection_ends_at <= now()
                  AND NOT EXISTS (SELECT 1 FROM disputes_dispute d WHERE d.order_id = orders_order.id
                                  AND d.closed_at IS NULL) RETURNING id)
       INSERT INTO orders_orderevent (order_id, code, from_state, to_state, message, data, created_at)
       SELECT id, 'completed', 'received', 'completed', 'floor', '{}', now() FROM o""",
]


def run_floor() -> float:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(BENCH_URL) as conn:
        # The refund trigger stays on: the floor pays the same integrity check.
        for sql in FLOOR_SQL:
            conn.execute(sql)
        conn.commit()
    return time.perf_counter() - started


def flush_broker() -> None:
    import redis

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    n = args.n - args.n % len(KINDS)

    recreate_database()
    setup_django()
    built = build(n)
    print(f"built {n} overdue deadlines in {built:.1f} s")
    acted, seconds = run_engines(1)
    one = acted / seconds
    print(f"one engine:  {acted} acted in {seconds:.1f} s = {one:,.0f} deadlines/s")

    from django.db import connections

    connections.close_all()
    recreate_database()
    build(n)
    acted, seconds = run_engines(2)
    two = acted / seconds
    print(
        f"two engines: {acted} acted in {seconds:.1f} s = {two:,.0f} deadlines/s ({two / one:.2f}x)"
    )

    connections.close_all()
    recreate_database()
    build(n)
    floor = run_floor()
    print(
        f"raw SQL floor: {n} in {floor:.2f} s = {n / floor:,.0f} rows/s; "
        f"engine is {seconds and (n / one) / floor:.1f}x the floor"
    )
    flush_broker()


if __name__ == "__main__":
    main()
