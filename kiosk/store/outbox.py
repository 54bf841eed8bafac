"""The notification outbox: messages written in the transaction of what they tell of, sent later."""

from __future__ import annotations

from kiosk.store.models import OutboxMessage


def enqueue(*, customer_id: int | None, channel: str, recipient: str, kind: str, body: str,
            sale_id: str | None = None, idempotency_key: str | None = None) -> int:
    return OutboxMessage.insert(customer=customer_id, channel=channel, recipient=recipient, kind=kind, body=body,
                                sale_id=sale_id, idempotency_key=idempotency_key).execute()


def pending(limit: int = 100) -> list[OutboxMessage]:
    return list(OutboxMessage.select().where(OutboxMessage.status == "pending")
                .order_by(OutboxMessage.id).limit(limit))


def for_customer(customer_id: int) -> list[OutboxMessage]:
    return list(OutboxMessage.select().where(OutboxMessage.customer == customer_id).order_by(OutboxMessage.id))
