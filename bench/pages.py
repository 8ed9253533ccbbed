"""What each page of the load bench costs inside one process: queries and milliseconds per
request, no server, no network, no other clients (not a test: `python -m bench.pages`).

On a busy box wall-clock load figures say little; this says where a page's own time goes. The
same data as `bench/load.py` (its `build()`: a buyer with 300 orders and 100 disputes, the
measured case with 50 messages) in its own database (<DATABASE_URL's name>_bench_pages), the
production settings (debug off, the Redis cache), each page requested through Django's test
client by its signed-in person: --repeat times after 5 to warm up; reported: the median time,
the median CPU time of this process alone (Python's share: the database's work is not in it,
and it moves less on a busy box), the page's queries and bytes. `--profile "seller: case page"` prints that page's
cProfile (cumulative) over the repeats; `--reuse` skips rebuilding the data.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import time

from bench import harness

TARGET = harness.configure("pages")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)
os.environ.setdefault("MAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

from bench import load  # noqa: E402 (after configure: load's own configure then keeps ours)


def _references() -> dict[str, str]:
    """The measured people and case of a database `build()` already filled."""
    from django.db.models import Count

    from disputes.models import Dispute

    case = (
        Dispute.objects.annotate(n=Count("messages")).select_related("order").order_by("-n").first()
    )
    assert case is not None, "no measured case: run without --reuse first"
    return {
        "case": case.reference,
        "order": case.order.reference,
        "buyer": "buyer",
        "seller": "seller",
        "arbiter": "arbiter1",
    }


def measure(refs: dict[str, str], repeat: int, profile: str | None) -> list[tuple]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    rows = []
    for role, role_pages in load.pages(refs).items():
        client = Client()
        client.force_login(User.objects.get(username=refs[role]))
        for name, path in role_pages:
            for _ in range(5):
                assert client.get(path).status_code == 200, path
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            queries = len(captured)  # now: the next request empties the log it reads
            profiler = cProfile.Profile() if name == profile else None
            times, cpu = [], []
            for _ in range(repeat):
                began, began_cpu = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                response = client.get(path)
                if profiler:
                    profiler.disable()
                times.append(time.perf_counter() - began)
                cpu.append(time.process_time() - began_cpu)
            median, median_cpu = statistics.median(times), statistics.median(cpu)
            rows.append((name, median, median_cpu, queries, len(response.content)))
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="keep the data of the last run")
    parser.add_argument("--profile", help='a page name, e.g. "seller: case page"')
    args = parser.parse_args()
    if args.reuse:
        harness.setup_django()
        refs = _references()
    else:
        harness.recreate_database(TARGET)
        harness.setup_django(migrate=True)
        refs = load.build()
    rows = measure(refs, args.repeat, args.profile)
    print(f"\nin one process, {args.repeat} requests per page (after 5 to warm up)")
    print("| page | median ms | of which this process's CPU | queries | bytes |")
    print("|---|---|---|---|---|")
    for name, median, cpu, queries, size in rows:
        print(f"| {name} | {median * 1000:.1f} | {cpu * 1000:.1f} | {queries} | {size:,} |")
    harness.flush_redis(TARGET)


if __name__ == "__main__":
    main()
