"""Add or edit a customer: every field of `kiosk.domain.customers.FIELDS` on one screen, one line each.

`CustomerFormScreen()` adds (a cashier may), `CustomerFormScreen(customer)` edits (managers and owners;
the service refuses anyone else). It dismisses with the saved `Customer`, or None on Esc. Enter (or
Ctrl+S) saves from any box; ↑ ↓ move between boxes. A refused field is named in one line under the form
and gets the focus, and nothing is saved.

The tier is the loyalty programme's: a manager who changes it here pins it (`loyalty.set_tier`), so the
next sale does not move it back; it is not offered to a cashier adding a customer.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Select, Static

from kiosk.domain.customers import Tier
from kiosk.domain.errors import ValidationError
from kiosk.domain.roles import Permission
from kiosk.ui.guard import guarded
from kiosk.ui.screens.form_base import field_row
from kiosk.ui.widgets import SessionBar, TillFooter

#: (field, label, placeholder) for the text boxes, in the order of `kiosk.domain.customers.FIELDS`.
TEXT_FIELDS = (
    ("name", "Name", "full name (required)"),
    ("phone", "Phone", "0300 1234567"),
    ("cnic", "CNIC", "35202-1234567-1"),
    ("email", "Email", "name@example.com"),
    ("address", "Address", ""),
    ("business", "Business", "shop or company"),
    ("birth_date", "Birth date", "2026-03-31 or 31/03/2026"),
    ("notes", "Notes", ""),
    ("credit_limit", "Credit limit", "empty: no limit"),
)


HINT = "[dim]Enter or Ctrl+S saves · ↑ ↓ move between fields · Esc cancels[/dim]"


def _initial(customer, currency: str) -> dict[str, str]:
    if customer is None:
        return {}
    from kiosk.domain.cnic import format_cnic
    from kiosk.domain.money import to_decimal_string
    from kiosk.ui.widgets.customer_table import phone_text

    return {
        "name": customer.name,
        "phone": phone_text(customer.phone) if customer.phone else "",
        "cnic": format_cnic(customer.cnic) if customer.cnic else "",
        "email": customer.email or "",
        "address": customer.address,
        "business": customer.business,
        "birth_date": customer.birth_date.isoformat() if customer.birth_date else "",
        "notes": customer.notes,
        "credit_limit": to_decimal_string(customer.credit_limit, currency) if customer.credit_limit is not None else "",
    }


class CustomerFormScreen(Screen[object]):
    AUTO_FOCUS = "#field-name"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="customer_form.cancel"),
        Binding("ctrl+s", "save", "Save", id="customer_form.save"),
        Binding("down", "app.focus_next", "Next field", id="customer_form.next", show=False),
        Binding("up", "app.focus_previous", "Previous field", id="customer_form.previous", show=False),
    ]

    def __init__(self, customer=None, *, prefill: str = "") -> None:
        super().__init__()
        self.customer = customer
        """The customer being edited; None: a new one."""
        self.prefill = prefill.strip()
        self.title = "Edit customer" if customer is not None else "New customer"

    def compose(self) -> ComposeResult:
        session = self.app.session
        values = _initial(self.customer, session.shop.currency)
        if self.customer is None and self.prefill:  # what was typed in the search: a phone or a name
            digits = self.prefill.replace(" ", "").replace("-", "").lstrip("+")
            values["phone" if digits.isdigit() else "name"] = self.prefill
        yield SessionBar(self.title)
        with VerticalScroll(id="form-fields"):
            for field, label, placeholder in TEXT_FIELDS:
                yield field_row(label, Input(values.get(field, ""), placeholder=placeholder, id=f"field-{field}",
                                             compact=True))
            tier = self.customer.tier.value if self.customer is not None else Tier.NEW.value
            yield field_row("Tier", Select([(t.value, t.value) for t in Tier], value=tier, allow_blank=False,
                                           id="field-tier", compact=True,
                                           disabled=not session.may(Permission.RUN_LOYALTY)))
            groups = session.shop.groups or ("Retail",)
            group = self.customer.group if self.customer is not None else groups[0]
            yield field_row("Group", Select([(g, g) for g in groups], value=group if group in groups else groups[0],
                                            allow_blank=False, id="field-group", compact=True))
        yield Static(HINT, id="form-message")
        yield TillFooter()

    def value(self, field: str) -> str:
        return self.query_one(f"#field-{field}", Input).value.strip()

    def fields(self) -> dict:
        """What the form holds, parsed as the services take it (money in minor units, a date)."""
        from kiosk.domain.dates import parse_date

        session = self.app.session
        out: dict = {field: self.value(field) for field, _label, _ph in TEXT_FIELDS}
        out["birth_date"] = parse_date(out["birth_date"], field="birth_date") if out["birth_date"] else None
        limit = out["credit_limit"]
        out["credit_limit"] = session.parse_money(limit, "credit_limit", allow_zero=True) if limit else None
        for field in ("phone", "cnic", "email"):
            out[field] = out[field] or None
        out["group"] = str(self.query_one("#field-group", Select).value)
        out["tier"] = str(self.query_one("#field-tier", Select).value)
        return out

    def say(self, text: str) -> None:
        self.query_one("#form-message", Static).update(text)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    @guarded
    def action_save(self) -> None:
        from kiosk.services import customers, loyalty

        session = self.app.session
        try:
            fields = self.fields()
            if self.customer is None:
                tier = fields.pop("tier")
                customer = customers.add(session.ctx, **fields)
                if tier != customer.tier.value and session.may(Permission.RUN_LOYALTY):
                    loyalty.set_tier(session.ctx, customer.id, tier)
                    customer = customers.get(session.ctx, customer.id)
            else:
                tier = fields.pop("tier")
                old = self.customer
                changes = {k: v for k, v in fields.items() if v != _current(old, k)}
                customer = customers.edit(session.ctx, old.id, **changes) if changes else old
                if tier != old.tier.value:
                    loyalty.set_tier(session.ctx, old.id, tier)
                    customer = customers.get(session.ctx, old.id)
        except ValidationError as exc:
            self.say(f"[b]{exc.field}[/b]: {exc.reason}")
            self.app.bell()
            box = self.query(f"#field-{exc.field}")
            if box:
                box.first().focus()
            return
        self.dismiss(customer)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _current(customer, field: str):
    value = getattr(customer, field)
    return value if field != "tier" else value.value
