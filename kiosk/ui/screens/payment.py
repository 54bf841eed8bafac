"""Payment (F12 in the sale): tenders until the bill is covered, then the sale is booked.

    1 cash · 2 card · 3 mobile money (the shop's services: JazzCash, M-Pesa, …) · 4 khata ·
    5 store credit · 6 points

A method key opens the amount, filled with what is left to pay (points: the most that may be redeemed)
and selected, so typing replaces it; Enter takes it. Tenders add up (split payments); only cash may go
over (the change is shown). Once the tenders cover the bill the sale is booked at once, so F12, 4, Enter
puts a whole basket on the khata. Backspace takes the last tender back; Esc leaves the amount, then
Payment (the basket stays on the Sale screen).

Credit above the customer's limit, or a discount above the shop's approval percentage, asks for a
manager's PIN (`app.ask_manager`) and passes the manager to `sales.sell` as the CLI does
(`override_by` / `approved_by`): the sale's audit row names both the cashier and the manager.

The sale is booked under the basket's sale id, made when the basket started: a second Enter, or a
retry after an error, books it once (`sales.sell` answers with the same receipt). Dismisses with
(Receipt, [approval lines]) or None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.domain.basket import NO_DISCOUNT, discounts_needing_approval, round_cash
from kiosk.domain.errors import CreditLimitExceeded, KioskError, ValidationError
from kiosk.domain.tenders import Method, TenderRequest, TendersShort, settle
from kiosk.ui.guard import guarded
from kiosk.ui.widgets import TillFooter
from kiosk.ui.widgets.customer_card import AMBER, INDIGO_TEXT

if TYPE_CHECKING:
    from kiosk.domain.tenders import Settlement
    from kiosk.ui.session import Session
    from kiosk.ui.widgets.basket import Basket

POINTS = "points"
#: Key -> what it pays with, in the order of the keys.
METHODS = {"1": Method.CASH, "2": Method.CARD, "3": Method.MOBILE, "4": Method.KHATA, "5": Method.STORE_CREDIT,
           "6": POINTS}
LABELS = {Method.CASH: "Cash", Method.CARD: "Card", Method.MOBILE: "Mobile money", Method.KHATA: "Khata",
          Method.STORE_CREDIT: "Store credit", POINTS: "Points"}


class PaymentScreen(ModalScreen[object]):
    AUTO_FOCUS = ""  # nothing focused while choosing: the keys 1 to 6 are the methods
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "method('1')", "Cash", id="payment.cash"),
        Binding("2", "method('2')", "Card", id="payment.card"),
        Binding("3", "method('3')", "Mobile", id="payment.mobile"),
        Binding("4", "method('4')", "Khata", id="payment.khata"),
        Binding("5", "method('5')", "Store cr.", id="payment.store_credit"),
        Binding("6", "method('6')", "Points", id="payment.points"),
        Binding("enter", "complete", "Complete", id="payment.complete"),
        Binding("backspace", "undo", "Undo", id="payment.undo"),
        Binding("escape", "back", "Back", id="payment.back"),
    ]

    def __init__(self, basket: Basket) -> None:
        super().__init__()
        self.basket = basket
        """The sale's basket: its sale id, lines, customer; `redeem` is set here (kept on Esc)."""
        self.tenders: list[TenderRequest] = []
        self.method: Method | str | None = None
        """The method whose amount is being typed (None: choosing one)."""
        self.service: str | None = None
        """The mobile-money service of that method."""
        self.booking = False
        """Set from the Enter that books until the sale is booked or refused: a second Enter does nothing."""
        self.customer = basket.customer
        self.approvals: list[str] = []

    @property
    def session(self) -> Session:
        return self.app.session

    def compose(self) -> ComposeResult:
        with Vertical(id="pay-box"):
            yield Static(id="pay-title")
            yield Static(id="pay-summary")
            with Horizontal(id="pay-amount-row"):
                yield Static(id="pay-method")
                yield Input(id="pay-amount", restrict=r"[0-9.]*", max_length=16)
            yield OptionList(id="pay-services")
            yield Static(id="pay-keys")
            yield Static(id="pay-message")
        yield TillFooter()

    def on_mount(self) -> None:
        from kiosk.services import customers, loyalty, settings

        ctx = self.session.ctx
        if self.customer is not None:  # today's figures: another till may have sold to them meanwhile
            self.customer = customers.get(ctx, self.customer.id)
        rules = settings.checkout_settings(ctx)
        self.cash_step = rules.sale.cash_rounding
        self.discount_percent = rules.sale.discount_approval_percent
        self.rates = loyalty.rates_of(rules.loyalty)
        mobile = self.session.shop.mobile_money
        keys = [f"[b]{key}[/b] {self.label(method) if method is not Method.MOBILE else ('/'.join(mobile) or 'Mobile money')}"
                for key, method in METHODS.items()]
        self.query_one("#pay-keys", Static).update("  ".join(keys))
        customer = f" · {self.customer.name}" if self.customer is not None else " · walk-in"
        self.query_one("#pay-title", Static).update(f"[b]Pay[/b]  sale {self.basket.sale_id[:8]}{customer}")
        self.choose()

    # --- Sums ------------------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self.basket.totals().total

    @property
    def points_value(self) -> int:
        from kiosk.domain.loyalty import redemption_value

        return redemption_value(self.basket.redeem, self.rates) if self.basket.redeem else 0

    @property
    def due(self) -> int:
        return self.total - self.points_value

    @property
    def tendered(self) -> int:
        return sum(t.amount for t in self.tenders)

    @property
    def left(self) -> int:
        return max(0, self.due - self.tendered)

    def settlement(self) -> Settlement | None:
        """The tenders applied to the bill, or None while they do not cover it."""
        try:
            return settle(self.due, self.tenders, cash_step=self.cash_step, money=self.session.money)
        except TendersShort:
            return None

    def label(self, method, name: str | None = None) -> str:
        return name or LABELS[method]

    # --- Drawing ---------------------------------------------------------------------------------

    def draw(self) -> None:
        money = self.session.money
        t = self.basket.totals()
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column("what")
        grid.add_column("amount", justify="right", no_wrap=True)
        discounts = t.line_discounts + t.basket_discount
        if discounts:
            grid.add_row("Discounts", Text(f"-{money(discounts)}", style="yellow"))
        grid.add_row(Text("Total", style="bold"), Text(money(t.total), style="bold"))
        if self.basket.redeem:
            grid.add_row(Text(f"Points redeemed ({self.basket.redeem})", style=f"bold {INDIGO_TEXT}"),
                         f"-{money(self.points_value)}")
        for tender in self.tenders:
            grid.add_row(f"  {self.label(tender.method, tender.name)}", money(tender.amount))
        done = self.settlement()
        if done is not None:
            grid.add_row(Text("Covered", style="bold green"), "")
            if done.change:
                grid.add_row(Text("CHANGE", style="bold"), Text(money(done.change), style="bold green"))
        else:
            grid.add_row(Text("Left to pay", style="bold"), Text(money(self.left), style=f"bold {AMBER}"))
        if self.customer is not None:
            c = self.customer
            khata = sum(x.amount for x in self.tenders if x.method is Method.KHATA)
            line = Text(f"{c.name}: owes {money(c.balance)}")
            if khata:
                line.append(f" → {money(c.balance + khata)}", style=f"bold {AMBER}")
            if c.credit_limit is not None:
                over = c.balance + khata > c.credit_limit
                line.append(f" · limit {money(c.credit_limit)}", style="bold red" if over else "dim")
            line.append(f" · {c.points:,} pts", style=INDIGO_TEXT)
            grid.add_row(line, "")
        self.query_one("#pay-summary", Static).update(grid)
        self.refresh_bindings()

    def say(self, text: str | Text) -> None:
        self.query_one("#pay-message", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.booking and action != "back":
            return None
        if action in ("method", "undo") and self.method is not None:
            return None  # typing an amount: the digits are the amount's
        if action == "undo" and not (self.tenders or self.basket.redeem):
            return None
        return True

    # --- Choosing a method, typing its amount -------------------------------------------------------

    def choose(self, message: str | None = None) -> None:
        """Back to choosing a method (the keys 1 to 6)."""
        self.method = self.service = None
        self.query_one("#pay-amount-row").display = False
        self.query_one("#pay-services").display = False
        self.query_one("#pay-keys").display = True
        self.set_focus(None)
        self.draw()
        if message is not None:
            self.say(message)
        elif self.settlement() is None:
            self.say(f"Left to pay {self.session.money(self.left)}: choose how (1-6).")

    @guarded
    def action_method(self, key: str) -> None:
        method = METHODS[key]
        if self.settlement() is not None and method is not POINTS:
            raise KioskError("the bill is covered: Enter completes the sale, Backspace takes a tender back")
        if method in (Method.KHATA, Method.STORE_CREDIT, POINTS) and self.customer is None:
            raise KioskError(f"{LABELS[method].lower()} needs a customer: Esc, then F7 to attach one")
        if method is Method.MOBILE and len(self.session.shop.mobile_money) > 1:
            self.ask_service()
            return
        name = self.session.shop.mobile_money[0] if method is Method.MOBILE and self.session.shop.mobile_money else None
        self.ask_amount(method, name)

    def ask_service(self) -> None:
        box = self.query_one("#pay-services", OptionList)
        box.clear_options()
        box.add_options([Option(name) for name in self.session.shop.mobile_money])
        box.highlighted = 0
        box.display = True
        self.query_one("#pay-keys").display = False
        self.method = Method.MOBILE
        box.focus()
        self.say("Which service? Up/Down, Enter.")

    @on(OptionList.OptionSelected, "#pay-services")
    @guarded
    def service_chosen(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#pay-services").display = False
        self.ask_amount(Method.MOBILE, self.session.shop.mobile_money[event.option_index])

    def ask_amount(self, method, name: str | None) -> None:
        from kiosk.domain.loyalty import max_points_for
        from kiosk.domain.money import to_decimal_string

        self.method, self.service = method, name
        currency = self.session.shop.currency
        if method is POINTS:
            c = self.customer
            most = min(c.points, max_points_for(self.total, self.rates))
            if most < self.rates.min_redeem and not self.basket.redeem:
                raise KioskError(f"points: {c.name} has {c.points:,}; at least {self.rates.min_redeem:,} are "
                                 f"needed to redeem" if c.points < self.rates.min_redeem else
                                 f"points: the bill is too small to redeem {self.rates.min_redeem:,} points")
            default = str(most)
            hint = (f"Points to redeem ({self.rates.redeem_points:,} = {self.session.money(self.rates.redeem_value)}; "
                    f"at least {self.rates.min_redeem:,}; 0 takes them back). Enter.")
        else:
            left = self.left
            if method is Method.CASH:
                left = round_cash(left, self.cash_step)
            elif method is Method.STORE_CREDIT:
                available = max(0, -self.customer.balance)
                if not available:
                    raise KioskError(f"store credit: {self.customer.name} has none")
                left = min(left, available)
            default = to_decimal_string(left, currency)
            hint = ("Cash handed over (more gives change). Enter." if method is Method.CASH
                    else f"{self.label(method, name)} amount. Enter.")
        self.query_one("#pay-method", Static).update(f"[b]{self.label(method, name)}[/b]")
        self.query_one("#pay-keys").display = False
        self.query_one("#pay-amount-row").display = True
        box = self.query_one("#pay-amount", Input)
        box.restrict = r"[0-9]*" if method is POINTS else r"[0-9.]*"
        box.value = default
        box.focus()
        box.select_all()
        self.say(hint + " Esc: another method.")
        self.refresh_bindings()

    @on(Input.Submitted, "#pay-amount")
    @guarded
    def amount_given(self, event: Input.Submitted) -> None:
        if self.booking or self.method is None:
            return
        text = event.value.strip()
        method, name = self.method, self.service
        if method is POINTS:
            self.redeem(text)
        else:
            self.add_tender(method, name, text)
        if self.settlement() is not None:
            self.choose("")
            self.action_complete()
        else:
            self.choose()

    def redeem(self, text: str) -> None:
        from kiosk.domain.loyalty import check_redemption

        if not text.isdigit():
            raise ValidationError("points", f"{text!r} is not a whole number of points")
        points = int(text)
        if points:
            check_redemption(points, self.customer.points, self.total, self.rates)
        before = self.basket.redeem
        self.basket.redeem = points
        if sum(t.amount for t in self.tenders if t.method is not Method.CASH) > self.due:
            self.basket.redeem = before
            raise KioskError("points: the tenders already given would pay more than is left; Backspace takes one back first")

    def add_tender(self, method: Method, name: str | None, text: str) -> None:
        money = self.session.money
        amount = self.session.parse_money(text, f"{self.label(method, name).lower()} amount")
        left = self.left
        if method is not Method.CASH and amount > left:
            raise ValidationError(self.label(method, name).lower(),
                                  f"{money(amount)} is more than the {money(left)} left to pay (only cash gives change)")
        if method is Method.STORE_CREDIT and amount > max(0, -self.customer.balance):
            raise ValidationError("store credit", f"{self.customer.name} has {money(max(0, -self.customer.balance))}")
        self.tenders.append(TenderRequest(method, amount, name))

    @guarded
    def action_undo(self) -> None:
        if self.tenders:
            tender = self.tenders.pop()
            self.choose(f"took back {self.label(tender.method, tender.name)} {self.session.money(tender.amount)}")
        elif self.basket.redeem:
            self.basket.redeem = 0
            self.choose("points taken back")

    def action_back(self) -> None:
        if self.booking:
            return
        if self.method is not None:
            self.choose()
            return
        self.dismiss(None)

    # --- Booking ---------------------------------------------------------------------------------

    def action_complete(self) -> None:
        if self.booking:
            return
        if self.method is not None:  # Enter in the amount box is handled there
            return
        if self.settlement() is None:
            self.app.bell()
            self.say(f"Left to pay {self.session.money(self.left)}: choose how (1-6) first.")
            return
        self.booking = True
        self.refresh_bindings()
        self.say("Booking the sale…")
        self.book()

    @work(group="payment.book")
    @guarded
    async def book(self) -> None:
        try:
            receipt = await self._book()
        except Exception:
            self.say("")  # not "Booking…" any more: the notification says why
            raise
        finally:
            self.booking = False
            self.refresh_bindings()
        if receipt is None:
            self.draw()
            return
        self.dismiss((receipt, self.approvals))

    async def _book(self):
        from kiosk.services import sales

        ctx = self.session.ctx
        basket = self.basket
        approver = None
        big = discounts_needing_approval(basket.lines(), NO_DISCOUNT, self.discount_percent * 100)
        if big:
            approver = basket.discount_approver
            if approver is None:
                approver = await self.app.ask_manager(f"discount above {self.discount_percent}%: {big[0]}")
                if approver is None:
                    self.refused("not booked: the discount needs a manager's PIN")
                    return None
                basket.discount_approver = approver
            self.approve("discount", approver)
        overrider = None
        khata = sum(t.amount for t in self.tenders if t.method is Method.KHATA)
        c = self.customer
        if khata and c is not None and c.credit_limit is not None and c.balance + khata > c.credit_limit:
            overrider = await self.ask_credit(f"credit above the limit: {c.name} owes {self.session.money(c.balance)} "
                                              f"+ {self.session.money(khata)} > {self.session.money(c.credit_limit)}")
            if overrider is None:
                return None
        items, extras = basket.requests()
        while True:
            try:
                return sales.sell(ctx, sale_id=basket.sale_id, items=items, open_items=extras, tenders=self.tenders,
                                  customer_id=basket.customer_id, redeem=basket.redeem, approved_by=approver,
                                  override_by=overrider)
            except CreditLimitExceeded as exc:  # the balance moved on another till since Payment opened
                if overrider is not None:
                    raise
                overrider = await self.ask_credit(f"credit above the limit: {str(exc).split(' (')[0]}")
                if overrider is None:
                    return None

    async def ask_credit(self, reason: str):
        manager = await self.app.ask_manager(reason)
        if manager is None:
            self.refused("not booked: credit above the limit needs a manager's PIN (Backspace: pay another way)")
            return None
        self.approve("credit above the limit", manager)
        return manager

    def approve(self, what: str, manager) -> None:
        line = f"{what} approved by {manager.name} ({manager.role})"
        if line not in self.approvals:
            self.approvals.append(line)

    def refused(self, text: str) -> None:
        self.app.notify_error(text)
        self.say(Text(text, style="bold red"))
