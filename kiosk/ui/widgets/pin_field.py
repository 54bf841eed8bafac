"""A PIN box: digits only, shown as dots, Enter submits. Lighter than Input (no cursor, selection, paste or
thirty bindings), which matters on the first screen a slow till paints."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class PinField(Widget, can_focus=True):
    DEFAULT_CSS = """
    PinField {
        height: 3;
        border: tall $border-blurred;
        background: $surface;
        padding: 0 1;
        &:focus { border: tall $border; }
        &.-empty { color: $text-muted; }
    }
    """
    BINDINGS = [
        Binding("backspace", "delete", "Delete a digit", show=False, id="pin.delete"),
        Binding("enter", "submit", "Submit the PIN", show=False, id="pin.submit"),
    ]

    value: reactive[str] = reactive("", layout=False)
    """The digits typed so far (never shown)."""

    @dataclass
    class Submitted(Message):
        """Enter was pressed; `value` is the PIN (the field is cleared by whoever handles it)."""

        pin_field: PinField
        value: str

        @property
        def control(self) -> PinField:
            return self.pin_field

    def __init__(self, placeholder: str = "PIN", max_length: int = 8, **kwargs) -> None:
        super().__init__(**kwargs)
        self.placeholder = placeholder
        self.max_length = max_length

    def render(self) -> str:
        return "•" * len(self.value) if self.value else self.placeholder

    def watch_value(self, value: str) -> None:
        self.set_class(not value, "-empty")

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character.isdigit()

    def on_key(self, event: events.Key) -> None:
        # typing, not a command: digits go into the field, anything else is left to the bindings
        if event.character is not None and event.character.isdigit():
            event.stop()
            event.prevent_default()
            if len(self.value) < self.max_length:
                self.value += event.character

    def action_delete(self) -> None:
        self.value = self.value[:-1]

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self, self.value))

    def clear(self) -> None:
        self.value = ""
