"""What a receipt says, for the printer and the screen to render: no formatting here, only facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    n: int
    description: str
    sku: str | None
    quantity_milli: int
    unit: str
    unit_price: int
    gross: int
    discount: int
    net: int


@dataclass(frozen=True, slots=True)
class ReceiptTender:
    method: str
    name: str | None
    amount: int


@dataclass(frozen=True, slots=True)
class ReceiptCustomer:
    id: int
    name: str
    phone: str | None
    balance_after: int  # the khata balance after this sale: what is still owed (< 0: store credit left)
    points_after: int
    tier: str


@dataclass(frozen=True, slots=True)
class Receipt:
    sale_id: str
    at: dt.datetime
    shop_name: str
    currency: str
    till: str
    cashier: str | None
    lines: tuple[ReceiptLine, ...]
    gross: int
    discounts: int  # line and basket discounts together
    total: int  # after discounts
    points_redeemed: int
    points_value: int
    rounding: int
    paid: int
    tenders: tuple[ReceiptTender, ...]
    cash_given: int
    change: int
    khata: int  # put on credit by this sale
    store_credit: int  # store credit spent
    points_earned: int
    customer: ReceiptCustomer | None
