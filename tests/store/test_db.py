"""Opening, migrating, backing up and restoring a shop's database."""

import os
import sqlite3
from pathlib import Path

import pytest

from kiosk.domain.errors import KioskError
from kiosk.services import customers, khata
from kiosk.services.context import open_shop
from kiosk.store import db as store_db


def test_sqlite_runs_with_wal_foreign_keys_busy_timeout_and_full_sync(tmp_path):
    db = store_db.open_database(str(tmp_path / "s.db"), create=True)
    pragma = {name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]
              for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")}
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000, "synchronous": 2}
    assert oct(os.stat(tmp_path / "s.db").st_mode & 0o777) == "0o600"


def test_the_page_cache_is_32_mib_unless_the_opener_asks_for_less(tmp_path):
    big = store_db.open_database(str(tmp_path / "s.db"), create=True)
    assert big.execute_sql("PRAGMA cache_size").fetchone()[0] == -32_000
    big.close()
    small = store_db.open_database(str(tmp_path / "s.db"), cache_mib=2)  # the till's (kiosk.ui.app)
    assert small.execute_sql("PRAGMA cache_size").fetchone()[0] == -2048


def test_a_missing_sqlite_file_is_not_created_silently(tmp_path):
    with pytest.raises(KioskError, match="run `kiosk init`"):
        store_db.open_database(str(tmp_path / "nope.db"))
    assert not (tmp_path / "nope.db").exists()


def test_a_file_that_is_not_sqlite_gets_one_clear_message(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(KioskError, match="not a Kiosk database"):
        store_db.open_database(str(junk))


def test_the_app_refuses_an_unmigrated_database_and_names_the_fix(db_url):
    db = store_db.open_database(db_url, create=True)
    db.close()
    with pytest.raises(KioskError, match="run `kiosk migrate`"):
        open_shop(db_url)


def test_migrations_go_up_and_down_on_both_backends(db_url):
    db = store_db.open_database(db_url, create=True)
    every = [name for name, _applied in store_db.migration_status(db)]
    assert every[:2] == ["0001_initial", "0002_khata_report_index"]
    applied, backup = store_db.migrate(db)
    assert applied == every and backup is None  # nothing to back up in an empty file
    assert {"customer", "khata_entry", "shop", "app_user", "audit_log"} <= set(db.get_tables())
    assert "khata_entry_customer_kind_date_amount" in {i.name for i in db.get_indexes("khata_entry")}
    assert store_db.pending_migrations(db) == []
    assert store_db.rollback(db) == [every[-1]]  # one step back
    assert store_db.rollback(db, "0001_initial") == list(reversed(every[:-1]))  # back through a target
    assert "customer" not in db.get_tables()
    assert store_db.pending_migrations(db) == every
    assert store_db.migrate(db)[0] == every  # and up again
    db.close()


def test_migrate_copies_a_sqlite_file_to_a_timestamped_backup_first(tmp_path, monkeypatch):
    path = tmp_path / "shop.db"
    db = store_db.open_database(str(path), create=True)
    store_db.migrate(db)
    store_db.rollback(db)  # now there is a file with history but a pending migration
    db.execute_sql("CREATE TABLE keepsake (x)")
    pending = store_db.pending_migrations(db)
    applied, backup = store_db.migrate(db)
    db.close()
    assert applied == pending and len(pending) == 1
    assert backup is not None and backup.name.startswith("shop.db.") and backup.name.endswith(".before-migrate.bak")
    conn = sqlite3.connect(backup)
    assert ("keepsake",) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    conn.close()
    assert oct(os.stat(backup).st_mode & 0o777) == "0o600"


def test_backup_and_restore_round_trip_and_restore_refuses_strangers(tmp_path):
    """SQLite only: a PostgreSQL shop is backed up with pg_dump (the CLI test checks it says so)."""
    from kiosk.services.shop import init_shop

    db_url = str(tmp_path / "shop.db")
    ctx = init_shop(db_url, name="Backup Test", country="PK", currency="PKR", owner_pin="1234")
    c = customers.add(ctx, name="Before Backup")
    khata.give(ctx, c.id, 1234)
    copy = tmp_path / "copy.db"
    store_db.backup_to(ctx.db, copy)
    with pytest.raises(KioskError, match="already exists"):
        store_db.backup_to(ctx.db, copy)
    khata.give(ctx, c.id, 1)
    ctx.close()
    assert store_db.is_kiosk_database(copy) is None
    old = store_db.restore_from(Path(db_url), copy)
    assert old is not None and old.exists()
    again = open_shop(db_url)
    assert khata.balance(again, c.id) == 1234
    again.close()

    stranger = tmp_path / "other.db"
    sqlite3.connect(stranger).execute("CREATE TABLE x (y)").connection.commit()
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    for bad, why in ((stranger, "not a Kiosk database"), (text, "not an SQLite database")):
        with pytest.raises(KioskError, match=why):
            store_db.restore_from(Path(db_url), bad)
