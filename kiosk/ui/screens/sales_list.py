"""Sales (F10 on the Sale screen): a day's sales at every till, newest first, to find one, see its receipt
and print it again; and the day's end-of-day summary.

The filter box keeps the focus, as the Customers search does, and every keystroke asks for the list
again (`services.sale_list.page`: one page by keyset, the next read as the highlight nears the end):
the start of a sale's id, or part of the customer's name or phone. A date typed whole (2024-05-31)
opens that day; a whole sale id (a receipt's QR code, scanned) finds its sale on whatever day it was.
↑ ↓ PgUp PgDn move the highlight without leaving the box.

Keys (ids "sales_list.*"), all of them usable while typing (so no letters):

    Enter    the highlighted sale's receipt; P there prints it again   sales_list.open
    Ctrl+R   print its receipt again, marked REPRINT                  sales_list.reprint
    F7 / F8  the day before / the day after (not past today)          sales_list.previous_day / .next_day
    Ctrl+T   the end-of-day summary of the day shown                  sales_list.day_summary
    Esc      clear the filter; with nothing typed, back to the Sale   sales_list.back

A reprint goes through the print queue on the print worker's thread (`printing.reprint_receipt`), as the
profile's does: a printer that is off leaves it waiting, and the notification says so. The summary needs
a manager (the service checks): a cashier is asked for a manager's PIN, and the summary is read, and
printed, with that manager's approval (`sale_list.day_summary(approved_by=…)`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from kiosk.domain.errors import KioskError
from kiosk.domain.roles import Permission
from kiosk.ui.guard import guarded
from kiosk.ui.widgets import SessionBar, TillFooter

#: Read the next page when the highlight is this close to the last row shown.
NEAR_END = 10
PLACEHOLDER = "Find: sale id, customer name or phone · a date (2024-05-31) opens that day"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PAID_BY = {"cash": "Cash", "card": "Card", "khata": "Khata", "store-credit": "Credit", "mobile": "Mobile"}


class SaleFilter(Input):
    """The filter box. Its Enter opens the highlighted sale's receipt: bound here, on the focused box,
    so it is handled in turn after the ↑ ↓ typed before it, and shown in the footer."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "submit", "Receipt", id="sales_list.open")]


def paid_by(row) -> str:
    """"Cash+Khata", "JazzCash", "Points": how the sale was paid, in a few letters."""
    names = [PAID_BY.get(label, label) for label, _amount in row.tenders]
    if row.points_value:
        names.append("Points")
    return "+".join(names) or "-"


def day_text(day: dt.date, today: dt.date) -> str:
    """"Mon 13 May 2024 (today)"."""
    when = {today: " (today)", today - dt.timedelta(days=1): " (yesterday)"}.get(day, "")
    return f"{day:%a %d %b %Y}{when}"


class SalesListScreen(Screen):
    """Pushed over the Sale screen; Esc (with nothing typed) goes back to it."""

    AUTO_FOCUS = "#sales-filter"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reprint", "Reprint", id="sales_list.reprint"),
        Binding("f7", "day(-1)", "◂ Day", id="sales_list.previous_day"),
        Binding("f8", "day(1)", "Day ▸", id="sales_list.next_day"),
        Binding("ctrl+t", "day_summary", "Day total", id="sales_list.day_summary"),
        Binding("escape", "back", "Back", id="sales_list.back"),
        Binding("down", "cursor('down')", "Next", id="sales_list.down", show=False),
        Binding("up", "cursor('up')", "Previous", id="sales_list.up", show=False),
        Binding("pagedown", "cursor('page_down')", "Page down", id="sales_list.page_down", show=False),
        Binding("pageup", "cursor('page_up')", "Page up", id="sales_list.page_up", show=False),
    ]

    def __init__(self, day: dt.date | None = None) -> None:
        super().__init__()
        self.day = day or dt.date.today()
        """The day listed."""
        self.rows: list = []
        """The sales shown (`services.sale_list.SaleRow`), in the table's order."""
        self.next_cursor = None
        """Where the next page starts; None when every matching sale of the day is shown."""
        self.elsewhere = False
        """The one row shown is a sale of another day, found by its whole id."""
        self._shown: tuple | None = None  # (day, text) of the list shown
        self._resumed = False

    @property
    def session(self):
        return self.app.session

    def compose(self) -> ComposeResult:
        yield SessionBar("Sales")
        yield SaleFilter(placeholder=PLACEHOLDER, id="sales-filter")
        yield Static("", id="sales-status")
        yield DataTable(id="sales-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sales-detail")
        yield TillFooter()

    def on_mount(self) -> None:
        table = self.table
        wide = self.app.size.width >= 100
        fixed = [("Time", 5), ("Sale", 8), *([("Till", 8)] if wide else []), ("Cashier", 8), ("Paid by", 11),
                 ("Total", 10), ("Refund", 8)]
        # the customer takes what is left: cell padding 2 a column, 2 for the scroll bar
        customer = max(12, self.app.size.width - sum(w for _, w in fixed) - 2 * (len(fixed) + 1) - 2)
        for label, width in (*fixed[:2], ("Customer", customer), *fixed[2:]):
            table.add_column(label, width=width, key=label.lower())
        self.reload()
        self._resumed = False

    def on_screen_resume(self) -> None:
        # back from a receipt, the summary or another area: sales may have been rung up or refunded
        # meanwhile; list the same day again, the same sale highlighted
        if self._resumed:
            row = self.highlighted()
            self.reload(again=True, keep=row.sale_id if row is not None else None)
        self._resumed = True
        self.query_one("#sales-filter", Input).focus()

    @property
    def table(self) -> DataTable:
        return self.query_one("#sales-table", DataTable)

    @property
    def text(self) -> str:
        return self.query_one("#sales-filter", Input).value

    # --- The list ------------------------------------------------------------------------------------

    @on(Input.Changed, "#sales-filter")
    def _typed(self, event: Input.Changed) -> None:
        typed = event.value.strip()
        if _DATE.fullmatch(typed):
            try:
                day = dt.date.fromisoformat(typed)
            except ValueError:
                day = None  # 2024-02-30: not a day; it filters like any text (and finds nothing)
            if day is not None:
                self.day = min(day, dt.date.today())
                event.input.value = ""  # posts another Changed, which lists the day
                return
        self.reload()

    @guarded
    def reload(self, *, again: bool = False, keep: str | None = None) -> None:
        """The first page of the day as filtered (one query), unless it is what is shown."""
        from kiosk.services import sale_list

        session = self.session
        if session is None:  # locked: this screen is about to go
            return
        asked = (self.day, self.text.strip())
        if asked == self._shown and not again:
            return
        page = sale_list.page(session.ctx, self.day, text=asked[1])
        rows, self.next_cursor, self.elsewhere = list(page.rows), page.next_cursor, False
        if not rows and asked[1]:
            found = sale_list.find(session.ctx, asked[1])  # a whole id: the sale, whatever its day
            if found is not None:
                rows, self.elsewhere = [found], found.date != self.day
        self._shown = asked
        self.rows = []
        self.table.clear()
        self._add(rows)
        if keep is not None:
            for n, row in enumerate(self.rows):
                if row.sale_id == keep:
                    self.table.move_cursor(row=n, scroll=True)
                    break
        self._status()
        self._detail()
        self.refresh_bindings()

    @guarded
    def load_more(self) -> bool:
        """The next page below the rows shown; False when there is none."""
        from kiosk.services import sale_list

        if self.session is None or self.next_cursor is None or self._shown is None:
            return False
        page = sale_list.page(self.session.ctx, self._shown[0], text=self._shown[1], after=self.next_cursor)
        self.next_cursor = page.next_cursor
        self._add(page.rows)
        self._status()
        return True

    def _add(self, rows) -> None:
        money = self._plain
        wide = "till" in self.table.columns
        for row in rows:
            self.rows.append(row)
            if row.walk_in:
                who = Text("walk-in", style="dim")
            else:
                who = Text(row.customer_name or "")
                if self.table.columns["customer"].width >= 30 and row.customer_phone:
                    from kiosk.ui.widgets.customer_card import display_phone

                    who.append(f" · {display_phone(row.customer_phone)}", style="dim")
            refund = "all" if row.fully_refunded else money(row.refunded) if row.refunded else ""
            cells = [f"{row.at:%H:%M}", Text(row.sale_id[:8]), who, *([Text(row.till)] if wide else []),
                     Text(row.cashier or "-"), Text(paid_by(row)),
                     Text(money(row.paid), justify="right", style="dim strike" if row.fully_refunded else ""),
                     Text(refund, justify="right", style="bold yellow" if refund else "")]
            self.table.add_row(*cells, key=row.sale_id)

    def _plain(self, minor: int) -> str:
        from kiosk.ui.widgets.basket import plain_amount

        return plain_amount(self.session, minor)

    def _status(self) -> None:
        today = dt.date.today()
        shown = len(self.rows)
        more = "+" if self.next_cursor is not None else ""
        if self.elsewhere:
            row = self.rows[0]
            text = Text.assemble(("Sale ", ""), (row.sale_id[:8], "bold"), f" was on {day_text(row.date, today)}",
                                 " · Esc: back to the day's list")
        else:
            text = Text.assemble((day_text(self.day, today), "bold"), " · all tills · ",
                                 (f"{shown:,}{more}", "bold"), f" sale{'s' if shown != 1 or more else ''}")
            if self.text.strip():
                text.append(f" matching “{self.text.strip()}”")
            elif not shown:
                text.append(" · F7: the day before")
        self.query_one("#sales-status", Static).update(text)

    @on(DataTable.RowHighlighted, "#sales-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()
        if self.next_cursor is not None and event.cursor_row >= len(self.rows) - NEAR_END:
            self.load_more()

    def _detail(self) -> None:
        """The highlighted sale in full: what the table's columns cut short."""
        from kiosk.ui.widgets.customer_card import display_phone

        line = self.query_one("#sales-detail", Static)
        row = self.highlighted()
        if row is None:
            line.update(Text("No sales to show." if not self.text.strip() else
                             "No sale matches: type the start of a sale's id, or part of a name or phone.",
                             style="dim"))
            return
        money = self.session.money
        who = "walk-in" if row.walk_in else " ".join(filter(None, (row.customer_name,
                                                                    display_phone(row.customer_phone))))
        paid = ", ".join(f"{PAID_BY.get(label, label)} {money(amount)}" for label, amount in row.tenders)
        if row.points_value:
            paid = ", ".join(filter(None, (paid, f"points {money(row.points_value)}")))
        text = Text.assemble(("Sale ", "dim"), (row.sale_id, "bold"),
                             f" · {row.at:%Y-%m-%d %H:%M} · {row.till} · {row.cashier or 'nobody'} · {who}\n",
                             "Total ", (money(row.paid), "bold"), f" · {paid or 'nothing to pay'}")
        if row.refunded_any:
            text.append(" · refunded in full" if row.fully_refunded else f" · refunded {money(row.refunded)}",
                        style="bold yellow")
        line.update(text)

    def highlighted(self):
        """The highlighted sale (`SaleRow`), or None."""
        table = self.table
        if not self.rows or not table.row_count:
            return None
        return self.rows[min(max(table.cursor_row, 0), len(self.rows) - 1)]

    # --- Keys ------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reprint" and (self.session is None or self.session.read_only):
            return False  # a review prints nothing
        if action == "day" and parameters and parameters[0] > 0 and self.day >= dt.date.today():
            return None  # shown dimmed: no sales tomorrow yet
        return True

    def action_cursor(self, how: str) -> None:
        table = self.table
        if how == "page_down" and self.next_cursor is not None:
            # read on first so a page down lands on a real row
            while self.next_cursor is not None and table.cursor_row + table.size.height >= table.row_count:
                if not self.load_more():
                    break
        getattr(table, f"action_{'cursor_' if how in ('up', 'down') else ''}{how}")()

    def action_day(self, step: int) -> None:
        day = self.day + dt.timedelta(days=step)
        if day > dt.date.today():
            return
        self.day = day
        self.reload(again=True)

    def action_back(self) -> None:
        box = self.query_one("#sales-filter", Input)
        if box.value:
            box.value = ""
            return
        self.dismiss()

    @on(Input.Submitted, "#sales-filter")
    @guarded
    def _submitted(self, event: Input.Submitted) -> None:
        from kiosk.services import sales
        from kiosk.ui.screens.profile import ReceiptScreen

        event.stop()
        row = self.highlighted()
        if row is None:
            self.notify("No sale to show: type the start of its id, or part of the customer's name or phone",
                        severity="warning")
            return
        self.app.push_screen(ReceiptScreen(sales.receipt(self.session.ctx, row.sale_id)))

    @guarded
    def action_reprint(self) -> None:
        from kiosk.services import printing
        from kiosk.ui.print_worker import notify_reprint
        from kiosk.ui.screens.day_summary import no_printer

        row = self.highlighted()
        if row is None:
            self.notify("No sale to reprint", severity="warning")
            return
        no_printer(self.app)
        sale_id = row.sale_id
        self.notify(f"Printing sale {sale_id[:8]} again…", timeout=3)
        self.app.print_worker.call(lambda ctx: printing.reprint_receipt(ctx, sale_id),
                                   lambda result: notify_reprint(self.app, sale_id, result), name="reprint")

    @work(exclusive=True, group="day-summary")
    @guarded
    async def action_day_summary(self) -> None:
        """The day's summary: a manager's to see; a cashier is asked for a manager's PIN first."""
        from kiosk.services import sale_list
        from kiosk.ui.screens.day_summary import DaySummaryScreen

        session = self.session
        day = self.day
        manager = None
        if not session.may(Permission.READ_REPORTS):
            if not session.may(Permission.SELL):
                raise KioskError(session.refusal(Permission.READ_REPORTS))
            manager = await self.app.ask_manager(f"the end-of-day summary of {day.isoformat()}")
            if manager is None:
                self.notify("end-of-day summary not shown: it needs a manager's PIN", severity="warning")
                return
        summary = sale_list.day_summary(session.ctx, day, approved_by=manager)
        await self.app.push_screen(DaySummaryScreen(summary, approved_by=manager))
