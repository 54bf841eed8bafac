"""The customers list as a table: name, tier, phone, total spent, the khata balance (amber when not
zero) and the loyalty points (an indigo badge). Rows arrive a page at a time (`show` for the first page
of a query, `append` for the next); the table holds only the pages the cashier has scrolled through.

Why not `DataTable`: it renders every cell through Rich (measured at 0.3 to 1 ms a cell on a loaded
2-core box) and a new query (`clear()` then `add_row` ×50) re-measures and re-renders every visible
cell, about 100 of them: 50 to 150 ms a keystroke, where the issue wants the new rows within a frame.
This is a Line API widget (`render_line`): a row is a few Segments of text cut to the column widths,
made when the row is first painted (so only the rows on screen have their money formatted: babel takes
~0.1 ms an amount), and the widget keeps its own scroll offset instead of a virtual size, so a new
query repaints the table without a layout of the screen. There is no scrollbar: the status line above
says how many rows there are.

It does not take focus: the Customers screen keeps the cursor in its search box and moves this table's
highlight with ↑ ↓ PgUp PgDn (`action_cursor_down` …), so typing always searches. Moving the highlight
posts `CustomerTable.Highlighted`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.message import Message
from textual.widget import Widget
from textual.strip import Strip

#: The columns after the name: (title, width, right-aligned). The name takes what the width leaves.
COLUMNS = (("Tier", 7, False), ("Phone", 12, False), ("Total spent", 13, True), ("Balance", 13, True),
           ("Points", 9, False))
NAME_MIN = 12
GAP = 2  # spaces between columns


@functools.lru_cache(maxsize=4096)
def phone_text(e164: str | None) -> str:
    """+923001234567 as the shop writes it at home: 0300 1234567 (the stored form if it will not parse)."""
    if not e164:
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _template(text: str) -> tuple[str, str, str]:
    """(before the number, the number, after it) of a formatted amount."""
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    return text[:digits[0]], text[digits[0]:digits[-1] + 1], text[digits[-1] + 1:]


def quick_money(money: Callable[[int], str]) -> Callable[[int], str]:
    """`money` (babel, ~0.1 ms an amount) learnt from two of its answers and replayed with plain string
    work (~2 µs): the signs, symbol, separators and digit grouping (Indian lakh grouping too) are read
    off 1234567890.12 and its negative. Checked against `money` on sample amounts first; a locale it
    does not reproduce exactly gets `money` itself."""
    try:
        probe = 123456789012
        pos_before, pos_number, pos_after = _template(money(probe))
        neg_before, _n, neg_after = _template(money(-probe))
        ints = "".join(ch for ch in pos_number if ch.isdigit())
        # Where the integer part ends: the fraction digits are what `money(1)` shows after its separator.
        one = _template(money(1))[1]
        frac_len = sum(ch.isdigit() for ch in one) - 1 if len(one) > 1 else 0
        decimal_sep = one[-frac_len - 1] if frac_len else ""
        int_part = pos_number[:len(pos_number) - frac_len - len(decimal_sep)] if frac_len else pos_number
        groups = _split_groups(int_part)
        group_sep = next((ch for ch in int_part if not ch.isdigit()), "")
        sizes = [len(g) for g in reversed(groups)]
        primary, secondary = (sizes[0], sizes[1]) if len(sizes) > 1 else (0, 0)
        if len(ints) != len(str(probe)):
            return money
    except (IndexError, ValueError):
        return money

    def fast(minor: int) -> str:
        whole, frac = divmod(abs(minor), 10 ** frac_len) if frac_len else (abs(minor), 0)
        digits = str(whole)
        if primary and len(digits) > primary:
            head, parts = digits[:-primary], [digits[-primary:]]
            while len(head) > secondary:
                parts.append(head[-secondary:])
                head = head[:-secondary]
            parts.append(head)
            digits = group_sep.join(reversed(parts))
        number = digits + (decimal_sep + str(frac).zfill(frac_len) if frac_len else "")
        return f"{neg_before}{number}{neg_after}" if minor < 0 else f"{pos_before}{number}{pos_after}"

    samples = (0, 1, 5, 10, 99, 100, 101, 999, 1000, 12345, 99999, 100000, 1234567, 10**9 + 7, 10**13 + 5,
               -1, -99, -100, -12345, -1234567, 250050, 3_000_000_00)
    return fast if all(fast(n) == money(n) for n in samples) else money


def _split_groups(int_part: str) -> list[str]:
    out, current = [], ""
    for ch in int_part:
        if ch.isdigit():
            current += ch
        else:
            out.append(current)
            current = ""
    out.append(current)
    return out


def fit(text: str, width: int, right: bool = False) -> str:
    """`text` in exactly `width` cells: cut with an ellipsis when too long, padded otherwise."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    pad = " " * (width - cell_len(text))
    return pad + text if right else text + pad


@dataclass(frozen=True, slots=True)
class _Cells:
    """A row's texts, made once when it arrives (money formatted, phone laid out)."""

    name: str
    tier: str
    phone: str
    spent: str
    balance: str
    balance_sign: int
    points: str
    archived: bool


class CustomerTable(Widget, can_focus=False):
    """`show(rows, money)` replaces the rows, `append(rows, money)` adds a page; `customer_id` is the
    highlighted customer's id (None when the list is empty). Rows are `kiosk.domain.customer_list.ListRow`."""

    DEFAULT_CSS = """
    CustomerTable {
        height: 1fr;
        & > .customer-table--header {
            color: $text-primary;
            background: $panel;
            text-style: bold;
        }
        & > .customer-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .customer-table--balance {
            color: #f59e0b;  /* amber, as the Sale screen's customer card */
            text-style: bold;
        }
        & > .customer-table--advance {
            color: $text-success;
        }
        & > .customer-table--points {
            background: #4f46e5;  /* indigo, as the Sale screen's customer card */
            color: #ffffff;
            text-style: bold;
        }
        & > .customer-table--muted {
            color: $text-muted;
        }
        & > .customer-table--empty {
            color: $text-muted;
            text-style: italic;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "customer-table--header", "customer-table--cursor", "customer-table--balance",
        "customer-table--advance", "customer-table--points", "customer-table--muted", "customer-table--empty",
    }

    @dataclass
    class Highlighted(Message):
        """The highlight moved (or the rows changed under it)."""

        table: CustomerTable
        row: int
        customer_id: int | None

        @property
        def control(self) -> CustomerTable:
            return self.table

    def __init__(self, *, empty_text: str = "No customers", **kwargs) -> None:
        super().__init__(**kwargs)
        self.loaded: list = []
        """Every row shown, in order."""
        self.empty_text = empty_text
        self._cells: list[_Cells | None] = []
        self._ids: set[int] = set()
        self._cursor = 0
        self._top = 0  # the first row on screen
        self._money: Callable[[int], str] = str
        self._given_money: Callable[[int], str] | None = None
        self._money_cache: dict[int, str] = {}
        self._rich_styles: dict[str, Style] | None = None

    # --- Rows --------------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.loaded)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def customer_id(self) -> int | None:
        """The highlighted customer's id."""
        return self.loaded[self._cursor].id if self.loaded else None

    def show(self, rows: Sequence, money: Callable[[int], str]) -> None:
        """The first page of a new query: the old rows go, the highlight goes to the top."""
        self.loaded, self._cells, self._ids = [], [], set()
        self._cursor = self._top = 0
        self._add(rows, money)
        self.refresh()
        self._post_highlight()

    def append(self, rows: Sequence, money: Callable[[int], str]) -> None:
        """The next page of the same query, below the rows already shown."""
        self._add(rows, money)
        self.refresh()

    def _add(self, rows: Sequence, money: Callable[[int], str]) -> None:
        if money != self._given_money:  # (a bound method is a new object at each access: compare equal)
            self._given_money, self._money, self._money_cache = money, quick_money(money), {}
        for row in rows:
            if row.id in self._ids:  # a row never shows twice
                continue
            self._ids.add(row.id)
            self.loaded.append(row)
            self._cells.append(None)  # made when first painted

    def _amount(self, minor: int) -> str:
        text = self._money_cache.get(minor)
        if text is None:
            if len(self._money_cache) > 4096:
                self._money_cache.clear()
            text = self._money_cache[minor] = self._money(minor)
        return text

    def _cells_of(self, index: int) -> _Cells:
        cells = self._cells[index]
        if cells is None:
            row = self.loaded[index]
            cells = self._cells[index] = _Cells(
                name=row.name, tier=getattr(row.tier, "value", str(row.tier)), phone=phone_text(row.phone),
                spent=self._amount(row.total_spent), balance=self._amount(row.balance),
                balance_sign=(row.balance > 0) - (row.balance < 0),
                points=f" {row.points:,} " if row.points else "", archived=row.archived)
        return cells

    # --- The cursor --------------------------------------------------------------------------------

    def move_cursor(self, row: int, scroll: bool = True) -> None:
        """Highlight `row` (clamped to the rows shown) and scroll it into view."""
        if not self.loaded:
            return
        row = max(0, min(row, len(self.loaded) - 1))
        if row == self._cursor:
            return
        self._cursor = row
        if scroll:
            self._scroll_to_cursor()
        self.refresh()
        self._post_highlight()

    def _body_height(self) -> int:
        return max(1, self.content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        body = self._body_height()
        if self._cursor < self._top:
            self._top = self._cursor
        elif self._cursor >= self._top + body:
            self._top = self._cursor - body + 1

    def _post_highlight(self) -> None:
        self.post_message(self.Highlighted(self, self._cursor, self.customer_id))

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._body_height())

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._body_height())

    # --- Painting ----------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._rich_styles = None
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        if self._rich_styles is None:
            self._rich_styles = {n.removeprefix("customer-table--"): self.get_component_rich_style(n)
                                  for n in self.COMPONENT_CLASSES}
        return self._rich_styles[name]

    def _name_width(self, width: int) -> int:
        return max(NAME_MIN, width - 2 - sum(w + GAP for _t, w, _r in COLUMNS))

    def on_resize(self) -> None:
        self._scroll_to_cursor()

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        if y == 0:
            return self._header(width)
        index = self._top + y - 1
        if index >= len(self._cells):
            if index == 0:
                return Strip([Segment(fit(" " + self.empty_text, width), self._style("empty"))], width)
            return Strip.blank(width)
        return self._row(self._cells_of(index), width, index == self._cursor)

    def _header(self, width: int) -> Strip:
        style = self._style("header")
        parts = [" " + fit("Name", self._name_width(width))]
        parts += [fit(title, w, right) for title, w, right in COLUMNS]
        text = (" " * GAP).join(parts)
        return Strip([Segment(fit(text, width), style)], width)

    def _row(self, cells: _Cells, width: int, cursor: bool) -> Strip:
        """One row: its segments cut to the columns and padded to `width`, so the Strip is made once
        (no extend, crop or restyle passes); the highlight is the cursor style under each segment's."""
        gap = " " * GAP
        style = self._style
        under = style("cursor") if cursor else None
        base = style("muted") if cells.archived else Style()
        tone = style("balance") if cells.balance_sign > 0 else style("advance") if cells.balance_sign < 0 else style(
            "muted")
        (_t, tier_w, _), (_p, phone_w, _), (_s, spent_w, _), (_b, bal_w, _), (_n, points_w, _) = COLUMNS
        left = (" " + fit(cells.name, self._name_width(width)) + gap + fit(cells.tier, tier_w) + gap
                + fit(cells.phone, phone_w) + gap + fit(cells.spent, spent_w, right=True) + gap)
        parts = [(left, base), (fit(cells.balance, bal_w, right=True), tone), (gap, None)]
        used = cell_len(left) + bal_w + GAP
        if cells.points:
            badge = cells.points if cell_len(cells.points) <= points_w else fit(cells.points, points_w)
            parts.append((badge, style("points")))
            used += cell_len(badge)
        if used < width:
            parts.append((" " * (width - used), None))
        segments = [Segment(text, (under + st if st else under) if under else st) for text, st in parts]
        if used > width:  # a very narrow table: cut at the edge
            return Strip(segments).crop(0, width)
        return Strip(segments, width)
