"""SQLCipher files: opened with the key, refused without it or with another, backed up and restored
encrypted, converted from plain in place."""

import os
import secrets
import sqlite3

import pytest

from kiosk.domain.errors import KioskError
from kiosk.services import customers, khata
from kiosk.services.shop import init_shop
from kiosk.store import db as store_db
from tests.conftest import OWNER_PIN

KEY = secrets.token_hex(32)


def _shop(path, key=KEY):
    db = store_db.open_database(str(path), create=True, key=key)
    store_db.migrate(db, backup=False)
    return db


def test_an_encrypted_file_shows_nothing_and_opens_only_with_its_key(tmp_path):
    path = tmp_path / "shop.db"
    db = _shop(path)
    db.execute_sql("CREATE TABLE secret_note (text TEXT)")
    db.execute_sql("INSERT INTO secret_note VALUES ('Ahmed Khan owes 4500')")
    store_db.close_database(db)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("shop.db*") if p.is_file())
    assert b"Ahmed Khan" not in raw and b"SQLite format 3" not in raw and b"CREATE TABLE" not in raw
    assert store_db.is_encrypted(path)
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"

    db = store_db.open_database(str(path), key=lambda: KEY)
    assert db.execute_sql("SELECT text FROM secret_note").fetchone() == ("Ahmed Khan owes 4500",)
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"  # the same pragmas as a plain file
    store_db.close_database(db)


def test_a_wrong_key_or_no_key_gets_one_clear_message_and_changes_nothing(tmp_path):
    path = tmp_path / "shop.db"
    store_db.close_database(_shop(path))
    before = path.read_bytes()
    with pytest.raises(store_db.WrongKey, match="does not open this file"):
        store_db.open_database(str(path), key=secrets.token_hex(32))
    with pytest.raises(store_db.WrongKey, match="encrypted and no database key was given"):
        store_db.open_database(str(path), key=lambda: None)
    with pytest.raises(store_db.WrongKey, match="64 hex digits"):
        store_db.open_database(str(path), key="hunter2")
    with pytest.raises(store_db.WrongKey, match="encrypted and no database key was given"):
        store_db.open_database(str(path))
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):  # plain sqlite3 sees random bytes
        sqlite3.connect(path).execute("SELECT 1 FROM sqlite_master").fetchall()
    assert path.read_bytes() == before


def test_a_plain_file_never_asks_for_the_key(tmp_path):
    path = tmp_path / "plain.db"
    store_db.close_database(store_db.open_database(str(path), create=True))

    def no_keyring():
        raise AssertionError("the keyring was read for a plain file")

    store_db.close_database(store_db.open_database(str(path), key=no_keyring))
    assert not store_db.is_encrypted(path)


def test_backup_of_an_encrypted_shop_is_encrypted_and_restores(tmp_path):
    path, copy = tmp_path / "shop.db", tmp_path / "copy.db"
    ctx = init_shop(str(path), name="K", country="PK", currency="PKR", owner_pin=OWNER_PIN, encrypt=True)
    ali = customers.add(ctx, name="Ali", phone="03001234567")
    khata.give(ctx, ali.id, 150_00)
    store_db.backup_to(ctx.db, copy)
    khata.give(ctx, ali.id, 99_00)  # after the backup: the restore must take it away
    key = ctx.db.kiosk_key
    ctx.close()
    assert store_db.is_encrypted(copy) and oct(os.stat(copy).st_mode & 0o777) == "0o600"
    assert store_db.is_kiosk_database(copy) == "encrypted (or not an SQLite database), and no database key is at hand"
    assert "another key" in store_db.is_kiosk_database(copy, secrets.token_hex(32))
    with pytest.raises(KioskError, match="refusing to restore"):
        store_db.restore_from(path, copy, key=secrets.token_hex(32))

    old = store_db.restore_from(path, copy, key=key)
    assert old.exists() and store_db.is_encrypted(path)
    db = store_db.open_database(str(path), key=key)
    assert db.execute_sql("SELECT balance FROM customer").fetchone()[0] == 150_00
    store_db.close_database(db)


def test_encrypt_file_converts_in_place_and_keeps_every_row(tmp_path):
    path = tmp_path / "shop.db"
    ctx = init_shop(str(path), name="K", country="PK", currency="PKR", owner_pin=OWNER_PIN)
    for i in range(30):
        c = customers.add(ctx, name=f"Customer {i}", phone=f"0300{i:07d}")
        khata.give(ctx, c.id, (i + 1) * 100)
    ctx.close()  # (WAL left unfolded on purpose: the conversion must fold it in)

    backup = store_db.encrypt_file(path, KEY)
    assert store_db.is_encrypted(path) and not store_db.is_encrypted(backup)
    assert store_db.verify_encrypted(path, KEY, backup) is None
    assert not (tmp_path / "shop.db.encrypting").exists()
    db = store_db.open_database(str(path), key=KEY)
    assert db.execute_sql("SELECT count(*), sum(balance) FROM customer").fetchone() == (30, sum(range(1, 31)) * 100)
    hits = db.execute_sql("SELECT rowid FROM customer_fts WHERE customer_fts MATCH 'Customer'").fetchall()
    assert len(hits) == 30  # the search index came across too
    store_db.close_database(db)
    with pytest.raises(KioskError, match="already encrypted"):
        store_db.encrypt_file(path, KEY)


def test_encrypt_file_refuses_what_is_not_a_kiosk_database(tmp_path):
    stranger = tmp_path / "other.db"
    sqlite3.connect(stranger).execute("CREATE TABLE x (y)").connection.commit()
    with pytest.raises(KioskError, match="refusing to encrypt .*not a Kiosk database"):
        store_db.encrypt_file(stranger, KEY)
    assert not store_db.is_encrypted(stranger)
