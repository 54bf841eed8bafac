"""Bulk reads and writes for CSV imports and exports, fast on SQLite and PostgreSQL.

The writers insert many customers and khata entries in the caller's transaction (the service opens
one `write_transaction` for a whole file) and move the cached balances by each customer's total, so
`kiosk check` holds afterwards. They trust their input: the import service has checked every row.
The search index follows by itself (SQLite: the FTS5 triggers of migration 0001; PostgreSQL: the
pg_trgm GIN index on `customer.search_text`).

The readers stream every customer and every entry in id/date order for the exporters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from peewee import JOIN, chunked

from kiosk.domain.customers import Customer, CustomerData, search_text
from kiosk.store.customers import to_domain as customer_to_domain
from kiosk.store.models import AuditLog, CustomerGroup, KhataEntry, User
from kiosk.store.models import Customer as CustomerRow

#: Rows per INSERT: 1,000 rows of ~12 columns stay well under SQLite's 32,766 and PostgreSQL's
#: 65,535 bound parameters, and are large enough that the round trips don't dominate.
CHUNK = 1000
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
    """E.164 phone -> the customer that has it, for those of `phones` already in the shop."""
    found: dict[str, KnownCustomer] = {}
    for batch in chunked(sorted(set(phones)), LOOKUP_CHUNK):
        query = (CustomerRow.select(CustomerRow.phone, CustomerRow.id, CustomerRow.name, CustomerRow.archived)
                 .where(CustomerRow.phone.in_(batch)).tuples())
        for phone, cid, name, archived in query:
            found[phone] = KnownCustomer(cid, name, bool(archived))
    return found


def group_ids() -> dict[str, int]:
    return {name: gid for gid, name in CustomerGroup.select(CustomerGroup.id, CustomerGroup.name).tuples()}


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


# --- Writers ------------------------------------------------------------------------------------

_CUSTOMER_FIELDS = (
    CustomerRow.name, CustomerRow.name_key, CustomerRow.phone, CustomerRow.cnic, CustomerRow.email,
    CustomerRow.address, CustomerRow.business, CustomerRow.birth_date, CustomerRow.notes,
    CustomerRow.credit_limit, CustomerRow.tier, CustomerRow.group, CustomerRow.created_at,
    CustomerRow.search_text,
)


def insert_customers(customers: Iterable[CustomerData], groups: dict[str, int]) -> int:
    """Insert checked customers (same columns as `store.customers.insert`); returns how many."""
    now, total = _now(), 0
    rows = (
        (c.name, c.name.casefold(), c.phone, c.cnic, c.email, c.address, c.business, c.birth_date, c.notes,
         c.credit_limit, c.tier.value, groups[c.group], now, search_text(c))
        for c in customers
    )
    for batch in chunked(rows, CHUNK):
        CustomerRow.insert_many(batch, fields=_CUSTOMER_FIELDS).execute()
        total += len(batch)
    return total


def ids_by_phone(phones: Iterable[str]) -> dict[str, int]:
    return {phone: known.id for phone, known in customers_by_phone(phones).items()}


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


_ENTRY_FIELDS = (
    KhataEntry.customer, KhataEntry.kind, KhataEntry.amount, KhataEntry.date, KhataEntry.note,
    KhataEntry.method, KhataEntry.source, KhataEntry.user, KhataEntry.till, KhataEntry.created_at,
)


def insert_entries(entries: list[NewEntry], *, user_id: int | None, till: str) -> int:
    """Append entries and move each customer's cached balance by the sum of theirs, in the caller's
    transaction. Balances are updated in customer-id order, so two imports on PostgreSQL take their
    row locks in the same order and cannot deadlock."""
    now = _now()
    rows = ((e.customer_id, e.kind, e.amount, e.date, e.note, e.method, e.source, user_id, till, now)
            for e in entries)
    for batch in chunked(rows, CHUNK):
        KhataEntry.insert_many(batch, fields=_ENTRY_FIELDS).execute()
    deltas: dict[int, int] = {}
    for e in entries:
        deltas[e.customer_id] = deltas.get(e.customer_id, 0) + e.signed
    add_to_balances(deltas)
    return len(entries)


def add_to_balances(deltas: dict[int, int]) -> None:
    """balance += delta for each customer: one prepared statement run many times (executemany)."""
    db = CustomerRow._meta.database
    p = db.param
    sql = f"UPDATE customer SET balance = balance + {p} WHERE id = {p}"
    params = [(delta, cid) for cid, delta in sorted(deltas.items()) if delta]
    if params:
        cursor = db.cursor()
        cursor.executemany(sql, params)


# --- Readers for the exporters -----------------------------------------------------------------


def all_customers() -> Iterator[Customer]:
    """Every customer, archived and merged ones too, by id."""
    query = (CustomerRow.select(CustomerRow, CustomerGroup.name).join(CustomerGroup)
             .order_by(CustomerRow.id))
    for row in query.iterator():
        yield customer_to_domain(row)


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

    def replace(self, **changes) -> JournalEntry:
        return dataclasses.replace(self, **changes)


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
