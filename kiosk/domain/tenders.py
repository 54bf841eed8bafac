"""Paying for a sale: any mix of tenders that covers the amount due exactly, change only from cash.

Cash is rounded to the smallest coin in use only when it settles the last part of the bill; the
difference is a rounding adjustment on the sale, never a silent loss.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.domain.basket import round_cash
from kiosk.domain.errors import KioskError, ValidationError


class Method(enum.StrEnum):
    CASH = "cash"
    CARD = "card"
    MOBILE = "mobile"  # mobile money; `name` says which service
    KHATA = "khata"  # on credit: a debit on the customer's khata
    STORE_CREDIT = "store-credit"  # spends what the shop owes the customer (a negative balance)


#: Tenders that need a customer attached to the sale.
NEEDS_CUSTOMER = (Method.KHATA, Method.STORE_CREDIT)


class TendersShort(KioskError):
    """The tenders do not cover the amount due, or cover it wrongly."""


@dataclass(frozen=True, slots=True)
class TenderRequest:
    """What the cashier asked for: `amount` None means "whatever is left to pay"."""

    method: Method
    amount: int | None = None
    name: str | None = None  # the mobile-money service


@dataclass(frozen=True, slots=True)
class Tender:
    method: Method
    amount: int  # what this tender pays of the sale (cash: after change)
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    due: int  # before rounding
    rounding: int  # added to the bill by cash rounding (negative: rounded down)
    tenders: tuple[Tender, ...]
    cash_given: int
    change: int

    @property
    def paid(self) -> int:
        return self.due + self.rounding


def settle(due: int, requests: Sequence[TenderRequest], *, cash_step: int = 0, money=str) -> Settlement:
    """Apply the tenders to `due` (minor units), or refuse saying why in a person's words."""
    if due < 0:
        raise ValidationError("total", "cannot be negative")
    open_ended = [r for r in requests if r.amount is None]
    if len(open_ended) > 1:
        raise ValidationError("pay", "only one tender can take what is left to pay")
    for r in requests:
        if r.amount is not None and r.amount <= 0:
            raise ValidationError("pay", f"{r.method.value} amount must be more than zero")
    fixed = [r for r in requests if r.amount is not None]
    fixed_cash = sum(r.amount for r in fixed if r.method is Method.CASH)
    fixed_other = [r for r in fixed if r.method is not Method.CASH]
    other_total = sum(r.amount for r in fixed_other)
    if other_total > due:
        raise TendersShort(f"tenders other than cash add up to {money(other_total)}, more than the {money(due)} due")
    applied = [Tender(r.method, r.amount, r.name) for r in fixed_other]
    left = due - other_total
    rounding = cash_applied = 0

    if open_ended and open_ended[0].method is not Method.CASH:
        rest = open_ended[0]
        # Cash handed over in a fixed amount pays first; the open-ended tender takes the rest exactly
        # (nothing, if nothing is left: no empty khata entry).
        cash_applied = min(fixed_cash, left)
        if take := left - cash_applied:
            applied.append(Tender(rest.method, take, rest.name))
        cash_given = fixed_cash
    elif open_ended or fixed_cash:
        # Cash settles the last part: round it to the smallest coin.
        cash_due = round_cash(left, cash_step)
        rounding = cash_due - left
        cash_given = cash_due if open_ended else fixed_cash
        if cash_given < cash_due:
            raise TendersShort(f"tenders cover {money(due - cash_due + cash_given)} of {money(due + rounding)}: "
                               f"{money(cash_due - cash_given)} short")
        cash_applied = cash_due
    else:
        cash_given = 0
        if left:
            raise TendersShort(f"tenders cover {money(other_total)} of {money(due)}: {money(left)} short")
    if cash_applied:
        applied.insert(0, Tender(Method.CASH, cash_applied))
    return Settlement(due=due, rounding=rounding, tenders=tuple(applied), cash_given=cash_given,
                      change=cash_given - cash_applied)
