"""Benchmark of the outbox drain: how many emails a second one worker process delivers into a
local SMTP server (not a test: `python -m bench.outbox --n 5000`, or `make bench`).

Fills its own database (<DATABASE_URL's name>_bench_outbox) with N undelivered notifications
for 1,000 recipients of the four languages and as many zones through `notify_many` (each an
event's code and data, as acts write them: the drain renders every email's words in its
recipient's language and zone), starts an SMTP sink (aiosmtpd) in another process,
points the settings at it through the SMTP_* variables (as production would), then times the
drain (`notifications.delivery.outbox_drain`: batches claimed with SKIP LOCKED, one SMTP
connection per batch, outcomes recorded per batch) in this process until nothing is due. It
checks that every row is marked sent and that the sink received each Message-ID exactly once.
Target: at least 50 emails/s per worker process. No Redis needed (no task is queued).
"""

import argparse
import multiprocessing
import os
import socket
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SERVER, _, SOURCE_DB = os.environ.get(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parley"
).rpartition("/")
BENCH_DB = f"{SOURCE_DB}_bench_outbox"
os.environ["DATABASE_URL"] = f"{SERVER}/{BENCH_DB}"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

RECIPIENTS = 1_000
TARGET = 50.0
# Recipients' languages and zones ("" = not chosen: the defaults).
PLACES = [
    ("es", "Europe/Madrid"),
    ("pt-br", "America/Sao_Paulo"),
    ("ru", "Asia/Vladivostok"),
    ("en", "America/Los_Angeles"),
    ("", ""),
]
NOTE_CODE = "orders.order.received"  # a note with a moment in it, said in the reader's zone


def _note_data(i: int) -> dict[str, object]:
    """The note an automatic receipt writes (core.timeline.Recorder.act)."""
    ends = datetime(2026, 12, 5, 10, 13, tzinfo=UTC) + timedelta(minutes=i)
    title = {"msgid": "Order %(reference)s", "values": {"reference": f"PA-B{i:08d}"}}
    event = {"automatic": True, "protection_ends_at": ends.isoformat()}
    return {"title": title, "event": event}


def _sink(port: int, ready, stop, results) -> None:
    """An SMTP server that accepts everything and counts Message-IDs (runs in its own process,
    so that it does not share the drain's interpreter)."""
    from aiosmtpd.controller import Controller

    class Counter:
        def __init__(self) -> None:
            self.ids: dict[str, int] = {}

        async def handle_DATA(self, server, session, envelope):
            for line in envelope.content.split(b"\r\n"):
                if line.lower().startswith(b"message-id:"):
                    key = line.split(b":", 1)[1].strip().decode()
                    self.ids[key] = self.ids.get(key, 0) + 1
                    break
            return "250 OK"

    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    results.put(counter.ids)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def setup(port: int) -> None:
    os.environ.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_TLS": "none"})
    os.environ.pop("MAIL_BACKEND", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    assert settings.MAILERS["default"]["OPTIONS"]["port"] == port
    call_command("migrate", verbosity=0)


def fill(n: int, run: int) -> None:
    """N undelivered notifications, written through the outbox's own writer."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role, User
    from core.outbox import Note
    from notifications import services

    services._queue_delivery = lambda: None  # no broker here: the bench drains by itself
    if not User.objects.exists():
        User.objects.bulk_create(
            User(
                username=f"r{i}",
                email=f"r{i}@bench.test",
                role=Role.BUYER,
                language=PLACES[i % len(PLACES)][0],
                time_zone=PLACES[i % len(PLACES)][1],
            )
            for i in range(RECIPIENTS)
        )
    ids = list(User.objects.order_by("id").values_list("id", flat=True))
    at = timezone.now() - timedelta(minutes=1)
    for start in range(0, n, 5_000):
        notes = [
            Note(ids[i % len(ids)], f"bench:{run}:{i}", code=NOTE_CODE, data=_note_data(i))
            for i in range(start, min(n, start + 5_000))
        ]
        with transaction.atomic():
            services.notify_many(notes, now=at)


def drain() -> tuple[float, int]:
    from notifications.delivery import DeliveryPolicy, outbox_drain

    policy = DeliveryPolicy.from_settings()
    policy = DeliveryPolicy(
        policy.batch_size, policy.retry_after, policy.max_attempts, timedelta(hours=1)
    )
    began = time.perf_counter()
    report = outbox_drain(older_than=timedelta(0), policy=policy)
    elapsed = time.perf_counter() - began
    assert not report.more and not report.mailer_down and not report.failed, report
    return elapsed, report.sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5_000, help="notifications to deliver")
    parser.add_argument("--repeat", type=int, default=2, help="runs on fresh rows; best kept")
    args = parser.parse_args()

    port = _free_port()
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    results: multiprocessing.Queue = multiprocessing.Queue()
    sink = multiprocessing.Process(target=_sink, args=(port, ready, stop, results), daemon=True)
    sink.start()
    try:
        assert ready.wait(timeout=30), "the SMTP sink did not start"
        recreate_database()
        setup(port)
        rates = _runs(args.n, args.repeat)
    finally:
        stop.set()
    received = results.get(timeout=30)
    sink.join(timeout=30)
    _report(args.n, args.repeat, rates, received)


def _runs(n: int, repeat: int) -> list[float]:
    from notifications.models import Notification

    rates = []
    for run in range(repeat):
        fill(n, run)
        elapsed, sent = drain()
        assert sent == n and not Notification.objects.filter(emailed_at__isnull=True).exists()
        rates.append(sent / elapsed)
        print(f"run {run + 1}: {sent:,} emails in {elapsed:.2f} s = {sent / elapsed:,.0f} emails/s")
    return rates


def _report(n: int, repeat: int, rates: list[float], received: dict[str, int]) -> None:
    assert len(received) == n * repeat, f"sink got {len(received)} distinct Message-IDs"
    doubled = sum(1 for count in received.values() if count > 1)
    assert not doubled, f"{doubled} Message-IDs arrived more than once"
    best = max(rates)
    verdict = "met" if best >= TARGET else "NOT MET"
    print(
        f"outbox drain, one process into a local SMTP sink: best {best:,.0f} emails/s "
        f"(target ≥ {TARGET:.0f}/s: {verdict}); {n * repeat:,} received, each once"
    )


if __name__ == "__main__":
    main()
