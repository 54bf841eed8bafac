"""Opening a shop's database (SQLite file or PostgreSQL URL), migrating it, backing it up.

SQLite runs with WAL (readers never block the till), foreign keys on, a busy timeout so two tills
wait for each other instead of failing, and synchronous=FULL so a power cut cannot eat a payment.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from peewee import Database, DatabaseError, OperationalError, PostgresqlDatabase, SqliteDatabase

from kiosk.domain.errors import KioskError
from kiosk.paths import migrations_dir
from kiosk.store.models import MODELS

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "full",
    "cache_size": -32_000,  # 32 MiB: the customer table and search index of a big shop stay in memory
}

MIGRATION_TABLE = "schema_migration"


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


class ReadOnly(KioskError):
    """A write asked of a read-only session (remote review)."""


def open_database(url: str, *, create: bool = False, read_only: bool = False) -> Database:
    """Connect and bind the models. A SQLite file must exist unless `create` is set. `read_only`: the
    database itself refuses writes (SQLite's query_only, PostgreSQL's read-only transactions), and
    `write_transaction` refuses before trying, so a review session can change nothing."""
    if is_postgres_url(url):
        from playhouse.db_url import parse

        params = parse(url)
        db = PostgresqlDatabase(params.pop("database"), **params)
        try:
            db.connect()
        except Exception as exc:  # psycopg's errors vary by cause; the message is what matters
            raise KioskError(f"cannot connect to {_redact(url)}: {str(exc).strip().splitlines()[0]}") from None
        if read_only:
            db.execute_sql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    else:
        path = Path(url.removeprefix("sqlite:///"))
        if not create and not path.exists():
            raise KioskError(f"no shop database at {path}: run `kiosk init` (or `kiosk demo`) first, or pass --db")
        path.parent.mkdir(parents=True, exist_ok=True)
        db = SqliteDatabase(str(path), pragmas={**SQLITE_PRAGMAS, **({"query_only": 1} if read_only else {})})
        try:
            db.connect()  # runs the pragmas, which is where a non-SQLite file first fails
            db.execute_sql("SELECT count(*) FROM sqlite_master")
        except (sqlite3.DatabaseError, OperationalError, DatabaseError) as exc:
            db.close()
            raise KioskError(f"{path} is not a Kiosk database ({exc})") from None
        if create:
            os.chmod(path, 0o600)  # the books and PIN hashes: readable by the shop's user only
    db.kiosk_read_only = read_only
    db.bind(MODELS)
    return db


def _redact(url: str) -> str:
    """Hide a password in a URL before it reaches a message."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def is_sqlite(db: Database) -> bool:
    return isinstance(db, SqliteDatabase)


@contextmanager
def write_transaction(db: Database):
    """One action, one transaction. On SQLite take the write lock up front (BEGIN IMMEDIATE) so two
    tills posting at once queue instead of failing halfway, and queue them first on an OS file lock
    beside the database: SQLite's own busy handler polls with sleeps that grow to 100 ms, so four busy
    tills spent most of their time asleep (bench/sales.py: p99 430 ms); the kernel wakes the next
    waiter the moment the lock is free. The busy timeout still guards writers that skip the file lock."""
    if getattr(db, "kiosk_read_only", False):
        raise ReadOnly("this is a read-only review session: nothing can be changed here")
    if not is_sqlite(db):
        with db.atomic() as txn:
            yield txn
        return
    with _writer_queue(db), db.atomic("IMMEDIATE") as txn:
        yield txn


@contextmanager
def _writer_queue(db: Database):
    """An exclusive flock on `<database>.writer-lock`, re-entrant within a thread. Each thread has its
    own descriptor (peewee gives each thread its own connection, and flock excludes descriptors, not
    processes), so threads of one till queue like separate tills do."""
    import fcntl

    mine = _writer_state(db)
    if mine.depth == 0:
        if mine.fd is None:
            mine.fd = os.open(f"{db.database}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(mine.fd, fcntl.LOCK_EX)
    mine.depth += 1
    try:
        yield
    finally:
        mine.depth -= 1
        if mine.depth == 0:
            fcntl.flock(mine.fd, fcntl.LOCK_UN)


class _Writer:
    """One thread's writer-lock descriptor and how deep its write transactions are nested."""

    def __init__(self):
        self.fd: int | None = None
        self.depth = 0


def _writer_state(db: Database) -> _Writer:
    import threading

    local = getattr(db, "kiosk_writer", None)
    if local is None:
        local = db.kiosk_writer = threading.local()
        db.kiosk_writers = []
    state = getattr(local, "state", None)
    if state is None:
        state = local.state = _Writer()
        db.kiosk_writers.append(state)  # so close_database can close every thread's descriptor
    return state


def close_database(db: Database) -> None:
    """Close the connection and the writer-lock descriptors this process opened for it."""
    db.close()
    for state in getattr(db, "kiosk_writers", []):
        if state.fd is not None:
            os.close(state.fd)
            state.fd = None


# --- Migrations --------------------------------------------------------------------------------


def _runner(db: Database):
    from playhouse.migrations import Runner

    return Runner(db, str(migrations_dir()), table_name=MIGRATION_TABLE)


def migration_status(db: Database) -> list[tuple[str, bool]]:
    """(name, applied) for every migration, in order."""
    return [(m.name, bool(m.applied)) for m in _runner(db).status()]


def pending_migrations(db: Database) -> list[str]:
    return [m.name for m in _runner(db).status() if m.path and not m.applied]


def require_migrated(db: Database) -> None:
    """The app refuses an unmigrated database and says which command fixes it."""
    pending = pending_migrations(db)
    if pending:
        raise KioskError(
            f"the database needs {len(pending)} migration(s) ({', '.join(pending)}): run `kiosk migrate`"
        )


def migrate(db: Database, *, backup: bool = True) -> tuple[list[str], Path | None]:
    """Apply pending migrations; a SQLite file is first copied to a timestamped backup."""
    pending = pending_migrations(db)
    copy = None
    if pending and backup and is_sqlite(db) and _has_tables(db):
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        copy = Path(f"{db.database}.{stamp}.before-migrate.bak")
        backup_to(db, copy)
    return _runner(db).up(), copy


def rollback(db: Database, target: str | None = None) -> list[str]:
    return _runner(db).down(target)


def _has_tables(db: Database) -> bool:
    return bool(db.get_tables())


def backup_to(db: Database, target: Path) -> None:
    """A consistent online copy of a SQLite database (the sqlite3 backup API), readable by owner only."""
    if not is_sqlite(db):
        raise KioskError("backup of a PostgreSQL shop is done with pg_dump; `kiosk backup` copies SQLite files")
    target = Path(target)
    if target.exists():
        raise KioskError(f"{target} already exists: choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    dest = sqlite3.connect(target)
    try:
        db.connection().backup(dest)
    finally:
        dest.close()


def is_kiosk_database(path: Path) -> str | None:
    """None when `path` is a Kiosk SQLite database, else why not (for restore's refusal)."""
    try:
        with open(path, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                return "not an SQLite database"
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return "fails SQLite's integrity check"
        finally:
            conn.close()
    except (OSError, sqlite3.DatabaseError) as exc:
        return str(exc)
    missing = {MIGRATION_TABLE, "shop", "customer", "khata_entry"} - tables
    return f"not a Kiosk database (no {', '.join(sorted(missing))} table)" if missing else None


def restore_from(db_path: Path, source: Path) -> Path | None:
    """Replace the SQLite file at `db_path` with `source`, keeping the old one as a backup."""
    why = is_kiosk_database(source)
    if why:
        raise KioskError(f"refusing to restore {source}: {why}")
    old = None
    if db_path.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        old = db_path.with_name(f"{db_path.name}.{stamp}.before-restore.bak")
        shutil.copy2(db_path, old)
        os.chmod(old, 0o600)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dest = sqlite3.connect(db_path)
    try:
        src.backup(dest)
    finally:
        src.close()
        dest.close()
    os.chmod(db_path, 0o600)
    return old
