"""F6 Loyalty: the selected customer's points, which lots they are in and when each expires, and the
points history; adjusting points and pinning a tier (managers); the shop's loyalty settings (s).

Which customer: `app.selected_customer_id`, else the customer picker asks (c picks another). Keys (ids
"loyalty.*"): a adjust points, t tier, s settings, c customer.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Static

from kiosk.domain.roles import Permission
from kiosk.domain.settings import fraction_text
from kiosk.ui.guard import guarded
from kiosk.ui.screens.customer_area import CustomerArea
from kiosk.ui.widgets import SessionBar, TillFooter
from kiosk.ui.widgets.khata_summary import phone_text
from kiosk.ui.widgets.ledger_table import CursorTable

_KINDS = {"earn": "Earned", "redeem": "Redeemed", "expire": "Expired", "take-back": "Taken back",
          "give-back": "Given back"}


class LoyaltyScreen(CustomerArea, Screen):
    AUTO_FOCUS = "#points-history"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "adjust", "Adjust", id="loyalty.adjust"),
        Binding("t", "tier", "Tier", id="loyalty.tier"),
        Binding("s", "settings", "Settings", id="loyalty.settings"),
        Binding("c", "customer", "Customer", id="loyalty.customer"),
    ]

    PICKER_PROMPT = "Points of which customer?"
    NONE_CHOSEN = "No customer chosen: press c to pick one, s for the shop's loyalty settings"
    NONE_CHOSEN_AT = "#points-summary"
    NEEDS_CUSTOMER = ("adjust", "tier")

    def __init__(self) -> None:
        super().__init__()
        self.title = "Loyalty"
        self.history = None
        """Their points history (services.loyalty.PointsHistory)."""

    def compose(self) -> ComposeResult:
        yield SessionBar("Loyalty")
        yield Static("", id="points-summary")
        yield Static("[b]Points by expiry[/b] (spent nearest expiry first)", classes="loyalty-heading")
        yield DataTable(id="points-lots", cursor_type="row", show_cursor=False)
        yield Static("[b]History[/b]", classes="loyalty-heading")
        yield CursorTable(id="points-history", zebra_stripes=True)
        yield TillFooter()

    def on_mount(self) -> None:
        lots = self.query_one("#points-lots", DataTable)
        lots.can_focus = False
        lots.add_column("Expires", key="expires")
        lots.add_column(Text("Points", justify="right"), key="points")
        lots.add_column(Text("Lots", justify="right"), key="lots")
        history = self.query_one("#points-history", DataTable)
        for label, key in (("#", "id"), ("Date", "date"), ("What", "kind"), ("Points", "points"),
                           ("Balance", "balance"), ("Expires", "expires"), ("Note", "note")):
            right = key in ("id", "points", "balance")
            history.add_column(Text(label, justify="right") if right else label, key=key)

    @guarded
    def show_customer(self, customer_id: int) -> None:
        from kiosk.services import customers, loyalty, settings

        session = self.app.session
        ctx = session.ctx
        customer = customers.get(ctx, customer_id)
        history = loyalty.history(ctx, customer_id)
        rules = settings.loyalty_settings(ctx)
        self.customer, self.history = customer, history
        self.sub_title = customer.name
        self._summary(customer, history, rules)
        self._lots(history)
        self._history(history)
        self.refresh_bindings()

    def _summary(self, customer, history, rules) -> None:
        from kiosk.domain.loyalty import redemption_value
        from kiosk.services.loyalty import rates_of

        money = self.app.session.money
        who = [f"[b]{escape(customer.name)}[/b]"]
        if customer.phone:
            who.append(phone_text(customer.phone))
        who += [f"customer {customer.id}", f"tier {customer.tier}",
                f"x{fraction_text(rules.multiplier(customer.tier))} points"]
        balance = history.balance
        worth = redemption_value(balance, rates_of(rules)) if balance else 0
        points = [f"[b]{balance:,}[/b] points, worth {money(worth)}"]
        if balance and balance < rules.min_redeem:
            points.append(f"redeemable from {rules.min_redeem:,}")
        expiring = [lot for lot in history.open_lots if lot.expires_on is not None]
        if expiring:
            first = expiring[0]
            points.append(f"next expiry {first.left:,} on {first.expires_on.isoformat()}")
        elif balance:
            points.append("none expire")
        self.query_one("#points-summary", Static).update(" · ".join(who) + "\n" + " · ".join(points))

    def _lots(self, history) -> None:
        """What the customer holds, one row per expiry date (nearest first; "never" last)."""
        by_expiry: dict = {}
        for lot in history.open_lots:
            points, lots = by_expiry.get(lot.expires_on, (0, 0))
            by_expiry[lot.expires_on] = (points + lot.left, lots + 1)
        table = self.query_one("#points-lots", DataTable)
        table.clear()
        for expires_on, (points, lots) in by_expiry.items():
            table.add_row(expires_on.isoformat() if expires_on else "never", Text(f"{points:,}", justify="right"),
                          Text(f"{lots}", justify="right"))
        if not by_expiry:
            table.add_row("—", Text("0", justify="right"), Text("0", justify="right"))

    def _history(self, history) -> None:
        table = self.query_one("#points-history", DataTable)
        table.clear()
        for line in history.lines:
            e = line.entry
            note = line.note or (f"sale {e.sale_id[:8]}" if e.sale_id else "")
            expires = ("" if line.left is None
                       else (e.expires_on.isoformat() if e.expires_on else "never"))
            table.add_row(Text(str(e.id), justify="right"), e.date.isoformat(), _KINDS.get(e.kind.value, e.kind.value),
                          Text(f"{line.signed:+,}", justify="right", style="green" if line.signed > 0 else ""),
                          Text(f"{line.balance:,}", justify="right"), expires, note[:40], key=str(e.id))
        if history.lines:  # the newest entry
            table.move_cursor(row=len(history.lines) - 1, animate=False)

    # --- Actions -----------------------------------------------------------------------------

    @guarded
    def action_adjust(self) -> None:
        """Add or take back points by hand."""
        from kiosk.ui.screens.loyalty_forms import AdjustPointsForm

        if self.customer is None or self._refused(Permission.RUN_LOYALTY):
            return
        self.app.push_screen(AdjustPointsForm(self.customer), self._after_adjust)

    def _after_adjust(self, entry) -> None:
        if entry is None:
            return
        self.refresh_view()
        taken = entry.kind.value == "take-back"
        what = f"took back {entry.points:,}" if taken else f"added {entry.points:,}"
        self.notify(f"Points {what}: balance {self.history.balance:,} points")

    @guarded
    def action_tier(self) -> None:
        """Pin the customer's tier, or let sales decide it."""
        from kiosk.ui.screens.loyalty_forms import TierForm

        if self.customer is None or self._refused(Permission.RUN_LOYALTY):
            return
        self.app.push_screen(TierForm(self.customer), self._after_tier)

    def _after_tier(self, answer) -> None:
        if answer is None:
            return
        tier, pinned = answer
        self.refresh_view()
        self.notify(f"Tier {tier}" + (" (pinned)" if pinned else " (sales decide it)"))

    def action_settings(self) -> None:
        """The shop's loyalty settings and campaigns."""
        from kiosk.ui.screens.loyalty_settings import LoyaltySettingsScreen

        self.app.push_screen(LoyaltySettingsScreen(), lambda _: self.refresh_view())
