"""Stands in for a mode whose screen module does not exist yet, so the keys and the flow still work."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from kiosk.ui.widgets import SessionBar, TillFooter


class UnbuiltScreen(Screen):
    def __init__(self, mode: str) -> None:
        super().__init__(name=mode)
        self.mode = mode
        self.title = mode.capitalize()

    def compose(self) -> ComposeResult:
        yield SessionBar(self.mode.capitalize())
        yield Static(f"The {self.mode} screen is not built yet (kiosk/ui/screens/{self.mode}.py).",
                     id="unbuilt-text")
        yield TillFooter()
