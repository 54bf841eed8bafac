"""Customers (F3): the searchable, filterable, sortable list, and the way into a customer's profile.

The search box has the focus whenever the screen is shown and every keystroke asks for the list again:
one page (`customer_list.PAGE` rows) by keyset, read as the cursor nears the end of what is shown, so a
shop of 100k customers costs what a shop of 100 does. ↑ ↓ PgUp PgDn move the highlight without leaving
the box; the highlighted customer is the app's selected one (F4 opens their khata).

Keys (ids "customers.*"): Enter profile, Ctrl+F cycles the filter (has balance, no purchases, high value,
recent activity, archived), Ctrl+G the group, Ctrl+T the tier, Ctrl+O the sort (name, total spent,
recent activity, date added, balance), Ctrl+R turns the order round, Ctrl+N adds a customer, Esc clears
the search and the filters.
"""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from kiosk.domain.customer_list import NATURAL_DIRECTION, PAGE, Direction, Filters, ListQuery, Sort
from kiosk.domain.customers import Tier
from kiosk.domain.roles import Permission
from kiosk.ui.guard import guarded
from kiosk.ui.messages import ShowCustomer
from kiosk.ui.widgets import SessionBar, TillFooter
from kiosk.ui.widgets.customer_table import CustomerTable

#: Ctrl+F cycles through these (one at a time; group and tier combine with any of them).
FLAGS: tuple[tuple[str, str | None], ...] = (
    ("all", None),
    ("has balance", "has_balance"),
    ("no purchases", "no_purchases"),
    ("high value", "high_value"),
    ("recent activity", "recent"),
    ("archived", "archived"),
)
SORTS = tuple(Sort)
#: Load the next page when the highlight is this close to the last row shown.
NEAR_END = 10


class CustomerSearch(Input):
    """The search box. Its Enter opens the highlighted customer's profile: bound here, on the focused
    box, rather than as a priority key of the screen, so it is handled in turn after the ↑ ↓ typed
    before it (a priority key jumps the queue), and shown in the footer."""

    BINDINGS = [Binding("enter", "submit", "Profile", id="customers.open")]


class CustomersScreen(Screen):
    """The base screen of mode "customers"; the profile, the form and the merge are pushed over it."""

    AUTO_FOCUS = "#customer-search"
    BINDINGS = [
        Binding("ctrl+f", "cycle_filter", "Filter", id="customers.filter"),
        Binding("ctrl+g", "cycle_group", "Group", id="customers.group"),
        Binding("ctrl+t", "cycle_tier", "Tier", id="customers.tier"),
        Binding("ctrl+o", "cycle_sort", "Sort", id="customers.sort"),
        Binding("ctrl+r", "reverse", "Reverse", id="customers.reverse"),
        Binding("ctrl+n", "add", "New", id="customers.add"),
        Binding("escape", "clear", "Clear", id="customers.clear"),
        Binding("down", "cursor('down')", "Next", id="customers.down", show=False),
        Binding("up", "cursor('up')", "Previous", id="customers.up", show=False),
        Binding("pagedown", "cursor('page_down')", "Page down", id="customers.page_down", show=False),
        Binding("pageup", "cursor('page_up')", "Page up", id="customers.page_up", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.title = "Customers"
        self.flag = 0
        """Index into FLAGS."""
        self.group: str | None = None
        self.tier: Tier | None = None
        self.sort: Sort = Sort.NAME
        self.direction: Direction = NATURAL_DIRECTION[Sort.NAME]
        self.next_cursor = None
        """Where the next page starts; None when everything the query matches is shown."""
        self.queries = 0
        """Pages asked for since the screen was made (tests and the bench count them)."""
        self._shown_query: ListQuery | None = None
        self._resumed = False

    def compose(self) -> ComposeResult:
        yield SessionBar("Customers")
        yield CustomerSearch(placeholder="Search: name, phone or CNIC", id="customer-search")
        yield Static("", id="customer-status")
        yield CustomerTable(id="customer-table")
        yield TillFooter()

    # --- The list ----------------------------------------------------------------------------------

    @property
    def table(self) -> CustomerTable:
        return self.query_one(CustomerTable)

    @property
    def text(self) -> str:
        return self.query_one("#customer-search", Input).value

    def list_query(self) -> ListQuery:
        """What the list shows now: the search text, the filters, the sort."""
        name = FLAGS[self.flag][1]
        flags = {name: True} if name else {}
        filters = Filters(group=self.group, tier=self.tier, **flags)
        return ListQuery(text=self.text, filters=filters, sort=self.sort, direction=self.direction)

    def on_mount(self) -> None:
        self.reload()
        self._resumed = False

    def on_screen_resume(self) -> None:
        # back from the profile, the form or another area: the list may have changed (an edit, an
        # archive, a sale); show it again from the top of the same query, the same customer highlighted
        if self._resumed:
            self.reload(keep=self.table.customer_id, again=True)
        self._resumed = True
        self.query_one("#customer-search", Input).focus()

    @on(Input.Changed, "#customer-search")
    def _typed(self, event: Input.Changed) -> None:
        self.reload()

    @guarded
    def reload(self, keep: int | None = None, *, again: bool = False) -> None:
        """Ask for the first page of the current query and show it (one query); `again`: even when the
        query is the one shown."""
        from kiosk.services import customer_list

        session = self.app.session
        if session is None:
            return
        query = self.list_query()
        if query == self._shown_query and not again:
            return
        page = customer_list.page(session.ctx, query, limit=PAGE)
        self.queries += 1
        self._shown_query = query
        self.next_cursor = page.next_cursor
        table = self.table
        table.show(page.rows, session.money)
        if keep is not None:
            for n, row in enumerate(table.loaded):
                if row.id == keep:
                    table.move_cursor(row=n, scroll=True)
                    break
        self._status()
        self._selected()

    @guarded
    def load_more(self) -> bool:
        """The next page below the rows shown; False when there is none."""
        from kiosk.services import customer_list

        session = self.app.session
        if session is None or self.next_cursor is None or self._shown_query is None:
            return False
        page = customer_list.page(session.ctx, self._shown_query, after=self.next_cursor, limit=PAGE)
        self.queries += 1
        self.next_cursor = page.next_cursor
        self.table.append(page.rows, session.money)
        self._status()
        return True

    def _status(self) -> None:
        shown = self.table.row_count
        more = "+" if self.next_cursor is not None else ""
        arrow = "↑" if self.direction is Direction.ASC else "↓"
        parts = [f"[b]{shown:,}{more}[/b] customer{'s' if shown != 1 or more else ''}"]
        parts += [f"[b]{escape(f)}[/b]" for f in (FLAGS[self.flag][1] and FLAGS[self.flag][0], self.group,
                                          self.tier and self.tier.value) if f]
        parts.append(f"sort: [b]{self.sort.value} {arrow}[/b]")
        self.query_one("#customer-status", Static).update(" · ".join(parts), layout=False)  # one line, always

    def _selected(self) -> None:
        customer_id = self.table.customer_id
        if customer_id is not None and self.is_current:
            self.app.selected_customer_id = customer_id

    @on(CustomerTable.Highlighted, "#customer-table")
    def _highlighted(self, event: CustomerTable.Highlighted) -> None:
        self._selected()
        if self.next_cursor is not None and event.row >= self.table.row_count - NEAR_END:
            self.load_more()

    # --- Keys --------------------------------------------------------------------------------------

    def action_cursor(self, how: str) -> None:
        table = self.table
        if how == "page_down" and self.next_cursor is not None:
            # a page down past what is shown: read on first so the highlight lands on a real row
            while self.next_cursor is not None and table.cursor_row + table.size.height >= table.row_count:
                if not self.load_more():
                    break
        getattr(table, f"action_{'cursor_' if how in ('up', 'down') else ''}{how}")()

    @on(Input.Submitted, "#customer-search")
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_open()

    @guarded
    def action_open(self) -> None:
        customer_id = self.table.customer_id
        if customer_id is None:
            self.notify("No customer to open: type part of a name, phone or CNIC", severity="warning")
            return
        self.open_profile(customer_id)

    def open_profile(self, customer_id: int) -> None:
        from kiosk.ui.screens.profile import ProfileScreen

        self.app.selected_customer_id = customer_id
        self.app.push_screen(ProfileScreen(customer_id))

    def on_show_customer(self, message: ShowCustomer) -> None:
        """app.open_customer(id): the profile of that customer, over this list (anything else shown in
        this area goes first)."""
        self.app.call_later(self._show_customer, message.customer_id)

    @guarded
    async def _show_customer(self, customer_id: int) -> None:
        if self.app.current_mode != "customers":
            return
        while self.app.screen is not self and len(self.app.screen_stack) > 1:
            await self.app.pop_screen()
        self.open_profile(customer_id)

    def action_cycle_filter(self) -> None:
        self.flag = (self.flag + 1) % len(FLAGS)
        self.reload()

    def action_cycle_group(self) -> None:
        groups = (None, *self.app.session.shop.groups) if self.app.session else (None,)
        at = groups.index(self.group) if self.group in groups else 0
        self.group = groups[(at + 1) % len(groups)]
        self.reload()

    def action_cycle_tier(self) -> None:
        tiers = (None, *Tier)
        self.tier = tiers[(tiers.index(self.tier) + 1) % len(tiers)]
        self.reload()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.direction = NATURAL_DIRECTION[self.sort]
        self.reload()

    def action_reverse(self) -> None:
        self.direction = self.direction.flipped
        self.reload()

    def action_clear(self) -> None:
        """Esc: the search text and every filter go; the sort stays."""
        box = self.query_one("#customer-search", Input)
        if not box.value and self.flag == 0 and self.group is None and self.tier is None:
            return
        self.flag, self.group, self.tier = 0, None, None
        if box.value:
            box.value = ""  # Input.Changed reloads
        else:
            self.reload()

    @guarded
    def action_add(self) -> None:
        from kiosk.ui.screens.customer_form import CustomerFormScreen

        session = self.app.session
        if session is None:
            return
        if not session.may(Permission.ADD_CUSTOMER):
            self.app.notify_error(session.refusal(Permission.ADD_CUSTOMER))
            return

        def added(customer) -> None:
            if customer is not None:
                self.open_profile(customer.id)

        self.app.push_screen(CustomerFormScreen(prefill=self.text), added)
