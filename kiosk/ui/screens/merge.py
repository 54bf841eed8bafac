"""Merge a duplicate into the customer whose profile is open: find the other record by name, phone or
CNIC, Enter to pick it, then Enter again to confirm (S swaps which record is kept). The kept record
takes the other's khata, points and purchases; the other is archived with a pointer to it
(`services.customers.merge`). Dismisses with the kept `Customer`, or None.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from kiosk.ui.guard import guarded
from kiosk.ui.widgets import TillFooter
from kiosk.ui.widgets.customer_table import phone_text


def _title(kept) -> Text:
    return Text.assemble(("Merge", "bold"), f" another record into {kept.name} (#{kept.id})")


class MergeSearch(Input):
    """The search box; Enter picks the highlighted record (a binding of the box, not a priority key,
    so it is handled after the ↑ ↓ typed before it)."""

    BINDINGS = [Binding("enter", "submit", "Pick", id="merge.choose")]


class MergeScreen(ModalScreen[object]):
    AUTO_FOCUS = "#merge-search"
    BINDINGS = [
        Binding("escape", "back", "Back", id="merge.back"),
        Binding("enter", "pick", "Merge", id="merge.pick"),
        Binding("ctrl+w", "swap", "Swap kept", id="merge.swap", priority=True),
        Binding("down", "cursor(1)", "Next", id="merge.down", show=False),
        Binding("up", "cursor(-1)", "Previous", id="merge.up", show=False),
    ]

    def __init__(self, keep) -> None:
        super().__init__()
        self.keep = keep
        """The customer whose profile is open (kept unless swapped)."""
        self.found: list = []
        self.other = None
        """The record picked to merge with; None while searching."""
        self.swapped = False

    def compose(self) -> ComposeResult:
        with Vertical(id="merge-box"):
            yield Static(_title(self.keep), id="merge-title")
            yield MergeSearch(placeholder="the duplicate's name, phone or CNIC", id="merge-search")
            results = DataTable(id="merge-results", cursor_type="row")
            results.can_focus = False
            yield results
            yield Static("", id="merge-confirm")
        yield TillFooter()

    def on_mount(self) -> None:
        table = self.query_one("#merge-results", DataTable)
        for label in ("Name", "Phone", "Balance", "Points"):
            table.add_column(label, key=label.lower())
        self.query_one("#merge-confirm").display = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "swap":
            return self.other is not None
        return True

    @on(Input.Changed, "#merge-search")
    @guarded
    def search(self, event: Input.Changed) -> None:
        from kiosk.services import customers

        table = self.query_one("#merge-results", DataTable)
        table.clear()
        text = event.value.strip()
        self.found = [] if not text else [c for c in customers.search(self.app.session.ctx, text, limit=20)
                                          if c.id != self.keep.id]
        money = self.app.session.money
        for c in self.found:
            table.add_row(Text(c.name), phone_text(c.phone), money(c.balance), f"{c.points:,}", key=str(c.id))

    @on(Input.Submitted, "#merge-search")
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_pick()

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#merge-results", DataTable)
        (table.action_cursor_down if step > 0 else table.action_cursor_up)()

    def _kept_and_gone(self):
        return (self.other, self.keep) if self.swapped else (self.keep, self.other)

    def _show_confirm(self) -> None:
        kept, gone = self._kept_and_gone()
        money = self.app.session.money
        text = Text.assemble(
            ("Merge ", "bold"), f"{gone.name} #{gone.id} ({phone_text(gone.phone) or 'no phone'}, balance "
            f"{money(gone.balance)}, {gone.points:,} points)\n", ("into ", "bold"),
            f"{kept.name} #{kept.id} ({phone_text(kept.phone) or 'no phone'}, balance {money(kept.balance)}, "
            f"{kept.points:,} points)?\n",
            ("Enter merges · Ctrl+W swaps which one is kept · Esc back", "dim"))
        self.query_one("#merge-title", Static).update(_title(kept))
        confirm = self.query_one("#merge-confirm", Static)
        confirm.update(text)
        confirm.display = True
        self.set_focus(None)  # Enter is now the screen's: merge
        self.query_one("#merge-search").display = False
        self.query_one("#merge-results").display = False
        self.refresh_bindings()

    @guarded
    def action_pick(self) -> None:
        from kiosk.services import customers

        if self.other is None:
            table = self.query_one("#merge-results", DataTable)
            if not self.found or not table.row_count:
                self.notify("Type part of the other record's name, phone or CNIC first", severity="warning")
                return
            self.other = self.found[table.cursor_row]
            self._show_confirm()
            return
        kept, gone = self._kept_and_gone()
        result = customers.merge(self.app.session.ctx, kept.id, gone.id, note="merged at the till")
        self.notify(f"{gone.name} merged into {result.name}")
        self.dismiss(result)

    def action_swap(self) -> None:
        if self.other is not None:
            self.swapped = not self.swapped
            self._show_confirm()

    def action_back(self) -> None:
        if self.other is None:
            self.dismiss(None)
            return
        self.other, self.swapped = None, False
        self.query_one("#merge-title", Static).update(_title(self.keep))
        self.query_one("#merge-confirm").display = False
        self.query_one("#merge-search").display = True
        self.query_one("#merge-results").display = True
        self.query_one("#merge-search").focus()
        self.refresh_bindings()
