"""Promised payment dates on the khata: "Ahmed will pay by the 15th".

A promise is recorded at the till for a customer who owes (one transaction: the customer locked, the row
appended, an audit row), never changed: a new promise is a new row and the newest counts. A credit entry
written with a promised date (`kiosk khata give --promised`) is a promise too; whichever of the two was
made last is the customer's promise.

A promise is *kept* once what was paid after it was made (every entry after it that lowers the balance:
payments, refunds, reversed debits; a reversed payment counts back) covers what was owed when it was
made, or nothing is owed any more. Otherwise it is due on its date and overdue after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.khata import Entry, EntryKind, running_balances, signed_amounts
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.store import khata as khata_store
from kiosk.store import promises as store
from kiosk.store.db import write_transaction
from kiosk.store.shop import audit

_MAX_NOTE = 200

KEPT, DUE, DUE_TODAY, OVERDUE = "kept", "due", "due today", "overdue"


@dataclass(frozen=True, slots=True)
class Promise:
    """A customer's promise to pay by `promised_on`, and how it stands now."""

    customer_id: int
    promised_on: dt.date
    #: What the customer owed when they promised (minor units).
    owed: int
    #: What has been paid since the promise was made (minor units; a reversed payment counts back).
    paid_since: int
    #: What the customer owes now.
    balance: int
    note: str = ""
    #: Who recorded it, where and when (None for a promise read off an older entry without a name).
    user: str | None = None
    till: str = ""
    made_at: dt.datetime | None = None
    #: "promise" (recorded as a promise) or "entry" (the promised date of a credit entry).
    source: str = "promise"

    @property
    def kept(self) -> bool:
        return self.balance <= 0 or self.paid_since >= self.owed

    @property
    def left(self) -> int:
        """What is still to pay of the promise."""
        return 0 if self.kept else min(self.owed - self.paid_since, self.balance)

    def state(self, today: dt.date | None = None) -> str:
        """kept, due, due today or overdue."""
        if self.kept:
            return KEPT
        today = today or dt.date.today()
        if self.promised_on > today:
            return DUE
        return DUE_TODAY if self.promised_on == today else OVERDUE

    def days(self, today: dt.date | None = None) -> int:
        """Days until the promised date (negative: days overdue)."""
        return (self.promised_on - (today or dt.date.today())).days


def _paid_after(entries: Sequence[Entry], after_id: int | None) -> int:
    """What entries after `after_id` took off the balance (payments, refunds, reversed debits), less what
    they put back by reversing payments; new credit given is not counted against it."""
    signed = signed_amounts(entries)
    paid = 0
    for e in entries:
        if after_id is not None and e.id <= after_id:
            continue
        if e.kind is not EntryKind.DEBIT:
            paid -= signed[e.id]
    return paid


def standing(records, entries: Sequence[Entry]) -> Promise | None:
    """The newest of a promise row (or None) and the newest credit entry with a promised date, as it
    stands against `entries` (the customer's whole ledger)."""
    balance = sum(signed_amounts(entries).values())
    from_entry = None
    for line in reversed(running_balances(entries)):
        e = line.entry
        if e.kind is EntryKind.DEBIT and e.promised_date is not None:
            from_entry = (e, line.running_balance)
            break
    # ids only grow: a promise row made after the entry has last_entry_id >= the entry's id
    if from_entry is not None and (records is None or (records.last_entry_id or 0) < from_entry[0].id):
        e, owed = from_entry
        return Promise(e.customer_id, e.promised_date, owed, _paid_after(entries, e.id), balance, e.note,
                       e.user, e.till or "", e.created_at, "entry")
    if records is None:
        return None
    r = records
    return Promise(r.customer_id, r.promised_on, r.owed, _paid_after(entries, r.last_entry_id), balance, r.note,
                   r.user, r.till, r.created_at, "promise")


def current(ctx: Context, customer_id: int, entries: Sequence[Entry] | None = None) -> Promise | None:
    """The customer's promise (the newest), or None. `entries`: the ledger the caller has just read."""
    require(ctx, Permission.READ_CUSTOMERS)
    if entries is None:
        khata_store.customer_exists(customer_id)
        entries = khata_store.entries_for(customer_id)
    return standing(store.latest(customer_id), entries)


def promise(ctx: Context, customer_id: int, promised_on: dt.date, *, note: str = "",
            idempotency_key: str | None = None) -> Promise:
    """Record that the customer will pay what they owe by `promised_on` (today or later). Anyone who
    takes khata payments may; refused when nothing is owed."""
    require(ctx, Permission.TAKE_PAYMENT)
    if not isinstance(promised_on, dt.date):
        raise ValidationError("date", f"{promised_on!r} is not a date")
    today = dt.date.today()
    if promised_on < today:
        raise ValidationError("date", f"{promised_on} is in the past: a promise is for today or a day to come")
    note = " ".join((note or "").split())
    if len(note) > _MAX_NOTE:
        raise ValidationError("note", f"is longer than {_MAX_NOTE} characters")
    with write_transaction(ctx.db):
        if idempotency_key is None or store.by_idempotency_key(idempotency_key) is None:
            locked = khata_store.lock_customer(customer_id)
            if locked.balance <= 0:
                raise KioskError(f"customer {customer_id} owes nothing: there is no payment to promise")
            promise_id = store.append(customer_id=customer_id, promised_on=promised_on, owed=locked.balance,
                                      last_entry_id=store.last_entry_id(customer_id), note=note,
                                      user_id=ctx.user.id if ctx.user else None, till=ctx.till,
                                      idempotency_key=idempotency_key)
            audit("khata.promise", f"promise:{promise_id}", user=ctx.user, till=ctx.till, customer=customer_id,
                  promised_on=promised_on, owed=locked.balance)
    return current(ctx, customer_id)
