"""Backups of the store: the database and the photo files in one archive, restored all or nothing.

An archive is a tar file (gzip-compressed if its name ends in .gz or .tgz) holding

    database.sqlite3 | database.pgdump   the database, in its backend's own format
    photos/<name>.jpg ...                  every photo file the database refers to
    manifest.json                          last: what it is, and the SHA-256 of every other member

Each backend's own format, not a logical one of ours: the sqlite3 online backup
API on SQLite (a consistent copy while the server writes, WAL included) and
`pg_dump --format=custom` on PostgreSQL (in the snapshot the manifest's counts
and photo list were read in). Both keep every type, constraint, index, sequence
and the spatial index exactly, with no code here to keep in step with each
migration; the price is that an archive goes back to the backend it came from.

Restoring checks the whole archive first (members, checksums, a schema revision
this code knows, the same backend), then changes things in an order where a
failure leaves the database as it was:

- SQLite: the copy is checked (`integrity_check`, `foreign_key_check`) and, if
  older, migrated to the newest schema in its temporary file; then it is copied
  into the live database by the backup API in one step, which is one SQLite
  transaction. (Not a file rename: a running server's connections and the
  database's -wal file belong to the old file.)
- PostgreSQL: `pg_restore` writes the dump as SQL, and psql runs it after
  dropping our tables, in a single transaction (ON_ERROR_STOP: any error rolls
  it all back). Dropping first, rather than `pg_restore --clean`, also removes
  tables a newer migration added, whose foreign keys would block a clean.
  The migration of an older archive to the newest schema follows, in its own
  transaction.

Photos are put in place beside the live ones before the database changes (and
taken away again if that fails), and files no restored row refers to are
removed afterwards.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from store.database import alembic_config, head_revision, make_engine, upgrade
from store.models import Base
from store.photo_files import STORED_NAME

FORMAT = "jintan-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
PHOTOS = "photos"
MEMBER_NAME = re.compile(rf"(?:{re.escape(SQLITE_MEMBER)}|{re.escape(POSTGRES_MEMBER)}|{PHOTOS}/{STORED_NAME.pattern})")
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
COUNTED_TABLES = ("issues", "issue_events", "projects", "project_events", "users", "api_tokens", "photos")
CHUNK = 1024 * 1024
ROOT = Path(__file__).resolve().parent.parent
# libpq reads these from the environment, so nothing of the connection (the password least) is on a command line.
LIBPQ_ENVIRONMENT = {
    "host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "options": "PGOPTIONS", "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "passfile": "PGPASSFILE",
    "service": "PGSERVICE", "connect_timeout": "PGCONNECT_TIMEOUT", "application_name": "PGAPPNAME",
    "target_session_attrs": "PGTARGETSESSIONATTRS", "gssencmode": "PGGSSENCMODE", "channel_binding": "PGCHANNELBINDING",
}


class BackupError(RuntimeError):
    """A backup or restore that cannot be done, said so a person knows why; nothing was changed."""


# --- what is in a database -----------------------------------------------------------------------------------------


def backend_of(url: str | URL) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot back up a {backend} database")
    return backend


def sqlite_path(url: str | URL) -> Path:
    database = make_url(url).database
    if database in (None, "", ":memory:") or make_url(url).query.get("mode") == "memory":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(database).resolve()


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _count(connection, table: str, existing: Iterable[str], schema: str | None = None) -> int | None:
    if table not in existing:
        return None
    qualified = f'"{schema}"."{table}"' if schema else f'"{table}"'
    return int(connection.execute(text(f"SELECT count(*) FROM {qualified}")).scalar_one())


def _revision(connection, existing: Iterable[str], schema: str | None = None) -> str | None:
    if "alembic_version" not in existing:
        return None
    qualified = f'"{schema}".alembic_version' if schema else "alembic_version"
    return connection.execute(text(f"SELECT version_num FROM {qualified}")).scalar()


def _photo_names(connection, existing: Iterable[str], schema: str | None = None) -> list[str]:
    if "photos" not in existing:
        return []
    qualified = f'"{schema}".photos' if schema else "photos"
    rows = connection.execute(text(f"SELECT file_name, thumbnail_name FROM {qualified} ORDER BY id"))
    return [name for row in rows for name in row]


def _postgres_tables(connection, schema: str) -> list[str]:
    return list(connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = :schema ORDER BY tablename"), {"schema": schema}
    ).scalars())


def our_tables() -> set[str]:
    """The tables a backup holds and a restore replaces: the models' and Alembic's (not PostGIS's, not anyone else's)."""
    return {*Base.metadata.tables, "alembic_version"}


@dataclass(frozen=True)
class DatabaseState:
    revision: str | None
    counts: dict[str, int | None]
    photo_names: list[str]


def describe(url: str | URL) -> DatabaseState:
    """The schema revision, row counts and photo file names of a database as it is now (all 0 if it is empty)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                existing = set(connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
                schema = None
            else:
                schema = connection.execute(text("SELECT current_schema()")).scalar_one()
                existing = set(_postgres_tables(connection, schema))
            return DatabaseState(
                revision=_revision(connection, existing, schema),
                counts={table: _count(connection, table, existing, schema) or 0 for table in COUNTED_TABLES},
                photo_names=_photo_names(connection, existing, schema),
            )
    finally:
        engine.dispose()


# --- PostgreSQL client programs ------------------------------------------------------------------------------------


def postgres_bindir() -> Path:
    """Where pg_dump, pg_restore and psql are: PG_BINDIR, the newest /usr/lib/postgresql/*/bin, or PATH."""
    tools = ("pg_dump", "pg_restore", "psql")
    candidates = [os.environ["PG_BINDIR"]] if os.environ.get("PG_BINDIR") else []
    candidates += sorted(
        (str(path) for path in Path("/usr/lib/postgresql").glob("*/bin")),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    if shutil.which("pg_dump"):
        candidates.append(str(Path(shutil.which("pg_dump")).parent))
    for candidate in candidates:
        if all((Path(candidate) / tool).is_file() for tool in tools):
            return Path(candidate)
    raise BackupError(
        "PostgreSQL's client programs (pg_dump, pg_restore, psql) were not found: install postgresql-client "
        "(the same major version as the server, or newer) or set PG_BINDIR"
    )


def libpq_environment(url: str | URL) -> dict[str, str]:
    """The environment for pg_dump, pg_restore and psql to reach the database of `url` (password included)."""
    url = make_url(url)
    env = dict(os.environ)
    if url.host:
        env["PGHOST"] = url.host
    if url.port:
        env["PGPORT"] = str(url.port)
    if url.username:
        env["PGUSER"] = url.username
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    if url.database:
        env["PGDATABASE"] = url.database
    for name, value in url.query.items():
        if name not in LIBPQ_ENVIRONMENT:
            raise BackupError(f"the connection setting {name!r} of DATABASE_URL is not one pg_dump can be given")
        env[LIBPQ_ENVIRONMENT[name]] = value if isinstance(value, str) else value[-1]
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        problem = (result.stderr or result.stdout).strip()
        raise BackupError(f"{what} failed: {problem}")
    return result


# --- making a backup -----------------------------------------------------------------------------------------------


class _Hashing:
    """A file read through, its SHA-256 taken on the way."""

    def __init__(self, file: BinaryIO):
        self.file = file
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.sha256.update(data)
        return data


def _add_file(archive: tarfile.TarFile, path: Path, name: str, files: dict[str, dict]) -> None:
    info = tarfile.TarInfo(name)
    info.size = path.stat().st_size
    info.mtime = int(path.stat().st_mtime)
    info.mode = 0o600
    with path.open("rb") as file:
        reader = _Hashing(file)
        archive.addfile(info, reader)
    files[name] = {"sha256": reader.sha256.hexdigest(), "bytes": info.size}


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(time.time())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(content))


def _code_version() -> str | None:
    """The commit of the code making the backup, if it is a git checkout (cheap, and nothing if not)."""
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True, text=True, timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def _check_revision_known(revision: str | None, what: str) -> None:
    if revision is None:
        raise BackupError(f"{what} has no schema revision (alembic_version): it is not a migrated database of this app")
    if revision not in known_revisions():
        raise BackupError(
            f"{what} is at schema revision {revision}, which this code does not know (its newest is {head_revision()}): "
            "it comes from a newer version of the app; update the code first"
        )


def _snapshot_sqlite(url: str | URL, work: Path) -> tuple[Path, DatabaseState, dict[str, Any]]:
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(f"there is no database at {source_path}")
    copy = work / SQLITE_MEMBER
    source = sqlite3.connect(source_path, timeout=60)
    try:
        target = sqlite3.connect(copy)
        try:
            # One step: one read transaction on the source, so the copy is one instant of it, WAL frames included.
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            problems = [row[0] for row in target.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(f"the database fails SQLite's integrity check: {'; '.join(problems[:5])}")
            existing = {row[0] for row in target.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            target.close()
    finally:
        source.close()
    engine = create_engine(f"sqlite:///{copy}")  # plain: our engine's pragmas would turn the copy back to WAL
    try:
        with engine.connect() as connection:
            state = DatabaseState(
                revision=_revision(connection, existing),
                counts={table: _count(connection, table, existing) for table in COUNTED_TABLES},
                photo_names=_photo_names(connection, existing),
            )
    finally:
        engine.dispose()
    return copy, state, {"file": SQLITE_MEMBER, "sqlite_version": sqlite3.sqlite_version}


def _snapshot_postgres(url: str | URL, work: Path) -> tuple[Path, DatabaseState, dict[str, Any]]:
    bindir = postgres_bindir()
    dump = work / POSTGRES_MEMBER
    engine = make_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            with connection.begin():
                # pg_dump works in this transaction's snapshot: the counts and photo names below are of the same instant.
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                schema = connection.execute(text("SELECT current_schema()")).scalar_one()
                server_version = connection.execute(text("SHOW server_version")).scalar_one()
                existing = _postgres_tables(connection, schema)
                tables = sorted(our_tables() & set(existing))
                state = DatabaseState(
                    revision=_revision(connection, existing, schema),
                    counts={table: _count(connection, table, existing, schema) for table in COUNTED_TABLES},
                    photo_names=_photo_names(connection, existing, schema),
                )
                _check_revision_known(state.revision, "the database")
                command = [
                    str(bindir / "pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={dump}",
                    *(f'--table="{schema}"."{table}"' for table in tables),
                ]
                _run(command, libpq_environment(url), "pg_dump")
    finally:
        engine.dispose()
    version = _run([str(bindir / "pg_dump"), "--version"], dict(os.environ), "pg_dump --version").stdout.strip()
    return dump, state, {
        "file": POSTGRES_MEMBER, "schema": schema, "tables": tables, "server_version": server_version,
        "pg_dump_version": version,
    }


def create_backup(url: str | URL, photo_dir: str | os.PathLike, destination: str | os.PathLike) -> dict[str, Any]:
    """Write an archive of the database at `url` and its photos to `destination`; its manifest.

    The archive appears whole or not at all (written beside it, then renamed), readable by its owner only:
    it holds password and token hashes.
    """
    backend = backend_of(url)
    destination = Path(destination)
    if destination.is_dir():
        raise BackupError(f"{destination} is a folder: give the archive's file name, e.g. {destination}/jintan.tar")
    destination.parent.mkdir(parents=True, exist_ok=True)
    photo_dir = Path(photo_dir)
    draft = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.partial")
    mode = "w:gz" if destination.name.endswith((".gz", ".tgz")) else "w"
    with _work_dir(destination.parent) as work:
        snapshot = _snapshot_sqlite if backend == "sqlite" else _snapshot_postgres
        database_file, state, database = snapshot(url, work)
        _check_revision_known(state.revision, "the database")
        files: dict[str, dict] = {}
        missing: list[str] = []
        try:
            descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as raw:
                with tarfile.open(fileobj=raw, mode=mode, format=tarfile.PAX_FORMAT) as archive:
                    _add_file(archive, database_file, database["file"], files)
                    for name in state.photo_names:
                        path = photo_dir / name
                        if path.is_file():
                            _add_file(archive, path, f"{PHOTOS}/{name}", files)
                        else:
                            missing.append(name)
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
                        "backend": backend,
                        "schema_revision": state.revision,
                        "code_version": _code_version(),
                        "code_head_revision": head_revision(),
                        "counts": {**state.counts, "photo_files": len(state.photo_names) - len(missing)},
                        "database": database,
                        "missing_photo_files": missing,
                        "files": files,
                    }
                    _add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(draft, destination)
        finally:
            draft.unlink(missing_ok=True)
    return manifest


@contextmanager
def _work_dir(parent: Path) -> Iterator[Path]:
    work = parent / f".backup-work-{secrets.token_hex(6)}"
    work.mkdir(mode=0o700)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- reading one back ----------------------------------------------------------------------------------------------


@dataclass
class StagedBackup:
    """An archive unpacked and checked, in a folder of its own beside the photos."""

    archive: Path
    folder: Path
    manifest: dict[str, Any]

    @property
    def backend(self) -> str:
        return self.manifest["backend"]

    @property
    def revision(self) -> str:
        return self.manifest["schema_revision"]

    @property
    def database_file(self) -> Path:
        return self.folder / self.manifest["database"]["file"]

    @property
    def photo_files(self) -> list[Path]:
        return sorted((self.folder / PHOTOS).glob("*")) if (self.folder / PHOTOS).is_dir() else []

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _damaged(archive: Path, why: str) -> BackupError:
    return BackupError(f"{archive} is not a usable backup: {why}. Nothing was changed.")


def stage_backup(archive: str | os.PathLike, photo_dir: str | os.PathLike) -> StagedBackup:
    """Unpack `archive` into a new folder inside photo_dir (so its photos move into place by renaming) and check it all:
    each member's name, size and SHA-256 against the manifest, nothing missing and nothing extra."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"there is no file {archive}")
    photo_dir = Path(photo_dir)
    photo_dir.mkdir(parents=True, exist_ok=True)
    folder = photo_dir / f".restore-{secrets.token_hex(6)}"
    folder.mkdir(mode=0o700)
    (folder / PHOTOS).mkdir()
    staged = StagedBackup(archive, folder, {})
    try:
        digests = _unpack(archive, folder)
        staged.manifest = _read_manifest(archive, folder, digests)
    except BaseException:
        staged.remove()
        raise
    return staged


def _unpack(archive: Path, folder: Path) -> dict[str, tuple[str, int]]:
    digests: dict[str, tuple[str, int]] = {}
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                name = member.name
                if name in digests:
                    raise _damaged(archive, f"it holds {name} twice")
                if not member.isfile():
                    raise _damaged(archive, f"it holds {name!r}, which is not a plain file")
                if name != MANIFEST and not MEMBER_NAME.fullmatch(name):
                    raise _damaged(archive, f"it holds {name!r}, which no backup of this app contains")
                if name == MANIFEST and member.size > MANIFEST_MAX_BYTES:
                    raise _damaged(archive, "its manifest is implausibly large")
                source = tar.extractfile(member)
                sha256 = hashlib.sha256()
                size = 0
                with open(folder / name, "xb") as target:
                    while chunk := source.read(CHUNK):
                        sha256.update(chunk)
                        size += len(chunk)
                        target.write(chunk)
                    target.flush()
                    os.fsync(target.fileno())
                digests[name] = (sha256.hexdigest(), size)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as problem:
        raise _damaged(archive, f"it is damaged or cut short ({problem or type(problem).__name__})") from None
    except OSError as problem:  # reading the archive, or writing beside the photos (a full disk)
        raise BackupError(f"could not unpack {archive}: {problem}. Nothing was changed.") from None
    return digests


def _read_manifest(archive: Path, folder: Path, digests: dict[str, tuple[str, int]]) -> dict[str, Any]:
    if MANIFEST not in digests:
        raise _damaged(archive, "it has no manifest (an archive cut short, or not one made by `db backup`)")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as problem:
        raise _damaged(archive, f"its manifest is not readable JSON ({problem})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged(archive, "its manifest is not that of a backup made by `db backup`")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive} is a backup of format version {manifest.get('format_version')}, this code reads version "
            f"{FORMAT_VERSION}: use the version of the app that made it. Nothing was changed."
        )
    try:
        files: dict[str, dict] = manifest["files"]
        backend, database_file = manifest["backend"], manifest["database"]["file"]
        manifest["schema_revision"], manifest["counts"]  # noqa: B018 - present, or the archive is not ours
    except (KeyError, TypeError):
        raise _damaged(archive, "its manifest lacks what a backup's manifest holds") from None
    expected = {"sqlite": SQLITE_MEMBER, "postgresql": POSTGRES_MEMBER}.get(backend)
    if database_file != expected or database_file not in files:
        raise _damaged(archive, f"its manifest names no database file for a {backend} backup")
    for name, facts in files.items():
        if name not in digests:
            raise _damaged(archive, f"{name} is missing from it")
        if (facts.get("sha256"), facts.get("bytes")) != digests[name]:
            raise _damaged(archive, f"{name} is not what was backed up (its checksum differs)")
    extra = set(digests) - set(files) - {MANIFEST}
    if extra:
        raise _damaged(archive, f"it holds files its manifest does not list: {', '.join(sorted(extra)[:5])}")
    return manifest


def check_restorable(staged: StagedBackup, url: str | URL) -> None:
    """Refuse, saying why, an archive this code cannot restore into the database at `url`."""
    backend = backend_of(url)
    if staged.backend != backend:
        raise BackupError(
            f"{staged.archive} is a backup of a {staged.backend} database; DATABASE_URL is a {backend} one. "
            "A backup goes back to the kind of database it came from. Nothing was changed."
        )
    revision = staged.revision
    if revision not in known_revisions():
        raise BackupError(
            f"{staged.archive} is of schema revision {revision}, newer than this code knows (its newest is "
            f"{head_revision()}): restore it with the version of the app that made it "
            f"({staged.manifest.get('code_version') or 'unknown'}), or update the code first. Nothing was changed."
        )
    if backend == "postgresql":
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        finally:
            engine.dispose()
        if staged.manifest["database"].get("schema") != schema:
            raise BackupError(
                f"{staged.archive} holds the tables of schema {staged.manifest['database'].get('schema')!r}; "
                f"this database's is {schema!r}. Nothing was changed."
            )


# --- restoring -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    revision: str
    upgraded_to: str | None
    photo_files_added: int
    photo_files_removed: int
    seconds: float


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _place_photos(staged: StagedBackup, photo_dir: Path) -> list[Path]:
    """Move the archive's photos into photo_dir beside the live ones; the paths this added (to take back on failure)."""
    plan = []
    for source in staged.photo_files:
        target = photo_dir / source.name
        if target.exists():
            if _sha256(target) != _sha256(source):
                raise BackupError(
                    f"{photo_dir} already holds a different file named {source.name}; nothing was changed"
                )
            continue
        plan.append((source, target))
    added = []
    try:
        for source, target in plan:
            os.replace(source, target)  # the same file system: the staging folder is inside photo_dir
            added.append(target)
    except BaseException:
        _remove(added)
        raise
    return added


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        with suppress(OSError):
            path.unlink()


def _prune_photos(photo_dir: Path, referenced: set[str], before: float) -> int:
    """Delete stored-photo files no row refers to, if older than `before` (an upload in flight keeps its new file)."""
    removed = 0
    for path in photo_dir.iterdir():
        if not STORED_NAME.fullmatch(path.name) or path.name in referenced:
            continue
        with suppress(OSError):
            if path.stat().st_mtime < before:
                path.unlink()
                removed += 1
    return removed


def _restore_sqlite(staged: StagedBackup, url: str | URL) -> str | None:
    live = sqlite_path(url)
    copy = staged.database_file
    check = sqlite3.connect(copy)
    try:
        problems = [row[0] for row in check.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"the archived database fails SQLite's integrity check: {'; '.join(problems[:5])}")
        if check.execute("PRAGMA foreign_key_check").fetchall():
            raise BackupError("the archived database has rows whose foreign keys point nowhere")
        revision = check.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as problem:
        raise BackupError(f"the archived database cannot be read: {problem}") from None
    finally:
        check.close()
    if revision is None or revision[0] != staged.revision:
        raise BackupError("the archived database's schema revision is not the one its manifest names")
    upgraded_to = None
    if staged.revision != head_revision():
        upgrade(f"sqlite:///{copy}")  # the copy, not the live database: a failed migration changes nothing
        upgraded_to = head_revision()
    live.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy)
    target = sqlite3.connect(live, timeout=60)
    try:
        target.execute("PRAGMA busy_timeout=60000")
        live_wal = target.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        source_page, target_page = (c.execute("PRAGMA page_size").fetchone()[0] for c in (source, target))
        if live_wal and source_page != target_page and target.execute("PRAGMA page_count").fetchone()[0]:
            raise BackupError(
                f"the archived database's page size ({source_page}) differs from the live one's ({target_page}), "
                "which SQLite cannot copy over a database in WAL mode; stop the server and move the live file aside"
            )
        # One step (all pages) is one write transaction on the live database: all of it or, on failure, none.
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    except sqlite3.DatabaseError as problem:
        raise BackupError(f"SQLite could not copy the backup into {live}: {problem}") from None
    finally:
        source.close()
        target.close()
    return upgraded_to


def _restore_postgres(staged: StagedBackup, url: str | URL) -> str | None:
    bindir = postgres_bindir()
    env = libpq_environment(url)
    dump = staged.database_file
    schema = staged.manifest["database"]["schema"]
    listing = _run([str(bindir / "pg_restore"), "--list", str(dump)], env, "reading the dump (pg_restore --list)")
    archived_tables = set(re.findall(rf"^\d+; \d+ \d+ TABLE {re.escape(schema)} (\S+) ", listing.stdout, re.M))
    script = staged.folder / "restore.sql"
    _run([str(bindir / "pg_restore"), "--no-owner", "--no-privileges", f"--file={script}", str(dump)], env,
         "pg_restore")
    tables = ", ".join(f'"{schema}"."{table}"' for table in sorted(our_tables() | archived_tables))
    prelude = staged.folder / "prelude.sql"
    prelude.write_text(
        "SET client_min_messages = warning;\n"
        "CREATE EXTENSION IF NOT EXISTS postgis;\n"
        f"DROP TABLE IF EXISTS {tables} CASCADE;\n",
        encoding="utf-8",
    )
    # One transaction for the drop and the whole restore: with ON_ERROR_STOP, psql rolls it all back on any error.
    try:
        _run(
            [str(bindir / "psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
             f"--file={prelude}", f"--file={script}"],
            env, "restoring into PostgreSQL",
        )
    except BackupError as problem:
        raise BackupError(f"{problem}\nThe restore was rolled back: nothing was changed.") from None
    if staged.revision != head_revision():
        upgrade(url)
        return head_revision()
    return None


def restore_backup(staged: StagedBackup, url: str | URL, photo_dir: str | os.PathLike) -> Restored:
    """Put the staged archive's database and photos in place of the live ones (see the module's docstring)."""
    check_restorable(staged, url)
    started = time.time()
    photo_dir = Path(photo_dir)
    added = _place_photos(staged, photo_dir)
    try:
        if staged.backend == "sqlite":
            upgraded_to = _restore_sqlite(staged, url)
        else:
            upgraded_to = _restore_postgres(staged, url)
    except BaseException:
        _remove(added)
        raise
    referenced = set(describe(url).photo_names)
    removed = _prune_photos(photo_dir, referenced, started)
    return Restored(staged.revision, upgraded_to, len(added), removed, time.time() - started)
