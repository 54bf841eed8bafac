"""The Khata screen's forms: record a payment, a manual "gave" entry, reverse an entry, a promised payment
date, and the statement preview (Ctrl+S there saves the period shown as a PDF).

Each form is a modal over the Khata screen. Tab moves between its fields, Enter in any field saves, Esc
cancels. A bad field (an amount that is not a number or is zero, a date in the wrong form) is a one-line
notification naming it, and the form stays open with nothing saved. Each form makes its idempotency key
when it opens, so a double Enter books once. The answer is what was written (an Entry, a Promise), or
None when cancelled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from kiosk.domain.dates import parse_date
from kiosk.domain.errors import CreditLimitExceeded, ValidationError
from kiosk.domain.khata import Entry
from kiosk.ui.guard import guarded
from kiosk.ui.screens.form_base import ModalForm, field_row
from kiosk.ui.widgets import TillFooter
from kiosk.ui.widgets.khata_summary import promise_text
from kiosk.ui.widgets.ledger_table import LedgerTable, describe, plain_amounts

DATE_HINT = "YYYY-MM-DD or DD/MM/YYYY"


def typed_date(text: str, field: str, *, default: dt.date | None = None) -> dt.date | None:
    """A typed date, or `default` when the box is empty; a bad one names `field`."""
    if not text.strip():
        return default
    return parse_date(text, field=field)


class FormScreen(ModalForm):
    """A small modal form: a title, an intro, fields; Enter in any field saves (`save()` returns what was
    written, or None to stay open), Esc cancels. Errors from `save()` are one-line notifications
    (@guarded) and the form stays open with nothing saved. The Loyalty forms use it too."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.key = uuid.uuid4().hex
        """The idempotency key of what this form saves: a second Enter books nothing new."""

    def title_text(self) -> str:
        return f"[b]{self.heading}[/b]"

    def compose(self) -> ComposeResult:
        with Vertical(classes="form-box"):
            yield Static(self.title_text(), classes="form-title")
            yield from self.intro()
            yield from self.fields()
            yield Static(self.hint, classes="form-hint")
        yield TillFooter()

    def intro(self) -> ComposeResult:
        yield from ()

    @work(exclusive=True, group="form")
    @guarded
    async def submit(self) -> None:
        if self.saved:
            return
        result = await self.save()
        if result is not None and not self.saved:
            self.saved = True
            self.dismiss(result)

    async def save(self):
        raise NotImplementedError


class OneCustomerForm(FormScreen):
    """A form about one customer, named in its title (the Khata forms, and the Loyalty forms' points and
    tier)."""

    def __init__(self, customer) -> None:
        super().__init__()
        self.customer = customer
        """The customer (kiosk.domain.customers.Customer) as the screen under the form last read them."""

    def title_text(self) -> str:
        return f"[b]{self.heading}[/b] · {escape(self.customer.name)}"


class KhataForm(OneCustomerForm):
    """A form about one customer's khata."""

    def intro(self) -> ComposeResult:
        money = self.session.money
        yield Static(f"Balance {money(self.customer.balance)}", classes="form-intro")


class PaymentForm(KhataForm):
    """A payment received: amount (no default), method, date (today), note. Cashiers may."""

    AUTO_FOCUS = "#amount"
    heading = "Record a payment"

    def fields(self) -> ComposeResult:
        methods = self.session.shop.payment_methods
        yield field_row("Amount", Input(placeholder="e.g. 500", id="amount", compact=True))
        yield field_row("Method", Select([(m, m) for m in methods], value=methods[0], allow_blank=False,
                                      id="method", compact=True))
        yield field_row("Date", Input(dt.date.today().isoformat(), placeholder=DATE_HINT, id="date", compact=True))
        yield field_row("Note", Input(placeholder="optional", id="note", compact=True))

    @on(Select.Changed, "#method")
    def method_chosen(self, event: Select.Changed) -> None:
        # a method picked from the list: on to the next field, where Enter saves again
        if self.is_mounted and event.select.has_focus_within:
            self.query_one("#date", Input).focus()

    async def save(self) -> Entry:
        from kiosk.services import khata

        amount = self.session.parse_money(self.value("#amount"), "amount")
        date = typed_date(self.value("#date"), "date", default=dt.date.today())
        method = str(self.query_one("#method", Select).value)
        return khata.receive(self.session.ctx, self.customer.id, amount, method=method, date=date,
                             note=self.value("#note"), idempotency_key=self.key)


class GaveForm(KhataForm):
    """A manual "gave" entry (money or goods handed over outside a sale): managers and owners. Above
    the credit limit it asks for a manager's PIN to override."""

    AUTO_FOCUS = "#amount"
    heading = 'Record a "gave" entry'

    def intro(self) -> ComposeResult:
        money = self.session.money
        limit = self.customer.credit_limit
        yield Static(f"Balance {money(self.customer.balance)} · "
                     + (f"limit {money(limit)}" if limit is not None else "no limit"), classes="form-intro")

    def fields(self) -> ComposeResult:
        yield field_row("Amount", Input(placeholder="e.g. 500", id="amount", compact=True))
        yield field_row("Date", Input(dt.date.today().isoformat(), placeholder=DATE_HINT, id="date", compact=True))
        yield field_row("Note", Input(placeholder="what was given", id="note", compact=True))
        yield field_row("Pays by", Input(placeholder=f"optional promised date, {DATE_HINT}", id="promised",
                                     compact=True))

    async def save(self) -> Entry | None:
        from kiosk.services import khata

        amount = self.session.parse_money(self.value("#amount"), "amount")
        date = typed_date(self.value("#date"), "date", default=dt.date.today())
        promised = typed_date(self.value("#promised"), "promised date")
        give = dict(date=date, note=self.value("#note"), source="gave", promised_date=promised,
                    idempotency_key=self.key)
        ctx = self.session.ctx
        try:
            return khata.give(ctx, self.customer.id, amount, **give)
        except CreditLimitExceeded as exc:
            manager = await self.app.ask_manager(f"credit above the limit: {exc}")
            if manager is None:
                self.app.notify_error(f"not saved: {exc}")
                return None
            return khata.give(ctx, self.customer.id, amount, override_by=manager, **give)


class ReverseForm(KhataForm):
    """Reverse one entry with a reason: managers and owners. For a cashier, a manager's PIN is asked when
    the reason has been typed, and the reversal is then made by that manager (the cashier is named in
    the reason)."""

    AUTO_FOCUS = "#reason"
    heading = "Reverse an entry"

    def __init__(self, customer, entry: Entry, *, needs_manager: bool = False) -> None:
        super().__init__(customer)
        self.entry = entry
        self.needs_manager = needs_manager

    def intro(self) -> ComposeResult:
        money = self.session.money
        e = self.entry
        yield Static(f"Entry #{e.id} of {e.date.isoformat()}: {escape(describe(e))}, {money(e.amount)}",
                     classes="form-intro")
        if self.needs_manager:
            yield Static("A manager's PIN will be asked for when you press Enter.", classes="form-warning")

    def fields(self) -> ComposeResult:
        yield field_row("Reason", Input(placeholder="why it is reversed (kept with the entry)", id="reason",
                                     compact=True))

    async def save(self) -> Entry | None:
        from kiosk.services import khata

        reason = " ".join(self.value("#reason").split())
        if not reason:
            raise ValidationError("reason", "a reversal needs a reason")
        ctx = self.session.ctx
        if self.needs_manager:
            manager = await self.app.ask_manager(f"reverse entry #{self.entry.id}: {reason}")
            if manager is None:
                self.app.notify_error("not reversed: a manager's PIN is needed")
                return None
            # the services take no approver for a reversal: it is made by the manager who approved it
            ctx = dataclasses.replace(ctx, user=manager)
            reason = f"{reason} (asked by {self.session.user.name})"
        return khata.reverse(ctx, self.entry.id, reason=reason, idempotency_key=self.key)


class PromiseForm(KhataForm):
    """The day the customer promised to pay what they owe by. Cashiers may."""

    AUTO_FOCUS = "#promise-date"
    heading = "Promised payment date"

    def __init__(self, customer, current=None) -> None:
        super().__init__(customer)
        self.current = current

    def intro(self) -> ComposeResult:
        money = self.session.money
        yield Static(f"Owes {money(self.customer.balance)} · now: {promise_text(self.current, money)}",
                     classes="form-intro")

    def fields(self) -> ComposeResult:
        yield field_row("Pays by", Input(placeholder=DATE_HINT, id="promise-date", compact=True))
        yield field_row("Note", Input(placeholder="optional", id="note", compact=True))

    async def save(self):
        from kiosk.services import promises

        date = parse_date(self.value("#promise-date"), field="date")
        return promises.promise(self.session.ctx, self.customer.id, date, note=self.value("#note"),
                                idempotency_key=self.key)


class StatementScreen(ModalScreen[None]):
    """A statement for a period: the opening balance, the period's entries with running balance, the
    closing balance and the totals (services.khata.statement).

    Ctrl+S saves the statement of the period in the boxes as a PDF (`services.documents.statement_document`,
    built here on the app's thread in milliseconds; laid out in a worker by `PdfProgressScreen`, which
    asks for the file first: statement-<name>-<id>-<from>-to-<to>.pdf in the documents folder). Anyone
    who may see the khata may save it, a cashier or a read-only review too: it reads the books and
    writes a file, never the books. The same PDF from a shell is `kiosk statement`, named on screen."""

    AUTO_FOCUS = "#statement-from"
    BINDINGS = [
        Binding("escape", "close", "Close", id="statement.close"),
        Binding("ctrl+s", "pdf", "Save PDF", id="statement.pdf"),
    ]

    def __init__(self, customer, start: dt.date | None = None, end: dt.date | None = None) -> None:
        super().__init__()
        self.customer = customer
        today = dt.date.today()
        self.start = start or today.replace(day=1)
        self.end = end or today

    def compose(self) -> ComposeResult:
        with Vertical(id="statement-box"):
            yield Static(f"[b]Statement[/b] · {escape(self.customer.name)} · Enter: show the period · Esc: close",
                         id="statement-title")
            with Horizontal(id="statement-period"):
                yield Label("From", classes="form-label")
                yield Input(self.start.isoformat(), placeholder=DATE_HINT, id="statement-from", compact=True)
                yield Label("To", classes="form-label")
                yield Input(self.end.isoformat(), placeholder=DATE_HINT, id="statement-to", compact=True)
            yield Static(id="statement-opening")
            yield LedgerTable(id="statement-lines")
            yield Static(id="statement-closing")
            yield Static(id="statement-pdf")
        yield TillFooter()

    def on_mount(self) -> None:
        self.show_period()

    @on(Input.Submitted)
    @guarded
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.draw_period(*self.typed_period())

    def typed_period(self) -> tuple[dt.date, dt.date]:
        """The period typed in the boxes; a bad date names its box."""
        start = typed_date(self.query_one("#statement-from", Input).value, "from")
        end = typed_date(self.query_one("#statement-to", Input).value, "to", default=dt.date.today())
        if start is None:
            raise ValidationError("from", "is empty")
        return start, end

    @guarded
    def show_period(self) -> None:
        self.draw_period(self.start, self.end)

    def draw_period(self, start: dt.date, end: dt.date) -> None:
        """Show the statement from `start` to `end`; a bad period raises and the screen keeps the last one."""
        from kiosk.services import khata

        session = self.app.session
        money = session.money
        st = khata.statement(session.ctx, self.customer.id, start, end)
        self.start, self.end = start, end
        self.query_one("#statement-opening", Static).update(
            f"{start.isoformat()} to {end.isoformat()} · Opening balance [b]{money(st.opening)}[/b]")
        self.query_one(LedgerTable).show(st.lines, plain_amounts(session.shop.currency, session.shop.locale))
        self.query_one("#statement-closing", Static).update(
            f"Closing balance [b]{money(st.closing)}[/b] · {len(st.lines)} entries · "
            f"debits {money(st.total_debits)} · credits {money(st.total_credits)}")
        self.query_one("#statement-pdf", Static).update(
            f"PDF: kiosk statement {self.customer.id} --from {start.isoformat()} --to {end.isoformat()} "
            f"-o statement.pdf")

    @guarded
    def action_pdf(self) -> None:
        """Save the statement of the period in the boxes as a PDF (drawn here first if it was typed but not
        shown yet, so the PDF is what the screen shows)."""
        from kiosk.services import documents
        from kiosk.ui.screens.pdf_progress import PdfProgressScreen, default_folder, file_name

        period = self.typed_period()
        if period != (self.start, self.end):
            self.draw_period(*period)
        document = documents.statement_document(self.app.session.ctx, self.customer.id, self.start, self.end)
        name = file_name("statement", self.customer.name, self.customer.id, self.start, "to", self.end)
        self.app.push_screen(PdfProgressScreen(document.title, default_folder() / name, document=document))

    def action_close(self) -> None:
        self.dismiss(None)
