"""The Sale screen's one input (codes, searches, open items), carrying the sale's keys.

The line keys (+ - * % Del Ctrl+X Up Down) act on the basket's highlighted line while the input is
empty; with text in the input they are the input's own ("-" in a SKU, the "*" of 3*1001, Del deleting).
They are bindings of this widget, so the footer shows them, F1 lists them and a keymap can remap them.

Why the input decides, in its own key handler: Textual drops a printable key ("*", "%") from the
bindings of every node above a focused Input, so a screen binding never sees it; a priority binding is
checked when the key arrives, before the input has taken the keys typed just before it; and a plain
binding runs after the key has bubbled up to the app, when the input has already typed the keys after
it. A barcode scanner or a fast typist sends "2*eggs=15⏎1001⏎%5⏎" in one burst, so the order matters.
The input therefore handles its sale keys itself, in the order they came: Enter submits and empties the
input there and then (the Sale screen puts a refused entry back, selected); any other sale key (a line
key only while the input is empty) is not typed but posted as `KeyAction`, which reaches the screen
after the entries submitted before it, and the screen runs the binding's action (`check_action` still
decides whether it may run).

The screen declares the sale's F-keys again, for the moment the input is not focused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

#: The sale's own keys, in footer order (the screen repeats them).
SALE_KEYS: list[Binding] = [
    Binding("f12", "screen.pay", "Pay", id="sale.pay"),
    Binding("f7", "screen.attach", "Customer", id="sale.attach"),
    Binding("f8", "screen.park", "Park", id="sale.park"),
    Binding("escape", "screen.clear", "Clear", id="sale.clear"),
]
#: + - * % in the footer as one group ("+-*% line": ±1, quantity, discount of the highlighted line), so the
#: Sale screen's keys fit two lines at 80 columns; Help (F1) lists each with its own description.
LINE_GROUP = Binding.Group("line", compact=True)
#: The keys of the highlighted basket line: theirs while the input is empty.
LINE_KEYS: list[Binding] = [
    Binding("plus", "screen.step(1)", "+1", id="sale.more", group=LINE_GROUP),
    Binding("minus", "screen.step(-1)", "-1", id="sale.less", group=LINE_GROUP),
    Binding("asterisk", "screen.ask('quantity')", "Qty", id="sale.quantity", group=LINE_GROUP),
    Binding("percent_sign", "screen.ask('discount')", "Disc", id="sale.discount", group=LINE_GROUP),
    # Del and Ctrl+X have a meaning in an input with text (delete right, cut): kept there
    Binding("delete", "line_or_text('remove', 'delete_right')", "Remove", id="sale.remove"),
    Binding("ctrl+x", "line_or_text('void', 'cut')", "Void", id="sale.void"),
    Binding("up", "screen.move(-1)", "Up", id="sale.up", show=False),
    Binding("down", "screen.move(1)", "Down", id="sale.down", show=False),
]
_LINE_IDS = {binding.id for binding in LINE_KEYS}
_SALE_IDS = _LINE_IDS | {binding.id for binding in SALE_KEYS}


class ItemInput(Input):
    """An Input whose line keys act on the basket while it is empty (see the module doc). Its Del and
    Ctrl+X replace Input's (and do Input's work while there is text)."""

    BINDINGS: ClassVar[list[BindingType]] = [*SALE_KEYS, *LINE_KEYS]

    @dataclass
    class KeyAction(Message):
        """A sale key pressed (a line key on the empty input): the screen runs `action`
        (`app.run_action(action, input)`) in order with the Submitted messages posted before it."""

        input: ItemInput
        action: str

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":  # submitted and emptied here, in order: the next scan starts afresh
            event.stop()
            event.prevent_default()
            await self.action_submit()
            self.value = ""  # after the Submitted message, so the screen still has its suggestions
            return
        active = self.screen.active_bindings.get(event.key)  # the till's keymap applied
        if active is None or active.node is not self or active.binding.id not in _SALE_IDS:
            return  # the input's own: typed, or an editing key
        if active.binding.id in _LINE_IDS and self.value:
            return  # a line key while there is text: typed ("-" in a SKU), or Del / Ctrl+X on the text
        event.stop()
        event.prevent_default()
        self.post_message(self.KeyAction(self, active.binding.action))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "line_or_text" and not self.value:
            return self.screen.check_action(str(parameters[0]), ())
        return True

    async def action_line_or_text(self, line_action: str, text_action: str) -> None:
        """The basket line's action while the input is empty, the input's own (on its text) otherwise."""
        if self.value:
            await self.app.run_action(text_action, self)
        else:
            await self.app.run_action(line_action, self.screen)
