"""Khata rows: append-only entries, the cached balance beside them, and the credit report in SQL."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from kiosk.domain.errors import NotFound
from kiosk.domain.khata import AGEING_BUCKETS, Entry, EntryKind
from kiosk.store.db import is_sqlite
from kiosk.store.models import Customer as CustomerRow
from kiosk.store.models import KhataEntry, User


def to_domain(row: KhataEntry, user_name: str | None = None) -> Entry:
    return Entry(
        id=row.id,
        customer_id=row.customer_id,
        kind=EntryKind(row.kind),
        amount=row.amount,
        date=row.date,
        note=row.note,
        method=row.method,
        source=row.source,
        reverses_id=row.reverses_id,
        promised_date=row.promised_date,
        user=user_name,
        till=row.till,
        created_at=row.created_at,
    )


def entries_for(customer_id: int) -> list[Entry]:
    rows = (
        KhataEntry.select(KhataEntry, User.name)
        .join(User, on=(KhataEntry.user == User.id), join_type=JOIN.LEFT_OUTER)
        .where(KhataEntry.customer == customer_id)
        .order_by(KhataEntry.date, KhataEntry.id)
    )
    return [to_domain(r, r.user.name if r.user_id else None) for r in rows]


def get(entry_id: int) -> Entry | None:
    row = KhataEntry.get_or_none(KhataEntry.id == entry_id)
    return to_domain(row) if row else None


def is_reversed(entry_id: int) -> bool:
    return KhataEntry.select().where(KhataEntry.reverses == entry_id).exists()


def by_idempotency_key(key: str) -> Entry | None:
    row = KhataEntry.get_or_none(KhataEntry.idempotency_key == key)
    return to_domain(row) if row else None


@dataclass(frozen=True, slots=True)
class LockedCustomer:
    id: int
    balance: int
    credit_limit: int | None
    archived: bool


def lock_customer(customer_id: int) -> LockedCustomer:
    """Read the balance and limit under a row lock (PostgreSQL FOR UPDATE; SQLite already holds the
    database write lock from BEGIN IMMEDIATE), so two tills cannot both pass the limit check."""
    query = CustomerRow.select(CustomerRow.id, CustomerRow.balance, CustomerRow.credit_limit, CustomerRow.archived)
    query = query.where(CustomerRow.id == customer_id)
    if not is_sqlite(CustomerRow._meta.database):
        query = query.for_update()
    row = query.first()
    if row is None:
        raise NotFound(f"customer {customer_id} does not exist")
    return LockedCustomer(row.id, row.balance, row.credit_limit, row.archived)


def append(*, signed: int, **columns) -> Entry:
    """Write one entry and move the cached balance by `signed` in the caller's transaction."""
    row = KhataEntry.create(**columns)
    CustomerRow.update(balance=CustomerRow.balance + signed).where(CustomerRow.id == row.customer_id).execute()
    return to_domain(KhataEntry.get_by_id(row.id))


def move_entries(from_customer: int, to_customer: int) -> int:
    """Merge: history moves to the kept record. Amounts, dates and order are untouched."""
    return KhataEntry.update(customer=to_customer).where(KhataEntry.customer == from_customer).execute()


def sum_by_customer() -> dict[int, int]:
    """Σ signed entries per customer, straight from the entries (the check against the cache)."""
    target = KhataEntry.alias("target")
    signed = fn.SUM(
        Case(None, [
            (KhataEntry.kind == "debit", KhataEntry.amount),
            (KhataEntry.kind == "credit", KhataEntry.amount * -1),
            (target.kind == "debit", KhataEntry.amount * -1),
        ], KhataEntry.amount)
    )
    rows = (
        KhataEntry.select(KhataEntry.customer, signed)
        .join(target, join_type=JOIN.LEFT_OUTER, on=(KhataEntry.reverses == target.id))
        .group_by(KhataEntry.customer)
        .tuples()
    )
    return {customer_id: int(total or 0) for customer_id, total in rows}


# --- Credit report ------------------------------------------------------------------------------

_CREDIT_REPORT_SQL = """
WITH live AS (
    SELECT e.id, e.customer_id, e.kind, e.amount, e.date
    FROM khata_entry e
    WHERE e.date <= {as_of} AND e.kind <> 'reversal'
      AND NOT EXISTS (SELECT 1 FROM khata_entry r WHERE r.reverses_id = e.id AND r.date <= {as_of})
),
paid AS (
    SELECT customer_id, SUM(amount) AS paid, MAX(date) AS last_payment
    FROM live WHERE kind = 'credit' GROUP BY customer_id
),
debits AS (
    SELECT customer_id, date, amount,
           SUM(amount) OVER (PARTITION BY customer_id ORDER BY date, id ROWS UNBOUNDED PRECEDING) AS upto
    FROM live WHERE kind = 'debit'
),
open_debits AS (
    -- FIFO: what the payments have not yet covered of each debit, oldest first.
    SELECT d.customer_id, d.date,
           CASE WHEN d.upto - COALESCE(p.paid, 0) <= 0 THEN 0
                WHEN d.upto - COALESCE(p.paid, 0) >= d.amount THEN d.amount
                ELSE d.upto - COALESCE(p.paid, 0) END AS unpaid
    FROM debits d LEFT JOIN paid p ON p.customer_id = d.customer_id
),
aged AS (
    SELECT customer_id,
           SUM(CASE WHEN date >= {d30} THEN unpaid ELSE 0 END) AS b0,
           SUM(CASE WHEN date < {d30} AND date >= {d60} THEN unpaid ELSE 0 END) AS b1,
           SUM(CASE WHEN date < {d60} AND date >= {d90} THEN unpaid ELSE 0 END) AS b2,
           SUM(CASE WHEN date < {d90} THEN unpaid ELSE 0 END) AS b3
    FROM open_debits
    GROUP BY customer_id
),
people AS (SELECT DISTINCT customer_id FROM khata_entry WHERE date <= {as_of})
SELECT c.id, c.name, c.phone, c.credit_limit,
       COALESCE(a.b0, 0), COALESCE(a.b1, 0), COALESCE(a.b2, 0), COALESCE(a.b3, 0),
       COALESCE(t.debited, 0) - COALESCE(p.paid, 0), p.last_payment
FROM people x
JOIN customer c ON c.id = x.customer_id
LEFT JOIN aged a ON a.customer_id = c.id
LEFT JOIN (SELECT customer_id, SUM(amount) AS debited FROM debits GROUP BY customer_id) t ON t.customer_id = c.id
LEFT JOIN paid p ON p.customer_id = c.id
ORDER BY c.name_key, c.id
"""


@dataclass(frozen=True, slots=True)
class CreditRow:
    customer_id: int
    name: str
    phone: str | None
    credit_limit: int | None
    balance: int
    ageing: dict[str, int]
    last_payment: dt.date | None


def credit_report(as_of: dt.date) -> list[CreditRow]:
    """Every customer with khata history on `as_of`: balance, FIFO ageing, last payment. One query."""
    db = KhataEntry._meta.database
    cutoffs = {f"d{n}": as_of - dt.timedelta(days=n) for n in (30, 60, 90)}
    params = {"as_of": as_of, **cutoffs}
    args = []

    # Named placeholders, repeated, become the driver's positional ones in order of appearance.
    def _sub(match):
        value = params[match.group(1)]
        args.append(value.isoformat() if is_sqlite(db) else value)  # SQLite keeps dates as ISO text
        return "?" if is_sqlite(db) else "%s"

    sql = re.sub(r"\{(\w+)\}", _sub, _CREDIT_REPORT_SQL)
    rows = []
    for cid, name, phone, limit, b0, b1, b2, b3, bal, last in db.execute_sql(sql, args).fetchall():
        if isinstance(last, str):
            last = dt.date.fromisoformat(last)
        buckets = dict(zip(AGEING_BUCKETS, (int(b0), int(b1), int(b2), int(b3)), strict=True))
        rows.append(CreditRow(cid, name, phone, limit, int(bal), buckets, last))
    return rows


def cached_balance(customer_id: int) -> int:
    row = CustomerRow.select(CustomerRow.balance).where(CustomerRow.id == customer_id).tuples().first()
    if row is None:
        raise NotFound(f"customer {customer_id} does not exist")
    return row[0]


def customer_exists(customer_id: int) -> None:
    if not CustomerRow.select().where(CustomerRow.id == customer_id).exists():
        raise NotFound(f"customer {customer_id} does not exist")
