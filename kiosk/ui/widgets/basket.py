"""The sale in progress: `Basket` (the lines as the cashier built them, with their live prices, the
attached customer, the points to redeem and the sale's idempotency key) and the widgets that show it,
`BasketTable` (line, item, qty, price, discount, total) and `TotalsPanel`.

The basket keeps each product line's code and quantity as typed, so what is sold, parked or rescued is
exactly what `sales.sell` / `parking.park` take (`ItemRequest`, `OpenItemRequest`); the names and prices
shown come from one `products.lookup_priced` query (again, for every line, when the customer's price
group changes). The totals are the domain's (`kiosk.domain.basket.totals`): the screen never does its
own sums of money.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from textual.widgets import DataTable, Static

from kiosk.domain.basket import MILLI, NO_DISCOUNT, Discount, Line, Totals, open_item, totals
from kiosk.domain.errors import ValidationError
from kiosk.domain.products import Unit
from kiosk.ui.widgets.customer_card import INDIGO_TEXT

if TYPE_CHECKING:
    from kiosk.domain.customers import Customer
    from kiosk.domain.parked import ParkedBasket
    from kiosk.ui.session import Session


def new_sale_id() -> str:
    """The sale's idempotency key, made when the basket starts (a double Enter books once)."""
    return uuid.uuid4().hex


def quantity_text(milli: int) -> str:
    """3000 -> "3"; 250 -> "0.25": a quantity as `parse_quantity` (and the parked basket) reads it."""
    whole, frac = divmod(milli, MILLI)
    return str(whole) if not frac else f"{whole}.{frac:03d}".rstrip("0")


def plain_amount(session: Session, minor: int) -> str:
    """An amount without the currency sign, for table cells: 145000 -> "1,450.00" (en_PK)."""
    from kiosk.domain.money import format_of

    shop = session.shop
    return format_of(shop.currency, shop.locale).plain(minor)


@dataclass(frozen=True, slots=True)
class Entry:
    """One basket line as the cashier made it. `code` is the barcode or SKU typed (None: an open item)."""

    description: str
    unit_price: int
    quantity_milli: int
    unit: Unit = Unit.EACH
    sku: str | None = None
    code: str | None = None
    discount: Discount = NO_DISCOUNT
    active: bool = True

    @property
    def line(self) -> Line:
        if self.code is None:
            return replace(open_item(self.description, self.unit_price, self.quantity_milli), discount=self.discount)
        return Line(self.description, self.unit_price, self.quantity_milli, unit=self.unit, sku=self.sku,
                    discount=self.discount)


@dataclass
class Basket:
    """The sale being built. Plain data: the screen changes it and redraws; services take `requests()`."""

    sale_id: str = field(default_factory=new_sale_id)
    entries: list[Entry] = field(default_factory=list)
    customer: Customer | None = None
    redeem: int = 0
    """Points to redeem off the bill (set in Payment, kept with the basket)."""
    discount_approver: object | None = None
    """The manager (UserRef) who approved a big line discount in this basket, passed to `sales.sell`."""
    parked_copy: bool = False
    """A copy of this basket is parked (rescued after an error): drop it once the sale is done."""

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def group(self) -> str | None:
        return self.customer.group if self.customer is not None else None

    @property
    def customer_id(self) -> int | None:
        return self.customer.id if self.customer is not None else None

    def lines(self) -> list[Line]:
        return [entry.line for entry in self.entries]

    def totals(self) -> Totals:
        return totals(self.lines())

    # --- Changing it ----------------------------------------------------------------------------

    def add_product(self, product, code: str, quantity_milli: int) -> int:
        """Add a priced product (`products.lookup_priced`); the same piece-counted product again adds to its
        line (if that line has no discount). Returns the index of the line."""
        if not product.active:
            raise ValidationError("item", f"{product.sku} ({product.name}) is not sold any more")
        if product.unit is Unit.EACH and quantity_milli % MILLI:
            raise ValidationError(f"quantity of {product.sku}", "items sold by the piece take whole numbers")
        if product.unit is Unit.EACH:
            for n, entry in enumerate(self.entries):
                if entry.sku == product.sku and entry.code is not None and entry.discount == NO_DISCOUNT:
                    self.entries[n] = replace(entry, quantity_milli=entry.quantity_milli + quantity_milli)
                    return n
        self.entries.append(Entry(product.name, product.price, quantity_milli, unit=product.unit, sku=product.sku,
                                  code=code, active=product.active))
        return len(self.entries) - 1

    def add_open(self, description: str, price: int, quantity_milli: int = MILLI) -> int:
        line = open_item(description, price, quantity_milli)  # refuses an empty description or a zero price
        self.entries.append(Entry(line.description, price, quantity_milli))
        return len(self.entries) - 1

    def set_quantity(self, index: int, quantity_milli: int) -> None:
        entry = self.entries[index]
        if quantity_milli <= 0:
            raise ValidationError("quantity", "must be more than zero (Del removes the line)")
        if not entry.unit.weighed and quantity_milli % MILLI:
            raise ValidationError("quantity", f"{entry.description} is sold by the piece: whole numbers only")
        self.entries[index] = replace(entry, quantity_milli=quantity_milli)

    def step_quantity(self, index: int, steps: int) -> None:
        """+1 / -1 piece (or kg / litre for weighed goods)."""
        self.set_quantity(index, self.entries[index].quantity_milli + steps * MILLI)

    def set_discount(self, index: int, discount: Discount) -> None:
        self.entries[index] = replace(self.entries[index], discount=discount)

    def remove(self, index: int) -> Entry:
        return self.entries.pop(index)

    def reprice(self, priced: list) -> None:
        """New prices for the product lines (in their order) after the customer's group changed."""
        products = iter(priced)
        for n, entry in enumerate(self.entries):
            if entry.code is None:
                continue
            product = next(products)
            if product is not None:
                self.entries[n] = replace(entry, unit_price=product.price, description=product.name)

    @property
    def codes(self) -> list[str]:
        return [entry.code for entry in self.entries if entry.code is not None]

    # --- For the services -----------------------------------------------------------------------

    def requests(self) -> tuple[list, list]:
        """(items, open_items) for `sales.sell` and `parking.basket`."""
        from kiosk.services.sales import ItemRequest, OpenItemRequest

        items, extras = [], []
        for entry in self.entries:
            qty = quantity_text(entry.quantity_milli)
            if entry.code is None:
                extras.append(OpenItemRequest(entry.description, entry.unit_price, qty))
            else:
                items.append(ItemRequest(entry.code, qty, entry.discount))
        return items, extras

    def parked(self) -> ParkedBasket:
        from kiosk.services import parking

        items, extras = self.requests()
        return parking.basket(items=items, open_items=extras, customer_id=self.customer_id, redeem=self.redeem)


class BasketTable(DataTable):
    """The basket's lines; the row cursor is the line the quantity, discount and remove keys act on.

    It never takes the focus: the item input keeps it, and the Sale screen moves the cursor."""

    DEFAULT_CSS = """
    BasketTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    """

    COLUMNS = (("#", 2), ("Item", None), ("Qty", 6), ("Price", 10), ("Disc", 8), ("Total", 11))
    """(label, width); the item's width is what the others leave."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, show_row_labels=False, **kwargs)
        self.can_focus = False

    def on_mount(self) -> None:
        from rich.text import Text

        for label, width in self.COLUMNS:
            heading = Text(label, justify="left" if label in ("#", "Item") else "right")
            self.add_column(heading, width=width, key=label)

    def on_resize(self) -> None:
        self._fit_item_column()

    def _fit_item_column(self) -> None:
        """The item column takes whatever width the numbers leave."""
        fixed = sum(width for _label, width in self.COLUMNS if width) + 2 * self.cell_padding * len(self.COLUMNS)
        room = max(8, self.scrollable_content_region.width - fixed - 1)
        column = self.columns.get("Item")
        if column is not None and column.width != room:
            column.width = room
            column.auto_width = False
            self.refresh()

    def show(self, basket: Basket, session: Session, cursor: int | None = None) -> None:
        from rich.text import Text

        amount = functools.partial(plain_amount, session)
        self.clear()
        for n, (entry, line) in enumerate(zip(basket.entries, basket.lines(), strict=True), start=1):
            qty = quantity_text(entry.quantity_milli) + ("" if entry.unit is Unit.EACH else f" {entry.unit.value[:2]}")
            off = line.line_discount
            discount = ""
            if off:
                discount = f"{entry.discount.percent_bp / 100:g}%" if entry.discount.percent_bp else amount(off)
            name = entry.description if entry.code is not None else f"{entry.description} (open)"
            self.add_row(
                str(n), name, Text(qty, justify="right"), Text(amount(entry.unit_price), justify="right"),
                Text(discount, justify="right", style="yellow"), Text(amount(line.net), justify="right"),
                key=str(n),
            )
        self._fit_item_column()
        if basket.entries:
            target = len(basket.entries) - 1 if cursor is None else max(0, min(cursor, len(basket.entries) - 1))
            self.move_cursor(row=target, animate=False, scroll=True)


class TotalsPanel(Static):
    """Gross, discounts, points and the total of the basket, right-aligned under the customer card."""

    DEFAULT_CSS = """
    TotalsPanel {
        height: auto;
        padding: 0 1;
        border: round $primary-muted;
        border-title-color: $text;
    }
    """

    def on_mount(self) -> None:
        self.border_title = "Totals"

    def show(self, basket: Basket, session: Session, points_value: int = 0) -> None:
        from rich.table import Table
        from rich.text import Text

        t = basket.totals()
        table = Table.grid(expand=True)
        table.add_column("what", no_wrap=True)
        table.add_column("amount", justify="right", no_wrap=True)
        items = len(basket.entries)
        table.add_row(f"Gross ({items} line{'s' if items != 1 else ''})", session.money(t.gross))
        discounts = t.line_discounts + t.basket_discount
        table.add_row("Discounts", Text(f"-{session.money(discounts)}" if discounts else session.money(0),
                                        style="yellow" if discounts else ""))
        if basket.redeem:
            table.add_row(f"Points ({basket.redeem})", Text(f"-{session.money(points_value)}", style=INDIGO_TEXT))
        table.add_row(Text("TOTAL", style="bold"), Text(session.money(t.total - points_value), style="bold"))
        self.update(table)
