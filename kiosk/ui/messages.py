"""Messages between the app and its screens (dataclass messages, as toolong does).

The app posts `ShowCustomer` / `ShowKhata` to the base screen of the customers / khata mode after
switching to it (see `KioskApp.open_customer`, `KioskApp.open_khata`); a screen handles them with
`on_show_customer(self, message)` / `on_show_khata(self, message)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class ShowCustomer(Message):
    """Show this customer's profile (the customers screen)."""

    customer_id: int


@dataclass
class ShowKhata(Message):
    """Show this customer's ledger (the khata screen)."""

    customer_id: int

