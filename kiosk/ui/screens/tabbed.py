"""An area of tabs switched by 1 2 3 … (Reports, Settings): the bindings, the switch, and the frame (the
tabs, or one line saying why to anyone who may not use the area). One copy, so both answer the same way."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static, TabbedContent

from kiosk.domain.roles import Permission
from kiosk.ui.widgets import SessionBar, TillFooter

TABS_GROUP = Binding.Group("Tabs", compact=True)


def tab_bindings(area: str, tabs: tuple[tuple[str, str], ...]) -> list[Binding]:
    """1, 2, 3 … for `tabs` ((pane id, label), in order), one footer group; ids "<area>.<pane id>"
    ("reports.credit"), public: keymap.toml remaps them and Help lists them."""
    return [Binding(str(n), f"tab('{tab}')", label, id=f"{area}.{tab}", group=TABS_GROUP)
            for n, (tab, label) in enumerate(tabs, start=1)]


class TabbedArea:
    """Mixed in before Screen (`class ReportsScreen(TabbedArea, Screen)`); the screen sets `title` and the
    class attributes below, yields its TabPanes from `compose_tabs()` and focuses a tab's content in
    `focus_tab(tab)`."""

    PERMISSION: ClassVar[Permission]  # who may use the area
    TABS: ClassVar[tuple[str, ...]]  # the panes' ids, in order
    TABBED_ID: ClassVar[str]
    REFUSED_ID: ClassVar[str]

    @property
    def allowed(self) -> bool:
        session = self.app.session
        return session is not None and session.may(self.PERMISSION)

    def compose(self) -> ComposeResult:
        yield SessionBar(self.title)
        if self.allowed:
            with TabbedContent(id=self.TABBED_ID):
                yield from self.compose_tabs()
        else:
            session = self.app.session
            yield Static(session.refusal(self.PERMISSION) if session else "nobody is logged in",
                         id=self.REFUSED_ID)
        yield TillFooter()

    def compose_tabs(self) -> ComposeResult:
        raise NotImplementedError

    @property
    def active_tab(self) -> str:
        return self.query_one(f"#{self.TABBED_ID}", TabbedContent).active or self.TABS[0]

    def action_tab(self, tab: str) -> None:
        self.query_one(f"#{self.TABBED_ID}", TabbedContent).active = tab
        self.focus_tab(tab)

    def focus_tab(self, tab: str) -> None:
        raise NotImplementedError
