"""The outside world of the fault and load benches: a payment provider and a mail server that
keep a record of every call, committed the moment it is made (so that a process killed right
after a call leaves the call on the record, as a real provider's books would).

`ProviderGateway` (PARLEY_REFUND_GATEWAY=bench.provider.ProviderGateway) records each settle
call in `bench_provider_calls` of the bench's database, through a connection of its own in
autocommit, then answers like a provider that honours idempotency keys: the same reference for
the same key. `run_smtp_sink` accepts every email and records its Message-ID in
`bench_emails`. Both tables are created by `create_tables`.
"""

import asyncio
import hashlib
import os
import threading
import time

from django.conf import settings

from disputes.gateway import Settlement

LATENCY = float(os.environ.get("PARLEY_BENCH_PROVIDER_LATENCY", "0.002"))  # seconds per call
_local = threading.local()

TABLES = """
CREATE TABLE IF NOT EXISTS bench_provider_calls (
    id bigserial PRIMARY KEY, refund_id bigint NOT NULL, idempotency_key text,
    pid int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE TABLE IF NOT EXISTS bench_emails (
    id bigserial PRIMARY KEY, message_id text NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp());
"""


def _dsn() -> str:
    db = settings.DATABASES["default"]
    return (
        f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} "
        f"user={db['USER']} password={db['PASSWORD']}"
    )


def _record(sql: str, params: list, dsn: str | None = None) -> None:
    """Insert through this thread's own autocommit connection, made again if it died (a
    bench recreates its database between faults)."""
    import psycopg

    for attempt in (1, 2):
        conn = getattr(_local, "conn", None)
        if conn is None or conn.closed:
            conn = _local.conn = psycopg.connect(dsn or _dsn(), autocommit=True)
        try:
            conn.execute(sql, params)
            return
        except psycopg.OperationalError:
            _local.conn = None
            if attempt == 2:
                raise


def create_tables(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(TABLES)


class ProviderGateway:
    """Records the call, then answers as a provider honouring idempotency keys would."""

    def settle(self, refund, *, idempotency_key: str) -> Settlement:
        _record(
            "INSERT INTO bench_provider_calls (refund_id, idempotency_key, pid) VALUES (%s, %s, %s)",
            [refund.pk, idempotency_key, os.getpid()],
        )
        time.sleep(LATENCY)
        digest = hashlib.sha256((idempotency_key or f"nokey-{time.time_ns()}").encode()).hexdigest()
        return Settlement(provider_reference=f"pr_{digest[:16]}")


def run_smtp_sink(port: int, url: str, delay: float, ready, stop) -> None:
    """An SMTP server (run in a process of its own) that accepts everything, records each
    Message-ID, and takes `delay` seconds per message (a real server is not instant)."""
    from aiosmtpd.controller import Controller

    class Recorder:
        async def handle_DATA(self, server, session, envelope):
            message_id = ""
            for line in envelope.content.split(b"\r\n"):
                if line.lower().startswith(b"message-id:"):
                    message_id = line.split(b":", 1)[1].strip().decode()
                    break
            await asyncio.sleep(delay)
            _record("INSERT INTO bench_emails (message_id) VALUES (%s)", [message_id], url)
            return "250 OK"

    controller = Controller(Recorder(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
