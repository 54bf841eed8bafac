"""Messages to customers about their khata, as text: what the outbox stores and a gateway sends.

Short on purpose (one SMS segment where the names allow): the shop, what happened, the balance after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Money = Callable[[int], str]


@dataclass(frozen=True, slots=True)
class Message:
    kind: str  # credit-sale, payment, refund
    body: str


def _balance(balance: int, money: Money) -> str:
    if balance > 0:
        return f"You owe {money(balance)}."
    if balance < 0:
        return f"You have {money(-balance)} store credit."
    return "Your khata is clear."


def credit_sale(shop: str, on_khata: int, balance_after: int, sale_id: str, money: Money) -> Message:
    return Message("credit-sale", f"{shop}: {money(on_khata)} added to your khata (sale {sale_id[:8]}). "
                                  f"{_balance(balance_after, money)}")


def payment(shop: str, amount: int, method: str, balance_after: int, money: Money) -> Message:
    return Message("payment", f"{shop}: payment of {money(amount)} by {method} received, thank you. "
                              f"{_balance(balance_after, money)}")
