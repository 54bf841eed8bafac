"""The key bar every screen ends with: compact, so a screen's own keys and the global F-keys fit in 80
columns (the screen's keys come first; Ctrl+P is listed on the Help screen instead of taking room here)."""

from __future__ import annotations

from textual.widgets import Footer


class TillFooter(Footer):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        kwargs.setdefault("show_command_palette", False)
        super().__init__(**kwargs)
