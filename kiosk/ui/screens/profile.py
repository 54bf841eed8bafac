"""A customer's profile, pushed over the Customers list: the summary card and tabs for purchases (with
their items; reprint, refund), khata (read-only here: F4 opens the Khata screen), payments and points.

Keys (ids "profile.*"): 1-4 or Tab / Shift+Tab switch tabs, E edit, A archive (U unarchive), M merge,
P reprint and R refund the highlighted purchase, Esc back to the list. The reprint shows the receipt;
P there prints it, marked REPRINT (`printing.reprint_receipt`, in a thread: a printer that is off
leaves the reprint waiting in the queue, and the screen says so). A refund needs a manager: a
cashier is asked for a manager's PIN first and the refund is booked with that manager's approval, as
`services.refunds.refund(approved_by=…)` allows.

Each tab is read the first time it is opened; purchases a page at a time as the cursor nears the end.
"""

from __future__ import annotations

import uuid

from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from kiosk.domain.customer_list import PAGE
from kiosk.domain.roles import Permission
from kiosk.ui.guard import guarded
from kiosk.ui.widgets import SessionBar, TillFooter
from kiosk.ui.widgets.summary_card import SummaryCard, quantity_text

TABS = ("purchases", "khata", "payments", "points")
NEAR_END = 5


def _table(table_id: str) -> DataTable:
    return DataTable(id=table_id, cursor_type="row", zebra_stripes=True)


def _columns(table: DataTable, *columns: tuple[str, int]) -> None:
    """Fixed widths that fit 80 columns (DataTable would size each column to its longest cell)."""
    table.clear(columns=True)
    for label, width in columns:
        table.add_column(label, width=width, key=label.lower())


def _right(text: str, style: str = "") -> Text:
    return Text(text, justify="right", style=style)


def _short(sale_id: str) -> str:
    return sale_id[:8]


class ProfileScreen(Screen):
    AUTO_FOCUS = "#purchase-table"
    BINDINGS = [
        Binding("escape", "back", "Back", id="profile.back"),
        Binding("e", "edit", "Edit", id="profile.edit"),
        Binding("a", "archive(True)", "Archive", id="profile.archive"),
        Binding("u", "archive(False)", "Unarchive", id="profile.unarchive"),
        Binding("m", "merge", "Merge", id="profile.merge"),
        Binding("p", "reprint", "Reprint", id="profile.reprint"),
        Binding("r", "refund", "Refund", id="profile.refund"),
        Binding("tab", "next_tab(1)", "Next tab", id="profile.next_tab", show=False),
        Binding("shift+tab", "next_tab(-1)", "Previous tab", id="profile.previous_tab", show=False),
        Binding("1", "tab('purchases')", "Purchases", id="profile.purchases", show=False),
        Binding("2", "tab('khata')", "Khata", id="profile.khata", show=False),
        Binding("3", "tab('payments')", "Payments", id="profile.payments", show=False),
        Binding("4", "tab('points')", "Points", id="profile.points", show=False),
    ]

    def __init__(self, customer_id: int) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.title = "Customer"
        self.customer = None
        """The customer as last read (kiosk.domain.customers.Customer)."""
        self.figures = None
        """What the books say of them (kiosk.domain.customers.CustomerFigures)."""
        self.purchases: list = []
        """The purchases shown, newest first (kiosk.domain.customer_list.Purchase)."""
        self._purchase_cursor = None
        self._loaded: set[str] = set()

    def compose(self) -> ComposeResult:
        yield SessionBar("Customer")
        yield SummaryCard(id="summary")
        with TabbedContent(id="profile-tabs", initial="purchases"):
            with TabPane("1 Purchases", id="purchases"):
                yield _table("purchase-table")
                yield Static("", id="purchase-items")
            with TabPane("2 Khata", id="khata"):
                yield _table("khata-table")
            with TabPane("3 Payments", id="payments"):
                yield _table("payment-table")
            with TabPane("4 Points", id="points"):
                yield Static("", id="points-lots")
                yield _table("points-table")
        yield TillFooter()

    def on_mount(self) -> None:
        self.refresh_all()

    def on_screen_resume(self) -> None:
        self.app.selected_customer_id = self.customer_id  # F4: this customer's khata

    @property
    def session(self):
        return self.app.session

    @property
    def money(self):
        return self.session.money

    @guarded
    def refresh_all(self) -> None:
        """Read the card again and empty the tabs (each is read again when shown)."""
        self.load_summary()
        self._loaded.clear()
        self._purchase_cursor = None
        self.purchases = []
        self._load_tab(self.query_one(TabbedContent).active or "purchases")
        self.refresh_bindings()

    def load_summary(self) -> None:
        from kiosk.services import customer_list, customers

        ctx = self.session.ctx
        self.customer = customers.get(ctx, self.customer_id)
        self.figures = figures = customers.figures(ctx, self.customer_id)
        favourites = customer_list.favourite_products(ctx, self.customer_id, 3)
        self.query_one(SummaryCard).show(self.customer, figures, favourites, self.money)
        self.query_one(SessionBar).title = f"Customer: {escape(self.customer.name)}"  # the bar is markup
        self.query_one(SessionBar).refresh_text()

    # --- Tabs --------------------------------------------------------------------------------------

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane.id or ""
        self._load_tab(pane)
        self.refresh_bindings()

    @guarded
    def _load_tab(self, pane: str) -> None:
        if pane not in self._loaded:
            self._loaded.add(pane)
            getattr(self, f"_load_{pane}")()
        table = self.query_one(f"#{pane} DataTable", DataTable)
        self.call_after_refresh(table.focus)

    def action_tab(self, pane: str) -> None:
        self.query_one(TabbedContent).active = pane

    def action_next_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = TABS[(TABS.index(tabs.active) + step) % len(TABS)] if tabs.active in TABS else TABS[0]

    def _load_purchases(self) -> None:
        table = self.query_one("#purchase-table", DataTable)
        _columns(table, ("Date", 10), ("Sale", 8), ("Items", 5), ("Total", 12), ("Paid by", 16),
                 ("Refunded", 12))
        self.purchases = []
        self._purchase_cursor = None
        self._more_purchases(first=True)

    def _more_purchases(self, first: bool = False) -> None:
        from kiosk.services import customer_list

        if not first and self._purchase_cursor is None:
            return
        page = customer_list.purchases(self.session.ctx, self.customer_id, after=self._purchase_cursor, limit=PAGE)
        self._purchase_cursor = page.next_cursor
        table = self.query_one("#purchase-table", DataTable)
        money = self.money
        for p in page.rows:
            self.purchases.append(p)
            paid = ", ".join(dict.fromkeys(label for label, _amount in p.tenders_summary))
            refunded = "all" if p.fully_refunded else money(p.refunded) if p.refunded else ""
            table.add_row(p.date.isoformat(), Text(_short(p.sale_id)), str(len(p.lines)), _right(money(p.total)), Text(paid),
                          _right(refunded, "bold" if p.fully_refunded else ""), key=p.sale_id)
        if first:
            self._show_items()

    @on(DataTable.RowHighlighted, "#purchase-table")
    @guarded
    def _purchase_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_items()
        if self._purchase_cursor is not None and event.cursor_row >= len(self.purchases) - NEAR_END:
            self._more_purchases()

    @property
    def purchase(self):
        """The highlighted purchase, or None."""
        table = self.query_one("#purchase-table", DataTable)
        if not self.purchases or not table.row_count:
            return None
        return self.purchases[min(table.cursor_row, len(self.purchases) - 1)]

    def _show_items(self) -> None:
        items = self.query_one("#purchase-items", Static)
        p = self.purchase
        if p is None:
            earlier = self.figures.purchases if self.figures is not None else 0
            items.update(f"No sales at the till; {earlier:,} earlier credit sale{'s are' if earlier != 1 else ' is'} "
                         "in the Khata tab (2)." if earlier else "No purchases yet.")
            return
        money = self.money
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", style="dim")
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(no_wrap=True, style="bold")
        for line in p.lines:
            back = f"refunded {quantity_text(line.refunded_milli)}" if line.refunded_milli else ""
            grid.add_row(str(line.n), Text(line.description),
                         f"{quantity_text(line.quantity_milli)} × {money(line.unit_price)}", money(line.net), back)
        if not p.lines:
            grid.add_row("", "(no item lines)", "", "", "")
        items.update(grid)

    def _load_khata(self) -> None:
        from kiosk.services import khata

        table = self.query_one("#khata-table", DataTable)
        _columns(table, ("Date", 10), ("Entry", 22), ("Dr", 11), ("Cr", 11), ("Balance", 12))
        money = self.money
        for line in khata.ledger(self.session.ctx, self.customer_id):
            e = line.entry
            debit = _right(money(line.signed)) if line.signed > 0 else ""
            credit = _right(money(-line.signed)) if line.signed < 0 else ""
            table.add_row(e.date.isoformat(), Text(_entry_text(e)), debit, credit,
                          _right(money(line.running_balance), "bold" if line.running_balance > 0 else ""),
                          key=str(e.id))

    def _load_payments(self) -> None:
        from kiosk.services import khata

        table = self.query_one("#payment-table", DataTable)
        _columns(table, ("Date", 10), ("Method", 14), ("Amount", 12), ("Note", 30))
        money = self.money
        entries = khata.entries(self.session.ctx, self.customer_id)
        reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
        for e in sorted(entries, key=lambda x: (x.date, x.id), reverse=True):
            if e.kind.value != "credit" or e.method is None:
                continue
            note = e.note + (" (reversed)" if e.id in reversed_ids else "")
            table.add_row(e.date.isoformat(), Text(e.method), _right(money(e.amount)), Text(note.strip()), key=str(e.id))

    def _load_points(self) -> None:
        from kiosk.services import loyalty

        history = loyalty.history(self.session.ctx, self.customer_id)
        dated = [lot for lot in history.open_lots if lot.expires_on is not None]
        forever = sum(lot.left for lot in history.open_lots if lot.expires_on is None)
        parts = [f"{lot.left:,} expire {lot.expires_on.isoformat()}" for lot in dated[:3]]
        if len(dated) > 3:
            parts.append(f"{sum(lot.left for lot in dated[3:]):,} later")
        if forever:
            parts.append(f"{forever:,} never expire")
        self.query_one("#points-lots", Static).update(
            f"[b]{history.balance:,}[/b] points" + (f" · {', '.join(parts)}" if parts else ""))
        table = self.query_one("#points-table", DataTable)
        _columns(table, ("Date", 10), ("Kind", 9), ("Points", 9), ("Balance", 9), ("Expires", 10), ("Note", 18))
        for line in reversed(history.lines):
            e = line.entry
            table.add_row(e.date.isoformat(), e.kind.value, _right(f"{line.signed:+,}"), _right(f"{line.balance:,}"),
                          e.expires_on.isoformat() if e.expires_on else "",
                          Text(line.note or (f"sale {_short(e.sale_id)}" if e.sale_id else "")), key=str(e.id))

    # --- Actions -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "archive" and self.customer is not None:
            return bool(parameters[0]) != self.customer.archived  # one of Archive / Unarchive
        if action in ("reprint", "refund"):  # shown on the purchases tab only
            tabs = self.query(TabbedContent)
            return bool(tabs) and tabs.first().active == "purchases"
        return True

    def action_back(self) -> None:
        self.dismiss()

    def _refused(self, permission: Permission) -> bool:
        if self.session.may(permission):
            return False
        self.app.notify_error(self.session.refusal(permission))
        return True

    @guarded
    def action_edit(self) -> None:
        from kiosk.ui.screens.customer_form import CustomerFormScreen

        if self._refused(Permission.EDIT_CUSTOMER):
            return

        def edited(customer) -> None:
            if customer is not None:
                self.notify(f"Saved {customer.name}")
                self.refresh_all()

        self.app.push_screen(CustomerFormScreen(self.customer), edited)

    @guarded
    def action_archive(self, archived: bool) -> None:
        from kiosk.services import customers

        if self._refused(Permission.ARCHIVE_CUSTOMER):
            return
        customer = customers.set_archived(self.session.ctx, self.customer_id, archived)
        self.notify(f"{customer.name} {'archived: hidden from the list' if archived else 'is back in the list'}")
        self.refresh_all()

    @guarded
    def action_merge(self) -> None:
        from kiosk.ui.screens.merge import MergeScreen

        if self._refused(Permission.ARCHIVE_CUSTOMER):
            return

        def merged(kept) -> None:
            if kept is not None:
                self.customer_id = kept.id
                self.app.selected_customer_id = kept.id
                self.refresh_all()

        self.app.push_screen(MergeScreen(self.customer), merged)

    @guarded
    def action_reprint(self) -> None:
        from kiosk.services import sales

        p = self.purchase
        if p is None:
            self.notify("No purchase to reprint", severity="warning")
            return
        self.app.push_screen(ReceiptScreen(sales.receipt(self.session.ctx, p.sale_id)))

    @guarded
    def action_refund(self) -> None:
        p = self.purchase
        if p is None:
            self.notify("No purchase to refund", severity="warning")
            return
        if not (self.session.may(Permission.REFUND) or self.session.may(Permission.SELL)):
            self.app.notify_error(self.session.refusal(Permission.REFUND))
            return
        if p.fully_refunded or all(line.quantity_milli <= line.refunded_milli for line in p.lines):
            self.app.notify_error(f"sale {_short(p.sale_id)} has been refunded in full already")
            return

        def done(result) -> None:
            if result is None:
                return
            out = "cash to give" if result.destination == "cash" else "store credit"
            self.notify(f"Refunded {self.money(result.goods)}: {out} {self.money(result.payout)}"
                        + (f", {self.money(result.khata_off)} off the khata" if result.khata_off else ""))
            self.app.print_worker.kick()  # the refund slip (and the drawer, for cash) is queued: send it now
            self.refresh_all()

        self.app.push_screen(RefundScreen(p), done)


def _entry_text(e) -> str:
    """A khata entry in a few words: "credit sale 1a2b3c4d", "payment (JazzCash) · note", "reversal of #12"."""
    sale = f" {_short(e.sale_id)}" if e.sale_id else ""
    kind = e.kind.value
    if kind == "debit":
        what = {"sale": "credit sale", "gave": "gave", "store-credit": "store credit spent"}.get(e.source or "", "debit")
        what += sale
    elif kind == "credit":
        if e.method:
            what = f"payment ({e.method})"
        else:
            what = {"refund": "refund", "store-credit": "store credit"}.get(e.source or "", "credit") + sale
    else:
        what = f"reversal of #{e.reverses_id}"
    written = e.note and not e.note.startswith(("sale ", "refund "))  # those say what the words above say
    return what + (f" · {e.note}" if written else "")


# --- Reprint ---------------------------------------------------------------------------------------


class ReceiptScreen(ModalScreen[None]):
    """A past sale's receipt, as the books have it (`sales.receipt`), drawn as the Sale screen draws the
    receipt of a sale just booked (`receipt_view.receipt_renderable`). P prints it, marked REPRINT."""

    AUTO_FOCUS = "#receipt-scroll"
    BINDINGS = [
        Binding("escape,enter", "close", "Close", id="receipt.close"),
        Binding("p", "print", "Print", id="receipt.print"),
    ]

    def __init__(self, receipt) -> None:
        super().__init__()
        self.receipt = receipt

    def compose(self) -> ComposeResult:
        from kiosk.ui.screens.receipt_view import receipt_renderable

        with Vertical(id="receipt-box"):
            yield Static(f"[b]Reprint[/b] of sale {_short(self.receipt.sale_id)} · P: print it", id="receipt-title")
            with VerticalScroll(id="receipt-scroll"):
                yield Static(receipt_renderable(self.receipt, self.app.session), id="receipt-body")
        yield TillFooter()

    def action_close(self) -> None:
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "print":
            return not self.app.session.read_only  # a review prints nothing
        return True

    @guarded
    def action_print(self) -> None:
        """Queue the reprint and send it, in a thread (never the screen's: a dead printer takes seconds)."""
        from kiosk.services import printing
        from kiosk.ui.print_worker import notify_reprint

        sale_id = self.receipt.sale_id
        self.notify(f"Printing sale {_short(sale_id)} again…", timeout=3)
        self.app.print_worker.call(lambda ctx: printing.reprint_receipt(ctx, sale_id),
                                   lambda result: notify_reprint(self.app, sale_id, result), name="reprint")


# --- Refund ----------------------------------------------------------------------------------------


class RefundScreen(ModalScreen[object]):
    """The lines of one purchase still to refund (Space leaves one out or puts it back), where the money
    goes (D: cash or store credit), and what the refund does, previewed by the service as it changes.
    Enter books it; a cashier is asked for a manager's PIN first."""

    AUTO_FOCUS = ""  # nothing focused: Enter refunds, ↑ ↓ move over the lines
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="refund.cancel"),
        Binding("enter", "confirm", "Refund", id="refund.confirm"),
        Binding("space", "toggle", "Line in/out", id="refund.toggle"),
        Binding("down", "line(1)", "Next line", id="refund.down", show=False),
        Binding("up", "line(-1)", "Previous line", id="refund.up", show=False),
        Binding("d", "destination", "Cash/credit", id="refund.destination"),
    ]

    def __init__(self, purchase) -> None:
        super().__init__()
        self.purchase = purchase
        self.refund_id = uuid.uuid4().hex
        """Made when the screen opens: the idempotency key, so a double Enter books once."""
        self.lines = [line for line in purchase.lines if line.quantity_milli > line.refunded_milli]
        self.chosen = {line.n for line in self.lines}
        self.destination = "cash"
        self.plan = None
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="refund-box"):
            yield Static(f"[b]Refund[/b] sale {_short(self.purchase.sale_id)} of {self.purchase.date.isoformat()}",
                         id="refund-title")
            lines = DataTable(id="refund-lines", cursor_type="row")
            lines.can_focus = False  # the screen's keys move it, so Enter is always "refund"
            yield lines
            yield Static("", id="refund-preview")
        yield TillFooter()

    def on_mount(self) -> None:
        table = self.query_one("#refund-lines", DataTable)
        table.add_column("", key="in")
        table.add_column("Item", key="item")
        table.add_column("Left", key="left")
        table.add_column("Amount", key="amount")
        self._fill()
        self.preview()

    def _fill(self) -> None:
        table = self.query_one("#refund-lines", DataTable)
        at = table.cursor_row
        table.clear()
        money = self.app.session.money
        for line in self.lines:
            left = line.quantity_milli - line.refunded_milli
            share = line.net * left // line.quantity_milli if line.quantity_milli else 0
            table.add_row(Text("[x]" if line.n in self.chosen else "[ ]"), Text(f"{line.n} {line.description}"),
                          _right(quantity_text(left)), _right(money(share)), key=str(line.n))
        if table.row_count:
            table.move_cursor(row=min(at, table.row_count - 1))

    @guarded
    def preview(self) -> None:
        from kiosk.domain.refund import RefundAsk
        from kiosk.services import refunds

        box = self.query_one("#refund-preview", Static)
        self.plan = None
        if not self.chosen:
            box.update("Nothing chosen: Space puts a line back in.")
            return
        session = self.app.session
        asks = [RefundAsk(n) for n in sorted(self.chosen)]
        box.update("")
        self.plan = refunds.preview(session.ctx, self.purchase.sale_id, asks, to=self.destination)
        box.update(plan_text(self.plan, session.money))

    def action_toggle(self) -> None:
        table = self.query_one("#refund-lines", DataTable)
        if not table.row_count:
            return
        n = self.lines[table.cursor_row].n
        self.chosen.symmetric_difference_update({n})
        self._fill()
        self.preview()

    def action_line(self, step: int) -> None:
        table = self.query_one("#refund-lines", DataTable)
        (table.action_cursor_down if step > 0 else table.action_cursor_up)()

    def action_destination(self) -> None:
        self.destination = "store-credit" if self.destination == "cash" else "cash"
        self.preview()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(exclusive=True, group="refund")
    @guarded
    async def action_confirm(self) -> None:
        from kiosk.domain.refund import RefundAsk
        from kiosk.services import refunds

        if self._busy or self.plan is None:
            return
        session = self.app.session
        manager = None
        if not session.may(Permission.REFUND):
            manager = await self.app.ask_manager(f"refund of sale {_short(self.purchase.sale_id)}")
            if manager is None:
                self.notify("Refund not booked: it needs a manager's PIN", severity="warning")
                return
        self._busy = True
        try:
            result = refunds.refund(session.ctx, refund_id=self.refund_id, sale_id=self.purchase.sale_id,
                                    asks=[RefundAsk(n) for n in sorted(self.chosen)], to=self.destination,
                                    approved_by=manager)
        finally:
            self._busy = False
        self.dismiss(result)


def plan_text(plan, money) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim")
    grid.add_column(justify="right")
    grid.add_row("Goods back", money(plan.goods))
    if plan.khata_off:
        grid.add_row("Off the khata", money(plan.khata_off))
    if plan.store_credit_back:
        grid.add_row("Store credit back", money(plan.store_credit_back))
    if plan.points_back or plan.points_taken:
        grid.add_row("Points", f"+{plan.points_back:,} back, -{plan.points_taken:,} taken")
    if plan.shortfall_points:
        grid.add_row("Points already spent", f"{plan.shortfall_points:,}: {money(plan.shortfall_value)} deducted")
    out = "Cash to give" if plan.destination.value == "cash" else "As store credit"
    grid.add_row(Text(out, style="bold"), Text(money(plan.payout), style="bold"))
    return grid
