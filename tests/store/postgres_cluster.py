"""A throwaway PostgreSQL + PostGIS cluster for the test session.

It lives in a temporary directory, listens only on a Unix socket there, and
is stopped and deleted at the end. Run as root, the server runs as the
`postgres` user (PostgreSQL refuses to run as root).
"""
from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "The store tests need PostgreSQL with PostGIS: run scripts/install_system_deps.sh "
    "(Debian: postgresql-15 postgresql-15-postgis-3), point TEST_DATABASE_URL at a database "
    "with PostGIS, or run only the SQLite tests with STORE_BACKENDS=sqlite."
)

# A cluster thrown away after the run needs no crash safety.
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "listen_addresses=")
# For figures and crash tests (bench/): a server as durable as a real one, still on its socket only.
DURABLE_SETTINGS = ("listen_addresses=",)


class ClusterUnavailable(RuntimeError):
    pass


def find_bindir() -> Path:
    if os.environ.get("PG_BINDIR"):
        candidates = [os.environ["PG_BINDIR"]]
    else:
        candidates = sorted(
            glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
        )
        on_path = shutil.which("pg_ctl")
        if on_path:
            candidates.append(str(Path(on_path).resolve().parent))
    for candidate in candidates:
        if all((Path(candidate) / tool).is_file() for tool in ("initdb", "pg_ctl", "createdb")):
            return Path(candidate)
    raise ClusterUnavailable(f"no PostgreSQL server binaries (initdb, pg_ctl) found. {INSTALL_HINT}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    bindir: Path
    root: Path
    port: int
    dbname: str = "store_test"
    settings: tuple[str, ...] = FAST_SETTINGS

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@/{self.dbname}?host={self.socket_dir}&port={self.port}"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, cwd=self.root, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise ClusterUnavailable(f"{tool} failed:\n{result.stdout}{result.stderr}\n{INSTALL_HINT}")

    def start(self) -> None:
        self.socket_dir.mkdir()
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            for path in (self.root, self.socket_dir):
                os.chown(path, postgres.pw_uid, postgres.pw_gid)
        self._run("initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        options = f"-k {self.socket_dir} -p {self.port} " + " ".join(f"-c {s}" for s in self.settings)
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.root / "server.log"), "-w",
                  "-o", options, "start")
        self._run("createdb", "-h", str(self.socket_dir), "-p", str(self.port), "-U", "postgres", self.dbname)

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster(settings: tuple[str, ...] = FAST_SETTINGS) -> Cluster:
    bindir = find_bindir()
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise ClusterUnavailable(f"running as root but there is no `postgres` user. {INSTALL_HINT}") from None
    # Not under pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    cluster = Cluster(bindir, Path(tempfile.mkdtemp(prefix="store-pg-")), free_port(), settings=settings)
    atexit.register(cluster.stop)  # should the session end without its teardown
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster
