"""Customer rows in and out of the database, always as domain objects, plus search."""

from __future__ import annotations

import dataclasses

from peewee import SQL, fn

from kiosk.domain.customers import Customer, CustomerData, CustomerFigures, Tier, search_query, search_text
from kiosk.domain.errors import NotFound
from kiosk.store.db import is_sqlite
from kiosk.store.models import Customer as CustomerRow
from kiosk.store.models import CustomerGroup, KhataEntry

#: Below this many characters a trigram index cannot help; search falls back to a name prefix.
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


def _rows_to_domain(query) -> list[Customer]:
    return [to_domain(row) for row in query]


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
    return KhataEntry.select().where(KhataEntry.customer == customer_id).exists()


def delete(customer_id: int) -> None:
    CustomerRow.delete().where(CustomerRow.id == customer_id).execute()


def search(text: str, *, limit: int = 20, include_archived: bool = False) -> list[Customer]:
    """Substring search over name, phone, CNIC, email, in any script; a prefix match under 3 characters."""
    query = search_query(text)
    select = _select()
    if not include_archived:
        select = select.where(CustomerRow.archived == False)  # noqa: E712 (peewee expression)
    if not query:
        return _rows_to_domain(select.order_by(CustomerRow.name_key).limit(limit))
    if len(query) < MIN_TRIGRAM:
        # A range on the indexed casefolded name: no LIKE, so no collation or escaping surprises.
        prefix = select.where((CustomerRow.name_key >= query) & (CustomerRow.name_key < query + "\U0010ffff"))
        return _rows_to_domain(prefix.order_by(CustomerRow.name_key).limit(limit))
    if is_sqlite(CustomerRow._meta.database):
        phrase = '"' + query.replace('"', '""') + '"'
        ids = SQL("(SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?)", [phrase])
        matched = select.where(CustomerRow.id.in_(ids))
    else:
        # pg_trgm's GIN index serves ILIKE '%…%'; peewee's contains() escapes % and _ in the query.
        matched = select.where(CustomerRow.search_text.contains(query))
    return _rows_to_domain(matched.order_by(CustomerRow.name_key).limit(limit))


def figures(customer_id: int) -> CustomerFigures:
    """Purchases are credit sales on the khata until checkout exists, net of reversed ones."""
    reversed_ids = KhataEntry.select(KhataEntry.reverses).where(KhataEntry.reverses.is_null(False))
    sales = (
        KhataEntry.select(
            fn.COUNT(KhataEntry.id), fn.SUM(KhataEntry.amount), fn.MIN(KhataEntry.date), fn.MAX(KhataEntry.date)
        )
        .where(
            (KhataEntry.customer == customer_id)
            & (KhataEntry.kind == "debit")
            & (KhataEntry.source == "sale")
            & KhataEntry.id.not_in(reversed_ids)
        )
        .tuples()
        .first()
    )
    count, total, first, last = sales
    customer = get(customer_id)
    total = int(total or 0)
    return CustomerFigures(
        total_spent=total,
        purchases=count,
        average_purchase=total // count if count else 0,
        first_purchase=first,
        last_purchase=last,
        balance=customer.balance,
        points=customer.points,
    )

