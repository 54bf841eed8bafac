"""Promised payment dates (migration 0013, models.KhataPromise): append-only rows, the newest one a
customer's promise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, fn

from kiosk.store.models import KhataEntry, KhataPromise, User
from kiosk.store.sql import now


@dataclass(frozen=True, slots=True)
class PromiseRecord:
    id: int
    customer_id: int
    promised_on: dt.date
    owed: int
    last_entry_id: int | None
    note: str
    user: str | None
    till: str
    created_at: dt.datetime | None


def latest(customer_id: int) -> PromiseRecord | None:
    """The customer's newest promise (one index probe), with the name of who recorded it."""
    model = KhataPromise
    row = (model.select(model, User.name.alias("user_name"))
           .join(User, JOIN.LEFT_OUTER, on=(model.user == User.id))
           .where(model.customer == customer_id)
           .order_by(model.id.desc()).limit(1).objects().first())
    if row is None:
        return None
    return PromiseRecord(row.id, row.customer_id, row.promised_on, row.owed, row.last_entry_id, row.note,
                         row.user_name, row.till, row.created_at)


def by_idempotency_key(key: str) -> int | None:
    model = KhataPromise
    row = model.select(model.id).where(model.idempotency_key == key).first()
    return row.id if row else None


def append(*, customer_id: int, promised_on: dt.date, owed: int, last_entry_id: int | None, note: str,
           user_id: int | None, till: str, idempotency_key: str | None) -> int:
    """Write one promise in the caller's transaction; its id."""
    return KhataPromise.insert(customer=customer_id, promised_on=promised_on, owed=owed, last_entry_id=last_entry_id,
                           note=note, user=user_id, till=till, created_at=now(),
                           idempotency_key=idempotency_key).execute()


def last_entry_id(customer_id: int) -> int | None:
    """The id of the customer's newest khata entry (ids only grow)."""
    return KhataEntry.select(fn.MAX(KhataEntry.id)).where(KhataEntry.customer == customer_id).scalar()
