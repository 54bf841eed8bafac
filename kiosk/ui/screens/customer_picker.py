"""Pick a customer by typing: name, phone or CNIC, searched as you type; Enter takes the highlighted match
(the first unless Up/Down moved it); Esc gives up. The answer is the customer's id, or None.

Any screen may push it: `self.app.push_screen(CustomerPicker("Khata of which customer?"), callback)`
or `customer_id = await self.app.push_screen_wait(CustomerPicker(...))` in a worker.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.ui.guard import guarded
from kiosk.ui.widgets import TillFooter
from kiosk.ui.widgets.khata_summary import phone_text

HINT = "Type a name, phone or CNIC · Up/Down choose · Enter take · Esc cancel"

#: How many matches are listed: enough to pick from, few enough to read at a glance.
LIMIT = 8


class CustomerPicker(ModalScreen[int | None]):
    AUTO_FOCUS = "#picker-query"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="customer_picker.cancel"),
        Binding("down", "move(1)", "Next", id="customer_picker.next", show=False),
        Binding("up", "move(-1)", "Previous", id="customer_picker.previous", show=False),
    ]

    def __init__(self, title: str = "Which customer?", *, include_archived: bool = False) -> None:
        super().__init__()
        self.prompt = title
        self.include_archived = include_archived
        self.found: list = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(f"[b]{escape(self.prompt)}[/b]", id="picker-title")
            yield Input(placeholder="name, phone or CNIC", id="picker-query")
            yield OptionList(id="picker-results")
            yield Static(HINT, id="picker-status")
        yield TillFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).can_focus = False  # typing stays in the box; Up/Down move the highlight

    @on(Input.Changed, "#picker-query")
    @guarded
    def search(self, event: Input.Changed) -> None:
        from kiosk.services import customers

        text = event.value.strip()
        results = self.query_one(OptionList)
        status = self.query_one("#picker-status", Static)
        results.clear_options()
        self.found = []
        if not text:
            status.update(HINT)
            return
        session = self.app.session
        self.found = customers.search(session.ctx, text, limit=LIMIT, include_archived=self.include_archived)
        results.add_options([Option(self._row(c), id=str(c.id)) for c in self.found])
        if self.found:
            results.highlighted = 0
            more = "+ (type more to narrow)" if len(self.found) == LIMIT else ""
            status.update(f"{len(self.found)}{more} found · Enter takes the highlighted one")
        else:
            status.update(f"No customer matches {escape(text)!r}")

    def _row(self, customer) -> str:
        money = self.app.session.money
        parts = [f"[b]{escape(customer.name)}[/b]"]
        if customer.phone:
            parts.append(phone_text(customer.phone))
        if customer.balance:
            parts.append(f"owes {money(customer.balance)}" if customer.balance > 0
                         else f"advance {money(-customer.balance)}")
        if customer.points:
            parts.append(f"{customer.points} pts")
        return "  ".join(parts)

    def action_move(self, step: int) -> None:
        results = self.query_one(OptionList)
        if self.found:
            now = results.highlighted if results.highlighted is not None else -1
            results.highlighted = max(0, min(len(self.found) - 1, now + step))

    @on(Input.Submitted, "#picker-query")
    def take(self, event: Input.Submitted) -> None:
        results = self.query_one(OptionList)
        if not self.found:
            self.app.bell()
            return
        index = results.highlighted if results.highlighted is not None else 0
        self.dismiss(self.found[index].id)

    @on(OptionList.OptionSelected, "#picker-results")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
