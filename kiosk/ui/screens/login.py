"""The login screen: a PIN and nothing else. The role behind the PIN decides what the session may do.

It is the first thing painted, so it is kept light: a PinField rather than an Input, no Footer; its few
keys are one line built from the live bindings, so a remapped F1 shows as remapped."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from kiosk.domain.errors import KioskError
from kiosk.ui.guard import guarded
from kiosk.ui.widgets.pin_field import PinField

DEMO_HINT = "Demo PINs: owner 1111 · manager 2222 · cashier 3333"


class LoginScreen(Screen):
    AUTO_FOCUS = "#pin"

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Static(self.app.shop_name or "Kiosk", id="shop-name")
            yield Static("Type your PIN and press Enter", id="login-prompt")
            yield PinField(placeholder="PIN", id="pin")
            yield Static("", id="login-message")
            if self.app.demo:
                yield Static(DEMO_HINT, id="demo-pins")
        yield Static(id="login-keys")

    def on_mount(self) -> None:
        keys = {active.binding.action: self.app.get_key_display(active.binding)
                for active in self.active_bindings.values() if active.enabled}
        hint = [f"[b]{keys[action]}[/b] {what}" for action, what in (("help", "help"), ("quit", "quit"))
                if action in keys]
        self.query_one("#login-keys", Static).update("   ".join(["[b]enter[/b] log in", *hint]))

    def shop_opened(self, name: str) -> None:
        """The app opened the shop after the first paint: show its name."""
        self.query_one("#shop-name", Static).update(name)

    def on_screen_resume(self) -> None:
        # back from a lock: nothing of the last user stays on screen
        self.query_one("#pin", PinField).clear()
        self.say("")
        self.query_one("#pin", PinField).focus()

    def say(self, text: str) -> None:
        self.query_one("#login-message", Static).update(text)

    @on(PinField.Submitted, "#pin")
    @guarded
    def submit(self, event: PinField.Submitted) -> None:
        pin = event.value
        event.pin_field.clear()
        if not pin:
            return
        try:
            self.app.log_in(pin)
        except KioskError as exc:  # wrong PIN, locked till, a PIN that is not 4 to 8 digits
            self.say(str(exc).removeprefix("login: ").removeprefix("pin: "))
            self.app.bell()
