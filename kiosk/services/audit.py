"""Reading the audit log: who (and in which role) did what to which record, when, on which till.

Managers and owners only. The log itself is written by `kiosk.store.shop.audit` inside each action's
transaction and is hash-chained; `kiosk check` verifies the chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from kiosk.domain.errors import ValidationError
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.store import shop as shop_store
from kiosk.store.shop import AuditRow

#: Rows `read` returns unless told otherwise.
DEFAULT_LIMIT = 100


def require_reader(ctx: Context) -> None:
    require(ctx, Permission.READ_AUDIT)


def read(ctx: Context, *, date_from: dt.date | None = None, date_to: dt.date | None = None,
         user: str | None = None, action: str | None = None,
         limit: int | None = DEFAULT_LIMIT) -> Iterator[AuditRow]:
    """Audit rows newest first (by id: the order they were written and chained), at most `limit` (None:
    all). `date_from` and `date_to` are days, both included; `user` a user's name; `action` a prefix
    ("khata" matches khata.debit and khata.credit). Checks the role and the filters at once, then
    streams the rows as they are iterated."""
    require_reader(ctx)
    if date_from is not None and date_to is not None and date_to < date_from:
        raise ValidationError("to", f"{date_to} is before from {date_from}")
    if limit is not None and limit < 0:
        raise ValidationError("limit", f"{limit} is below zero")
    user_id = None
    if user is not None:
        user_id = shop_store.audit_user_id(user)
        if user_id is None:
            raise ValidationError("user", f"no user is named {user!r}")
    since = dt.datetime.combine(date_from, dt.time()) if date_from is not None else None
    until = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()) if date_to is not None else None
    return shop_store.audit_rows(since=since, until=until, user_id=user_id, action_prefix=action, limit=limit)
