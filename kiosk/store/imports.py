"""Bulk reads and writes for CSV imports and exports, fast on SQLite and PostgreSQL.

The writers insert many customers and khata entries in the caller's transaction (the service opens
one `write_transaction` for a whole file) and move the cached balances by each customer's total, so
`kiosk check` holds afterwards. They trust their input: the import service has checked every row.
The search index follows by itself (SQLite: the FTS5 triggers of migration 0001; PostgreSQL: the
pg_trgm GIN index on `customer.search_text`).

The readers stream every customer and every entry in id/date order for the exporters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from peewee import JOIN, IntegrityError, chunked

from kiosk.domain.customers import Customer, CustomerData, search_text
from kiosk.store import bulk
from kiosk.store.customers import to_domain as customer_to_domain
from kiosk.store.models import AuditLog, CustomerGroup, KhataEntry, User
from kiosk.store.models import Customer as CustomerRow

#: Values per `IN (…)` when looking phones up.
LOOKUP_CHUNK = 900


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


# --- Lookups ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnownCustomer:
    id: int
    name: str
    archived: bool


def customers_by_phone(phones: Iterable[str]) -> dict[str, KnownCustomer]:
    """E.164 phone -> the customer that has it, for those of `phones` already in the shop. Plain SQL:
    peewee would build 50,000 `IN` values one expression at a time."""
    db = CustomerRow._meta.database
    found: dict[str, KnownCustomer] = {}
    for batch in chunked(sorted(set(phones)), LOOKUP_CHUNK):
        marks = ", ".join([db.param] * len(batch))
        sql = f"SELECT phone, id, name, archived FROM customer WHERE phone IN ({marks})"
        for phone, cid, name, archived in db.execute_sql(sql, batch).fetchall():
            found[phone] = KnownCustomer(cid, name, bool(archived))
    return found


def group_ids() -> dict[str, int]:
    return bulk.group_ids()


def previous_import(action: str, digest: str) -> tuple[dt.datetime, str | None] | None:
    """When and by whom a file with this SHA-256 was imported before (None: never)."""
    row = (AuditLog.select(AuditLog.at, User.name)
           .join(User, JOIN.LEFT_OUTER, on=(AuditLog.user == User.id))
           .where((AuditLog.action == action) & (AuditLog.record == f"sha256:{digest}"))
           .order_by(AuditLog.id.desc()).tuples().first())
    return (row[0], row[1]) if row else None


def counts() -> tuple[int, int]:
    """(customers, khata entries): what a refused import must leave unchanged."""
    return CustomerRow.select().count(), KhataEntry.select().count()


# --- Writers (over store.bulk) ------------------------------------------------------------------


@contextmanager
def _driver_errors():
    """store.bulk writes on the raw connection; its DB-API IntegrityError (sqlite3's or psycopg's)
    becomes peewee's, as peewee's own execute_sql reports it, so services catch one type."""
    try:
        yield
    except Exception as exc:
        if any(cls.__name__ == "IntegrityError" for cls in type(exc).__mro__) and not isinstance(exc, IntegrityError):
            raise IntegrityError(*exc.args) from exc
        raise


def _stamp() -> str:
    return _now().isoformat(sep=" ")


def insert_customers(customers: Sequence[CustomerData], groups: dict[str, int]) -> dict[str, int]:
    """Insert checked customers (the columns `store.customers.insert` writes) in the caller's
    transaction. Returns phone -> new id for those with a phone."""
    if not customers:
        return {}
    with _driver_errors():
        first = bulk.reserve_ids(CustomerRow, len(customers))
        now = _stamp()
        rows = [
            (first + i, c.name, c.name.casefold(), c.phone, c.cnic, c.email, c.address, c.business,
             c.birth_date.isoformat() if c.birth_date else None, c.notes, c.credit_limit, c.tier.value,
             groups[c.group], now, False, 0, 0, search_text(c))
            for i, c in enumerate(customers)
        ]
        bulk.insert_customers(rows)
    return {c.phone: first + i for i, c in enumerate(customers) if c.phone}


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A debit or credit to append; `signed` is its effect on the balance (+ debit, - credit)."""

    customer_id: int
    kind: str
    amount: int
    date: dt.date
    note: str = ""
    method: str | None = None
    source: str | None = None

    @property
    def signed(self) -> int:
        return self.amount if self.kind == "debit" else -self.amount


def insert_entries(entries: Sequence[NewEntry], *, user_id: int | None, till: str) -> int:
    """Append entries and move each customer's cached balance by the sum of theirs, in the caller's
    transaction (balances in customer-id order: two imports on PostgreSQL lock rows alike)."""
    if not entries:
        return 0
    with _driver_errors():
        first = bulk.reserve_ids(KhataEntry, len(entries))
        now = _stamp()
        bulk.insert_entries([
            (first + i, e.customer_id, e.kind, e.amount, e.date.isoformat(), e.note, e.method, e.source, None,
             None, user_id, till, now)
            for i, e in enumerate(entries)
        ])
        deltas: dict[int, int] = {}
        for e in entries:
            deltas[e.customer_id] = deltas.get(e.customer_id, 0) + e.signed
        bulk.add_to_balances(sorted(deltas.items()))
    return len(entries)


# --- Readers for the exporters -----------------------------------------------------------------


def all_customers() -> Iterator[Customer]:
    """Every customer, archived and merged ones too, by id."""
    query = (CustomerRow.select(CustomerRow, CustomerGroup.name).join(CustomerGroup)
             .order_by(CustomerRow.id))
    for row in query.iterator():
        yield customer_to_domain(row)


def customers_with_entries() -> list[tuple[int, str]]:
    """(id, name) of every customer that has khata entries, by id."""
    has_entries = KhataEntry.select(KhataEntry.customer_id)
    query = (CustomerRow.select(CustomerRow.id, CustomerRow.name).where(CustomerRow.id.in_(has_entries))
             .order_by(CustomerRow.id).tuples())
    return list(query)


def methods_used() -> list[str]:
    """Every payment method that appears on an entry (a service the shop since dropped included)."""
    query = KhataEntry.select(KhataEntry.method).where(KhataEntry.method.is_null(False)).distinct().tuples()
    return sorted(m for (m,) in query)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One entry with what a journal needs to post it: its customer's name and, for a reversal,
    what its target was (kind, method, source) so the reversal can mirror it."""

    id: int
    customer_id: int
    customer_name: str
    kind: str
    amount: int
    date: dt.date
    note: str
    method: str | None
    source: str | None
    reverses_id: int | None
    promised_date: dt.date | None
    user: str | None
    till: str
    target_kind: str | None = None
    target_method: str | None = None
    target_source: str | None = None


def all_entries() -> Iterator[JournalEntry]:
    """Every khata entry in date order (then id), streamed."""
    target = KhataEntry.alias("target")
    query = (
        KhataEntry.select(
            KhataEntry.id, KhataEntry.customer_id, CustomerRow.name, KhataEntry.kind, KhataEntry.amount,
            KhataEntry.date, KhataEntry.note, KhataEntry.method, KhataEntry.source, KhataEntry.reverses_id,
            KhataEntry.promised_date, User.name, KhataEntry.till, target.kind, target.method, target.source,
        )
        .join(CustomerRow, on=(KhataEntry.customer == CustomerRow.id))
        .switch(KhataEntry)
        .join(User, JOIN.LEFT_OUTER, on=(KhataEntry.user == User.id))
        .switch(KhataEntry)
        .join(target, JOIN.LEFT_OUTER, on=(KhataEntry.reverses == target.id))
        .order_by(KhataEntry.date, KhataEntry.id)
        .tuples()
    )
    for row in query.iterator():
        (eid, cid, name, kind, amount, date, note, method, source, reverses_id, promised, user, till,
         tkind, tmethod, tsource) = row
        if isinstance(date, str):  # SQLite hands raw dates back as ISO text from a tuples() join
            date = dt.date.fromisoformat(date)
        if isinstance(promised, str):
            promised = dt.date.fromisoformat(promised)
        yield JournalEntry(eid, cid, name, kind, int(amount), date, note or "", method, source, reverses_id,
                           promised, user, till or "", tkind, tmethod, tsource)
