"""Park and recall (F8 in the sale).

`ParkNoteScreen`: F8 with a basket asks for a short note ("Ahmed's son, back with eggs"; Enter alone
parks without one) and dismisses with the note, or None on Esc. The Sale screen parks the basket
(`parking.park`) under its sale id, so a recalled basket keeps its idempotency key.

`RecallScreen`: F8 on an empty sale lists every parked basket, newest first (`parking.list_parked`,
all tills); Enter takes the highlighted one back (dismisses with its id; the Sale screen calls
`parking.recall`), Del twice throws it away (`parking.drop`, audited), Esc closes. The first Sale screen
after a login opens it with only the baskets rescued from a crash or a lock on this till.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from kiosk.ui.guard import guarded
from kiosk.ui.widgets import TillFooter
from kiosk.ui.widgets.customer_card import display_phone

if TYPE_CHECKING:
    from kiosk.domain.parked import ParkedRecord
    from kiosk.ui.widgets.basket import Basket

DROP_WINDOW = 3.0


class ParkNoteScreen(ModalScreen[object]):
    AUTO_FOCUS = "#park-note"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="park.cancel"),
    ]

    def __init__(self, basket: Basket) -> None:
        super().__init__()
        self.basket = basket

    def compose(self) -> ComposeResult:
        n = len(self.basket)
        who = f" for {self.basket.customer.name}" if self.basket.customer is not None else ""
        with Vertical(id="park-box"):
            yield Static(f"[b]Park this basket[/b] ({n} line{'s' if n != 1 else ''}{who})", id="park-title")
            yield Input(placeholder="a note to find it by (optional), then Enter", max_length=120, id="park-note")
            yield Static("Enter parks it; F8 on an empty sale recalls it. Esc: back to the sale.", id="park-help")
        yield TillFooter()

    @on(Input.Submitted, "#park-note")
    def parked(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class RecallScreen(ModalScreen[object]):
    AUTO_FOCUS = "#parked"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "recall", "Recall", id="recall.take"),
        Binding("delete", "drop", "Throw away", id="recall.drop"),
        Binding("escape", "cancel", "Close", id="recall.close"),
    ]

    def __init__(self, records: list[ParkedRecord] | None = None, *, rescued: bool = False) -> None:
        super().__init__()
        self.records = records
        self.rescued = rescued
        """Offering baskets rescued from a crash or a lock (after a login), not the F8 list."""
        self._drop_armed: tuple[str, float] | None = None

    def compose(self) -> ComposeResult:
        title = ("[b]Kept when the till stopped[/b] · Enter takes it back · Esc leaves it parked"
                 if self.rescued else "[b]Parked baskets[/b]: Enter takes one back")
        with Vertical(id="recall-box"):
            yield Static(title, id="recall-title")
            table = DataTable(id="parked", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static("", id="recall-message")
        yield TillFooter()

    def on_mount(self) -> None:
        table = self.query_one("#parked", DataTable)
        for label in ("Parked", "Till", "By", "Customer", "Lines", "Note"):
            table.add_column(label, key=label)
        self.load()

    @guarded
    def load(self) -> None:
        if self.records is None:
            from kiosk.services import parking

            self.records = parking.list_parked(self.app.session.ctx)
        self.show()

    def show(self) -> None:
        table = self.query_one("#parked", DataTable)
        table.clear()
        for r in self.records:
            customer = r.customer_name or ("walk-in" if r.customer_id is None else f"customer {r.customer_id}")
            if r.customer_phone and self.size.width >= 100:  # room for the number too
                customer += f" {display_phone(r.customer_phone)}"
            lines = "?" if r.items is None else str(r.items)
            table.add_row(f"{r.created_at:%d %b %H:%M}", r.till, r.user or "", customer,
                          Text(lines, justify="right"), r.note, key=r.id)
        if not self.records:
            self.say("Nothing is parked. Esc: back to the sale.")

    def say(self, text: str) -> None:
        self.query_one("#recall-message", Static).update(text)

    def highlighted(self) -> str | None:
        table = self.query_one("#parked", DataTable)
        if not table.row_count:
            return None
        return self.records[table.cursor_row].id

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("recall", "drop") and not self.records:
            return None
        return True

    def action_recall(self) -> None:
        sale_id = self.highlighted()
        if sale_id is not None:
            self.dismiss(sale_id)

    @on(DataTable.RowSelected, "#parked")
    def chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_recall()

    @guarded
    def action_drop(self) -> None:
        from kiosk.services import parking

        sale_id = self.highlighted()
        if sale_id is None:
            return
        now = time.monotonic()
        if self._drop_armed is None or self._drop_armed[0] != sale_id or now - self._drop_armed[1] > DROP_WINDOW:
            self._drop_armed = (sale_id, now)
            self.say("Press Del again to throw this basket away (the audit log keeps what it held).")
            return
        self._drop_armed = None
        parking.drop(self.app.session.ctx, sale_id)
        self.records = [r for r in self.records if r.id != sale_id]
        self.show()
        self.say("Thrown away.")

    def action_cancel(self) -> None:
        self.dismiss(None)
