"""One line at the top of every screen: where we are, who is at the till, which shop and till."""

from __future__ import annotations

from textual.widgets import Static


class SessionBar(Static):
    """`SessionBar("Sale")`: "Sale · Sana (cashier) · Bismillah Kiryana · till-1"."""

    DEFAULT_CSS = """
    SessionBar {
        dock: top;
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    """

    def __init__(self, title: str, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.title = title

    def on_mount(self) -> None:
        self.refresh_text()

    def refresh_text(self) -> None:
        session = getattr(self.app, "session", None)
        parts = [f"[b]{self.title}[/b]"]
        if session is not None:
            parts += [f"{session.user.name} ({session.user.role})", session.shop.name, session.ctx.till]
            if session.read_only:
                parts.append("[reverse] review: read-only [/reverse]")
        self.update(" · ".join(parts))
