"""A manager's or owner's PIN for one action ("credit above the limit"), asked over the current screen.

Opened by `await app.ask_manager(reason)`; `answer` resolves to the manager (a UserRef) or None on Esc.
The PIN goes through services.users.login with purpose "override": audited, and wrong PINs count
toward the till's lock like any login.
"""

from __future__ import annotations

import asyncio

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from kiosk.domain.errors import KioskError
from kiosk.domain.roles import Permission, allowed
from kiosk.ui.guard import guarded
from kiosk.ui.widgets import PinField, TillFooter


class ManagerPinScreen(ModalScreen[object]):
    AUTO_FOCUS = "#manager-pin"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="manager_pin.cancel"),
    ]

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason
        self.answer: asyncio.Future = asyncio.get_running_loop().create_future()
        """The manager's UserRef, or None when cancelled (or the screen went away, e.g. a lock)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="manager-box"):
            yield Static(f"[b]Manager PIN[/b] for: {self.reason}", id="manager-reason")
            yield PinField(placeholder="manager or owner PIN", id="manager-pin")
            yield Static("", id="manager-message")
        yield TillFooter()

    def _finish(self, manager) -> None:
        if not self.answer.done():
            self.answer.set_result(manager)
        self.dismiss(manager)

    def action_cancel(self) -> None:
        self._finish(None)

    def on_unmount(self) -> None:
        if not self.answer.done():
            self.answer.set_result(None)

    @on(PinField.Submitted, "#manager-pin")
    @guarded
    def submit(self, event: PinField.Submitted) -> None:
        from kiosk.services import users

        pin = event.value
        event.pin_field.clear()
        if not pin:
            return
        message = self.query_one("#manager-message", Static)
        try:
            person = users.login(self.app.shop_context(), pin, purpose="override")
        except KioskError as exc:  # wrong PIN (counted), till locked, not 4 to 8 digits
            message.update(str(exc).removeprefix("login: ").removeprefix("pin: "))
            self.app.bell()
            return
        if not allowed(person.role, Permission.APPROVE):
            message.update(f"{person.name} is a {person.role}: a manager's or owner's PIN is needed")
            self.app.bell()
            return
        self._finish(person)
