"""F4 Khata: one customer's credit ledger (date, entry, Dr, Cr, running balance), what they owe against
their limit, FIFO ageing and their promised payment date, and the keys that change it.

Which customer: the one in a `ShowKhata` message (app.open_khata), else `app.selected_customer_id`, else
the customer picker asks. Keys (ids "khata.*"): p payment (cashiers may), g a manual "gave" entry
(managers), r reverse the highlighted entry (managers; a cashier's reversal needs a manager's PIN and is
made by that manager), d promised payment date, s statement preview (Ctrl+S there saves it as a PDF,
khata_forms.StatementScreen; anyone who may see the khata may, a read-only review too), c another
customer.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from kiosk.domain.khata import check_reversal
from kiosk.domain.roles import Permission, Role
from kiosk.ui.guard import guarded
from kiosk.ui.messages import ShowKhata
from kiosk.ui.screens.customer_area import CustomerArea
from kiosk.ui.widgets import SessionBar, TillFooter
from kiosk.ui.widgets.khata_summary import KhataSummary
from kiosk.ui.widgets.ledger_table import LedgerTable, plain_amounts


class KhataScreen(CustomerArea, Screen):
    AUTO_FOCUS = "#ledger"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "payment", "Payment", id="khata.payment"),
        Binding("g", "gave", "Gave", id="khata.gave"),
        Binding("r", "reverse", "Reverse", id="khata.reverse"),
        Binding("d", "promise", "Promise", id="khata.promise"),
        Binding("s", "statement", "Statement", id="khata.statement"),
        Binding("c", "customer", "Customer", id="khata.customer"),
    ]

    PICKER_PROMPT = "Khata of which customer?"
    NONE_CHOSEN_AT = "#khata-summary"
    NEEDS_CUSTOMER = ("payment", "gave", "reverse", "promise", "statement")
    FOLLOW_AFTER_QUEUED = True

    def __init__(self) -> None:
        super().__init__()
        self.title = "Khata"
        self.promise = None
        """Their promise (services.promises.Promise) or None."""

    def compose(self) -> ComposeResult:
        yield SessionBar("Khata")
        yield KhataSummary("", id="khata-summary")
        yield LedgerTable(id="ledger")
        yield TillFooter()

    # --- Which customer (the rest is CustomerArea's) -------------------------------------------

    def on_show_khata(self, message: ShowKhata) -> None:
        self._stale = False
        self.show_customer(message.customer_id)

    @guarded
    def show_customer(self, customer_id: int) -> None:
        """Read the customer's ledger, ageing and promise and show them."""
        from kiosk.services import customers, khata, promises

        ctx = self.app.session.ctx
        customer = customers.get(ctx, customer_id)
        lines = khata.ledger(ctx, customer_id)
        ageing = khata.ageing(ctx, customer_id)
        promise = promises.current(ctx, customer_id, [line.entry for line in lines])
        self.customer, self.promise = customer, promise
        self.sub_title = customer.name
        shop = self.app.session.shop
        amounts = plain_amounts(shop.currency, shop.locale)
        self.query_one(KhataSummary).show(customer, ageing, promise, self.app.session.money, amounts)
        self.query_one(LedgerTable).show(lines, amounts)
        self.refresh_bindings()

    # --- Actions -----------------------------------------------------------------------------

    @guarded
    def action_payment(self) -> None:
        """Record a payment received."""
        from kiosk.ui.screens.khata_forms import PaymentForm

        if self.customer is None or self._refused(Permission.TAKE_PAYMENT):
            return
        self.app.push_screen(PaymentForm(self.customer), self._after_entry)

    @guarded
    def action_gave(self) -> None:
        """Record a manual "gave" entry."""
        from kiosk.ui.screens.khata_forms import GaveForm

        if self.customer is None or self._refused(Permission.GIVE_CREDIT):
            return
        self.app.push_screen(GaveForm(self.customer), self._after_entry)

    @guarded
    def action_reverse(self) -> None:
        """Reverse the highlighted entry."""
        from kiosk.ui.screens.khata_forms import ReverseForm

        if self.customer is None:
            return
        session = self.app.session
        needs_manager = not session.may(Permission.REVERSE)
        if needs_manager and session.role is not Role.CASHIER:  # a viewer changes nothing
            self._refused(Permission.REVERSE)
            return
        table = self.query_one(LedgerTable)
        entry = table.entry_at_cursor()
        if entry is None:
            self.app.notify_error("reverse: the ledger is empty")
            return
        # refuse what cannot be reversed before anyone types a reason or a PIN
        check_reversal(entry, table.reversed_by(entry.id) is not None, self.customer.id)
        self.app.push_screen(ReverseForm(self.customer, entry, needs_manager=needs_manager), self._after_entry)

    @guarded
    def action_promise(self) -> None:
        """Set the date the customer promised to pay by."""
        from kiosk.ui.screens.khata_forms import PromiseForm

        if self.customer is None or self._refused(Permission.TAKE_PAYMENT):
            return
        if self.customer.balance <= 0:
            self.app.notify_error(f"promise: {self.customer.name} owes nothing")
            return
        self.app.push_screen(PromiseForm(self.customer, self.promise), self._after_promise)

    @guarded
    def action_statement(self) -> None:
        """Preview a statement for a period (and save it as a PDF from there)."""
        from kiosk.ui.screens.khata_forms import StatementScreen

        if self.customer is not None:
            self.app.push_screen(StatementScreen(self.customer))

    # --- After a form ------------------------------------------------------------------------

    def _after_entry(self, entry) -> None:
        if entry is None:
            return
        self.refresh_view()
        money = self.app.session.money
        balance = money(self.customer.balance) if self.customer else ""
        if entry.kind.value == "credit":
            what = f"Payment of {money(entry.amount)} by {entry.method} recorded"
        elif entry.kind.value == "debit":
            what = f"Gave {money(entry.amount)} recorded"
        else:
            what = f"Entry #{entry.reverses_id} reversed by #{entry.id}"
        self.notify(f"{what}: balance {balance}")

    def _after_promise(self, promise) -> None:
        if promise is None:
            return
        self.refresh_view()
        self.notify(f"Promised payment date {promise.promised_on.isoformat()} recorded")
