"""The notification outbox: messages written in the transaction of what they tell of, sent later."""

from __future__ import annotations

import datetime as dt

from kiosk.store.models import OutboxMessage
from kiosk.store.sql import insert_sql, now, timestamp


def enqueue(*, customer_id: int | None, channel: str, recipient: str, kind: str, body: str,
            sale_id: str | None = None, idempotency_key: str | None = None, created_at: dt.datetime | None = None
            ) -> None:
    """A pending message, with the model's defaults, in plain SQL (every credit sale writes one)."""
    db = OutboxMessage._meta.database
    columns = ("customer_id", "channel", "recipient", "kind", "body", "sale_id", "created_at", "status", "attempts",
               "last_error", "idempotency_key")
    db.execute_sql(insert_sql(db, "outbox_message", columns), (
        customer_id, channel, recipient, kind, body, sale_id, timestamp(db, created_at or now()), "pending", 0, "",
        idempotency_key))


def pending(limit: int = 100) -> list[OutboxMessage]:
    return list(OutboxMessage.select().where(OutboxMessage.status == "pending")
                .order_by(OutboxMessage.id).limit(limit))


def for_customer(customer_id: int) -> list[OutboxMessage]:
    return list(OutboxMessage.select().where(OutboxMessage.customer == customer_id).order_by(OutboxMessage.id))
