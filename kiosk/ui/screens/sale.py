"""Sale (checkout): one input for everything the cashier types, the basket, the totals, the customer.

What the item input takes (the placeholder and the box's title say it too):

    1001 / a scanned barcode     adds one
    3*1001                       adds three (0.250*TOMATO: 250 g of a product sold by the kg)
    words                        search the catalogue as you type; Up/Down pick, Enter adds
    loose sugar=150              an open item: a description, "=", the price (2*eggs=15: two at 15)

Keys, all with a binding id (remap in keymap.toml; F1 lists them). The line keys act on the basket's
highlighted line (Up/Down move it) and only while the item input is empty, so a SKU with a "-" in it
can still be typed:

    +  / -     one more / one fewer                       sale.more / sale.less
    *          set the quantity (type it, Enter)          sale.quantity
    %          line discount: "10%" or an amount "50"     sale.discount
    Del        remove the line                            sale.remove
    Ctrl+X     void the basket (press twice)              sale.void
    F7         attach a customer                          sale.attach
    F8         park the basket (empty basket: recall one) sale.park
    F12        pay                                        sale.pay
    Ctrl+O     open the cash drawer, no sale (a manager)  sale.no_sale
    Ctrl+R     the printer's queue (retry, drop, another) sale.print_queue
    F10        the day's sales: find one, its receipt,    sale.sales_list
               reprint it; the end-of-day summary (sales_list.py)
    Esc        clear the input / leave a quantity or discount prompt

A discount above the shop's approval percentage asks for a manager's PIN when it is given.

After a sale the print worker (kiosk/ui/print_worker.py) is kicked to send its receipt at once, in a
thread: a printer that is off never holds up the next sale, and the receipt waits in the queue. A "no
sale" drawer opening needs a manager: one logged in, or a cashier with a manager's PIN given on the spot
(`printing.open_drawer(approved_by=…)`); it is audited whether or not the printer answers.

The basket's sale id (its idempotency key) is made when the basket starts and kept through park and
recall, so a basket can never be booked twice. `rescue()` parks the basket when the app meets an
unexpected error or the till is locked; the first Sale screen after the next login offers it back.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from kiosk.domain.basket import NO_DISCOUNT, Discount, discounts_needing_approval, parse_percent, parse_quantity
from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.products import Unit
from kiosk.ui.guard import guard, guarded
from kiosk.ui.widgets import SessionBar, TillFooter
from kiosk.ui.widgets.basket import Basket, BasketTable, TotalsPanel
from kiosk.ui.widgets.customer_card import CustomerCard
from kiosk.ui.widgets.item_input import ItemInput

if TYPE_CHECKING:
    from kiosk.domain.customers import Customer
    from kiosk.ui.session import Session

#: The note of a basket parked by rescue(): the next login offers these back.
RESCUE_NOTE = "kept (error or lock)"

PLACEHOLDER = "scan or type SKU · 3*1001 for 3 · words search · open item: sugar=150"
TITLES = {
    "item": "Item",
    "quantity": "Quantity for line {n} ({name}): type it, Enter · Esc cancels",
    "discount": "Discount on line {n} ({name}): 10% or an amount like 50 · 0 removes · Esc cancels",
}
SUGGESTIONS = 8
VOID_WINDOW = 3.0  # seconds between the two Ctrl+X that void a basket

_QUANTITY_FIRST = re.compile(r"^\s*(?P<qty>[0-9]+(?:\.[0-9]+)?)\s*[*xX]\s*(?P<rest>\S.*)$")


def split_quantity(text: str) -> tuple[str | None, str]:
    """"3*1001" -> ("3", "1001"); "1001" -> (None, "1001")."""
    match = _QUANTITY_FIRST.match(text)
    if match is None:
        return None, text.strip()
    return match.group("qty"), match.group("rest").strip()


def wants_search(body: str) -> bool:
    """Words search as you type; a code (digits from a scanner, a typed SKU) waits for Enter."""
    return len(body) >= 2 and "=" not in body and any(ch.isalpha() for ch in body)


class SaleScreen(Screen):
    """The checkout: the item input keeps the focus whenever the screen is shown."""

    AUTO_FOCUS = "#item"
    BINDINGS: ClassVar[list[BindingType]] = [
        # the same ids as on the item input (kiosk/ui/widgets/item_input.py, where the line keys live):
        # these serve while the input is not focused
        Binding("f12", "pay", "Pay", id="sale.pay"),
        Binding("f7", "attach", "Customer", id="sale.attach"),
        Binding("f8", "park", "Park", id="sale.park"),
        Binding("escape", "clear", "Clear", id="sale.clear"),
        Binding("ctrl+o", "no_sale", "Drawer", id="sale.no_sale"),
        Binding("ctrl+r", "print_queue", "Printer", id="sale.print_queue"),
        Binding("f10", "sales_list", "Sales", id="sale.sales_list"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.basket = Basket()
        """The sale in progress."""
        self.mode = "item"
        """What the input is taking: "item", "quantity" or "discount" (of the highlighted line)."""
        self._found: list = []  # the products in the suggestion list
        self._picked = False  # the cashier moved through the suggestions: Enter takes the highlighted one
        self._void_armed = 0.0
        self._offered = False
        self._keys_state: tuple = ()

    @property
    def session(self) -> Session:
        return self.app.session

    # --- Layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SessionBar("Sale")
        box = ItemInput(placeholder=PLACEHOLDER, id="item", select_on_focus=False)
        box.border_title = TITLES["item"]
        yield box
        suggestions = OptionList(id="suggestions")
        suggestions.can_focus = False
        yield suggestions
        yield BasketTable(id="basket")
        with Horizontal(id="sale-foot"):
            yield CustomerCard(id="customer")
            yield TotalsPanel(id="totals")
        yield TillFooter()

    def on_mount(self) -> None:
        self.redraw()
        self.call_after_refresh(self.offer_rescued)

    def on_screen_resume(self) -> None:
        self.query_one("#item", Input).focus()

    # --- Drawing ----------------------------------------------------------------------------------

    def redraw(self, cursor: int | None = None) -> None:
        session = self.session
        if session is None:  # locked: this screen is about to go
            return
        table = self.query_one(BasketTable)
        keep = table.cursor_row if cursor is None and self.basket and table.row_count else cursor
        table.show(self.basket, session, keep)
        self.query_one(CustomerCard).show(self.basket.customer, session, self._key_for("attach"))
        self.query_one(TotalsPanel).show(self.basket, session, self.points_value())
        self.sync_keys()

    def points_value(self) -> int:
        if not self.basket.redeem:
            return 0
        from kiosk.domain.loyalty import redemption_value
        from kiosk.services import loyalty, settings

        return redemption_value(self.basket.redeem, loyalty.rates_of(settings.loyalty_settings(self.session.ctx)))

    def _key_for(self, action: str) -> str:
        for active in self.active_bindings.values():
            if active.binding.action == action:
                return self.app.get_key_display(active.binding)
        return "F7"

    @property
    def item_input(self) -> Input:
        return self.query_one("#item", Input)

    @property
    def line(self) -> int | None:
        """The index of the highlighted basket line, or None for an empty basket."""
        if not self.basket:
            return None
        row = self.query_one(BasketTable).cursor_row
        return max(0, min(row, len(self.basket) - 1))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("step", "ask", "remove", "void"):
            # None: shown dimmed, and the key goes on to the input (a "-" inside a SKU, the "*" of 3*1001)
            if not self.is_mounted or self.item_input.value or self.mode != "item" or not self.basket:
                return None
        if action == "move" and not (self.basket or self._found):
            return None
        return True

    def sync_keys(self) -> None:
        """Refresh the keys' enabled state when what they depend on changed: the footer redraws itself
        whole on a refresh, too slow to do on every keystroke."""
        state = (bool(self.item_input.value), bool(self.basket), self.mode)
        if state != self._keys_state:
            self._keys_state = state
            self.refresh_bindings()

    # --- Typing: search as you type, Enter adds ----------------------------------------------------

    @on(Input.Changed, "#item")
    @guarded
    def typed(self, event: Input.Changed) -> None:
        self.sync_keys()
        if self.mode != "item":
            return
        _qty, body = split_quantity(event.value)
        if not wants_search(body):
            self.show_suggestions([])
            return
        from kiosk.services import products

        self.show_suggestions(products.search(self.session.ctx, body, limit=SUGGESTIONS))

    def show_suggestions(self, found: list) -> None:
        box = self.query_one("#suggestions", OptionList)
        self._found = found
        self._picked = False
        box.clear_options()
        if not found:
            box.display = False
            return
        money = self.session.money
        box.add_options([Option(f"{p.name}  [dim]{p.sku} · {money(p.price)}{'' if p.unit is Unit.EACH else '/' + p.unit.value}[/dim]")
                         for p in found])
        box.highlighted = 0
        box.display = True

    @on(Input.Submitted, "#item")
    @guarded
    def submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        try:
            if self.mode == "quantity":
                self.set_quantity(text)
            elif self.mode == "discount":
                self.set_discount(text)
            elif text:
                self.add(text)
        except KioskError:
            box = self.item_input  # the input emptied itself on Enter: the refused entry goes back in it,
            if not box.value:      # selected, to be read; the next scan or key replaces it
                box.value = event.value
                box.select_all()
            raise

    @on(ItemInput.KeyAction)
    async def key_action(self, message: ItemInput.KeyAction) -> None:
        await self.app.run_action(message.action, message.input)

    def add(self, text: str) -> None:
        """Add what was typed: a code, a picked suggestion, or an open item."""
        from kiosk.services import products

        qty, body = split_quantity(text)
        if "=" in body:
            description, _, price = body.rpartition("=")
            index = self.basket.add_open(description, self.session.parse_money(price, "open item price"),
                                         parse_quantity(qty or "1", Unit.EACH, field_name="open item quantity"))
            self.added(index)
            return
        chosen = self.query_one("#suggestions", OptionList).highlighted if self._found else None
        code = body
        if self._picked and chosen is not None:
            code = self._found[chosen].sku
        priced = products.lookup_priced(self.session.ctx, [code], self.basket.group)[0]
        if priced is None and self._found:  # words that are no code: the highlighted (first) match
            code = self._found[chosen or 0].sku
            priced = products.lookup_priced(self.session.ctx, [code], self.basket.group)[0]
        if priced is None:
            raise products.not_found(code)
        milli = parse_quantity(qty or "1", priced.unit, field_name=f"quantity of {priced.sku}")
        self.added(self.basket.add_product(priced, code, milli))

    def added(self, index: int) -> None:
        self.show_suggestions([])
        self.redraw(cursor=index)

    # --- The highlighted line ----------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        box = self.query_one("#suggestions", OptionList)
        if self._found and box.display:
            box.action_cursor_down() if step > 0 else box.action_cursor_up()
            self._picked = True
            return
        table = self.query_one(BasketTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.cursor_row + step, table.row_count - 1)), animate=False)

    @guarded
    def action_step(self, steps: int) -> None:
        index = self.line
        if index is None:
            return
        entry = self.basket.entries[index]
        if entry.quantity_milli + steps * 1000 <= 0:
            raise KioskError(f"line {index + 1} is at its smallest quantity: Del removes it")
        self.basket.step_quantity(index, steps)
        self.redraw(cursor=index)

    @guarded
    def action_remove(self) -> None:
        index = self.line
        if index is None:
            return
        entry = self.basket.remove(index)
        self.notify(f"removed {entry.description}", timeout=3)
        self.redraw(cursor=max(0, index - 1))

    def action_ask(self, what: str) -> None:
        """Turn the input into a prompt for the highlighted line's quantity or discount."""
        index = self.line
        if index is None:
            return
        self.mode = what
        entry = self.basket.entries[index]
        box = self.item_input
        box.border_title = TITLES[what].format(n=index + 1, name=entry.description)
        box.placeholder = ("quantity, e.g. 2 or 0.250" if what == "quantity" else "10% or 50")
        box.add_class("-prompt")
        self.show_suggestions([])
        self.sync_keys()

    def end_prompt(self, clear: bool = True) -> None:
        """Back to taking items. `clear=False` after an Enter: the input emptied itself, and may already
        hold the next keys."""
        self.mode = "item"
        box = self.item_input
        box.border_title = TITLES["item"]
        box.placeholder = PLACEHOLDER
        box.remove_class("-prompt")
        if clear:
            box.clear()
        self.sync_keys()

    def set_quantity(self, text: str) -> None:
        index = self.line
        if index is None:
            self.end_prompt()
            return
        entry = self.basket.entries[index]
        self.basket.set_quantity(index, parse_quantity(text, entry.unit))
        self.end_prompt(clear=False)
        self.redraw(cursor=index)

    def set_discount(self, text: str) -> None:
        index = self.line
        if index is None:
            self.end_prompt()
            return
        discount = self.parse_discount(text)
        entry = self.basket.entries[index]
        from kiosk.services import settings

        threshold = settings.sale_settings(self.session.ctx).discount_approval_percent
        big = discounts_needing_approval([replace(entry.line, discount=discount)], NO_DISCOUNT, threshold * 100)
        if big:
            self.approve_discount(index, discount, f"discount on {entry.description}: "
                                  f"{big[0].split(': ', 1)[-1]} (above {threshold}%)")
            return
        self.apply_discount(index, discount)

    def parse_discount(self, text: str) -> Discount:
        raw = text.strip().replace(" ", "")
        if raw in ("", "0"):
            return NO_DISCOUNT
        if "%" in raw:
            return Discount(percent_bp=parse_percent(raw.replace("%", "")))
        return Discount(amount=self.session.parse_money(raw, "discount"))

    def apply_discount(self, index: int, discount: Discount) -> None:
        entry = self.basket.entries[index]
        if discount.amount and discount.amount > entry.line.gross:
            raise ValidationError("discount", f"{self.session.money(discount.amount)} is more than the line's "
                                  f"{self.session.money(entry.line.gross)}")
        self.basket.set_discount(index, discount)
        self.end_prompt(clear=False)
        self.redraw(cursor=index)

    @work(exclusive=True, group="approve")
    @guarded
    async def approve_discount(self, index: int, discount: Discount, reason: str) -> None:
        manager = await self.app.ask_manager(reason)
        if manager is None:
            self.notify("discount not given: it needs a manager's PIN", severity="warning")
            self.end_prompt()
            return
        self.basket.discount_approver = manager
        self.apply_discount(index, discount)
        self.notify(f"discount approved by {manager.name}", timeout=4)

    # --- Esc, void ----------------------------------------------------------------------------------

    def action_clear(self) -> None:
        if self.mode != "item":
            self.end_prompt()
            return
        self.item_input.clear()
        self.show_suggestions([])
        self.item_input.focus()

    @guarded
    def action_void(self) -> None:
        now = time.monotonic()
        if now - self._void_armed > VOID_WINDOW:
            self._void_armed = now
            self.notify(f"press {self._key_for('void')} again to void this basket ({len(self.basket)} lines)",
                        severity="warning", timeout=VOID_WINDOW)
            return
        self._void_armed = 0.0
        self.forget_parked_copy()
        self.new_basket()
        self.notify("basket voided", timeout=3)

    def new_basket(self) -> None:
        self.basket = Basket()
        self.end_prompt()
        self.show_suggestions([])
        self.redraw()

    # --- Customer (F7) -----------------------------------------------------------------------------

    @guarded
    def action_attach(self) -> None:
        from kiosk.ui.screens.attach import AttachScreen

        self.app.push_screen(AttachScreen(self.basket.customer), callback=self.attached)

    @guarded
    def attached(self, result) -> None:
        from kiosk.ui.screens.attach import DETACH

        if result is None:
            return
        customer = None if result is DETACH else result
        self.attach(customer)

    def attach(self, customer: Customer | None) -> None:
        from kiosk.services import products

        before = self.basket.group
        self.basket.customer = customer
        self.basket.redeem = 0  # points belong to the customer they were asked of
        if customer is not None:
            self.app.selected_customer_id = customer.id
        if self.basket.codes and self.basket.group != before:  # the new customer's group prices
            self.basket.reprice(products.lookup_priced(self.session.ctx, self.basket.codes, self.basket.group))
        self.redraw()

    # --- Pay (F12) ----------------------------------------------------------------------------------

    @guarded
    def action_pay(self) -> None:
        if not self.basket:
            raise KioskError("the basket is empty: scan or type an item first")
        if self.mode != "item":
            self.end_prompt()
        from kiosk.ui.screens.payment import PaymentScreen

        self.app.push_screen(PaymentScreen(self.basket), callback=self.paid)

    @guarded
    def paid(self, result) -> None:
        if result is None:  # cancelled: the basket stays, with any points asked for
            self.redraw()
            return
        receipt, approvals = result
        print_round = self.app.print_worker.kick()  # the receipt's job is committed: send it now, in a thread
        self.forget_parked_copy()
        self.new_basket()
        from kiosk.ui.screens.receipt_view import ReceiptViewScreen

        self.app.push_screen(ReceiptViewScreen(receipt, approvals, print_round))

    def forget_parked_copy(self) -> None:
        """The basket was sold or voided: a copy rescue() parked earlier goes too."""
        if not self.basket.parked_copy:
            return
        from kiosk.domain.errors import NotFound
        from kiosk.services import parking

        try:
            parking.drop(self.session.ctx, self.basket.sale_id)
        except NotFound:
            pass
        self.basket.parked_copy = False

    # --- The printer: no-sale drawer (Ctrl+O), the queue (Ctrl+R) -----------------------------------

    @work(exclusive=True, group="drawer")
    @guarded
    async def action_no_sale(self) -> None:
        """Open the cash drawer without a sale: a manager does it; a cashier needs a manager's PIN."""
        from kiosk.domain.roles import Permission

        session = self.session
        state = self.app.print_worker.state
        if state is not None and state.printer == "none":
            raise KioskError("no printer is set, and the drawer opens through it: an owner sets it in Settings "
                             "(F9, 4 Printer)")
        manager = None
        if not session.may(Permission.APPROVE):
            if not session.may(Permission.SELL):
                raise KioskError(session.refusal(Permission.APPROVE))
            manager = await self.app.ask_manager("open the cash drawer (no sale)")
            if manager is None:
                self.notify("drawer not opened: a no-sale opening needs a manager's PIN", severity="warning")
                return
        from kiosk.services import printing

        self.app.print_worker.call(
            lambda ctx: printing.open_drawer(ctx, approved_by=manager, reason="no sale"), self.drawer_done,
            name="no sale")

    def drawer_done(self, result) -> None:
        from kiosk.ui.print_worker import short_error

        if result.printed:
            self.notify("drawer opened (no sale): written to the audit log", timeout=4)
        else:
            self.app.notify_error(f"drawer not opened: {short_error(result.error)} (the try is in the audit log)")

    def action_print_queue(self) -> None:
        self.app.open_print_queue()

    def action_sales_list(self) -> None:
        """The day's sales over this screen (the basket stays as it is): find a past sale, reprint it."""
        from kiosk.ui.screens.sales_list import SalesListScreen

        self.app.push_screen(SalesListScreen())

    # --- Park and recall (F8) ------------------------------------------------------------------------

    @guarded
    def action_park(self) -> None:
        from kiosk.ui.screens.recall import ParkNoteScreen, RecallScreen

        if self.mode != "item":
            self.end_prompt()
        if self.basket:
            self.app.push_screen(ParkNoteScreen(self.basket), callback=self.park)
        else:
            self.app.push_screen(RecallScreen(), callback=self.recall)

    @guarded
    def park(self, note: str | None) -> None:
        if note is None:
            return
        from kiosk.services import parking

        parking.park(self.session.ctx, self.basket.sale_id, self.basket.parked(), note)
        lines = len(self.basket)
        self.new_basket()
        self.notify(f"parked ({lines} line{'s' if lines != 1 else ''}{': ' + note if note else ''}); "
                    f"F8 on an empty sale recalls it", timeout=5)

    @guarded
    def recall(self, sale_id: str | None) -> None:
        if sale_id is None:
            return
        from kiosk.services import parking

        if self.basket:
            raise KioskError("finish or park this basket before recalling another")
        parked = parking.recall(self.session.ctx, sale_id)  # the parked row is gone from here on
        self.load(sale_id, parked)

    def load(self, sale_id: str, parked) -> None:
        """A recalled basket back on the screen, under its own sale id (its idempotency key)."""
        from kiosk.services import customers, products

        ctx = self.session.ctx
        basket = Basket(sale_id=sale_id, redeem=parked.redeem)
        if parked.customer_id is not None:
            with guard(self):
                basket.customer = customers.get(ctx, parked.customer_id)
        priced = products.lookup_priced(ctx, [item.code for item in parked.items], basket.group) if parked.items else []
        missing = []
        for item, product in zip(parked.items, priced, strict=True):
            try:
                if product is None:
                    raise products.not_found(item.code)
                n = basket.add_product(product, item.code, parse_quantity(item.quantity, product.unit))
                basket.set_discount(n, item.discount)
            except KioskError as exc:
                missing.append(f"{item.code} x{item.quantity} ({exc})")
        for extra in parked.open_items:
            basket.add_open(extra.description, extra.price, parse_quantity(extra.quantity, Unit.EACH))
        self.basket = basket
        if basket.customer is not None:
            self.app.selected_customer_id = basket.customer.id
        self.end_prompt()
        self.redraw(cursor=len(basket) - 1)
        if missing:
            self.app.notify_error(f"left out of the recalled basket: {'; '.join(missing)}")
        else:
            self.notify(f"recalled {len(basket)} line{'s' if len(basket) != 1 else ''}", timeout=3)

    @guarded
    def offer_rescued(self) -> None:
        """The first Sale screen after a login: baskets rescued on this till are offered back."""
        if self._offered or self.session is None:
            return
        self._offered = True
        from kiosk.domain.roles import Permission
        from kiosk.services import parking

        if not self.session.may(Permission.PARK):
            return
        ctx = self.session.ctx
        kept = [r for r in parking.list_parked(ctx, till=ctx.till) if r.note.startswith(RESCUE_NOTE)]
        if kept and not self.basket:
            from kiosk.ui.screens.recall import RecallScreen

            self.app.push_screen(RecallScreen(kept, rescued=True), callback=self.recall)

    # --- When the app meets an error or is locked ----------------------------------------------------

    def rescue(self) -> str | None:
        """Park the basket (widget-free: the screen may already be gone from the DOM). A short note."""
        if not self.basket:
            return None
        session = self.app.session
        if session is None:
            return None
        from kiosk.services import parking

        parking.park(session.ctx, self.basket.sale_id, self.basket.parked(), RESCUE_NOTE)
        self.basket.parked_copy = True
        n = len(self.basket)
        return f"the sale's basket ({n} line{'s' if n != 1 else ''}) was parked; F8 on an empty sale recalls it"
