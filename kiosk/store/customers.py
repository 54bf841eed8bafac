"""Customer rows in and out of the database, always as domain objects, plus search."""

from __future__ import annotations

import dataclasses
import datetime as dt

from kiosk.domain.customers import Customer, CustomerData, CustomerFigures, Tier, search_query, search_text
from kiosk.domain.errors import NotFound
from kiosk.store import textsearch
from kiosk.store.models import Customer as CustomerRow
from kiosk.store.models import CustomerGroup, KhataEntry

#: Below this many characters a trigram index cannot help; search falls back to a name search.
MIN_TRIGRAM = 3


def to_domain(row: CustomerRow) -> Customer:
    """`row` must come from `_select()`, which joins the group's name."""
    return Customer(
        id=row.id,
        name=row.name,
        phone=row.phone,
        cnic=row.cnic,
        email=row.email,
        address=row.address,
        business=row.business,
        birth_date=row.birth_date,
        notes=row.notes,
        credit_limit=row.credit_limit,
        tier=Tier(row.tier),
        group=row.group.name,
        created_at=row.created_at,
        archived=row.archived,
        balance=row.balance,
        points=row.points,
    )


def _select():
    return CustomerRow.select(CustomerRow, CustomerGroup.name).join(CustomerGroup)


def group_id(name: str) -> int:
    return CustomerGroup.get(CustomerGroup.name == name).id


def group_names() -> tuple[str, ...]:
    return tuple(g.name for g in CustomerGroup.select().order_by(CustomerGroup.builtin.desc(), CustomerGroup.id))


def add_group(name: str) -> None:
    CustomerGroup.get_or_create(name=name)


def _columns(data: CustomerData) -> dict:
    values = {f.name: getattr(data, f.name) for f in dataclasses.fields(CustomerData)}
    values["tier"] = data.tier.value
    values["group"] = group_id(values.pop("group"))
    values["name_key"] = data.name.casefold()
    values["search_text"] = search_text(data)
    return values


def insert(data: CustomerData) -> int:
    return CustomerRow.insert(**_columns(data)).execute()


def update(customer_id: int, data: CustomerData) -> None:
    CustomerRow.update(**_columns(data)).where(CustomerRow.id == customer_id).execute()


def get(customer_id: int) -> Customer:
    row = _select().where(CustomerRow.id == customer_id).first()
    if row is None:
        raise NotFound(f"customer {customer_id} does not exist")
    return to_domain(row)


def find_by_phone(e164: str) -> Customer | None:
    row = _select().where(CustomerRow.phone == e164).first()
    return to_domain(row) if row else None


def set_archived(customer_id: int, archived: bool) -> None:
    CustomerRow.update(archived=archived).where(CustomerRow.id == customer_id).execute()


def has_history(customer_id: int) -> bool:
    """Any row that points at the customer: khata, points, sales, refunds, messages, parked baskets."""
    from kiosk.store.models import OutboxMessage, ParkedSale, PointsEntry, Refund, Sale

    return any(model.select().where(model.customer == customer_id).exists()
               for model in (KhataEntry, PointsEntry, Sale, Refund, OutboxMessage, ParkedSale))


def delete(customer_id: int) -> None:
    CustomerRow.delete().where(CustomerRow.id == customer_id).execute()


# Search runs on every keystroke, so it reads rows with plain SQL: building peewee models cost ten
# times the query itself (bench/run.py). `db.param` is the driver's placeholder on either backend.
_SEARCH_COLUMNS = (
    "c.id, c.name, c.phone, c.cnic, c.email, c.address, c.business, c.birth_date, c.notes, c.credit_limit, "
    "c.tier, g.name, c.created_at, c.archived, c.balance, c.points"
)


def search(text: str, *, limit: int = 20, include_archived: bool = False) -> list[Customer]:
    """Find customers by any part of name, phone, CNIC or email, in any script, case-insensitively.

    Names that start with the query come first, in name order, straight off the name_key index; then,
    for 3 characters or more, other matches from the trigram index (FTS5 on SQLite, pg_trgm on
    PostgreSQL) in the order customers were added. Both parts stop at `limit` rows, so a common
    trigram ("muh" in 12,000 names) costs no more than a rare one. Under 3 characters a trigram index
    cannot help, so search is the name prefix alone.
    """
    db = CustomerRow._meta.database
    query = search_query(text)
    live = "" if include_archived else " AND NOT archived"
    order = f"ORDER BY {textsearch.sort_key(db, 'name_key')}, id LIMIT {db.param}"
    if not query:
        sql = f"SELECT id FROM customer WHERE 1 = 1{live} {order}"
        return _load([r[0] for r in db.execute_sql(sql, (limit,))])
    sql = f"SELECT id FROM customer WHERE {textsearch.starts_with(db, 'name_key')}{live} {order}"
    ids = [r[0] for r in db.execute_sql(sql, (*textsearch.bounds(query), limit))]
    if len(query) >= MIN_TRIGRAM and len(ids) < limit:
        # Fewer than `limit` names start with the query, so all of them are in `ids`: `limit` substring
        # matches hold at most that many of them, and enough others once they are dropped.
        ids = textsearch.fill(ids, textsearch.substring_matches(db, "customer", query, limit, live), limit)
    return _load(ids)


def _load(ids: list[int]) -> list[Customer]:
    """Customers by id, in the order given."""
    if not ids:
        return []
    db = CustomerRow._meta.database
    marks = ", ".join([db.param] * len(ids))
    sql = (f"SELECT {_SEARCH_COLUMNS} FROM customer c JOIN customer_group g ON g.id = c.group_id "
           f"WHERE c.id IN ({marks})")
    rows = {r[0]: r for r in db.execute_sql(sql, ids)}
    birth, created = CustomerRow.birth_date, CustomerRow.created_at
    return [
        Customer(id=r[0], name=r[1], phone=r[2], cnic=r[3], email=r[4], address=r[5], business=r[6],
                 birth_date=birth.python_value(r[7]), notes=r[8], credit_limit=r[9], tier=Tier(r[10]),
                 group=r[11], created_at=created.python_value(r[12]), archived=bool(r[13]), balance=r[14],
                 points=r[15])
        for r in (rows[cid] for cid in ids)
    ]


def figures(customer_id: int) -> CustomerFigures:
    """Purchases are the customer's sales, plus credit sales written straight into the khata (imported
    or from before checkout existed: debits of source "sale" with no sale), net of reversed ones."""
    count, total, first, last = purchase_stats(customer_id)
    customer = get(customer_id)
    return CustomerFigures(
        total_spent=total,
        purchases=count,
        average_purchase=total // count if count else 0,
        first_purchase=first,
        last_purchase=last,
        balance=customer.balance,
        points=customer.points,
    )


#: `purchase_stats` in one statement: legacy khata credit sales (debits of source "sale" with no sale,
#: not reversed) beside the customer's sales less refunds (a sale refunded in full is no purchase, a
#: partial refund lowers the spend). Each part reads the customer's range of its own index,
#: (customer, kind, date, amount) and (customer, date); "not reversed" is one probe of the unique
#: reverses_id index per debit (the shop's whole list of reversed ids was read before).
_PURCHASE_STATS_SQL = """
SELECT k.n, k.spent, k.first_day, k.last_day, s.n, s.spent, s.first_day, s.last_day
FROM (SELECT COUNT(e.id) AS n, SUM(e.amount) AS spent, MIN(e.date) AS first_day, MAX(e.date) AS last_day
      FROM khata_entry e
      WHERE e.customer_id = {p} AND e.kind = 'debit' AND e.source = 'sale' AND e.sale_id IS NULL
        AND NOT EXISTS (SELECT 1 FROM khata_entry r WHERE r.reverses_id = e.id)) k
CROSS JOIN (SELECT COUNT(id) AS n, SUM(total - refunded) AS spent, MIN(date) AS first_day, MAX(date) AS last_day
            FROM sale WHERE customer_id = {p} AND NOT fully_refunded) s
"""


def purchase_stats(customer_id: int) -> tuple[int, int, dt.date | None, dt.date | None]:
    """(purchases, total spent, first date, last date) from sales less refunds, and legacy khata credit
    sales. One query, in plain SQL (a sale reads it for the customer's tier)."""
    db = CustomerRow._meta.database
    row = db.execute_sql(_PURCHASE_STATS_SQL.format(p=db.param), (customer_id, customer_id)).fetchone()
    legacy_n, legacy_spent, legacy_first, legacy_last, sold_n, sold_spent, sold_first, sold_last = row
    # MIN/MAX over a date column come back as text on SQLite, as dates on PostgreSQL.
    dates = [dt.date.fromisoformat(d) if isinstance(d, str) else d
             for d in (legacy_first, legacy_last, sold_first, sold_last) if d is not None]
    return (int(legacy_n) + int(sold_n), int(legacy_spent or 0) + int(sold_spent or 0),
            min(dates) if dates else None, max(dates) if dates else None)
