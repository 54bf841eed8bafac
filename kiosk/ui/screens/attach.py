"""Customer attach (F7 in the sale): type a name, a phone or a CNIC and the matches follow every
keystroke (`customers.search`, one indexed query); Enter takes the highlighted one, the first unless
Up/Down moved.

A phone number typed whole is looked up exactly (any way it is written: 0300 1234567, +92300…): an
existing number links that customer, a new one asks for the name and adds the customer on the spot.

Dismisses with the Customer, `DETACH` (Ctrl+X: the sale goes back to walk-in), or None (Esc).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.domain.customers import Customer
from kiosk.domain.errors import KioskError
from kiosk.domain.roles import Permission
from kiosk.ui.guard import guarded
from kiosk.ui.widgets import TillFooter
from kiosk.ui.widgets.customer_card import AMBER, display_phone, points_badge

#: The result that takes the customer off the sale.
DETACH = object()
MATCHES = 10
NAME_WIDTH = 22


def phone_like(text: str) -> bool:
    """Digits (7 or more) with the spaces, dashes and + people write numbers with, and nothing else."""
    raw = text.strip()
    return bool(raw) and all(ch.isdigit() or ch in " -+()" for ch in raw) and sum(ch.isdigit() for ch in raw) >= 7


class AttachScreen(ModalScreen[object]):
    AUTO_FOCUS = "#attach-search"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="attach.cancel"),
        Binding("ctrl+n", "add", "New by phone", id="attach.add"),
        Binding("ctrl+x", "detach", "Detach", id="attach.detach", priority=True),
        Binding("up", "move(-1)", "Up", id="attach.up", show=False),
        Binding("down", "move(1)", "Down", id="attach.down", show=False),
    ]

    def __init__(self, current: Customer | None = None) -> None:
        super().__init__()
        self.current = current
        """The customer already on the sale (Ctrl+X detaches them)."""
        self.found: list[Customer] = []
        self.new_phone: str | None = None
        """Set while the name of a new customer with this phone is asked."""
        self._picked = False

    def compose(self) -> ComposeResult:
        with Vertical(id="attach-box"):
            yield Static("[b]Attach a customer[/b]  name, phone or CNIC", id="attach-title")
            yield Input(placeholder="e.g. Ahmed, 0300 1234567 or 35202-1234567-1", id="attach-search")
            yield Input(placeholder="the new customer's name, then Enter", id="attach-name")
            yield Static(f"{'Name':<{NAME_WIDTH}} {'Phone':<12} {'Owes':>12}  Points · tier", id="attach-head")
            matches = OptionList(id="attach-matches")
            matches.can_focus = False
            yield matches
            yield Static("", id="attach-message")
        yield TillFooter()

    def on_mount(self) -> None:
        self.query_one("#attach-name").display = False
        if self.current is not None:
            self.say(f"On the sale: {self.current.name}. Ctrl+X takes them off.")
        else:
            self.say("Enter takes the highlighted match; a new phone number adds a customer.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "detach" and self.current is None:
            return None
        if action == "add" and not self.app.session.may(Permission.ADD_CUSTOMER):
            return None
        return True

    def say(self, text: str | Text) -> None:
        self.query_one("#attach-message", Static).update(text)

    # --- Search as you type -----------------------------------------------------------------------

    @on(Input.Changed, "#attach-search")
    @guarded
    def typed(self, event: Input.Changed) -> None:
        from kiosk.services import customers

        text = event.value.strip()
        self.found = customers.search(self.app.session.ctx, text, limit=MATCHES) if text else []
        self._picked = False
        self.show_matches()
        if text and not self.found:
            self.say("No match. " + ("Enter adds a customer with this phone." if phone_like(text)
                                     else "Type a phone number to add a new customer."))
        elif text:
            self.say(f"{len(self.found)}{'+' if len(self.found) == MATCHES else ''} found · Enter takes the highlighted one")

    def show_matches(self) -> None:
        box = self.query_one("#attach-matches", OptionList)
        box.clear_options()
        box.add_options([Option(self.row(c)) for c in self.found])
        self.query_one("#attach-head").display = bool(self.found)
        if self.found:
            box.highlighted = 0

    def row(self, c: Customer) -> Text:
        """One match on one line, in columns: name, phone, what they owe (amber), points, tier."""
        money = self.app.session.money
        row = Text(no_wrap=True, overflow="ellipsis")
        name = c.name if len(c.name) <= NAME_WIDTH else c.name[:NAME_WIDTH - 1] + "…"
        row.append(f"{name:<{NAME_WIDTH}} ", style="bold")
        row.append(f"{display_phone(c.phone):<12} ")
        owed = "" if not c.balance else money(c.balance) if c.balance > 0 else f"{money(-c.balance)} cr"
        row.append(f"{owed:>12} ", style=f"bold {AMBER}")
        row.append_text(points_badge(c.points))
        row.append(f" {c.tier.value}")
        return row

    def action_move(self, step: int) -> None:
        box = self.query_one("#attach-matches", OptionList)
        if not self.found:
            return
        box.action_cursor_down() if step > 0 else box.action_cursor_up()
        self._picked = True

    # --- Enter -------------------------------------------------------------------------------------

    @on(Input.Submitted, "#attach-search")
    @guarded
    def submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        if phone_like(text) and not self._picked:
            self.by_phone(text)
            return
        if not self.found:
            raise KioskError(f"no customer matches {text!r}; type a phone number to add one")
        index = self.query_one("#attach-matches", OptionList).highlighted or 0
        self.dismiss(self.found[index])

    @guarded
    def action_add(self) -> None:
        text = self.query_one("#attach-search", Input).value.strip()
        if not phone_like(text):
            raise KioskError("type the new customer's phone number first, then Ctrl+N")
        self.by_phone(text)

    def by_phone(self, text: str) -> None:
        """An existing number links its customer; a new one asks for the name."""
        from kiosk.domain.phone import normalize_phone
        from kiosk.services import customers

        session = self.app.session
        phone = normalize_phone(text, session.shop.country)
        found = customers.find_by_phone(session.ctx, phone)
        if found is not None:
            if found.archived:
                raise KioskError(f"{found.name} ({display_phone(found.phone)}) is archived: a manager can unarchive them in Customers")
            self.dismiss(found)
            return
        if not session.may(Permission.ADD_CUSTOMER):
            raise KioskError(session.refusal(Permission.ADD_CUSTOMER))
        self.new_phone = phone
        name = self.query_one("#attach-name", Input)
        name.display = True
        name.focus()
        self.query_one("#attach-search", Input).disabled = True
        self.say(f"New customer with phone {display_phone(phone)}: type the name, Enter adds them. Esc goes back.")

    @on(Input.Submitted, "#attach-name")
    @guarded
    def named(self, event: Input.Submitted) -> None:
        from kiosk.services import customers

        if self.new_phone is None:
            return
        customer = customers.add(self.app.session.ctx, name=event.value, phone=self.new_phone)
        self.app.notify(f"added {customer.name} ({display_phone(customer.phone)})", timeout=4)
        self.dismiss(customer)

    # --- Esc, detach -----------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self.new_phone is not None:  # back from the name to the search
            self.new_phone = None
            name = self.query_one("#attach-name", Input)
            name.clear()
            name.display = False
            search = self.query_one("#attach-search", Input)
            search.disabled = False
            search.focus()
            self.say("")
            return
        self.dismiss(None)

    def action_detach(self) -> None:
        if self.current is not None:
            self.dismiss(DETACH)
