"""Encryption at rest: the SQLite database under SQLCipher, its key in the machine's keyring.

The key is 32 random bytes (64 hex digits) kept as kiosk/db-key beside the PIN pepper
(kiosk.devices.secrets). It belongs to the machine, not to one file: a backup of an encrypted shop is
encrypted with the same key, so it restores on this till, and on another only with the keyring (or
secrets file) copied across. Lose both the keyring and every plain backup and the books are gone:
`kiosk encrypt` says so before it starts.

PostgreSQL shops are encrypted by the server's disk, not here.
"""

from __future__ import annotations

import os
import secrets as _random
from pathlib import Path

from kiosk.domain.errors import KioskError
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.store.db import (
    close_database,
    encrypt_file,
    is_encrypted,
    is_postgres_url,
    is_sqlite,
    open_database,
    verify_encrypted,
)

KEY_BYTES = 32


def database_key() -> str:
    """The machine's database key, for an encrypted file being opened. Missing: one line on what to do."""
    from kiosk.devices import secrets

    key = secrets.get_secret(secrets.DB_KEY)
    if key is None:
        raise KioskError(
            f"it is encrypted (or not a Kiosk database at all) and {secrets.describe()} holds no database key "
            f"({secrets.SERVICE}/{secrets.DB_KEY}): restore the keyring or secrets file of the till that encrypted "
            "it, or restore a plain backup with `kiosk restore`")
    return key


def make_database_key() -> str:
    """The machine's database key, made and stored (then read back) the first time."""
    from kiosk.devices import secrets

    key = secrets.get_secret(secrets.DB_KEY)
    if key is None:
        key = _random.token_bytes(KEY_BYTES).hex()
        secrets.set_secret(secrets.DB_KEY, key)
        secrets.forget()
        if secrets.get_secret(secrets.DB_KEY) != key:  # a keyring that drops writes must fail before any file
            raise KioskError(f"keyring: {secrets.describe()} did not keep the database key Kiosk stored in it")
    return key


def _refuse_server() -> None:
    raise KioskError("encryption at rest is for SQLite files: a PostgreSQL shop is encrypted by the "
                     "server's disk (LUKS, or the cloud volume's encryption)")


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL; PostgreSQL gets a clear refusal."""
    if is_postgres_url(url):
        _refuse_server()
    return Path(url.removeprefix("sqlite:///"))


def encrypt_shop(ctx: Context) -> Path:
    """Encrypt the open shop's SQLite file in place (owner; the tills should be stopped). `ctx` is
    closed first. Returns the path. The plain backup made on the way is deleted only after the
    encrypted file opened with the keyring's key and held every row; otherwise it stays, named in
    the error."""
    require(ctx, Permission.BACKUP)
    if not is_sqlite(ctx.db):
        _refuse_server()
    path = Path(ctx.db.database)
    if is_encrypted(path):
        raise KioskError(f"{path} is already encrypted")
    from kiosk.devices import secrets

    secrets.setup_backend()
    key = make_database_key()
    ctx.close()
    backup = encrypt_file(path, key)
    try:
        db = open_database(str(path), key=database_key)  # through the keyring, as every later start will
        close_database(db)
        problem = verify_encrypted(path, key, backup)
    except KioskError as exc:
        problem = str(exc)
    if problem:
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(backup, path)
        raise KioskError(f"encrypting {path} did not verify ({problem}); the plain database is back as it was")
    backup.unlink()
    return path
