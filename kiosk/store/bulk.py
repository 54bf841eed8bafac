"""Bulk writers for seeding a big synthetic shop: many rows per statement, never one per transaction.

The caller owns the transaction (`store.db.write_transaction`) and picks the ids: `reserve_ids` gives
the first free id of a table for `n` new rows, so entries can point at the ids of earlier entries
(reversals) before anything is written; when the count is not known up front, `next_free_id` gives
the first free id and `claim_ids` moves PostgreSQL's sequence past the last one used. Rows are plain
tuples in the order of the `*_COLUMNS` tuples below; dates and times may be given as ISO text
(`2026-03-31`, `2026-03-31 14:05:00`), which both SQLite and PostgreSQL's COPY read as they are, so a
million rows need no conversion pass.

Writers are here for customers, khata entries, products and their group prices, sales with their
lines and tenders, points entries, refunds and their lines; and updates for the figures that later
rows move (a customer's cached balance, points and tier; a sale's refunded total and earned points).

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
from kiosk.store.models import (
    Customer,
    KhataEntry,
    PointsEntry,
    Product,
    ProductGroupPrice,
    Refund,
    RefundLine,
    Sale,
    SaleLine,
    SaleTender,
)

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

#: A seeded customer: `CUSTOMER_COLUMNS` and whether the tier was set by hand.
SEED_CUSTOMER_COLUMNS = (*CUSTOMER_COLUMNS, "tier_pinned")

#: A khata entry that belongs to a sale or a refund: `ENTRY_COLUMNS` and the sale and idempotency key.
SALE_ENTRY_COLUMNS = (*ENTRY_COLUMNS, "sale_id", "idempotency_key")

PRODUCT_COLUMNS = (
    "id", "sku", "sku_key", "barcode", "name", "name_key", "price", "unit", "active", "created_at", "search_text",
)
GROUP_PRICE_COLUMNS = ("id", "product_id", "group_id", "price")

#: A sale as `store.sales.insert` writes it, and the three figures later rows move.
SALE_COLUMNS = (
    "id", "customer_id", "date", "created_at", "user_id", "till", "gross", "line_discounts", "basket_discount",
    "total", "points_redeemed", "points_value", "rounding", "paid", "cash_given", "change", "points_earned",
    "khata", "store_credit", "tier_after", "approved_by_id", "override_by_id", "balance_after", "points_after",
    "khata_points_due", "refunded", "fully_refunded", "khata_points_earned",
)
SALE_LINE_COLUMNS = (
    "id", "sale_id", "n", "product_id", "sku", "description", "unit", "unit_price", "quantity_milli",
    "discount_bp", "discount_amount", "gross", "net", "points_discount", "points_redeemed", "points_earned",
    "khata", "store_credit",
)
TENDER_COLUMNS = ("id", "sale_id", "method", "name", "amount")
POINTS_COLUMNS = (
    "id", "customer_id", "kind", "points", "date", "expires_on", "sale_id", "note", "user_id", "till", "created_at",
)
REFUND_COLUMNS = (
    "id", "sale_id", "customer_id", "date", "created_at", "user_id", "till", "approved_by_id", "destination",
    "goods", "points_value", "khata_off", "store_credit_back", "payout", "rounding", "points_given_back",
    "points_taken_back", "shortfall_points", "shortfall_value",
)
REFUND_LINE_COLUMNS = (
    "id", "refund_id", "sale_line_id", "quantity_milli", "net", "points_discount", "points_redeemed",
    "points_earned", "khata", "store_credit",
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


def next_free_id(model) -> int:
    """The first free id of `model`'s table, for rows whose number is known only once they are made;
    `claim_ids` then takes the ids used, in the same transaction. PostgreSQL: the table is locked
    against other writers as by `reserve_ids`, and the sequence is read, not moved, so a chunk that
    used no ids of a table leaves the next chunk's ids where SQLite's would be."""
    db, table = _db(), _table(model)
    (top,) = db.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()
    if is_sqlite(db):
        return top + 1
    db.execute_sql(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
    (top,) = db.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()
    (seq,) = db.execute_sql("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()
    last, called = db.execute_sql(f"SELECT last_value, is_called FROM {seq}").fetchone()  # a catalogue name
    return max(top + 1, last + 1 if called else last)


def claim_ids(model, first: int, end: int) -> None:
    """Ids `first` to `end - 1` of `model`'s table are taken: PostgreSQL's sequence moves past them
    (SQLite's rowids follow max(id) by themselves)."""
    db, table = _db(), _table(model)
    if end <= first or is_sqlite(db):
        return
    # `next_free_id` locked the table against other writers, so nothing else moved the sequence.
    (seq,) = db.execute_sql("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()
    db.execute_sql("SELECT setval(%s, %s)", (seq, end - 1))


#: Tables with a full-text search index kept by triggers on SQLite (migrations 0001 and 0003).
_SEARCHED = (Customer, Product)


def _insert(model, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    if not rows:
        return
    db, table = _db(), _table(model)
    names = ", ".join(f'"{c}"' for c in columns)
    if is_sqlite(db) and model not in _SEARCHED:
        # One prepared statement, each row bound in C: no Python pass over every value.
        db.connection().executemany(
            f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})', rows)
        return
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


def insert_customers(rows: Sequence[tuple], columns: Sequence[str] = CUSTOMER_COLUMNS) -> None:
    """Customers with their ids, in `CUSTOMER_COLUMNS` order (or `columns`, which must start with
    them: the seed adds tier_pinned); search_text must already be filled."""
    _insert(Customer, columns, rows)


def insert_entries(rows: Sequence[tuple], columns: Sequence[str] = ENTRY_COLUMNS) -> None:
    """Khata entries with their ids, in `ENTRY_COLUMNS` order (or `SALE_ENTRY_COLUMNS`). Cached
    balances are not touched: the caller moves them in the same transaction."""
    _insert(KhataEntry, columns, rows)


def insert_products(rows: Sequence[tuple]) -> None:
    """Products in `PRODUCT_COLUMNS` order, already checked (`kiosk.domain.products`); the search
    index follows by its trigger (SQLite) or its GIN index (PostgreSQL)."""
    _insert(Product, PRODUCT_COLUMNS, rows)


def insert_group_prices(rows: Sequence[tuple]) -> None:
    _insert(ProductGroupPrice, GROUP_PRICE_COLUMNS, rows)


def insert_sales(sales: Sequence[tuple], lines: Sequence[tuple], tenders: Sequence[tuple]) -> None:
    """Sales (`SALE_COLUMNS`), then their lines (`SALE_LINE_COLUMNS`) and tenders (`TENDER_COLUMNS`).

    Written in the order of the sale ids, not of the rows' own: sale ids are random (uuid4), and the
    indexes on them (the sale's key, the lines' and tenders' sale_id) take a batch in key order as one
    sweep instead of a page fetched per row (a third less work at a million sales)."""
    _insert(Sale, SALE_COLUMNS, sorted(sales))
    _insert(SaleLine, SALE_LINE_COLUMNS, sorted(lines, key=_sale_then_n))
    _insert(SaleTender, TENDER_COLUMNS, sorted(tenders, key=_sale_then_id))


def _sale_then_n(row: tuple) -> tuple:
    return row[1], row[2]


def _sale_then_id(row: tuple) -> tuple:
    return row[1], row[0]


def insert_points(rows: Sequence[tuple]) -> None:
    """Points entries in `POINTS_COLUMNS` order; cached points are the caller's (`set_customer_figures`)."""
    _insert(PointsEntry, POINTS_COLUMNS, rows)


def insert_refunds(refunds: Sequence[tuple], lines: Sequence[tuple]) -> None:
    """Refunds (`REFUND_COLUMNS`) and their lines (`REFUND_LINE_COLUMNS`); the sales they take back
    from must be written already, and their refunded figures are the caller's (`set_sale_figures`)."""
    _insert(Refund, REFUND_COLUMNS, refunds)
    _insert(RefundLine, REFUND_LINE_COLUMNS, lines)


def set_customer_figures(rows: Iterable[tuple[int, int, int, str]]) -> None:
    """Set each customer's cached balance, points and tier: (id, balance, points, tier) rows, in id
    order (two writers on PostgreSQL lock rows alike)."""
    rows = sorted(rows)
    if not rows:
        return
    db = _db()
    if is_sqlite(db):
        db.connection().executemany('UPDATE "customer" SET balance = ?, points = ?, tier = ? WHERE id = ?',
                                    [(b, p, t, cid) for cid, b, p, t in rows])
        return
    db.execute_sql(
        'UPDATE "customer" AS c SET balance = d.balance, points = d.points, tier = d.tier '
        "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[]) AS d(id, balance, points, tier) "
        "WHERE c.id = d.id",
        tuple(list(col) for col in zip(*rows, strict=True)),
    )


def set_sale_figures(rows: Iterable[tuple[str, int, bool, int]]) -> None:
    """Set what later rows moved on sales already written: (sale id, refunded, fully_refunded,
    khata_points_earned) rows."""
    rows = sorted(rows)
    if not rows:
        return
    db = _db()
    if is_sqlite(db):
        db.connection().executemany(
            'UPDATE "sale" SET refunded = ?, fully_refunded = ?, khata_points_earned = ? WHERE id = ?',
            [(r, f, k, sid) for sid, r, f, k in rows])
        return
    db.execute_sql(
        'UPDATE "sale" AS s SET refunded = d.refunded, fully_refunded = d.fully, khata_points_earned = d.earned '
        "FROM unnest(%s::text[], %s::bigint[], %s::boolean[], %s::bigint[]) AS d(id, refunded, fully, earned) "
        "WHERE s.id = d.id",
        tuple(list(col) for col in zip(*rows, strict=True)),
    )


def product_count() -> int:
    (n,) = _db().execute_sql('SELECT COUNT(*) FROM "product"').fetchone()
    return n


def products_on_sale() -> list[tuple[int, str, str, int, str, dict[str, int]]]:
    """Every active product as (id, sku, name, price, unit, {group name: price}), by id."""
    db = _db()
    prices: dict[int, dict[str, int]] = {}
    for pid, group, price in db.execute_sql(
            "SELECT gp.product_id, g.name, gp.price FROM product_group_price gp "
            "JOIN customer_group g ON g.id = gp.group_id ORDER BY gp.product_id, g.id"):
        prices.setdefault(pid, {})[group] = price
    rows = db.execute_sql("SELECT id, sku, name, price, unit FROM product WHERE active ORDER BY id").fetchall()
    return [(pid, sku, name, price, unit, prices.get(pid, {})) for pid, sku, name, price, unit in rows]


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
