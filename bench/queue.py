"""Benchmark of the arbitration queue, case page and seller dashboard at 10,000 and 1,000,000
disputes on PostgreSQL (not a test: `python -m bench.queue`, or `make bench`; run as a module, since a
script named queue.py would shadow the standard library's queue).

Fills its own database (parley_bench_queue) with COPY: orders, payments and disputes across
1,000 stores and 10,000 buyers; 5% of disputes are in the arbitration queue, the rest closed.
Then requests each page through Django's test client and reports SQL queries per page and
p50/p95 server time. The queue's sort has a partial index and keyset pagination, so neither the
query count nor the time should grow with the data.
"""

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parley")
BENCH_URL = SERVER.rsplit("/", 1)[0] + "/parley_bench_queue"
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)

STORES, BUYERS, QUEUE_SHARE, REQUESTS = 1_000, 10_000, 0.05, 40


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(SERVER.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS parley_bench_queue WITH (FORCE)")
        conn.execute("CREATE DATABASE parley_bench_queue")


def setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def fill(total: int, start_id: int = 1) -> float:
    """Add `total` disputes (ids from start_id), each on its own paid, shipped order."""
    from django.db import connection

    from accounts.models import Role, User
    from orders.models import Store
    from policies.models import Policy

    began = time.perf_counter()
    policy = Policy.current()
    if not Store.objects.exists():
        users = [User(username=f"s{i}", role=Role.SELLER) for i in range(STORES)]
        users += [User(username=f"b{i}", role=Role.BUYER) for i in range(BUYERS)]
        User.objects.bulk_create(users, batch_size=5000)
        sellers = list(User.objects.filter(role=Role.SELLER).order_by("id"))
        Store.objects.bulk_create(Store(name=f"Store {u.pk}", owner=u) for u in sellers)
    store_ids = list(Store.objects.order_by("id").values_list("id", flat=True))
    buyer_ids = list(
        User.objects.filter(role=Role.BUYER).order_by("id").values_list("id", flat=True)
    )
    now = datetime.now(UTC)
    ids = range(start_id, start_id + total)

    def when(i: int) -> datetime:
        return now - timedelta(minutes=(i * 7) % (60 * 24 * 120))

    with connection.cursor() as cur:
        raw = cur.cursor
        _copy(
            raw,
            "orders_order",
            [
                "id",
                "reference",
                "buyer_id",
                "store_id",
                "policy_id",
                "currency",
                "total",
                "state",
                "placed_at",
                "paid_at",
                "delivery_days",
                "all_shipped_at",
                "promised_delivery_at",
                "receipt_confirmed_automatically",
            ],
            (
                (
                    i,
                    f"PB{i}",
                    buyer_ids[i % BUYERS],
                    store_ids[i % STORES],
                    policy.pk,
                    "USD",
                    50,
                    "shipped",
                    when(i),
                    when(i),
                    10,
                    when(i),
                    when(i) + timedelta(days=10),
                    False,
                )
                for i in ids
            ),
        )
        _copy(
            raw,
            "orders_payment",
            ["order_id", "amount", "currency", "method", "provider_reference", "paid_at"],
            ((i, 50, "USD", "card", f"pb{i}", when(i)) for i in ids),
        )
        every = int(1 / QUEUE_SHARE)
        _copy(
            raw,
            "disputes_dispute",
            [
                "id",
                "reference",
                "order_id",
                "store_id",
                "policy_id",
                "reason",
                "description",
                "state",
                "outcome",
                "opened_at",
                "seller_clock_started_at",
                "target_at",
                "claimed_amount",
                "escalated_at",
                "evidence_requested_from",
                "no_answer_from",
                "return_carrier",
                "return_tracking_number",
                "replacement_carrier",
                "replacement_tracking_number",
                "closed_at",
            ],
            (
                (
                    i,
                    f"DB{i}",
                    i,
                    store_ids[i % STORES],
                    policy.pk,
                    "damaged",
                    "bench",
                    "escalated" if i % every == 0 else "resolved",
                    "" if i % every == 0 else "partially_refunded",
                    when(i),
                    when(i),
                    when(i) + timedelta(days=15),
                    5 + i % 45,
                    when(i) if i % every == 0 else None,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    None if i % every == 0 else when(i) + timedelta(days=3),
                )
                for i in ids
            ),
        )
        for table in ("orders_order", "disputes_dispute"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        # What autovacuum does to a table in production: without the visibility map a freshly
        # COPYed table answers the dashboard's counts from the heap, not from its indexes.
        cur.execute("VACUUM ANALYZE")
    return time.perf_counter() - began


def measure(label: str) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Role, User
    from disputes.models import Dispute

    arbiter, _ = User.objects.get_or_create(
        username="bench-arbiter", defaults={"role": Role.ARBITER, "is_staff": True}
    )
    seller = User.objects.get(username="s1")
    case = Dispute.objects.filter(state="escalated").order_by("-id").first()
    assert case is not None, "the queue data has escalated cases"
    pages = {
        "queue": (arbiter, "/arbitration/"),
        "queue filtered": (
            arbiter,
            "/arbitration/?reason=damaged&min_amount=20&assignee=unassigned",
        ),
        "case": (arbiter, f"/arbitration/disputes/{case.reference}/"),
        "seller dashboard": (seller, "/seller/"),
    }
    lines = []
    client = Client()
    for name, (user, url) in pages.items():
        client.force_login(user)
        client.get(url)  # warm up
        times, queries = [], 0
        for _ in range(REQUESTS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured)
        times.sort()
        p95 = times[int(0.95 * len(times)) - 1]
        lines.append(
            f"{label:>9} {name:<17} {queries:>3} queries  p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms"
        )
    return lines


def main() -> None:
    from django.test.utils import setup_test_environment

    recreate_database()
    setup()
    setup_test_environment()  # the test client without a test runner
    took = fill(10_000)
    print(f"filled 10,000 disputes in {took:.1f} s", flush=True)
    small = measure("10k")
    for line in small:
        print(line, flush=True)
    took = fill(990_000, start_id=10_001)
    print(f"filled 990,000 more disputes in {took:.1f} s", flush=True)
    for line in measure("1M"):
        print(line, flush=True)


if __name__ == "__main__":
    main()
