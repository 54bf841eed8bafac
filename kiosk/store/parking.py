"""Parked baskets in and out of the `parked_sale` table (the basket itself is a JSON payload)."""

from __future__ import annotations

import datetime as dt

from peewee import JOIN

from kiosk.domain.errors import ValidationError
from kiosk.domain.parked import ParkedBasket, ParkedRecord
from kiosk.store.models import Customer, ParkedSale, User


def exists(sale_id: str) -> bool:
    return ParkedSale.select().where(ParkedSale.id == sale_id).exists()


def save(sale_id: str, basket: ParkedBasket, *, customer_id: int | None, user_id: int | None, till: str,
         note: str) -> None:
    """Insert, or replace the basket parked under the same id: one statement, so two tills parking the
    same basket at once leave one row and never fail on the primary key."""
    # Microseconds kept (the model's default drops them) so "newest first" holds within a second.
    values = {"created_at": dt.datetime.now(), "user": user_id, "till": till, "customer": customer_id,
              "payload": basket.to_json(), "note": note}
    (ParkedSale.insert(id=sale_id, **values)
     .on_conflict(conflict_target=[ParkedSale.id], update={getattr(ParkedSale, k): v for k, v in values.items()})
     .execute())


def payload(sale_id: str) -> str | None:
    row = ParkedSale.select(ParkedSale.payload).where(ParkedSale.id == sale_id).first()
    return row.payload if row else None


def delete(sale_id: str) -> bool:
    """True when this call removed the row (False: it was never there, or another till took it first)."""
    return ParkedSale.delete().where(ParkedSale.id == sale_id).execute() > 0


def records(*, till: str | None = None, sale_id: str | None = None) -> list[ParkedRecord]:
    """Newest first, with who parked each and for which customer."""
    query = (ParkedSale.select(ParkedSale.id, ParkedSale.created_at, ParkedSale.till, User.name,
                               ParkedSale.customer, Customer.name, Customer.phone, ParkedSale.payload,
                               ParkedSale.note)
             .join_from(ParkedSale, User, JOIN.LEFT_OUTER)
             .join_from(ParkedSale, Customer, JOIN.LEFT_OUTER)
             .order_by(ParkedSale.created_at.desc(), ParkedSale.id))
    if till is not None:
        query = query.where(ParkedSale.till == till)
    if sale_id is not None:
        query = query.where(ParkedSale.id == sale_id)
    return [ParkedRecord(id=r[0], created_at=r[1], till=r[2], user=r[3], customer_id=r[4], customer_name=r[5],
                         customer_phone=r[6], items=_line_count(r[7]), note=r[8])
            for r in query.tuples()]


def _line_count(text: str) -> int | None:
    # A list must show every parked basket, even one whose payload a later version cannot read.
    try:
        return ParkedBasket.from_json(text).line_count
    except ValidationError:
        return None
