"""One line at the top of every screen: where we are, who is at the till, which shop and till, and the
receipts waiting for the printer when there are any ("printer: 2 waiting")."""

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
        worker = getattr(self.app, "print_worker", None)
        if worker is not None:
            worker.reported.subscribe(self, self._printer_reported)
        self.refresh_text()

    def _printer_reported(self, _report) -> None:
        self.refresh_text()

    def printer_text(self) -> str:
        """"printer: 2 waiting" while jobs wait for the printer (the worker's latest round), "printer: paper
        near end" while the printer says so, else ""."""
        worker = getattr(self.app, "print_worker", None)
        report = worker.state if worker is not None else None
        if report is None:
            return ""
        said = [f"{report.count} waiting"] if report.count else []
        said += [report.warning] if report.warning else []
        return f"printer: {', '.join(said)}" if said else ""

    def refresh_text(self) -> None:
        session = getattr(self.app, "session", None)
        parts = [f"[b]{self.title}[/b]"]
        if session is not None:
            parts += [f"{session.user.name} ({session.user.role})", session.shop.name, session.ctx.till]
            if session.read_only:
                parts.append("[reverse] review: read-only [/reverse]")
            elif printer := self.printer_text():
                parts.append(f"[reverse] {printer} [/reverse]")
        self.update(" · ".join(parts))
