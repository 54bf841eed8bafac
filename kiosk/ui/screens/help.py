"""F1: every key of the screen underneath and every global key, read from the live bindings (the shop's
keymap applied), with each binding's id for remapping (kiosk/ui/keymap.py)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from kiosk.ui.widgets import TillFooter


def _declared_by_kiosk(node, action: str) -> bool:
    """Whether one of our classes (the screen, a Kiosk widget), not Textual's, declares a binding for
    `action`: the app's keys are all listed, but not Textual's own focus, copy and cursor keys."""
    for cls in type(node).__mro__:
        if "BINDINGS" in cls.__dict__ and not cls.__module__.startswith("textual."):
            for entry in cls.__dict__["BINDINGS"]:
                if (entry.action if isinstance(entry, Binding) else entry[1]) == action:
                    return True
    return False


NAMES = {"command_palette": "Command palette", "quit": "Quit Kiosk"}


def key_rows(screen: Screen) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(this screen's keys, global keys) as (key, what it does, binding id), in binding order."""
    from textual.app import App

    here, everywhere = [], []
    for active in screen.active_bindings.values():
        binding = active.binding
        is_global = isinstance(active.node, App)
        if not active.enabled or not (is_global or _declared_by_kiosk(active.node, binding.action)):
            continue
        does = NAMES.get(binding.action) or binding.description or binding.tooltip or binding.action
        row = (screen.app.get_key_display(binding), does, binding.id or "")
        (everywhere if is_global else here).append(row)
    return here, everywhere


def _table(title: str, rows: list[tuple[str, str, str]]):
    from rich.table import Table

    table = Table(title=f"[b]{title}[/b]", title_justify="left", box=None, show_header=False, padding=(0, 1))
    table.add_column("key", style="bold", no_wrap=True, min_width=8)
    table.add_column("does", min_width=24)
    table.add_column("id", style="dim", no_wrap=True)
    for key, does, binding_id in rows:
        table.add_row(key, does, binding_id)
    if not rows:
        table.add_row("", "(no keys of its own)", "")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under
        """The screen whose keys are listed."""

    def compose(self) -> ComposeResult:
        self.here, self.everywhere = here, everywhere = key_rows(self.under)
        name = self.under.title or type(self.under).__name__.removesuffix("Screen")
        with Vertical(id="help-box"):
            yield Static("[b]Keys[/b]  (Esc or F1 closes; the ids can be remapped in keymap.toml)", id="help-title")
            with VerticalScroll(id="help-keys"):
                yield Static(_table(f"{name} screen", here), id="help-here")
                yield Static(_table("Everywhere", everywhere), id="help-global")
        yield TillFooter()

    def action_dismiss(self) -> None:
        self.dismiss()
