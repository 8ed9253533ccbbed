"""Pages under load: gunicorn with a Celery worker and beat, 8 concurrent clients, alone and while
the engine works through 30,000 deadlines (not a test: `python -m bench.load`, or `make bench`).

Its own database (<DATABASE_URL's name>_bench_load) and Redis database (bench/harness.py): a
buyer with 300 orders and 100 disputes in every state, their seller, a queue of escalated cases,
and the measured case: a dispute with 50 messages. Production settings (debug off) served by
gunicorn (3 sync workers, as in production), a Celery worker (2 processes) and beat; email goes
to Django's dummy mailer (delivery is the outbox bench's subject).

  1. alone: one client requests each page 40 times in a row (after 5 to warm up);
  2. 8 clients: 8 signed-in clients (buyers, sellers, arbiters) request their pages at random
     for --seconds, each waiting --think seconds (on average) between pages, as people do;
  3. the same while `manage.py enforce_deadlines` acts on 30,000 overdue deadlines of another
     store (refunds, escalations; notifications and settlement for the worker).

Per page p50/p95/p99 in each phase. Targets: under load each page's p95 within 2x its p95
alone; the case page's p95 within 2x the order page's.
"""

import argparse
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from bench import harness

TARGET = harness.configure("load")
ROOT = harness.ROOT
PASSWORD = "bench-load-password"
BIN = Path(sys.executable).parent
LOGS = Path("/tmp")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_COOKIES": "0",  # plain HTTP on 127.0.0.1
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "MAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def _start(command: list[str], name: str) -> subprocess.Popen:
    log = open(LOGS / f"parley-bench-load-{name}.log", "w")  # noqa: SIM115 (lives with the process)
    return subprocess.Popen(
        command, cwd=ROOT, env=_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process this bench started (TERM, then KILL), by its own id."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- The data ------------------------------------------------------------------------------------


def build() -> dict[str, str]:
    """The people and their pages; returns the measured references."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from arbitration import services as arbitration
    from disputes import services

    people = harness.cast()
    for person in (people.buyer, people.seller, *people.arbiters, people.lead):
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    now = timezone.now()
    orders = [harness.order(people, now) for _ in range(300)]
    disputes = []
    rng = random.Random(12)
    for i, order in enumerate(orders[:100]):
        at = now - timedelta(days=rng.randint(1, 40), hours=i)
        remedy = rng.choice(["partial_refund", "full_refund", "replacement", "return_and_refund"])
        dispute = services.dispute_open(
            order=order,
            actor=people.buyer,
            reason="wrong_item",
            proposal=services.Proposal(
                remedy, Decimal("20") if remedy == "partial_refund" else None
            ),
            description="Not what I ordered.",
            now=at,
        )
        disputes.append(dispute)
        step = i % 4
        if step >= 1:
            counter = services.Proposal("partial_refund", Decimal("10"))
            services.dispute_seller_reject(
                dispute=dispute, actor=people.seller, explanation="No.", counter=counter, now=at
            )
        if step >= 2:
            services.dispute_escalate_by_buyer(dispute=dispute, actor=people.buyer, now=at)
        if step == 3:
            arbitration.case_reassign(
                dispute=dispute, lead=people.lead, to=people.arbiters[0], now=at
            )
    case = disputes[3]  # escalated and with an arbiter: every section of the page has content
    for i in range(50):
        author = people.buyer if i % 2 == 0 else people.seller
        services.dispute_post_message(
            dispute=case, actor=author, body=f"Message {i}: what I see, in a few words."
        )
    return {
        "case": case.reference,
        "order": case.order.reference,
        "buyer": people.buyer.username,
        "seller": people.seller.username,
        "arbiter": people.arbiters[0].username,
    }


def pages(refs: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    case, order = refs["case"], refs["order"]
    return {
        "buyer": [
            ("buyer: orders", "/buyer/orders/"),
            ("buyer: order page", f"/buyer/orders/{order}/"),
            ("buyer: disputes", "/buyer/disputes/"),
            ("buyer: case page", f"/disputes/{case}/"),
            ("buyer: notifications", "/notifications/"),
        ],
        "seller": [
            ("seller: dashboard", "/seller/"),
            ("seller: disputes", "/seller/disputes/"),
            ("seller: order page", f"/seller/orders/{order}/"),
            ("seller: case page", f"/disputes/{case}/"),
        ],
        "arbiter": [
            ("arbiter: queue", "/arbitration/"),
            ("arbiter: case page", f"/arbitration/disputes/{case}/"),
        ],
    }


# --- Clients -------------------------------------------------------------------------------------


class Client:
    def __init__(self, base: str, username: str) -> None:
        import requests

        self.base = base
        self.session = requests.Session()
        form = self.session.get(f"{base}/accounts/login/", timeout=30).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token, "no CSRF token on the login page"
        answer = self.session.post(
            f"{base}/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
            headers={"Referer": f"{base}/accounts/login/"},
            timeout=30,
            allow_redirects=False,
        )
        assert answer.status_code == 302, f"{username} could not sign in ({answer.status_code})"

    def get(self, path: str) -> float:
        began = time.perf_counter()
        answer = self.session.get(f"{self.base}{path}", timeout=60, allow_redirects=False)
        elapsed = time.perf_counter() - began
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.status_code}")
        return elapsed


Timings = dict[str, list[float]]


def alone(base: str, refs: dict[str, str], n: int) -> Timings:
    timings: Timings = defaultdict(list)
    for role, role_pages in pages(refs).items():
        client = Client(base, refs[role])
        for name, path in role_pages:
            for _ in range(5):
                client.get(path)
            timings[name] = [client.get(path) for _ in range(n)]
    return timings


def sign_in(base: str, refs: dict[str, str], clients: int) -> list[tuple[str, Client]]:
    roles = ["buyer", "seller", "arbiter"]
    return [(roles[i % 3], Client(base, refs[roles[i % 3]])) for i in range(clients)]


def crowd(
    refs: dict[str, str],
    clients: list[tuple[str, "Client"]],
    seconds: float,
    think: float,
    stop=None,
) -> Timings:
    """Each signed-in client in a thread of its own, requesting its role's pages at random
    (waiting `think` seconds on average in between) until `seconds` pass or `stop` is set."""
    timings: Timings = defaultdict(list)
    lock = threading.Lock()
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def run(index: int, role: str, client: Client) -> None:
        rng = random.Random(index)
        own = pages(refs)[role]
        while time.monotonic() < deadline and not (stop and stop.is_set()):
            name, path = rng.choice(own)
            try:
                elapsed = client.get(path)
            except Exception as exc:
                errors.append(f"{name}: {exc}")
                continue
            with lock:
                timings[name].append(elapsed)
            if think:
                time.sleep(rng.expovariate(1 / think))

    threads = [
        threading.Thread(target=run, args=(i, role, client))
        for i, (role, client) in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"  {len(errors)} failed requests, e.g. {errors[:3]}")
    return timings


def percentile(values: list[float], p: float) -> float:
    """Nearest rank, as arbitration/metrics.py counts."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum would have them (see bench/timers.py)."""
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(TARGET.url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=40, help="the 8-client phase")
    parser.add_argument("--think", type=float, default=0.5, help="mean seconds between pages")
    parser.add_argument("--deadlines", type=int, default=30_000)
    parser.add_argument("--alone", type=int, default=40, help="requests per page, alone")
    args = parser.parse_args()

    harness.recreate_database(TARGET)
    harness.setup_django(migrate=True)
    began = time.perf_counter()
    refs = build()
    print(f"built the pages' data in {time.perf_counter() - began:.0f} s", flush=True)
    _analyze()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    procs = [
        _start(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "-w",
                "3",
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
            ],
            "web",
        ),
        _start(
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--loglevel=WARNING",
                "--concurrency=2",
                "-n",
                "load@bench",
            ],
            "worker",
        ),
        _start(
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel=WARNING",
                "-s",
                str(LOGS / "parley-bench-load-beat"),
            ],
            "beat",
        ),
    ]
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        phases: dict[str, Timings] = {}
        print("alone ...", flush=True)
        phases["alone"] = alone(base, refs, args.alone)
        print(f"{args.clients} clients ...", flush=True)
        clients = sign_in(base, refs, args.clients)
        phases["8 clients"] = crowd(refs, clients, args.seconds, args.think)
        # Only now the overdue clocks: beat sends the engine at start, and every minute.
        began = time.perf_counter()
        harness.build_overdue(harness.cast("bulk"), args.deadlines)
        built = time.perf_counter() - began
        print(f"built {args.deadlines} overdue deadlines in {built:.0f} s", flush=True)
        _analyze()
        print(f"{args.clients} clients while the engine works ...", flush=True)
        done = threading.Event()
        engine = _start([sys.executable, "manage.py", "enforce_deadlines"], "engine")
        began = time.perf_counter()

        def wait_engine() -> None:
            engine.wait()
            done.set()

        threading.Thread(target=wait_engine, daemon=True).start()
        phases["8 clients + engine"] = crowd(refs, clients, 3600, args.think, stop=done)
        engine_time = time.perf_counter() - began
        said = (LOGS / "parley-bench-load-engine.log").read_text().strip().splitlines()
        print(
            f"  engine: {said[-1] if said else ''} in {engine_time:.0f} s (exit {engine.returncode})"
        )
    finally:
        for proc in procs:
            _stop(proc)
        harness.flush_redis(TARGET)
    report(phases, args)


def report(phases: dict[str, Timings], args) -> None:
    names = list(phases["alone"])
    print(f"\nclients: {args.clients}, think time {args.think} s (mean); ms per request")
    head = " | ".join(f"{phase} p50 / p95 / p99" for phase in phases)
    print(f"| page | {head} | p95 ÷ alone (8 / 8 + engine) |")
    print("|---" * (len(phases) + 2) + "|")
    for name in names:
        cells = []
        for timings in phases.values():
            values = timings.get(name) or [float("nan")]
            cells.append(
                " / ".join(f"{percentile(values, p) * 1000:.0f}" for p in (50, 95, 99))
                + f" (n={len(values)})"
            )
        base95 = percentile(phases["alone"][name], 95)
        ratios = " / ".join(
            f"{percentile(phases[p][name], 95) / base95:.2f}" if phases[p].get(name) else "-"
            for p in list(phases)[1:]
        )
        print(f"| {name} | {' | '.join(cells)} | {ratios} |")
    for phase_name, timings in phases.items():
        for role in ("buyer", "seller"):
            case, order = timings.get(f"{role}: case page"), timings.get(f"{role}: order page")
            if case and order:
                ratio = percentile(case, 95) / percentile(order, 95)
                print(
                    f"{phase_name}: {role}'s case page p95 ÷ order page p95 = {ratio:.2f} (target ≤ 2)"
                )
    worst = max(
        percentile(phases[p][n], 95) / percentile(phases["alone"][n], 95)
        for p in list(phases)[1:]
        for n in names
        if phases[p].get(n)
    )
    print(f"worst p95 under load ÷ alone: {worst:.2f} (target ≤ 2)")


if __name__ == "__main__":
    main()
