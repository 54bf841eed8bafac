"""The Loyalty screens' forms: adjust a customer's points, pin their tier, change one loyalty setting,
add a campaign, and confirm ending one. Like the Khata forms (`FormScreen`): Enter saves, Esc cancels, a
bad field is a one-line notification naming it and nothing is saved."""

from __future__ import annotations

import datetime as dt
import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from kiosk.domain.errors import ValidationError
from kiosk.ui.screens.form_base import field_row
from kiosk.ui.screens.khata_forms import DATE_HINT, FormScreen, OneCustomerForm, typed_date
from kiosk.ui.widgets import TillFooter

_POINTS = re.compile(r"^[+-]?[0-9]{1,15}$", re.ASCII)


def parse_points(text: str) -> int:
    """Whole points, "+500" or "-200"; anything else names the field."""
    raw = (text or "").strip()
    if not _POINTS.match(raw):
        raise ValidationError("points", f"{raw or '(empty)'!r} is not a whole number of points like 500 or -200")
    points = int(raw)
    if points == 0:
        raise ValidationError("points", "must not be zero")
    return points


class AdjustPointsForm(OneCustomerForm):
    """Add points by hand, or take them back with a negative number, with a reason. Managers and owners."""

    AUTO_FOCUS = "#points"
    heading = "Adjust points"

    def intro(self) -> ComposeResult:
        yield Static(f"Has {self.customer.points:,} points · 500 adds, -200 takes back", classes="form-intro")

    def fields(self) -> ComposeResult:
        yield field_row("Points", Input(placeholder="e.g. 500 or -200", id="points", compact=True))
        yield field_row("Reason", Input(placeholder="why (kept on the entry and in the audit log)", id="reason",
                                        compact=True))

    async def save(self):
        from kiosk.services import loyalty

        points = parse_points(self.value("#points"))
        return loyalty.adjust(self.session.ctx, self.customer.id, points, self.value("#reason"),
                              idempotency_key=self.key)


class TierForm(OneCustomerForm):
    """Pin a customer's tier by hand (New, Regular, VIP), or `auto` to let sales decide it again."""

    AUTO_FOCUS = "#tier"
    heading = "Tier"

    def intro(self) -> ComposeResult:
        yield Static(f"Now {self.customer.tier} · New, Regular or VIP pins it; auto lets sales decide",
                     classes="form-intro")

    def fields(self) -> ComposeResult:
        yield field_row("Tier", Input(placeholder="New, Regular, VIP or auto", id="tier", compact=True))

    async def save(self):
        from kiosk.services import loyalty

        text = self.value("#tier").strip()
        pinned = text.casefold() != "auto"
        tier = loyalty.set_tier(self.session.ctx, self.customer.id, text if pinned else None)
        return (tier, pinned)


class SettingForm(FormScreen):
    """Change one loyalty setting, typed as `kiosk config set` takes it ("100.00", "1.5", "12")."""

    AUTO_FOCUS = "#setting-value"
    heading = "Change a setting"

    def __init__(self, value, label: str) -> None:
        super().__init__()
        self.setting_value = value
        """The setting as services.settings.describe gives it (SettingValue)."""
        self.label = label

    def title_text(self) -> str:
        return f"[b]{escape(self.label)}[/b] · {self.setting_value.key}"

    def intro(self) -> ComposeResult:
        from kiosk.domain.settings import KIND_HELP

        setting = self.setting_value.setting
        allowed = setting.range_text
        currency = self.session.shop.currency
        yield Static(f"{escape(setting.doc)}\n{KIND_HELP[setting.kind]}"
                     + (f"; {allowed}" if allowed else "")
                     + f" · default {setting.default_text(currency)}", classes="form-intro")

    def fields(self) -> ComposeResult:
        yield field_row("Value", Input(self.setting_value.text, id="setting-value", compact=True))

    async def save(self):
        from kiosk.services import settings

        return settings.set(self.session.ctx, self.setting_value.key, self.value("#setting-value"))


class CampaignForm(FormScreen):
    """A points campaign: name, first and last day, multiplier, and optionally the groups and tiers."""

    AUTO_FOCUS = "#campaign-name"
    heading = "Add a campaign"

    def intro(self) -> ComposeResult:
        yield Static("Points times the multiplier on sales from the first to the last day; when several "
                     "apply, the best one wins", classes="form-intro")

    def fields(self) -> ComposeResult:
        today = dt.date.today()
        yield field_row("Name", Input(placeholder="e.g. Ramadan double points", id="campaign-name", compact=True))
        yield field_row("From", Input(today.isoformat(), placeholder=DATE_HINT, id="campaign-from", compact=True))
        yield field_row("To", Input(placeholder=DATE_HINT, id="campaign-to", compact=True))
        yield field_row("Times", Input(placeholder="multiplier, e.g. 2 or 1.5", id="campaign-multiplier",
                                       compact=True))
        yield field_row("Groups", Input(placeholder="optional, e.g. Retail,Wholesale (default: all)",
                                        id="campaign-groups", compact=True))
        yield field_row("Tiers", Input(placeholder="optional, e.g. VIP (default: all)", id="campaign-tiers",
                                       compact=True))

    async def save(self):
        from kiosk.services import loyalty

        start = typed_date(self.value("#campaign-from"), "from")
        end = typed_date(self.value("#campaign-to"), "to")
        if start is None:
            raise ValidationError("from", "is empty")
        if end is None:
            raise ValidationError("to", "is empty")
        multiplier = self.value("#campaign-multiplier").strip()
        if not multiplier:
            raise ValidationError("multiplier", "is empty")
        return loyalty.add_campaign(self.session.ctx, self.value("#campaign-name"), start=start, end=end,
                                    multiplier=multiplier, groups=self.value("#campaign-groups"),
                                    tiers=self.value("#campaign-tiers"))


class ConfirmScreen(ModalScreen[bool]):
    """Enter: yes; Esc: no."""

    BINDINGS = [
        Binding("enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            yield Static("Enter: yes · Esc: no", id="confirm-keys")
        yield TillFooter()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
