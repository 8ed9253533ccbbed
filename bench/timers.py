"""Benchmark of the deadline engine on PostgreSQL (not a test: run it by hand, `make bench`).

Builds N overdue deadlines of six kinds (seller silence, negotiation limit, return not shipped,
return not confirmed, automatic receipt, end of protection) with bulk inserts, then measures:
  1. one engine process acting on all of them;
  2. the same data rebuilt, two engine processes in parallel;
  3. the floor: the same row changes issued as set-based SQL through psycopg.

    python -m bench.timers --n 100000 --repeat 2

Uses its own database (parley_bench on the DATABASE_URL server, or the name in BENCH_DATABASE,
so that two checkouts on one server do not drop each other's) and Redis db 15 as the broker
(CELERY_BROKER_URL overrides it).
"""

import argparse
import contextlib
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
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "parley_bench")
BENCH_URL = SERVER.rsplit("/", 1)[0] + "/" + BENCH_DATABASE
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
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


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
            return_delivered_at=due - timedelta(days=10),  # the seller's days run from it
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


def analyze() -> None:
    """Fresh planner statistics, as a production database has (autovacuum would otherwise
    analyze the tables halfway through a run), and the build's writes flushed."""
    import psycopg

    with psycopg.connect(BENCH_URL, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        # Start from a clean checkpoint, not in the middle of the build's.
        with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
            conn.execute("CHECKPOINT")


def _engine_process(ready, go, results) -> None:
    setup_django()
    from django.db import connection

    from timers.engine import enforce_deadlines

    connection.ensure_connection()
    ready.put(True)
    go.wait()  # timed from here: process start-up and Django set-up are not the engine's work
    report = enforce_deadlines()
    results.put(report.total)


def run_engines(count: int) -> tuple[int, float]:
    ctx = multiprocessing.get_context("spawn")
    ready, go, results = ctx.Queue(), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_engine_process, args=(ready, go, results)) for _ in range(count)]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get()
    started = time.perf_counter()
    go.set()
    acted = sum(results.get() for _ in procs)
    seconds = time.perf_counter() - started
    for proc in procs:
        proc.join()
    return acted, seconds


# The floor: the very row changes the engine makes (the bench compares the counts), issued as
# one set-based statement per kind and table, with nothing computed in Python.
_FIRE = """UPDATE disputes_deadline SET status = 'fired', closed_at = now()
           WHERE status = 'pending' AND kind = '{kind}' AND due_at <= now()
           RETURNING dispute_id, due_at"""
_EVENT = """INSERT INTO disputes_disputeevent (dispute_id, code, from_state, to_state, data,
                created_at)
            SELECT id, 'disputes.rule.{rule}', '{source}', state,
                   jsonb_build_object('rule', '{rule}', 'due_at', closed_at, 'ran_at', now()),
                   now() FROM changed"""
_NOTES = """INSERT INTO notifications_notification (recipient_id, dedupe_key, subject, body, url,
                created_at)
            SELECT CASE WHEN g = 1 THEN o.buyer_id ELSE s.owner_id END,
                   'dispute:' || c.id || ':rule:{rule}:' || g, 'Dispute ' || c.reference,
                   'The rule acted.', '/disputes/' || c.reference || '/', now()
            FROM changed c JOIN orders_order o ON o.id = c.order_id
                 JOIN orders_store s ON s.id = o.store_id, generate_series(1, 2) g"""
_REFUND = """WITH r AS (
                INSERT INTO disputes_refund (order_id, dispute_id, amount, currency, reason, source,
                    idempotency_key, status, provider_reference, created_at)
                SELECT c.order_id, c.id, f.amount, f.currency, 'Dispute ' || c.reference,
                       'disputes.rule.{rule}', 'dispute:' || c.id || ':offer:' || f.id, 'pending',
                       '', now()
                FROM changed c JOIN disputes_offer f ON f.id = c.agreed_offer_id
                RETURNING id, order_id, dispute_id, amount, currency, created_at)
             INSERT INTO orders_orderevent (order_id, code, from_state, to_state, data, created_at)
             SELECT r.order_id, 'disputes.order.refund_recorded', '', '',
                    jsonb_build_object('refund', r.id, 'amount', r.amount::text,
                                       'currency', r.currency, 'dispute', c.reference),
                    r.created_at
             FROM r JOIN changed c ON c.id = r.dispute_id"""
# A dispute the rule closed also goes on its order's timeline (disputes/events/order.py).
_CLOSED = """INSERT INTO orders_orderevent (order_id, code, from_state, to_state, data, created_at)
             SELECT order_id, 'disputes.order.dispute_closed', '', '',
                    jsonb_build_object('dispute', reference, 'state', state), closed_at
             FROM changed"""


def _dispute_rule(
    kind: str, rule: str, source: str, sets: str, *, refund: bool, closes: bool
) -> list[str]:
    change = f"""WITH fired AS ({_FIRE.format(kind=kind)}),
        c AS (UPDATE disputes_dispute d SET {sets} FROM fired WHERE d.id = fired.dispute_id
              RETURNING d.*)
        INSERT INTO changed SELECT * FROM c"""
    parts = [_EVENT, _NOTES, *([_REFUND] if refund else []), *([_CLOSED] if closes else [])]
    # The changed disputes are kept in a temporary table for the inserts that follow.
    return [
        "CREATE TEMP TABLE changed (LIKE disputes_dispute)",
        change,
        *(part.format(rule=rule, source=source) for part in parts),
        "DROP TABLE changed",
    ]


FLOOR_SQL = [
    *_dispute_rule(
        "seller_answer",
        "seller_silence",
        "awaiting_seller",
        """state = 'resolved', outcome = 'partially_refunded', closed_at = fired.due_at,
           agreed_at = fired.due_at, agreed_offer_id = (SELECT id FROM disputes_offer f
               WHERE f.dispute_id = d.id AND f.party = 'buyer' AND f.superseded_by_id IS NULL)""",
        refund=True,
        closes=True,
    ),
    *_dispute_rule(
        "negotiation_limit",
        "negotiation_limit",
        "awaiting_buyer",
        "state = 'escalated', escalated_at = fired.due_at",
        refund=False,
        closes=False,
    ),
    *_dispute_rule(
        "return_shipment",
        "return_not_shipped",
        "awaiting_return",
        "state = 'resolved', outcome = 'return_not_shipped', closed_at = fired.due_at",
        refund=False,
        closes=True,
    ),
    *_dispute_rule(
        "return_receipt",
        "return_receipt",
        "return_in_transit",
        "state = 'resolved', outcome = 'partially_refunded', closed_at = fired.due_at",
        refund=True,
        closes=True,
    ),
    # Orders: automatic receipt and completion, each with its event and one notification.
    """WITH o AS (UPDATE orders_order SET state = 'received', received_at = promised_delivery_at,
                  receipt_confirmed_automatically = true,
                  protection_ends_at = promised_delivery_at + interval '15 days'
                  WHERE state = 'shipped' AND promised_delivery_at <= now() RETURNING *),
            e AS (INSERT INTO orders_orderevent (order_id, code, from_state, to_state, data,
                  created_at)
                  SELECT id, 'orders.order.received', 'shipped', 'received',
                         jsonb_build_object('automatic', true, 'protection_ends_at',
                                            protection_ends_at, 'ran_at', now()), now() FROM o)
       INSERT INTO notifications_notification (recipient_id, dedupe_key, subject, body, url,
              created_at)
       SELECT buyer_id, 'order:' || id || ':received', 'Order ' || reference,
              'Receipt was confirmed for you.', '/buyer/orders/' || reference || '/', now() FROM o""",
    """WITH o AS (UPDATE orders_order SET state = 'completed', completed_at = protection_ends_at,
                  payout = total - COALESCE((SELECT sum(r.amount) FROM disputes_refund r
                                             WHERE r.order_id = orders_order.id
                                             AND r.status <> 'failed'), 0)
                  WHERE state = 'received' AND protection_ends_at <= now()
                  AND NOT EXISTS (SELECT 1 FROM disputes_dispute d
                                  WHERE d.order_id = orders_order.id AND d.closed_at IS NULL)
                  RETURNING *),
            e AS (INSERT INTO orders_orderevent (order_id, code, from_state, to_state, data,
                  created_at)
                  SELECT id, 'orders.order.completed', 'received', 'completed',
                         jsonb_build_object('released', payout, 'paid', total,
                                            'refunded', total - payout, 'currency', currency,
                                            'ran_at', now()), now() FROM o)
       INSERT INTO notifications_notification (recipient_id, dedupe_key, subject, body, url,
              created_at)
       SELECT s.owner_id, 'order:' || o.id || ':completed', 'Order ' || o.reference,
              'The payout is released.', '/seller/orders/' || o.reference || '/', now()
       FROM o JOIN orders_store s ON s.id = o.store_id""",
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


ROW_COUNTS = {
    "clocks fired": "SELECT count(*) FROM disputes_deadline WHERE status = 'fired'",
    "disputes changed": "SELECT count(*) FROM disputes_dispute WHERE state NOT IN "
    "('awaiting_seller', 'awaiting_buyer', 'awaiting_return', 'return_in_transit')",
    "orders changed": "SELECT count(*) FROM orders_order WHERE state IN ('completed') "
    "OR receipt_confirmed_automatically",
    "refunds": "SELECT count(*) FROM disputes_refund",
    "dispute events": "SELECT count(*) FROM disputes_disputeevent",
    "order events": "SELECT count(*) FROM orders_orderevent",
    "order events of refunds": "SELECT count(*) FROM orders_orderevent "
    "WHERE code = 'disputes.order.refund_recorded'",
    "order events of closed disputes": "SELECT count(*) FROM orders_orderevent "
    "WHERE code = 'disputes.order.dispute_closed'",
    "notifications": "SELECT count(*) FROM notifications_notification",
}


def row_counts() -> dict[str, int]:
    import psycopg

    counts: dict[str, int] = {}
    with psycopg.connect(BENCH_URL) as conn:
        for name, sql in ROW_COUNTS.items():
            row = conn.execute(sql).fetchone()
            assert row is not None  # count(*) always returns one row
            counts[name] = row[0]
    return counts


def flush_broker() -> None:
    import redis

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()


def rebuild(n: int) -> float:
    from django.db import connections

    connections.close_all()
    recreate_database()
    built = build(n)
    connections.close_all()
    analyze()
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each measurement; the best is reported"
    )
    args = parser.parse_args()
    n = args.n - args.n % len(KINDS)
    setup_django()
    ones, twos, floors = [], [], []
    for run in range(1, args.repeat + 1):
        print(f"run {run}: built {n} overdue deadlines in {rebuild(n):.1f} s")
        acted, seconds = run_engines(1)
        ones.append(acted / seconds)
        print(f"  one engine:  {acted} acted in {seconds:.1f} s = {ones[-1]:,.0f} deadlines/s")
        engine_rows = row_counts()

        rebuild(n)
        acted, seconds = run_engines(2)
        twos.append(acted / seconds)
        print(f"  two engines: {acted} acted in {seconds:.1f} s = {twos[-1]:,.0f} deadlines/s")
        if row_counts() != engine_rows:
            print(f"  ROWS DIFFER from one engine's: {row_counts()} vs {engine_rows}")

        rebuild(n)
        floors.append(n / run_floor())
        floor_rows = row_counts()
        print(f"  raw SQL floor: {floors[-1]:,.0f} deadlines/s")
        same = "the same" if floor_rows == engine_rows else f"DIFFERENT: {floor_rows}"
        print(f"  rows written by the engine: {engine_rows}; by the floor: {same}")
    one, two, floor = max(ones), max(twos), max(floors)
    print(
        f"best of {args.repeat}: one engine {one:,.0f}/s; two engines {two:,.0f}/s "
        f"({two / one:.2f}x one); floor {floor:,.0f}/s (one engine takes {floor / one:.1f}x "
        "the floor's time)"
    )
    flush_broker()


if __name__ == "__main__":
    main()
