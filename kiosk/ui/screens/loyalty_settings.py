"""The shop's loyalty settings (earn and redeem rates, the minimum to redeem, expiry, when credit sales
earn, tier rules and multipliers) and its points campaigns, from the Loyalty screen (s).

Everyone may read them; changing them is for managers and owners: a cashier sees the values and gets the
one-line refusal when trying to change one. Keys (ids "loyalty_settings.*"): Enter or e changes the
highlighted setting, a adds a campaign, x ends the highlighted campaign, Tab moves between the two
tables, Esc goes back.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Static

from kiosk.domain.roles import Permission
from kiosk.domain.settings import Kind, fraction_text
from kiosk.ui.guard import guarded
from kiosk.ui.widgets import SessionBar, TillFooter

#: The loyalty keys in the order a shopkeeper thinks of them, with a short label each.
LABELS: dict[str, str] = {
    "loyalty.earn_points": "Earn: points",
    "loyalty.earn_per": "Earn: per amount paid",
    "loyalty.redeem_points": "Redeem: points",
    "loyalty.redeem_value": "Redeem: are worth",
    "loyalty.min_redeem": "Minimum to redeem",
    "loyalty.expiry_months": "Expiry (months)",
    "loyalty.credit_earns": "Credit sales earn at",
    "loyalty.tier.regular_from": "Regular from (purchases)",
    "loyalty.tier.vip_from": "VIP from (purchases)",
    "loyalty.tier.vip_spend": "VIP from (lifetime spend)",
    "loyalty.multiplier.new": "Multiplier: New",
    "loyalty.multiplier.regular": "Multiplier: Regular",
    "loyalty.multiplier.vip": "Multiplier: VIP",
}


def campaign_state(record, today: dt.date) -> str:
    if not record.active:
        return "ended"
    if today < record.campaign.start:
        return "upcoming"
    return "running" if today <= record.campaign.end else "over"


class LoyaltySettingsScreen(Screen):
    AUTO_FOCUS = "#loyalty-settings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Change", id="loyalty_settings.edit"),
        Binding("a", "add_campaign", "Add campaign", id="loyalty_settings.add_campaign"),
        Binding("x", "end_campaign", "End campaign", id="loyalty_settings.end_campaign"),
        Binding("escape", "back", "Back", id="loyalty_settings.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.title = "Loyalty settings"
        self.values: dict = {}
        """key -> services.settings.SettingValue, as last read."""
        self.campaigns: list = []
        """services.loyalty.list_campaigns(), as last read."""

    def compose(self) -> ComposeResult:
        session = self.app.session
        read_only = session is not None and not session.may(Permission.EDIT_SETTINGS)
        yield SessionBar("Loyalty settings (read only)" if read_only else "Loyalty settings")
        yield Static("", id="loyalty-rates")
        yield DataTable(id="loyalty-settings", cursor_type="row")
        yield Static("", id="loyalty-setting-doc")
        yield Static("[b]Campaigns[/b]", id="campaigns-heading", classes="loyalty-heading")
        yield DataTable(id="loyalty-campaigns", cursor_type="row", zebra_stripes=True)
        yield TillFooter()

    def on_mount(self) -> None:
        table = self.query_one("#loyalty-settings", DataTable)
        table.add_column("Setting", key="label")
        table.add_column("Value", key="value")
        table.add_column("Default", key="default")
        self.reload()

    @guarded
    def reload(self) -> None:
        from kiosk.services import loyalty, settings

        session = self.app.session
        ctx = session.ctx
        described = {sv.key: sv for sv in settings.describe(ctx) if sv.key in LABELS}
        self.values = {key: described[key] for key in LABELS}
        self.campaigns = loyalty.list_campaigns(ctx)
        self._rates()
        self._settings()
        self._campaigns()
        editable = session.may(Permission.EDIT_SETTINGS)
        self.sub_title = "" if editable else "read only"

    def show_value(self, sv) -> str:
        """A setting's value in the shop's terms: money with its currency, months, multipliers."""
        money = self.app.session.money
        kind, value = sv.setting.kind, sv.value
        if kind is Kind.MONEY:
            return money(value)
        if kind is Kind.MULTIPLIER:
            return f"x{fraction_text(value)}"
        if kind is Kind.MONTHS:
            return "never" if value == 0 else f"{value} months"
        if kind is Kind.CHOICE and sv.key == "loyalty.credit_earns":
            return "the sale" if value == "sale" else "payment"
        return f"{value:,}" if isinstance(value, int) else str(value)

    def _rates(self) -> None:
        v = {key: self.show_value(sv) for key, sv in self.values.items()}
        self.query_one("#loyalty-rates", Static).update(
            f"Earn {v['loyalty.earn_points']} pts per {v['loyalty.earn_per']} · "
            f"{v['loyalty.redeem_points']} pts = {v['loyalty.redeem_value']} · "
            f"min {v['loyalty.min_redeem']} · expiry {v['loyalty.expiry_months']}")

    def _settings(self) -> None:
        table = self.query_one("#loyalty-settings", DataTable)
        row = table.cursor_row
        currency = self.app.session.shop.currency
        table.clear()
        for key, sv in self.values.items():
            default = sv.setting.default_for(currency)
            shown_default = self.show_value(type(sv)(sv.setting, default, "", "default"))
            table.add_row(LABELS[key], Text(self.show_value(sv), style="bold" if not sv.is_default else ""),
                          Text(shown_default, style="dim"), key=key)
        table.move_cursor(row=max(0, min(row, len(self.values) - 1)))
        self._doc()

    def _campaigns(self) -> None:
        table = self.query_one("#loyalty-campaigns", DataTable)
        row = table.cursor_row
        table.clear(columns=True)  # columns sized to what is listed now
        for label, key in (("Name", "name"), ("From", "from"), ("To", "to"), ("Times", "times"),
                           ("Groups", "groups"), ("Tiers", "tiers"), ("State", "state")):
            table.add_column(label, key=key)
        today = dt.date.today()
        for record in self.campaigns:
            c = record.campaign
            state = campaign_state(record, today)
            style = "dim" if state in ("ended", "over") else ("bold" if state == "running" else "")
            table.add_row(Text(c.name, style=style), c.start.isoformat(), c.end.isoformat(),
                          f"x{fraction_text(c.multiplier)}", ",".join(c.groups) or "all",
                          ",".join(t.value for t in c.tiers) or "all", Text(state, style=style), key=c.name)
        if self.campaigns:
            table.move_cursor(row=max(0, min(row, len(self.campaigns) - 1)))
        heading = "[b]Campaigns[/b]" if self.campaigns else "[b]Campaigns[/b]: none yet (a adds one)"
        self.query_one("#campaigns-heading", Static).update(heading)

    @on(DataTable.RowHighlighted, "#loyalty-settings")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._doc()

    def _doc(self) -> None:
        key = self._setting_key()
        doc = self.values[key].setting.doc if key in self.values else ""
        self.query_one("#loyalty-setting-doc", Static).update(doc)

    def _setting_key(self) -> str | None:
        table = self.query_one("#loyalty-settings", DataTable)
        if not self.values or table.cursor_row < 0:
            return None
        return list(self.values)[min(table.cursor_row, len(self.values) - 1)]

    # --- Actions -----------------------------------------------------------------------------

    def _refused(self) -> bool:
        session = self.app.session
        if session.may(Permission.EDIT_SETTINGS):
            return False
        self.app.notify_error(session.refusal(Permission.EDIT_SETTINGS))
        return True

    def _refused_campaign(self) -> bool:
        session = self.app.session
        if session.may(Permission.RUN_LOYALTY):
            return False
        self.app.notify_error(session.refusal(Permission.RUN_LOYALTY))
        return True

    @on(DataTable.RowSelected, "#loyalty-settings")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    @guarded
    def action_edit(self) -> None:
        """Change the highlighted setting."""
        from kiosk.ui.screens.loyalty_forms import SettingForm

        key = self._setting_key()
        if key is None or self._refused():
            return
        self.app.push_screen(SettingForm(self.values[key], LABELS[key]), self._after_edit)

    def _after_edit(self, sv) -> None:
        if sv is None:
            return
        self.reload()
        self.notify(f"{LABELS.get(sv.key, sv.key)}: {self.show_value(sv)}")

    @guarded
    def action_add_campaign(self) -> None:
        """Add a points campaign."""
        from kiosk.ui.screens.loyalty_forms import CampaignForm

        if self._refused_campaign():
            return
        self.app.push_screen(CampaignForm(), self._after_add)

    def _after_add(self, campaign) -> None:
        if campaign is None:
            return
        self.reload()
        self.notify(f"Campaign {campaign.name!r}: points x{fraction_text(campaign.multiplier)} "
                    f"from {campaign.start.isoformat()} to {campaign.end.isoformat()}")

    @guarded
    def action_end_campaign(self) -> None:
        """End the highlighted campaign now."""
        from kiosk.ui.screens.loyalty_forms import ConfirmScreen

        if self._refused_campaign():
            return
        table = self.query_one("#loyalty-campaigns", DataTable)
        if not self.campaigns or table.cursor_row < 0:
            self.app.notify_error("end campaign: there are no campaigns")
            return
        record = self.campaigns[min(table.cursor_row, len(self.campaigns) - 1)]
        if not record.active:
            self.app.notify_error(f"campaign {record.campaign.name!r} has already been ended")
            return
        name = record.campaign.name
        self.app.push_screen(ConfirmScreen(f"End the campaign [b]{escape(name)}[/b] now? It stays listed, ended."),
                             lambda yes: self._end(name) if yes else None)

    @guarded
    def _end(self, name: str) -> None:
        from kiosk.services import loyalty

        record = loyalty.end_campaign(self.app.session.ctx, name)
        self.reload()
        self.notify(f"Campaign {record.campaign.name!r} ended")

    def action_back(self) -> None:
        self.dismiss()
