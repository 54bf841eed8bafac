"""Opening a shop's database (SQLite file or PostgreSQL URL), migrating it, backing it up.

SQLite runs with WAL (readers never block the till), foreign keys on, a busy timeout so two tills
wait for each other instead of failing, and synchronous=FULL so a power cut cannot eat a payment.

A SQLite file may be encrypted with SQLCipher (`kiosk init --encrypt`, `kiosk encrypt`): every page
is AES-256 with an HMAC, so the file alone shows nothing, not even that it is SQLite. The key is 32
random bytes kept in the machine's keyring (services.encryption); this module never reads the
keyring, it is handed the key, or a function that fetches it, and calls that only for an encrypted
file. The raw key is given as SQLCipher's x'hex' form, which skips the passphrase KDF (256,000
rounds of PBKDF2 at every connection: a till opens one connection per thread).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
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

#: The first 16 bytes of every plain SQLite file; an encrypted one starts with random bytes.
PLAIN_HEADER = b"SQLite format 3\x00"
#: A database key, or a function that fetches it (called only when the file is encrypted).
KeySource = str | Callable[[], str | None] | None
_KEY_SHAPE = re.compile(r"[0-9a-f]{64}")


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


class ReadOnly(KioskError):
    """A write asked of a read-only session (remote review)."""


class WrongKey(KioskError):
    """An encrypted database the key at hand does not open."""


def open_database(url: str, *, create: bool = False, read_only: bool = False, key: KeySource = None,
                  cache_mib: int | None = None) -> Database:
    """Connect and bind the models. A SQLite file must exist unless `create` is set. `read_only`: the
    database itself refuses writes (SQLite's query_only, PostgreSQL's read-only transactions), and
    `write_transaction` refuses before trying, so a review session can change nothing. `key`: for an
    encrypted SQLite file (read from the file: no flag to forget); with `create`, a key makes the new
    file encrypted. `cache_mib`: SQLite's page cache per connection, when not SQLITE_PRAGMAS' (the till's
    is small: see kiosk.ui.app.TILL_CACHE_MIB)."""
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
        pragmas = {**SQLITE_PRAGMAS, **({"query_only": 1} if read_only else {})}
        if cache_mib is not None:
            pragmas["cache_size"] = -1024 * int(cache_mib)
        encrypted = is_encrypted(path) or (create and key is not None and not _has_content(path))
        raw_key = _resolve_key(key, path) if encrypted else None
        db = _cipher_database(path, raw_key, pragmas) if encrypted else SqliteDatabase(str(path), pragmas=pragmas)
        try:
            db.connect()  # runs the pragmas, which is where a non-SQLite file (or a wrong key) first fails
            db.execute_sql("SELECT count(*) FROM sqlite_master")
        except (sqlite3.DatabaseError, OperationalError, DatabaseError) as exc:
            db.close()
            if encrypted:
                raise WrongKey(f"{path}: the database key does not open this file (it was encrypted with "
                               "another key, or it is not a Kiosk database)") from None
            raise KioskError(f"{path} is not a Kiosk database ({exc})") from None
        if create:
            os.chmod(path, 0o600)  # the books and PIN hashes: readable by the shop's user only
        db.kiosk_key = raw_key
    db.kiosk_read_only = read_only
    db.bind(MODELS)
    return db


def is_encrypted(path: Path) -> bool:
    """A SQLCipher file: not empty, and without the plain SQLite header."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(PLAIN_HEADER))
    except FileNotFoundError:
        return False
    return bool(head) and head != PLAIN_HEADER


def _has_content(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def _resolve_key(key: KeySource, path: Path) -> str:
    try:
        value = key() if callable(key) else key
    except WrongKey:
        raise
    except KioskError as exc:  # the keyring's own reason, said of this file
        raise WrongKey(f"{path}: {exc}") from None
    if not value:
        raise WrongKey(f"{path} is not a Kiosk database, or it is encrypted and no database key was given")
    value = value.strip().lower()
    if not _KEY_SHAPE.fullmatch(value):
        raise WrongKey(f"{path}: the database key is not one Kiosk made (it should be 64 hex digits)")
    return value


def _sqlcipher():
    """sqlcipher3's DB-API module, imported only for an encrypted shop."""
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        raise KioskError("this database is encrypted, and the sqlcipher3 package that opens it is missing: "
                         "reinstall Kiosk (pip install sqlcipher3)") from None
    if not getattr(dbapi2, "kiosk_quiet", False):
        # SQLCipher prints every failed page decryption to stderr; a wrong key is reported by us, once.
        dbapi2.connect(":memory:").execute("PRAGMA cipher_log_level = NONE")
        dbapi2.kiosk_quiet = True
    return dbapi2


def _cipher_database(path: Path, raw_key: str, pragmas: dict) -> Database:
    _sqlcipher()
    from playhouse.sqlcipher_ext import SqlCipherDatabase

    # peewee sends the passphrase as PRAGMA key='…' before the other pragmas; x'…' is a raw key.
    return SqlCipherDatabase(str(path), passphrase=f"x'{raw_key}'", pragmas=pragmas)


def raw_connect(path: Path, key: str | None = None, *, read_only: bool = False):
    """A DB-API connection to a SQLite file outside peewee (backups, restores, conversions): sqlite3's
    for a plain file, sqlcipher3's keyed with `key` for an encrypted one."""
    target = f"file:{path}?mode=ro" if read_only else str(path)
    if key is None:
        return sqlite3.connect(target, uri=read_only)
    conn = _sqlcipher().connect(target, uri=read_only)
    conn.execute(f"PRAGMA key = \"x'{key}'\"")
    return conn


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
    # An encrypted shop's backup is encrypted with the same key (SQLCipher copies pages as they are).
    dest = raw_connect(target, getattr(db, "kiosk_key", None))
    try:
        db.connection().backup(dest)
    finally:
        dest.close()


def is_kiosk_database(path: Path, key: KeySource = None) -> str | None:
    """None when `path` is a Kiosk SQLite database, else why not (for restore's refusal). An encrypted
    file is read with `key`."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(PLAIN_HEADER))
        raw_key = None
        if head != PLAIN_HEADER:
            if not head:
                return "an empty file"
            if key is None:
                return "encrypted (or not an SQLite database), and no database key is at hand"
            try:
                raw_key = _resolve_key(key, path)
            except WrongKey as exc:
                return str(exc).removeprefix(f"{path}: ")
        conn = raw_connect(path, raw_key, read_only=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return "fails SQLite's integrity check"
        finally:
            conn.close()
    except OSError as exc:
        return str(exc)
    except Exception as exc:  # sqlite3's or sqlcipher3's DatabaseError: two unrelated classes
        if type(exc).__name__ not in ("DatabaseError", "OperationalError"):
            raise
        return "encrypted with another key, or not an SQLite database" if raw_key else str(exc)
    missing = {MIGRATION_TABLE, "shop", "customer", "khata_entry"} - tables
    return f"not a Kiosk database (no {', '.join(sorted(missing))} table)" if missing else None


def restore_from(db_path: Path, source: Path, key: KeySource = None) -> Path | None:
    """Replace the SQLite file at `db_path` with `source`, keeping the old one as a backup. An
    encrypted backup is read with `key` and stays encrypted; a plain one restores plain."""
    why = is_kiosk_database(source, key)
    if why:
        raise KioskError(f"refusing to restore {source}: {why}")
    raw_key = _resolve_key(key, source) if is_encrypted(source) else None
    old = None
    if db_path.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        old = db_path.with_name(f"{db_path.name}.{stamp}.before-restore.bak")
        shutil.copy2(db_path, old)
        os.chmod(old, 0o600)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db_path.unlink(missing_ok=True)  # made anew, so the old file's encryption (or lack of it) cannot linger
    src = raw_connect(source, raw_key, read_only=True)
    dest = raw_connect(db_path, raw_key)
    try:
        src.backup(dest)
    finally:
        src.close()
        dest.close()
    os.chmod(db_path, 0o600)
    return old


# --- Encrypting an existing file ----------------------------------------------------------------


def encrypt_file(path: Path, key: str) -> Path:
    """Convert the plain SQLite database at `path` to SQLCipher with `key`, in place. Returns the
    plain backup (`<name>.<stamp>.before-encrypt.bak`), which the caller deletes once it has seen
    the shop open with the key: until then a failure leaves the books readable. Writers queue on
    the writer lock while it runs; stop the tills first (a till holding the old file open would go
    on writing to it)."""
    import fcntl

    path = Path(path)
    raw_key = _resolve_key(key, path)
    if is_encrypted(path):
        raise KioskError(f"{path} is already encrypted")
    why = is_kiosk_database(path)
    if why:
        raise KioskError(f"refusing to encrypt {path}: {why}")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.{stamp}.before-encrypt.bak")
    building = path.with_name(f"{path.name}.encrypting")
    lock = os.open(f"{path}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _plain_copy(path, backup)
        building.unlink(missing_ok=True)
        _export_encrypted(backup, building, raw_key)
        problem = _differs(backup, None, building, raw_key)
        if problem:
            building.unlink(missing_ok=True)
            raise KioskError(f"encrypting {path} failed, the database is unchanged: {problem}")
        os.chmod(building, 0o600)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(building, path)
    finally:
        os.close(lock)  # closing the descriptor releases the lock
    return backup


def _plain_copy(path: Path, target: Path) -> None:
    """A consistent copy (WAL folded in) through the backup API, readable by owner only."""
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    src, dest = raw_connect(path, read_only=True), sqlite3.connect(target)
    try:
        src.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        src.close()
        dest.close()


def _export_encrypted(plain: Path, target: Path, raw_key: str) -> None:
    """SQLCipher's own conversion (sqlcipher_export): schema, rows and user_version into a keyed file."""
    conn = _sqlcipher().connect(str(plain))
    try:
        conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(target), f"x'{raw_key}'"))
        conn.execute("SELECT sqlcipher_export('encrypted')")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()


def _differs(a: Path, a_key: str | None, b: Path, b_key: str | None) -> str | None:
    """Why database `b` is not a faithful copy of `a` (tables, row counts, integrity), or None."""

    def census(path: Path, key: str | None) -> dict[str, int]:
        conn = raw_connect(path, key, read_only=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise KioskError(f"{path} fails SQLite's integrity check")
            names = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
            return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
        finally:
            conn.close()

    before, after = census(a, a_key), census(b, b_key)
    if before == after:
        return None
    wrong = sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))
    return f"the copy differs in {', '.join(wrong[:5])}"


def verify_encrypted(path: Path, key: str, backup: Path) -> str | None:
    """After `encrypt_file`: None when the encrypted `path` holds what the plain `backup` held."""
    return _differs(backup, None, Path(path), _resolve_key(key, Path(path)))
