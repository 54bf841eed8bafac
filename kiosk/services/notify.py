"""Queueing messages to customers: inside the transaction of the sale or payment they tell of, so a
message is never sent for something that did not happen, nor lost for something that did."""

from __future__ import annotations

import datetime as dt

from kiosk.domain.notify import Message
from kiosk.domain.settings import NotifySettings
from kiosk.services.context import Context
from kiosk.store import outbox


def queue_in_txn(ctx: Context, rules: NotifySettings, event: str, *, customer_id: int, phone: str | None,
                 message: Message, sale_id: str | None = None, idempotency_key: str | None = None,
                 at: dt.datetime | None = None) -> bool:
    """Queue `message` if the shop sends messages for `event` and the customer has a phone."""
    if not phone or not rules.wants(event):
        return False
    outbox.enqueue(customer_id=customer_id, channel=rules.channel, recipient=phone, kind=message.kind,
                   body=message.body, sale_id=sale_id, idempotency_key=idempotency_key, created_at=at)
    return True
