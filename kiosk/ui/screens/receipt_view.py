"""The receipt of the sale just booked, on screen: items, totals, tenders, change, what went on the khata
and the customer's new balance, points earned and redeemed and the new points balance, and who
approved what (the same `kiosk.domain.receipt.Receipt` the printer's receipt is laid out from).

Under the title, the printed receipt's state once the print worker has tried it (`print_round`: the
round the Sale screen kicked after the sale): printed, or waiting for the printer and why. The sale is
booked either way; a waiting receipt is retried by itself (Ctrl+R on the Sale screen: the queue).

Enter or Esc: back to an empty Sale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from kiosk.ui.widgets import TillFooter
from kiosk.ui.widgets.basket import plain_amount, quantity_text
from kiosk.ui.widgets.customer_card import AMBER, INDIGO, INDIGO_TEXT, display_phone

if TYPE_CHECKING:
    from kiosk.domain.receipt import Receipt
    from kiosk.ui.session import Session

METHOD_NAMES = {"cash": "Cash", "card": "Card", "mobile": "Mobile money", "khata": "Khata",
                "store-credit": "Store credit"}


def receipt_renderable(receipt: Receipt, session: Session, approvals: list[str] = ()) -> Group:
    """The receipt as Rich renderables (also what a test reads back as text)."""
    money = session.money
    r = receipt
    head = Text()
    head.append(f"{r.shop_name}\n", style="bold")
    head.append(f"Sale {r.sale_id[:8]} · {r.at:%Y-%m-%d %H:%M} · {r.till}" + (f" · {r.cashier}" if r.cashier else ""),
                style="dim")

    items = Table(box=None, expand=True, padding=(0, 1), show_edge=False, header_style="bold")
    items.add_column("#", justify="right", width=2)
    items.add_column("Item", ratio=1, overflow="ellipsis", no_wrap=True)
    items.add_column("Qty", justify="right")
    items.add_column("Price", justify="right")
    items.add_column("Disc", justify="right")
    items.add_column("Total", justify="right")
    for line in r.lines:
        qty = quantity_text(line.quantity_milli) + ("" if line.unit == "each" else f" {line.unit[:2]}")
        items.add_row(str(line.n), line.description, qty, plain_amount(session, line.unit_price),
                      plain_amount(session, line.discount) if line.discount else "", plain_amount(session, line.net))

    sums = Table.grid(expand=True, padding=(0, 1))
    sums.add_column("what")
    sums.add_column("amount", justify="right", no_wrap=True)
    if r.discounts:
        sums.add_row("Gross", money(r.gross))
        sums.add_row("Discounts", Text(f"-{money(r.discounts)}", style="yellow"))
    if r.points_redeemed:
        sums.add_row(Text(f"Points redeemed ({r.points_redeemed:,})", style=INDIGO_TEXT), f"-{money(r.points_value)}")
    if r.rounding:
        sums.add_row("Rounding", money(r.rounding))
    sums.add_row(Text("TOTAL", style="bold"), Text(money(r.paid), style="bold"))
    for tender in r.tenders:
        name = tender.name or METHOD_NAMES.get(tender.method, tender.method)
        sums.add_row(f"  {name}", money(tender.amount))
    if r.change or r.cash_given:
        if r.cash_given:
            sums.add_row("  Cash given", money(r.cash_given))
        sums.add_row(Text("CHANGE", style="bold"), Text(money(r.change), style="bold green"))

    parts: list = [head, Text(""), items, Text(""), sums]
    if r.customer is not None:
        c = r.customer
        who = Text()
        who.append(f"{c.name}", style="bold")
        if c.phone:
            who.append(f" · {display_phone(c.phone)}")
        who.append(f" · {c.tier}")
        parts += [Text(""), who]
        if r.khata:
            parts.append(Text.assemble("On khata this sale ", (money(r.khata), f"bold {AMBER}")))
        if r.store_credit:
            parts.append(Text.assemble("Store credit spent ", money(r.store_credit)))
        balance = c.balance_after
        if balance > 0:
            parts.append(Text.assemble("New balance: owes ", (money(balance), f"bold {AMBER}")))
        elif balance < 0:
            parts.append(Text.assemble("New balance: store credit ", (money(-balance), f"bold {AMBER}")))
        else:
            parts.append(Text(f"New balance: {money(0)}"))
        points = Text("Points ")
        points.append(f"+{r.points_earned:,} earned", style=f"bold {INDIGO_TEXT}")
        if r.points_redeemed:
            points.append(f", -{r.points_redeemed:,} redeemed", style=INDIGO_TEXT)
        points.append(" · balance ")
        points.append(f" {c.points_after:,} pts ", style=f"bold white on {INDIGO}")
        parts.append(points)
    for line in approvals:
        parts.append(Text(line[0].upper() + line[1:], style="bold"))
    return Group(*parts)


class ReceiptViewScreen(ModalScreen[None]):
    AUTO_FOCUS = "#receipt-scroll"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,escape", "close", "Next sale", id="receipt_view.close"),
    ]

    def __init__(self, receipt: Receipt, approvals: list[str] = (), print_round: int = 0) -> None:
        super().__init__()
        self.receipt = receipt
        self.approvals = list(approvals)
        self.print_round = print_round
        """The print worker's round that sends this sale's receipt (0: the worker is not running)."""
        self.print_state = ""
        """"", "sending", "printed" or "waiting": what #receipt-print says."""

    def compose(self) -> ComposeResult:
        with Vertical(id="receipt-box"):
            yield Static(Text.assemble(("Sale complete", "bold green"), "  Enter: next sale"), id="receipt-title")
            yield Static("", id="receipt-print")
            with VerticalScroll(id="receipt-scroll"):
                yield Static(receipt_renderable(self.receipt, self.app.session, self.approvals), id="receipt")
        yield TillFooter()

    def on_mount(self) -> None:
        worker = self.app.print_worker
        if not self.print_round or not worker.running:
            self.show_print(None)
            return
        worker.reported.subscribe(self, self.show_print)
        self.show_print(worker.state)

    def show_print(self, report) -> None:
        """The receipt's state from the worker's latest report (None: no printing to show)."""
        line = self.query_one("#receipt-print", Static)
        if report is None and self.print_round and self.app.print_worker.running:
            state, text = "sending", Text("Receipt: sending to the printer…", style="dim")
        elif report is None or report.printer == "none" or not report.auto_print:
            state, text = "", Text("")  # no printer, or receipts only on request: nothing to say
        elif report.round < self.print_round:
            state, text = "sending", Text("Receipt: sending to the printer…", style="dim")
        elif (job := report.job_of("receipt", self.receipt.sale_id)) is not None:
            from kiosk.ui.print_worker import short_error

            why = short_error(job.last_error) or "not sent yet"
            state, text = "waiting", Text.assemble(("Receipt waiting for the printer", "bold yellow"),
                                                   f": {why}. The sale is booked; the receipt prints when the "
                                                   "printer is back (Ctrl+R on the Sale screen: the queue).")
        else:
            state, text = "printed", Text("Receipt printed", style="green")
            if report.warning:
                text.append(f" ({report.warning}: load a new roll soon)", style="bold yellow")
        self.print_state = state
        line.update(text)
        line.display = bool(state)

    def action_close(self) -> None:
        self.dismiss(None)
