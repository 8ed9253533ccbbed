"""What each page of the load bench costs inside one process: queries and milliseconds per
request, no server, no network, no other clients (not a test: `python -m bench.pages`).

On a busy box wall-clock load figures say little; this says where a page's own time goes. The
same data as `bench/load.py` (its `build()`: a buyer with 300 orders and 100 disputes, the
measured case with 50 messages) in its own database (<DATABASE_URL's name>_bench_pages), the
production settings (debug off, the Redis cache), each page requested through Django's test
client by its signed-in person: --repeat times after 5 to warm up; reported: the median time,
the median CPU time of this process alone (Python's share: the database's work is not in it),
the Python function calls per request (cProfile: the same from run to run, when times on a
shared box are not), the page's queries and bytes. `--profile "seller: case page"` prints that
page's cumulative and own-time profiles; `--reuse` keeps the data of the last run.
`--language es --zone Europe/Lisbon` has the measured people read in that language and zone
(saved on their accounts, as the header's switch does): by default English and UTC, where a
moment names no city.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import time
from dataclasses import dataclass

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


@dataclass
class Row:
    name: str
    median: float  # seconds per request
    cpu: float  # of which this process's CPU
    calls: int  # Python function calls per request (cProfile)
    queries: int
    size: int  # bytes


def _queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return len(captured)  # now: the next request empties the log it reads


def _calls(client, path: str, profile: bool) -> int:
    """Function calls per request over 5 requests (the same from run to run, unlike times);
    with `profile`, the cumulative profile is printed too."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    if profile:
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    return stats.total_calls // 5  # type: ignore[attr-defined]


def _row(client, name: str, path: str, repeat: int, profile: bool) -> Row:
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    queries = _queries(client, path)
    calls = _calls(client, path, profile)
    times, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    median, median_cpu = statistics.median(times), statistics.median(cpu)
    return Row(name, median, median_cpu, calls, queries, len(response.content))


def _reads_in(refs: dict[str, str], language: str, zone: str) -> None:
    """The measured people's language and zone ("" for each: the default, English and UTC)."""
    from accounts.models import User

    people = [refs[role] for role in ("buyer", "seller", "arbiter")]
    User.objects.filter(username__in=people).update(language=language, time_zone=zone)


def measure(refs: dict[str, str], repeat: int, profile: str | None) -> list[Row]:
    from django.test import Client

    from accounts.models import User

    rows = []
    for role, role_pages in load.pages(refs).items():
        client = Client()
        client.force_login(User.objects.get(username=refs[role]))
        for name, path in role_pages:
            rows.append(_row(client, name, path, repeat, name == profile))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="keep the data of the last run")
    parser.add_argument("--profile", help='a page name, e.g. "seller: case page"')
    parser.add_argument("--language", default="", help="the measured people's, e.g. es")
    parser.add_argument("--zone", default="", help="the measured people's, e.g. Europe/Lisbon")
    args = parser.parse_args()
    if args.reuse:
        harness.setup_django()
        refs = _references()
    else:
        harness.recreate_database(TARGET)
        harness.setup_django(migrate=True)
        refs = load.build()
    _reads_in(refs, args.language, args.zone)
    rows = measure(refs, args.repeat, args.profile)
    reader = f"{args.language or 'en'}, {args.zone or 'UTC'}"
    print(
        f"\nin one process, {args.repeat} requests per page (after 5 to warm up), read in {reader}"
    )
    print("| page | median ms | of which this process's CPU | calls | queries | bytes |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r.name} | {r.median * 1000:.1f} | {r.cpu * 1000:.1f} | {r.calls:,} "
            f"| {r.queries} | {r.size:,} |"
        )
    by_name = {r.name: r for r in rows}
    for who in ("buyer", "seller"):
        case, order = by_name[f"{who}: case page"], by_name[f"{who}: order page"]
        print(
            f"{who}'s case page ÷ order page: calls {case.calls / order.calls:.2f}, "
            f"CPU {case.cpu / order.cpu:.2f}, time {case.median / order.median:.2f}"
        )
    harness.flush_redis(TARGET)


if __name__ == "__main__":
    main()
