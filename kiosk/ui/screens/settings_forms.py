"""The Settings screen's forms: add a user, reset a PIN, change a role, and a yes/no for disabling.

Each form is a modal over the Settings screen and calls the service itself (`kiosk.services.users`,
which checks the owner's permission again and writes the audit row). Tab moves between fields, Enter
in any field saves, Esc cancels. A PIN is typed twice, masked; a bad field (PINs that differ, a PIN
that is not 4 to 8 digits, one another user has, an empty name) is a one-line notification naming
it, and the form stays open with nothing changed. The answer is the service's result (a UserRef) or
None when cancelled.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from kiosk.domain.errors import KioskError, ValidationError
from kiosk.ui.guard import guarded
from kiosk.ui.screens.form_base import ModalForm, field_row
from kiosk.ui.widgets import TillFooter

#: What each role may do, one line, shown beside the role picker (in the order the users list shows them).
ROLE_NOTES = {
    "owner": "everything: users, settings, backups",
    "manager": "also refunds, overrides, reports",
    "cashier": "sells, takes payments, adds customers",
    "viewer": "reads reports and khata; changes nothing",
}


def _pin_box(box_id: str, placeholder: str) -> Input:
    return Input(placeholder=placeholder, password=True, max_length=8, restrict=r"[0-9]*", id=box_id, compact=True)


def same_pins(pin: str, again: str) -> str:
    """The PIN when both boxes agree; else a ValidationError naming the second box."""
    if not pin:
        raise ValidationError("pin", "is required: 4 to 8 digits")
    if pin != again:
        raise ValidationError("pin again", "is not the same as the PIN: type it again")
    return pin


class SettingsForm(ModalForm):
    """A form of the Settings screen. Subclasses give `heading`, `fields()` and `save()`."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="settings_forms.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="form-box"):
            yield Static(self.heading, classes="form-title")
            yield from self.fields()
            yield Static("", classes="form-note", id="form-note")
            yield Static(self.hint, classes="form-hint")
        yield TillFooter()

    @guarded
    def submit(self) -> None:
        if self.saved:
            return
        try:
            result = self.save()
        except KioskError as exc:
            self.point_at(exc)
            raise
        if result is not None:
            self.saved = True
            self.dismiss(result)

    def point_at(self, exc: KioskError) -> None:
        """Put the cursor in the box the refusal names ("pin: …"), emptied if it holds a PIN."""
        field = str(exc).split(":", 1)[0].strip()
        box = {"pin again": "#pin-again", "pin": "#pin", "name": "#name"}.get(field)
        if box and self.query(box):
            widget = self.query_one(box, Input)
            if widget.password:
                widget.clear()
            widget.focus()

    def save(self):
        raise NotImplementedError


class AddUserForm(SettingsForm):
    """A new user: name, role (cashier unless chosen), PIN twice."""

    AUTO_FOCUS = "#name"
    heading = "[b]Add a user[/b]"

    def fields(self) -> ComposeResult:
        yield field_row("Name", Input(placeholder="as the till shows it", id="name", compact=True, max_length=60))
        yield Horizontal(Label("Role", classes="form-label"),
                         Select([(r, r) for r in ROLE_NOTES], value="cashier", allow_blank=False, id="role",
                                compact=True),
                         Static(ROLE_NOTES["cashier"], id="role-note"), classes="form-row")
        yield field_row("PIN", _pin_box("pin", "4 to 8 digits"))
        yield field_row("PIN again", _pin_box("pin-again", "the same PIN"))

    @on(Select.Changed, "#role")
    def role_picked(self, event: Select.Changed) -> None:
        self.query_one("#role-note", Static).update(ROLE_NOTES.get(str(event.value), ""))

    def save(self):
        from kiosk.services import users

        pin = same_pins(self.value("#pin"), self.value("#pin-again"))
        role = str(self.query_one("#role", Select).value)
        return users.add_user(self.session.ctx, self.value("#name"), role, pin)

    def point_at(self, exc: KioskError) -> None:
        super().point_at(exc)
        if str(exc).startswith("pin:"):
            self.query_one("#pin-again", Input).clear()


class ResetPinForm(SettingsForm):
    """A new PIN for `name`, typed twice; the old one stops working at once."""

    AUTO_FOCUS = "#pin"

    def __init__(self, name: str) -> None:
        super().__init__()
        self.user_name = name
        self.heading = f"[b]New PIN[/b] for {escape(name)}"

    def fields(self) -> ComposeResult:
        yield field_row("PIN", _pin_box("pin", "4 to 8 digits"))
        yield field_row("PIN again", _pin_box("pin-again", "the same PIN"))

    def save(self):
        from kiosk.services import users

        pin = same_pins(self.value("#pin"), self.value("#pin-again"))
        return users.reset_pin(self.session.ctx, self.user_name, pin)


class RoleForm(SettingsForm):
    """Another role for `name`: ↑ ↓ pick, Enter saves (never the shop's last active owner: the service
    refuses)."""

    AUTO_FOCUS = "#role"
    hint = "↑ ↓: pick · Enter: save · Esc: cancel"

    def __init__(self, name: str, role: str) -> None:
        super().__init__()
        self.user_name, self.role = name, role
        self.heading = f"[b]Role[/b] of {escape(name)}, now a {role}"

    def fields(self) -> ComposeResult:
        yield OptionList(*(Option(f"{r:<8} {note}", id=r) for r, note in ROLE_NOTES.items() if r != self.role),
                         id="role", compact=True)

    @on(OptionList.OptionSelected, "#role")
    def picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.submit()

    def save(self):
        from kiosk.services import users

        role_list = self.query_one("#role", OptionList)
        if role_list.highlighted is None:
            raise ValidationError("role", "pick one with ↑ ↓")
        role = role_list.get_option_at_index(role_list.highlighted).id
        return users.set_role(self.session.ctx, self.user_name, str(role))


class ConfirmForm(ModalScreen[bool]):
    """A yes/no: Enter (or Y) yes, Esc (or N) no."""

    BINDINGS = [
        Binding("enter,y", "answer(True)", "Yes", id="settings_forms.yes"),
        Binding("escape,n", "answer(False)", "No", id="settings_forms.no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question, self.detail = question, detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="form-box"):
            yield Static(self.question, classes="form-title")
            if self.detail:
                yield Static(self.detail, classes="form-note")
            yield Static("Enter: yes · Esc: no", classes="form-hint")
        yield TillFooter()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
