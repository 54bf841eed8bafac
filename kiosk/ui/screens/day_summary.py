"""The end-of-day summary on screen (Ctrl+T on the Sales list): the figures the end-of-day slip prints
(`kiosk.domain.print_layout.DaySummary`, every till): sales and what they came to, takings by tender,
refunds, credit given on sales, khata payments taken, and the cash the drawer should hold.

P prints the slip (`sale_list.print_day_summary`, through the print queue on the print worker's thread:
a printer that is off leaves it waiting); Enter or Esc close. Opened with a manager's PIN by a cashier
(`approved_by`), it prints with that manager's approval too.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from kiosk.domain.errors import KioskError
from kiosk.ui.guard import guarded
from kiosk.ui.widgets import TillFooter

if TYPE_CHECKING:
    from kiosk.domain.print_layout import DaySummary
    from kiosk.services.users import UserRef

TENDERS = {"cash": "Cash", "card": "Card", "mobile": "Mobile money", "khata": "On khata (credit)",
           "store-credit": "Store credit"}


def no_printer(app) -> None:
    """Refuse at once, in the till's words, when the print worker has seen that no printer is set."""
    state = app.print_worker.state
    if state is not None and state.printer == "none":
        raise KioskError("no printer is set: an owner sets it in Settings (F9, 4 Printer)")


def _pairs() -> Table:
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column("what", no_wrap=True, overflow="ellipsis")
    grid.add_column("amount", justify="right", no_wrap=True)
    return grid


def summary_renderable(d: DaySummary, money) -> Group:
    """The summary in two columns (the day's sales and refunds; where the money went) over the cash line:
    what the slip prints, laid out to fit 80 columns and 24 rows."""
    left = _pairs()
    left.add_row(Text("Sales", style="bold"), Text(f"{d.sales:,}", style="bold"))
    left.add_row("Gross", money(d.gross))
    left.add_row("Discounts", money(-d.discounts) if d.discounts else money(0))
    left.add_row(Text("Total sold", style="bold"), Text(money(d.total), style="bold"))
    if d.points_value:
        left.add_row("Paid with points", money(-d.points_value))
    if d.rounding:
        left.add_row("Rounding", money(d.rounding))
    left.add_row("", "")
    left.add_row(Text("Refunds", style="bold"), Text(f"{d.refunds:,}", style="bold"))
    left.add_row("  cash paid out", money(-d.refunded_cash) if d.refunded_cash else money(0))
    left.add_row("  as store credit", money(d.refunded_store_credit))
    left.add_row("  off khatas", money(d.refunded_khata))

    right = _pairs()
    right.add_row(Text("Takings by tender", style="bold"), "")
    for name, amount in d.tenders:
        right.add_row(f"  {TENDERS.get(name, name)}", money(amount))
    if not d.tenders:
        right.add_row(Text("  none", style="dim"), money(0))
    right.add_row("", "")
    right.add_row(Text("Credit given on sales", style="bold"), money(d.credit_given))
    right.add_row(Text("Khata payments", style="bold"), "")
    for method, count, amount in d.payments:
        right.add_row(f"  {TENDERS.get(method, method)} ({count})", money(amount))
    if not d.payments:
        right.add_row(Text("  none", style="dim"), money(0))

    columns = Table.grid(expand=True, padding=(0, 2))
    columns.add_column(ratio=1)
    columns.add_column(ratio=1)
    columns.add_row(left, right)
    cash = _pairs()
    cash.add_row(Text("CASH IN DRAWER (net)", style="bold"), Text(money(d.cash_in), style="bold green"))
    note = Text("cash tenders and cash khata payments, less cash refunds", style="dim")
    return Group(columns, Text(""), cash, note)


class DaySummaryScreen(ModalScreen[None]):
    AUTO_FOCUS = "#day-scroll"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "print", "Print", id="day_summary.print"),
        Binding("enter,escape", "close", "Close", id="day_summary.close"),
    ]

    def __init__(self, summary: DaySummary, *, approved_by: UserRef | None = None) -> None:
        super().__init__()
        self.summary = summary
        self.approved_by = approved_by
        """The manager whose PIN a cashier gave to see it (None: the logged-in user may)."""

    def compose(self) -> ComposeResult:
        d = self.summary
        today = dt.date.today()
        when = " (today)" if d.date == today else ""
        title = Text.assemble(("End of day", "bold"), f" · {d.date:%a %d %b %Y}{when} · all tills")
        if self.approved_by is not None:
            title.append(f" · approved by {self.approved_by.name}", style="dim")
        with Vertical(id="day-box"):
            yield Static(title, id="day-title")
            with VerticalScroll(id="day-scroll"):
                yield Static(summary_renderable(d, self.app.session.money), id="day-body")
            yield Static(Text("P: print the end-of-day slip · Esc: close", style="dim"), id="day-message")
        yield TillFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "print":
            return not self.app.session.read_only  # a review prints nothing
        return True

    def say(self, text: str | Text) -> None:
        for line in self.query("#day-message").results(Static):  # none once closed: a late printer answer
            line.update(text)

    @guarded
    def action_print(self) -> None:
        """Queue the slip and send it, in a thread (a dead printer takes seconds)."""
        from kiosk.services import sale_list

        no_printer(self.app)
        day, manager = self.summary.date, self.approved_by
        self.say("Printing the end-of-day slip…")
        self.app.print_worker.call(lambda ctx: sale_list.print_day_summary(ctx, day, approved_by=manager),
                                   self._printed, name="day summary")

    def _printed(self, result) -> None:
        from kiosk.ui.print_worker import short_error

        if result.printed:
            self.app.notify("End-of-day slip printed", timeout=4)
            self.say("End-of-day slip printed.")
        elif result.status == "busy":
            self.say("End-of-day slip being sent.")
        else:
            why = short_error(result.error)
            self.app.notify(f"End-of-day slip waiting for the printer: {why}; it is retried "
                            "(Ctrl+R on the Sale screen: the queue)", severity="warning", timeout=8)
            self.say(f"End-of-day slip waiting for the printer: {why}.")

    def action_close(self) -> None:
        self.dismiss(None)
