"""Bulk writers for seeding a big synthetic shop: many rows per statement, never one per transaction.

The caller owns the transaction (`store.db.write_transaction`) and picks the ids: `reserve_ids` gives
the first free id of a table for `n` new rows, so entries can point at the ids of earlier entries
(reversals) before anything is written. Rows are plain tuples in the order of `CUSTOMER_COLUMNS` /
`ENTRY_COLUMNS`; dates and times may be given as ISO text (`2026-03-31`, `2026-03-31 14:05:00`),
which both SQLite and PostgreSQL's COPY read as they are, so a million rows need no conversion pass.

SQLite: multi-row INSERTs on the raw connection, the most rows a statement may carry (the customer
search index is filled by the FTS5 trigger of migration 0001, as for any insert). PostgreSQL: COPY
FROM STDIN, and the id sequences are moved past the reserved ids so the app's later inserts do not
collide. These go under peewee to the driver because `insert_many` builds its SQL value by value in
Python: 100k customers took 8.3 s through it against 2.5 s this way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from kiosk.store.db import is_sqlite
from kiosk.store.models import Customer, KhataEntry

#: Every column a seeded customer writes (the others are null).
CUSTOMER_COLUMNS = (
    "id", "name", "name_key", "phone", "cnic", "email", "address", "business", "birth_date", "notes",
    "credit_limit", "tier", "group_id", "created_at", "archived", "balance", "points", "search_text",
)

#: Every column a seeded khata entry writes (override_by and idempotency_key stay null).
ENTRY_COLUMNS = (
    "id", "customer_id", "kind", "amount", "date", "note", "method", "source", "reverses_id",
    "promised_date", "user_id", "till", "created_at",
)


@contextmanager
def roomy_cache(mib: int = 256):
    """A bigger SQLite page cache for this connection while a bulk write runs, so the pages of the
    ledger's indexes stay in memory as they grow (about 15% faster at a million entries); then back."""
    db = _db()
    if not is_sqlite(db):
        yield
        return
    (before,) = db.execute_sql("PRAGMA cache_size").fetchone()
    db.execute_sql(f"PRAGMA cache_size = {-mib * 1024}")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA cache_size = {int(before)}")


def _db():
    return Customer._meta.database


def _table(model) -> str:
    return model._meta.table_name


def reserve_ids(model, n: int) -> int:
    """The first of `n` consecutive free ids of `model`'s table, inside the caller's transaction.

    SQLite holds the write lock from BEGIN IMMEDIATE, so max(id) + 1 stays free. PostgreSQL locks the
    table against other writers (readers go on) and moves the id sequence past the reserved range.
    """
    db, table = _db(), _table(model)
    if is_sqlite(db):
        (top,) = db.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()
        return top + 1
    db.execute_sql(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
    (top,) = db.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()
    (seq,) = db.execute_sql("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()
    (nxt,) = db.execute_sql("SELECT nextval(%s)", (seq,)).fetchone()
    first = max(top + 1, nxt)
    if n > 0:
        db.execute_sql("SELECT setval(%s, %s)", (seq, first + n - 1))
    return first


def _insert(model, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    if not rows:
        return
    db, table = _db(), _table(model)
    names = ", ".join(f'"{c}"' for c in columns)
    if is_sqlite(db):
        # Multi-row VALUES, as many rows per statement as SQLite takes parameters. Not executemany:
        # FTS5 flushes its pending terms at the end of every statement, so one row per statement
        # through the customer_fts trigger writes a tiny index segment per customer (3x slower).
        one = "(" + ", ".join("?" * len(columns)) + ")"
        per = max(1, _sqlite_max_params() // len(columns))
        conn = db.connection()
        full = None
        for start in range(0, len(rows), per):
            part = rows[start:start + per]
            if len(part) == per and full is not None:
                sql = full
            else:
                sql = f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join([one] * len(part))
                if len(part) == per:
                    full = sql
            conn.execute(sql, [value for row in part for value in row])
        return
    cursor = db.cursor()
    with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def _sqlite_max_params() -> int:
    """SQLite's limit on ? parameters per statement: 32766 since 3.32, 999 before."""
    import sqlite3

    return 32_766 if sqlite3.sqlite_version_info >= (3, 32) else 999


def insert_customers(rows: Sequence[tuple]) -> None:
    """Customers with their ids, in `CUSTOMER_COLUMNS` order; search_text must already be filled."""
    _insert(Customer, CUSTOMER_COLUMNS, rows)


def insert_entries(rows: Sequence[tuple]) -> None:
    """Khata entries with their ids, in `ENTRY_COLUMNS` order. Cached balances are not touched:
    the caller moves them with `add_to_balances` in the same transaction."""
    _insert(KhataEntry, ENTRY_COLUMNS, rows)


def add_to_balances(deltas: Iterable[tuple[int, int]]) -> None:
    """Move each customer's cached balance by `delta`: pairs of (customer id, delta)."""
    pairs = [(cid, delta) for cid, delta in deltas if delta]
    if not pairs:
        return
    db = _db()
    if is_sqlite(db):
        db.connection().executemany(
            'UPDATE "customer" SET balance = balance + ? WHERE id = ?', [(d, cid) for cid, d in pairs]
        )
        return
    # One statement for the lot: a round trip per customer would dominate on PostgreSQL.
    db.execute_sql(
        'UPDATE "customer" AS c SET balance = c.balance + d.delta '
        "FROM unnest(%s::bigint[], %s::bigint[]) AS d(id, delta) WHERE c.id = d.id",
        ([cid for cid, _ in pairs], [d for _, d in pairs]),
    )


def existing_phones() -> set[str]:
    """Every phone already taken, so new customers get unique ones."""
    return {p for (p,) in Customer.select(Customer.phone).where(Customer.phone.is_null(False)).tuples()}


def group_ids() -> dict[str, int]:
    from kiosk.store.models import CustomerGroup

    return {name: gid for gid, name in CustomerGroup.select(CustomerGroup.id, CustomerGroup.name).tuples()}
