"""The khata: an append-only per-customer credit ledger, its balance, statements and FIFO ageing.

Sign convention: a debit (the customer took goods on credit) raises the balance, a credit (a payment)
lowers it. Balance > 0: the customer owes the shop; < 0: the shop owes the customer (an advance or
store credit). A reversal undoes exactly one earlier entry and carries the opposite sign of it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kiosk.domain.errors import CreditLimitExceeded, ValidationError


class EntryKind(enum.StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"
    REVERSAL = "reversal"


class DebitSource(enum.StrEnum):
    SALE = "sale"  # a credit sale: counts as a purchase
    GAVE = "gave"  # a manual "gave" entry: money or goods handed over outside a sale
    STORE_CREDIT = "store-credit"  # store credit (a negative balance) spent at a sale


class CreditSource(enum.StrEnum):
    """Where a credit comes from when it is not a payment (a payment has a method instead)."""

    REFUND = "refund"  # a refund takes off the khata what its sale put on it
    STORE_CREDIT = "store-credit"  # a refund paid out as store credit


#: Payment methods every shop has; mobile-money names come from the shop's own list.
BASE_METHODS = ("cash", "card", "bank transfer")

AGEING_BUCKETS = ("0-30", "31-60", "61-90", "90+")


@dataclass(frozen=True, slots=True)
class Entry:
    """One immutable ledger line. `amount` is positive minor units; the kind gives the sign."""

    id: int
    customer_id: int
    kind: EntryKind
    amount: int
    date: dt.date
    note: str = ""
    method: str | None = None  # credits: cash, card, bank transfer or a mobile-money name
    source: str | None = None  # debits: sale or gave
    reverses_id: int | None = None
    promised_date: dt.date | None = None
    user: str | None = None
    till: str | None = None
    created_at: dt.datetime | None = None
    sale_id: str | None = None  # the sale a sale debit, store credit spent or refund credit belongs to


def _order(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.date, e.id))


def signed_amounts(entries: Sequence[Entry]) -> dict[int, int]:
    """Each entry's effect on the balance, by id. A reversal's sign is the opposite of its target's."""
    by_id = {e.id: e for e in entries}
    signed: dict[int, int] = {}
    for e in entries:
        if e.kind is EntryKind.DEBIT:
            signed[e.id] = e.amount
        elif e.kind is EntryKind.CREDIT:
            signed[e.id] = -e.amount
    for e in entries:
        if e.kind is EntryKind.REVERSAL:
            target = by_id.get(e.reverses_id)
            if target is None:
                raise ValidationError("reverses", f"entry {e.id} reverses entry {e.reverses_id}, which is not in this ledger")
            signed[e.id] = -signed[target.id]
    return signed


def balance(entries: Sequence[Entry]) -> int:
    return sum(signed_amounts(entries).values())


@dataclass(frozen=True, slots=True)
class LedgerLine:
    entry: Entry
    signed: int
    running_balance: int


def running_balances(entries: Sequence[Entry], opening: int = 0) -> list[LedgerLine]:
    """The ledger in date order with the balance after each line."""
    return running_balances_with(signed_amounts(entries), entries, opening)


@dataclass(frozen=True, slots=True)
class Statement:
    start: dt.date
    end: dt.date
    opening: int
    lines: list[LedgerLine]
    closing: int
    total_debits: int
    total_credits: int


def statement(entries: Sequence[Entry], start: dt.date, end: dt.date) -> Statement:
    """Opening balance (everything before `start`), the period's lines with running balance, closing."""
    if end < start:
        raise ValidationError("period", f"ends {end} before it starts {start}")
    signed = signed_amounts(entries)
    opening = sum(signed[e.id] for e in entries if e.date < start)
    inside = [e for e in entries if start <= e.date <= end]
    lines = running_balances_with(signed, inside, opening)
    closing = lines[-1].running_balance if lines else opening
    return Statement(
        start=start,
        end=end,
        opening=opening,
        lines=lines,
        closing=closing,
        total_debits=sum(line.signed for line in lines if line.signed > 0),
        total_credits=-sum(line.signed for line in lines if line.signed < 0),
    )


def running_balances_with(signed: dict[int, int], entries: Iterable[Entry], opening: int) -> list[LedgerLine]:
    lines, running = [], opening
    for e in _order(entries):
        running += signed[e.id]
        lines.append(LedgerLine(e, signed[e.id], running))
    return lines


# --- Ageing -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ageing:
    as_of: dt.date
    balance: int
    buckets: dict[str, int] = field(default_factory=dict)
    oldest_unpaid: dt.date | None = None


def bucket_for(age_days: int) -> str:
    if age_days <= 30:
        return "0-30"
    if age_days <= 60:
        return "31-60"
    if age_days <= 90:
        return "61-90"
    return "90+"


def effective_entries(entries: Sequence[Entry], as_of: dt.date) -> list[Entry]:
    """Entries in force on `as_of`: a reversal dated by then removes itself and its target."""
    known = [e for e in entries if e.date <= as_of]
    undone = {e.reverses_id for e in known if e.kind is EntryKind.REVERSAL}
    return [e for e in known if e.kind is not EntryKind.REVERSAL and e.id not in undone]


def fifo_open_debits(debits: Sequence[tuple[dt.date, int, int]], paid: int) -> list[tuple[dt.date, int, int]]:
    """Settle `paid` against debits (date, id, amount) oldest first; return what is left of each.

    Payments settle the oldest debts whatever the payments' own dates: that is how a shopkeeper
    reads a khata, and it makes "oldest unpaid" well defined.
    """
    remaining = []
    for date, entry_id, amount in sorted(debits):
        settled = min(amount, paid)
        paid -= settled
        if amount - settled:
            remaining.append((date, entry_id, amount - settled))
    return remaining


def paid_of_sales(entries: Sequence[Entry]) -> dict[str, tuple[int, int]]:
    """For each sale that put an amount on the khata: (how much of it is paid, what is left of it after
    refunds), by FIFO. A refund's credit takes off its own sale's debit, not the oldest one: returning
    goods is not paying for them. Every other credit pays the oldest debts first, as in `ageing`."""
    live = effective_entries(entries, dt.date.max)
    refunded: dict[str, int] = {}
    for e in live:
        if e.kind is EntryKind.CREDIT and e.source == CreditSource.REFUND and e.sale_id:
            refunded[e.sale_id] = refunded.get(e.sale_id, 0) + e.amount
    debits, owed = [], {}
    for e in live:
        if e.kind is not EntryKind.DEBIT:
            continue
        amount = e.amount
        if e.source == DebitSource.SALE and e.sale_id:
            amount = max(0, amount - refunded.pop(e.sale_id, 0))
            owed[e.id] = (e.sale_id, amount)
        debits.append((e.date, e.id, amount))
    paid = sum(e.amount for e in live if e.kind is EntryKind.CREDIT
               and not (e.source == CreditSource.REFUND and e.sale_id))
    paid += sum(refunded.values())  # a refund whose sale debit is gone (reversed) counts as a payment
    left = {entry_id: amount for _date, entry_id, amount in fifo_open_debits(debits, paid)}
    return {sale_id: (amount - left.get(entry_id, 0), amount) for entry_id, (sale_id, amount) in owed.items()}


def ageing(entries: Sequence[Entry], as_of: dt.date) -> Ageing:
    """Age what is owed on `as_of` into 0-30, 31-60, 61-90 and 90+ days by FIFO allocation."""
    live = effective_entries(entries, as_of)
    debits = [(e.date, e.id, e.amount) for e in live if e.kind is EntryKind.DEBIT]
    paid = sum(e.amount for e in live if e.kind is EntryKind.CREDIT)
    return ageing_from_totals(debits, paid, as_of)


def ageing_from_totals(debits: Sequence[tuple[dt.date, int, int]], paid: int, as_of: dt.date) -> Ageing:
    buckets = dict.fromkeys(AGEING_BUCKETS, 0)
    open_debits = fifo_open_debits(debits, paid)
    for date, _id, left in open_debits:
        buckets[bucket_for((as_of - date).days)] += left
    total = sum(amount for _d, _i, amount in debits) - paid
    return Ageing(as_of, total, buckets, open_debits[0][0] if open_debits else None)


# --- Rules for a new entry ---------------------------------------------------------------------


def check_credit_limit(balance_now: int, amount: int, limit: int | None, *, fmt=str) -> None:
    """Refuse a debit that takes the balance above the limit; `fmt` formats money for the message."""
    if limit is not None and balance_now + amount > limit:
        raise CreditLimitExceeded(
            f"credit limit {fmt(limit)} would be exceeded: balance {fmt(balance_now)} + {fmt(amount)} "
            f"= {fmt(balance_now + amount)} (a manager can override)"
        )


def check_reversal(target: Entry | None, already_reversed: bool, customer_id: int) -> None:
    if target is None or target.customer_id != customer_id:
        raise ValidationError("reverses", "no such entry in this customer's khata")
    if target.kind is EntryKind.REVERSAL:
        raise ValidationError("reverses", f"entry {target.id} is itself a reversal; record a new entry instead")
    if target.sale_id:  # its sale, tenders and points would no longer agree with the khata
        raise ValidationError("reverses", f"entry {target.id} belongs to sale {target.sale_id}: "
                                          f"refund the sale instead (kiosk refund {target.sale_id})")
    if already_reversed:
        raise ValidationError("reverses", f"entry {target.id} has already been reversed")
