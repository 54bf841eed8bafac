"""The khata's use cases: give on credit, receive a payment, reverse an entry, read the ledger.

Each posting is one transaction that locks the customer, checks the rules, appends the entry, moves
the cached balance and writes the audit row. An idempotency key makes a retried post book once.
"""

from __future__ import annotations

import datetime as dt

from peewee import IntegrityError

from kiosk.domain import khata
from kiosk.domain import notify as messages
from kiosk.domain.errors import ValidationError
from kiosk.domain.khata import DebitSource, Entry, EntryKind
from kiosk.domain.roles import Permission
from kiosk.domain.shop import check_payment_method
from kiosk.services import loyalty
from kiosk.services.access import check_person, require
from kiosk.services.context import Context
from kiosk.store import khata as store
from kiosk.store.db import write_transaction
from kiosk.store.shop import UserRef, audit


def _check_amount(amount: int) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValidationError("amount", "must be a whole number of minor units above zero")


def _replayed(key: str | None) -> Entry | None:
    return store.by_idempotency_key(key) if key else None


def give(
    ctx: Context,
    customer_id: int,
    amount: int,
    *,
    date: dt.date | None = None,
    note: str = "",
    source: DebitSource = DebitSource.GAVE,
    promised_date: dt.date | None = None,
    override_by: UserRef | None = None,
    enforce_limit: bool = True,
    idempotency_key: str | None = None,
) -> Entry:
    """A debit: a credit sale or a manual "gave" entry. Held to the credit limit unless a manager
    overrides (recorded on the entry and in the audit log) or it is imported history."""
    require(ctx, Permission.GIVE_CREDIT)
    _check_amount(amount)
    check_person(override_by, Permission.APPROVE)
    date = date or dt.date.today()
    if promised_date is not None and promised_date < date:
        raise ValidationError("promised_date", f"{promised_date} is before the entry's date {date}")
    with write_transaction(ctx.db):
        if (done := _replayed(idempotency_key)) is not None:
            return done
        locked = store.lock_customer(customer_id)
        if enforce_limit and override_by is None:
            khata.check_credit_limit(locked.balance, amount, locked.credit_limit, fmt=ctx.shop.money)
        entry = _append(ctx, customer_id, EntryKind.DEBIT, amount, amount, date=date, note=note,
                        source=DebitSource(source).value, promised_date=promised_date,
                        override_by=override_by.id if override_by else None, idempotency_key=idempotency_key)
        if override_by is not None and locked.credit_limit is not None and locked.balance + amount > locked.credit_limit:
            audit("khata.limit_override", f"khata:{entry.id}", user=ctx.user, till=ctx.till,
                  manager=override_by.name, limit=locked.credit_limit, balance=locked.balance, amount=amount)
    return entry


def receive(
    ctx: Context,
    customer_id: int,
    amount: int,
    *,
    method: str = "cash",
    date: dt.date | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> Entry:
    """A credit: a payment received, by cash, card, bank transfer or one of the shop's mobile-money services."""
    require(ctx, Permission.TAKE_PAYMENT)
    _check_amount(amount)
    method = check_payment_method(method, ctx.shop)
    with write_transaction(ctx.db):
        if (done := _replayed(idempotency_key)) is not None:
            return done
        locked = store.lock_customer(customer_id)
        date = date or dt.date.today()
        entry = _append(ctx, customer_id, EntryKind.CREDIT, amount, -amount, date=date, note=note, method=method,
                        idempotency_key=idempotency_key)
        loyalty.settle_paid_points_in_txn(ctx, customer_id, date=date)
        _tell(ctx, "payment", customer_id, entry, messages.payment(ctx.shop.name, amount, method,
                                                                   locked.balance - amount, ctx.shop.money))
        from kiosk.services import printing

        printing.enqueue_payment_in_txn(ctx, entry, balance_after=locked.balance - amount)  # sent after commit
        return entry


def _tell(ctx: Context, event: str, customer_id: int, entry: Entry, message) -> None:
    from kiosk.services import notify, settings
    from kiosk.store import customers as customer_store

    rules = settings.notify_settings(ctx)
    if rules.wants(event):
        notify.queue_in_txn(ctx, rules, event, customer_id=customer_id, message=message,
                            phone=customer_store.get(customer_id).phone, idempotency_key=f"khata:{entry.id}")


def reverse(ctx: Context, entry_id: int, *, reason: str, date: dt.date | None = None,
            idempotency_key: str | None = None) -> Entry:
    """Undo one entry with an entry of the opposite sign that points at it. Needs a reason."""
    require(ctx, Permission.REVERSE)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("reason", "a reversal needs a reason")
    with write_transaction(ctx.db):
        if (done := _replayed(idempotency_key)) is not None:
            return done
        target = store.get(entry_id)
        if target is None:
            raise ValidationError("reverses", f"khata entry {entry_id} does not exist")
        store.lock_customer(target.customer_id)
        khata.check_reversal(target, store.is_reversed(entry_id), target.customer_id)
        signed = -target.amount if target.kind is EntryKind.DEBIT else target.amount
        try:
            entry = _append(ctx, target.customer_id, EntryKind.REVERSAL, target.amount, signed,
                            date=date or dt.date.today(), note=reason, reverses=entry_id,
                            idempotency_key=idempotency_key)
        except IntegrityError:  # the unique reverses_id: another till reversed it first
            raise ValidationError("reverses", f"entry {entry_id} has already been reversed") from None
        loyalty.settle_paid_points_in_txn(ctx, target.customer_id, date=entry.date)  # a payment undone
        return entry


def _append(ctx: Context, customer_id: int, kind: EntryKind, amount: int, signed: int, **columns) -> Entry:
    entry = store.append(signed=signed, customer=customer_id, kind=kind.value, amount=amount,
                         user=ctx.user.id if ctx.user else None, till=ctx.till, **columns)
    audit(f"khata.{kind.value}", f"khata:{entry.id}", user=ctx.user, till=ctx.till,
          customer=customer_id, amount=amount)
    return entry


# --- Reading ------------------------------------------------------------------------------------


def entries(ctx: Context, customer_id: int) -> list[Entry]:
    require(ctx, Permission.READ_CUSTOMERS)
    store.customer_exists(customer_id)
    return store.entries_for(customer_id)


def ledger(ctx: Context, customer_id: int) -> list[khata.LedgerLine]:
    return khata.running_balances(entries(ctx, customer_id))


def statement(ctx: Context, customer_id: int, start: dt.date, end: dt.date) -> khata.Statement:
    return khata.statement(entries(ctx, customer_id), start, end)


def ageing(ctx: Context, customer_id: int, as_of: dt.date | None = None) -> khata.Ageing:
    return khata.ageing(entries(ctx, customer_id), as_of or dt.date.today())


def balance(ctx: Context, customer_id: int) -> int:
    """The cached balance: one indexed row read."""
    require(ctx, Permission.READ_CUSTOMERS)
    return store.cached_balance(customer_id)
