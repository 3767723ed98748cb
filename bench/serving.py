"""The production server for the load and fault tests: started as `make serve` starts it, on loopback, cleaned up.

    with scratch() as work, database("sqlite", work) as url:
        token = prepare(url, work / "photos", seed_day="2026-06-30")
        with Server(url, work / "photos", work) as server:
            requests.get(server.url + "/healthz")
            server.kill()    # SIGKILL to gunicorn's master and workers (the process group)
            server.start()   # the same database and photos, a new process group

gunicorn runs with gunicorn.conf.py and the environment `make serve` gives it (HOST=127.0.0.1, a free PORT,
WEB_CONCURRENCY, THREADS, SECRET_KEY, DATABASE_URL, PHOTO_DIR, AUTO_MIGRATE=0), in a session of its own so
one signal reaches every process of it. PostGIS: a throwaway cluster with durable settings (fsync and
synchronous commit on, as in production), or a fresh schema in an existing database (TEST_DATABASE_URL).

Also here, for both tests: a ledger of the writes clients sent (by their client UUIDs) and the checks
that the store is whole and holds every acknowledged write exactly once.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from store.database import make_engine  # noqa: E402
from store.photo_files import STORED_NAME  # noqa: E402

GUNICORN = Path(sys.executable).parent / "gunicorn"
WRITER = "bench.writer"  # the planner whose API token the clients write with
CHUNK = 500  # ids per IN (...) query
NOT_DELIVERED = 0  # a write's "status" when the connection was refused: the server never saw it


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def terminate_on_sigterm() -> None:
    """SIGTERM (and SIGHUP) end the script as Ctrl-C does, so every `finally` cleans up."""
    def interrupt(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)


@contextmanager
def scratch(keep: bool = False) -> Iterator[Path]:
    """A temporary folder for the database, the photos and the server's log; removed afterwards unless `keep`."""
    work = Path(tempfile.mkdtemp(prefix="jintan-bench-"))
    os.chmod(work, 0o755)  # the throwaway PostgreSQL server runs as `postgres`
    try:
        yield work
    finally:
        if keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


@contextmanager
def database(backend: str, work: Path, existing_url: str | None = None) -> Iterator[str]:
    """The URL of a new, empty database: an SQLite file in `work`, or PostGIS (a throwaway cluster, or a new
    schema in `existing_url`), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{work / 'jintan.sqlite3'}"
        return
    if backend != "postgis":
        raise ValueError(f"backend {backend!r}: sqlite or postgis")
    if existing_url:
        with _schema_in(existing_url) as url:
            yield url
        return
    from tests.store.postgres_cluster import DURABLE_SETTINGS, start_cluster

    cluster = start_cluster(DURABLE_SETTINGS)
    try:
        yield cluster.url
    finally:
        try:
            cluster.stop()
        except Exception as problem:  # noqa: BLE001 - e.g. a Ctrl-C at a terminal reached the postmaster first
            print(f"stopping the PostgreSQL cluster: {problem}", file=sys.stderr)
        shutil.rmtree(cluster.root, ignore_errors=True)


@contextmanager
def _schema_in(url: str) -> Iterator[str]:
    admin = make_engine(url)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            postgis = connection.execute(text(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
                " WHERE e.extname = 'postgis'")).scalar_one()
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        options = f"-csearch_path={schema},{postgis}"
        yield make_url(url).update_query_dict({"options": options}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def prepare(url: str, photo_dir: Path, seed_day: str | None = None) -> str:
    """Migrate the database, store the demo data if `seed_day` (flask seed --today), create the writing planner;
    their new API token (flask users token)."""
    from app import create_app

    app = create_app({"DATABASE_URL": url, "PHOTO_DIR": str(photo_dir), "SECRET_KEY": "bench"})  # migrates
    runner = app.test_cli_runner()
    try:
        if seed_day:
            _invoke(runner, ["seed", "--today", seed_day])
        _invoke(runner, ["users", "create", WRITER, "--role", "planner"], input=secrets.token_urlsafe(16) + "\n")
        token = _invoke(runner, ["users", "token", WRITER, "--label", "bench"]).stdout.splitlines()[0].strip()
    finally:
        app.extensions["store"].engine.dispose()
    return token


def _invoke(runner, args: list[str], input: str | None = None):
    result = runner.invoke(args=args, input=input)
    if result.exit_code != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed: {result.output}")
    return result


class Server:
    """gunicorn as `make serve` runs it, in its own process group, logging to `work/server-N.log`."""

    def __init__(self, url: str, photo_dir: Path, work: Path, *, workers: int = 2, threads: int = 8,
                 environment: dict[str, str] | None = None, app: str = "app:create_app()"):
        self.app = app  # the WSGI application gunicorn serves (bench/bench_read_path.py also serves its floor)
        self.database_url = url
        self.photo_dir = photo_dir
        self.work = work
        self.workers = workers
        self.threads = threads
        self.environment = environment or {}
        self.process: subprocess.Popen | None = None
        self.port: int | None = None
        self.starts = 0
        self.log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> float:
        """Start gunicorn and wait for /healthz to answer 200; the seconds it took."""
        if self.process is not None:
            raise RuntimeError("already running")
        started = time.perf_counter()
        for attempt in range(3):  # a free port can be taken between looking and binding
            self.port = free_port()
            self.starts += 1
            self.log_path = self.work / f"server-{self.starts}.log"
            env = {
                **os.environ,
                "HOST": "127.0.0.1", "PORT": str(self.port),
                "WEB_CONCURRENCY": str(self.workers), "THREADS": str(self.threads),
                "SECRET_KEY": "bench-" + "x" * 32, "DATABASE_URL": self.database_url,
                "PHOTO_DIR": str(self.photo_dir), "AUTO_MIGRATE": "0", **self.environment,
            }
            with open(self.log_path, "wb") as log:
                self.process = subprocess.Popen(
                    [str(GUNICORN), "--config", str(ROOT / "gunicorn.conf.py"), self.app],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    start_new_session=True,  # its own process group: one killpg reaches master and workers
                )
            if self._healthy_within(started + timeout):
                return time.perf_counter() - started
            self._reap()
            if "Address already in use" not in self.log_path.read_text(errors="replace"):
                break
        raise RuntimeError(f"the server did not become healthy; its log:\n{self.log_tail()}")

    def _healthy_within(self, deadline: float) -> bool:
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                return False
            with suppress(requests.RequestException):
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return True
            time.sleep(0.2)
        return False

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server's processes have used so far (Linux /proc; 0 elsewhere)."""
        if self.process is None:
            return 0.0
        pgid = self.process.pid
        return _cpu_seconds(lambda pid, ppid, group: group == pgid)  # the process group: master and workers

    def kill(self) -> None:
        """SIGKILL to every process of the server at once: no worker finishes its request, nothing is flushed."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._reap()

    def stop(self, timeout: float = 40.0) -> None:
        """SIGTERM (gunicorn's graceful stop: requests in progress finish), then SIGKILL if it takes too long."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def _reap(self) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # workers left behind by a master that died first
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        self.process = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_lines(self) -> list[str]:
        lines = []
        for path in sorted(self.work.glob("server-*.log")):
            lines += path.read_text(errors="replace").splitlines()
        return lines

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log_lines()[-n:])

    def server_errors(self) -> list[str]:
        """Log lines of requests answered 5xx, and errors the app or gunicorn logged."""
        found = []
        for line in self.log_lines():
            try:
                entry = json.loads(line)
            except ValueError:
                if "Traceback" in line or "Error" in line:
                    found.append(line)
                continue
            if (isinstance(entry.get("status"), int) and entry["status"] >= 500) or entry.get("level") in ("error", "critical"):
                found.append(line)
        return found


def _cpu_seconds(chosen) -> float:
    """CPU time of the processes for which chosen(pid, parent pid, process group) is true, from /proc/*/stat."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if chosen(int(stat.parent.name), int(fields[1]), int(fields[2])):
                total += int(fields[11]) + int(fields[12])
    return total / ticks


def database_cpu_seconds(url: str) -> float | None:
    """CPU time of the throwaway PostgreSQL cluster's processes (the postmaster and its children); None if the
    database is not one of ours (SQLite works inside the server's processes)."""
    host = make_url(url).query.get("host")
    if not host or not str(host).startswith(tempfile.gettempdir()):
        return None
    try:
        postmaster = int((Path(host).parent / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return _cpu_seconds(lambda pid, ppid, group: postmaster in (pid, ppid))


# --- what the clients wrote, and whether the store holds it -------------------------------------------------------


@dataclass
class Write:
    kind: str  # issue, update, photo
    id: str  # the client's UUID: the issue's or photo's id, the update's update_id
    issue: str | None = None  # the issue an update or a photo is of
    # None: no answer (connection lost, timed out); NOT_DELIVERED: the connection was refused
    statuses: list[int | None] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return any(s is not None and 200 <= s < 300 for s in self.statuses)

    @property
    def unanswered(self) -> bool:
        return None in self.statuses


class Ledger:
    """Every write sent, by its client UUID, with every answer it got (retries included); thread-safe."""

    def __init__(self) -> None:
        self.writes: dict[str, Write] = {}
        self.lock = threading.Lock()

    def record(self, kind: str, id: str, status: int | None, issue: str | None = None) -> None:
        with self.lock:
            write = self.writes.setdefault(id, Write(kind, id, issue))
            write.statuses.append(status)

    def of(self, kind: str) -> list[Write]:
        with self.lock:
            return [w for w in self.writes.values() if w.kind == kind]


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _counts(connection, query: str, ids: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ids = sorted(set(ids))
    for chunk in _chunks(ids):
        names = {f"i{n}": value for n, value in enumerate(chunk)}
        placeholders = ", ".join(f":{name}" for name in names)
        for key, count in connection.execute(text(query.format(ids=placeholders)), names):
            found[key] = int(count)
    return found


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_ledger(url: str, ledger: Ledger) -> Verdict:
    """Every acknowledged write stored exactly once; every refused one absent; every unanswered one either
    whole or absent (whether it is whole is check_store's part)."""
    verdict = Verdict()
    queries = {
        "issue": "SELECT public_id, count(*) FROM issues WHERE public_id IN ({ids}) GROUP BY public_id",
        "update": "SELECT client_id, count(*) FROM issue_events WHERE client_id IN ({ids}) GROUP BY client_id",
        "photo": "SELECT public_id, count(*) FROM photos WHERE public_id IN ({ids}) GROUP BY public_id",
    }
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            for kind, query in queries.items():
                writes = ledger.of(kind)
                stored = _counts(connection, query, [w.id for w in writes])
                acknowledged = [w for w in writes if w.acknowledged]
                unanswered = [w for w in writes if not w.acknowledged and w.unanswered]
                refused = [w for w in writes if not w.acknowledged and not w.unanswered]
                for w in acknowledged:
                    if stored.get(w.id, 0) != 1:
                        verdict.problems.append(f"{kind} {w.id} was acknowledged ({w.statuses}) but is stored "
                                                f"{stored.get(w.id, 0)} times")
                for w in refused:
                    if stored.get(w.id, 0):
                        verdict.problems.append(f"{kind} {w.id} was refused ({w.statuses}) but is stored")
                for w in unanswered:
                    if stored.get(w.id, 0) > 1:
                        verdict.problems.append(f"{kind} {w.id} (unanswered) is stored {stored[w.id]} times")
                present = sum(1 for w in unanswered if stored.get(w.id))
                undelivered = sum(1 for w in refused if set(w.statuses) == {NOT_DELIVERED})
                verdict.facts[kind] = {"sent": len(writes), "acknowledged": len(acknowledged),
                                       "refused": len(refused) - undelivered, "not_delivered": undelivered,
                                       "unanswered": len(unanswered),
                                       "unanswered_present": present, "unanswered_absent": len(unanswered) - present,
                                       "retried": sum(1 for w in writes if len(w.statuses) > 1)}
    finally:
        engine.dispose()
    return verdict


def _jpeg_whole(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            head = file.read(2)
            file.seek(-2, os.SEEK_END)
            return head == b"\xff\xd8" and file.read(2) == b"\xff\xd9"
    except OSError:
        return False


def check_store(url: str, photo_dir: Path) -> Verdict:
    """The store is whole: the backend's own checks, no duplicate client ids, every issue with exactly one
    `created` event, every photo row with its `photo` event and both its files complete on disk."""
    verdict = Verdict()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                _sqlite_checks(connection, verdict)
            else:
                _postgres_checks(connection, verdict)
            duplicates = {
                "issues": "SELECT public_id FROM issues GROUP BY public_id HAVING count(*) > 1",
                "photos": "SELECT public_id FROM photos GROUP BY public_id HAVING count(*) > 1",
                "update ids": "SELECT client_id FROM issue_events WHERE client_id IS NOT NULL GROUP BY client_id"
                              " HAVING count(*) > 1",
            }
            for what, query in duplicates.items():
                if rows := connection.execute(text(query)).all():
                    verdict.problems.append(f"{len(rows)} duplicate {what}, e.g. {rows[0][0]}")
            half = connection.execute(text(
                "SELECT i.public_id FROM issues i WHERE (SELECT count(*) FROM issue_events e"
                " WHERE e.issue_id = i.id AND e.kind = 'created') <> 1")).scalars().all()
            if half:
                verdict.problems.append(f"{len(half)} issues without exactly one created event, e.g. {half[0]}")
            photos = connection.execute(text(
                "SELECT p.public_id, p.file_name, p.thumbnail_name, e.kind, e.to_value FROM photos p"
                " LEFT JOIN issue_events e ON e.id = p.issue_event_id")).all()
            referenced = set()
            for public_id, file_name, thumbnail_name, kind, to_value in photos:
                referenced |= {file_name, thumbnail_name}
                if (kind, to_value) != ("photo", public_id):
                    verdict.problems.append(f"photo {public_id} has no photo event")
                for name in (file_name, thumbnail_name):
                    if not _jpeg_whole(photo_dir / name):
                        verdict.problems.append(f"photo {public_id}: its file {name} is missing or incomplete")
            verdict.facts["issues"] = connection.execute(text("SELECT count(*) FROM issues")).scalar_one()
            verdict.facts["issue_events"] = connection.execute(text("SELECT count(*) FROM issue_events")).scalar_one()
            verdict.facts["photos"] = len(photos)
    finally:
        engine.dispose()
    on_disk = {p.name for p in photo_dir.iterdir() if STORED_NAME.fullmatch(p.name)} if photo_dir.exists() else set()
    verdict.facts["orphan_photo_files"] = len(on_disk - referenced)  # left by uploads whose transaction never ended
    partial = list(photo_dir.glob(".upload-*.part")) if photo_dir.exists() else []
    if partial:
        verdict.facts["partial_upload_files"] = len(partial)  # an upload killed while writing its file
    return verdict


def _sqlite_checks(connection, verdict: Verdict) -> None:
    integrity = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        verdict.problems.append(f"PRAGMA integrity_check: {'; '.join(integrity[:5])}")
    if keys := connection.exec_driver_sql("PRAGMA foreign_key_check").all():
        verdict.problems.append(f"PRAGMA foreign_key_check: {len(keys)} rows, e.g. {tuple(keys[0])}")
    rtree = connection.exec_driver_sql("SELECT rtreecheck('issue_rtree')").scalar()
    if rtree != "ok":
        verdict.problems.append(f"rtreecheck(issue_rtree): {rtree}")
    indexed, issues = (connection.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in ("issue_rtree", "issues"))
    if indexed != issues:
        verdict.problems.append(f"the R*Tree holds {indexed} issues, the table {issues}")
    verdict.facts["integrity_check"] = "ok" if integrity == ["ok"] and not keys else "FAILED"


def _postgres_checks(connection, verdict: Verdict) -> None:
    # amcheck (contrib, shipped with the server) verifies every B-tree index of ours against its table.
    try:
        with connection.begin():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            indexes = connection.execute(text(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree'"
                " AND c.relnamespace = current_schema()::regnamespace")).scalars().all()
            for index in indexes:
                connection.execute(text("SELECT bt_index_check(CAST(:index AS regclass), true)"), {"index": index})
        verdict.facts["amcheck"] = f"{len(indexes)} B-tree indexes ok"
    except Exception as problem:  # noqa: BLE001 - a failed check is a finding, not a crash of the checker
        message = str(problem).splitlines()[0]
        if "amcheck" in message and ("not available" in message or "could not open extension" in message):
            verdict.facts["amcheck"] = "not available"
        else:
            verdict.problems.append(f"amcheck: {message}")
    invalid = connection.execute(text(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE NOT i.indisvalid AND c.relnamespace = current_schema()::regnamespace")).scalars().all()
    if invalid:
        verdict.problems.append(f"invalid indexes: {', '.join(invalid)}")
    unmatched = connection.execute(text(
        "SELECT count(*) FROM issues WHERE geom IS NULL OR ST_X(geom) <> lon OR ST_Y(geom) <> lat")).scalar_one()
    if unmatched:
        verdict.problems.append(f"{unmatched} issues whose geom is not their lon/lat")
