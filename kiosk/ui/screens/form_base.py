"""What the small modal forms share (Khata, Loyalty, Settings): labelled rows, Enter in any box submits,
Esc cancels. One copy, so every form takes the same keys the same way."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, Label


def field_row(label: str, widget) -> Horizontal:
    """A labelled field: `field_row("Amount", Input(id="amount"))`."""
    return Horizontal(Label(label, classes="form-label"), widget, classes="form-row")


class ModalForm(ModalScreen):
    """A subclass gives `heading`, `fields()`, `compose()`, its Esc binding to `cancel` (the id names its
    set of forms) and `submit()`, which saves once and dismisses with what was saved."""

    heading = ""
    hint = "Enter: save · Tab: next field · Esc: cancel"

    def __init__(self) -> None:
        super().__init__()
        self.saved = False

    @property
    def session(self):
        return self.app.session

    def fields(self) -> ComposeResult:
        yield from ()

    def value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)
