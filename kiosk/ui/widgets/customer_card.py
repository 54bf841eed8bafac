"""The customer attached to a sale: name, phone, khata balance (amber when not zero), credit limit,
points in an indigo badge, and tier. Used by the Sale screen and the customer attach list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from kiosk.domain.customers import Customer
    from kiosk.ui.session import Session

AMBER = "#f59e0b"
INDIGO = "#4f46e5"
"""The points badge's background (white text on it)."""
INDIGO_TEXT = "#a5b4fc"
"""Points as text on the dark background: the same indigo, light enough to read."""


def display_phone(e164: str | None) -> str:
    """"+923001234567" -> "0300 1234567": the number as people in the country write it."""
    if not e164:
        return ""
    import phonenumbers

    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def points_badge(points: int) -> Text:
    return Text(f" {points:,} pts ", style=f"bold white on {INDIGO}")


def balance_text(session: Session, balance: int) -> Text:
    """What the customer owes (amber), or the store credit the shop owes them (amber too: not zero)."""
    if balance > 0:
        return Text(f"owes {session.money(balance)}", style=f"bold {AMBER}")
    if balance < 0:
        return Text(f"credit {session.money(-balance)}", style=f"bold {AMBER}")
    return Text(f"owes {session.money(0)}", style="dim")


class CustomerCard(Static):
    """`card.show(customer, session)`; `card.show(None, session)` says how to attach one."""

    DEFAULT_CSS = """
    CustomerCard {
        height: auto;
        padding: 0 1;
        border: round $primary-muted;
        border-title-color: $text;
    }
    CustomerCard.-empty {
        color: $text-muted;
    }
    """

    def on_mount(self) -> None:
        self.border_title = "Customer"

    def show(self, customer: Customer | None, session: Session, attach_key: str = "F7") -> None:
        """Three lines: name and phone; balance and credit limit; points badge and tier."""
        self.set_class(customer is None, "-empty")
        if customer is None:
            self.update(f"Walk-in\n{attach_key}: attach a customer\n(for khata and points)")
            return
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(customer.name, style="bold")
        if customer.phone:
            text.append(f"  {display_phone(customer.phone)}")
        text.append("\n")
        text.append_text(balance_text(session, customer.balance))
        text.append(" · ")
        text.append("no limit" if customer.credit_limit is None else f"limit {session.money(customer.credit_limit)}",
                    style="dim")
        text.append("\n")
        text.append_text(points_badge(customer.points))
        text.append(f" {customer.tier.value}", style="bold")
        self.update(text)
