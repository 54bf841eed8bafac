"""An unexpected error: say so plainly, say what was kept and where the details went, and carry on."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from kiosk.ui.widgets import TillFooter


def _summary(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class ErrorScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("enter,escape", "dismiss", "Carry on", id="error.close"),
    ]

    def __init__(self, exc: BaseException, log: Path | None, notes: list[str]) -> None:
        super().__init__()
        self.errors = [(exc, log)]
        self.notes = list(notes)

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box"):
            yield Static("[b]Something went wrong in Kiosk[/b] (not something you did)", id="error-title")
            yield Static(id="error-body")
            yield Static("Enter: carry on    Ctrl+L: lock the till", id="error-keys")
        yield TillFooter()

    def on_mount(self) -> None:
        self.show()

    def add(self, exc: BaseException, log: Path | None, notes: list[str]) -> None:
        """Another error while this one is shown: listed here, not a second screen on top."""
        self.errors.append((exc, log))
        self.notes += notes
        self.show()

    def show(self) -> None:
        lines = [_summary(exc) for exc, _ in self.errors]
        lines += [f"Kept: {note}" for note in self.notes] or ["Nothing you typed was lost."]
        logs = [str(log) for _, log in self.errors if log is not None]
        lines.append(f"Details for whoever looks after the till: {', '.join(logs)}" if logs
                     else "The details could not be written to a log file.")
        self.query_one("#error-body", Static).update("\n".join(lines), layout=True)

    def action_dismiss(self) -> None:
        self.dismiss()
