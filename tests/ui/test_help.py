"""F1: the keys of the screen underneath and the global keys, read from the live bindings and keymap."""

from __future__ import annotations

import pytest
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from kiosk.ui.screens.help import HelpScreen, key_rows
from kiosk.ui.widgets import SessionBar, TillFooter
from tests.ui.conftest import CASHIER


class Shelf(Screen):
    """A fixed screen with keys of its own and a text box (whose cursor keys Help leaves out)."""

    BINDINGS = [
        Binding("f7", "attach", "Customer", id="shelf.attach"),
        Binding("f8", "park", "Park", id="shelf.park"),
        Binding("escape", "back", "Back", id="shelf.back"),
    ]

    def compose(self):
        yield SessionBar("Shelf")
        yield Input(id="code")
        yield TillFooter()


def text(app) -> str:
    """What the help screen lists, as one string."""
    return "\n".join(" ".join(row) for row in app.screen.here + app.screen.everywhere)


async def test_help_lists_the_screen_keys_and_the_global_ones(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        shelf = Shelf()
        await till.push_screen(shelf)
        await pilot.pause()
        here, everywhere = key_rows(shelf)
        assert here == [("f7", "Customer", "shelf.attach"), ("f8", "Park", "shelf.park"),
                        ("esc", "Back", "shelf.back")]
        ids = [binding_id for _, _, binding_id in everywhere]
        for binding_id in ("kiosk.help", "kiosk.sale", "kiosk.customers", "kiosk.khata", "kiosk.reports",
                           "kiosk.loyalty", "kiosk.settings", "kiosk.lock"):
            assert binding_id in ids
        assert ("^p", "Command palette", "") in everywhere
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(till.screen, HelpScreen) and till.screen.under is shelf
        shown = text(till)
        assert "shelf.attach" in shown and "kiosk.lock" in shown and "Focus Next" not in shown


async def test_help_closes_with_escape_or_f1(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        sale = till.screen
        for close in ("escape", "f1"):
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(till.screen, HelpScreen)
            await pilot.press(close)
            await pilot.pause()
            assert till.screen is sale


async def test_help_on_the_login_screen_shows_only_what_works_there(till):
    async with till.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        shown = text(till)
        assert "kiosk.help" in shown
        assert "kiosk.sale" not in shown and "kiosk.lock" not in shown


async def test_help_shows_the_keys_as_remapped(shop_url, login):
    from kiosk.ui.app import KioskApp

    app = KioskApp(shop_url, keymap={"kiosk.customers": "f11"})
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, CASHIER)
            _, everywhere = key_rows(app.screen)
            assert ("f11", "Customers", "kiosk.customers") in everywhere
            assert not any(key == "f3" for key, _, _ in everywhere)
    finally:
        app.close_shop()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_help_snapshot(till, login, snap, size):
    async with till.run_test(size=size) as pilot:
        await login(pilot, CASHIER)
        await till.push_screen(Shelf())
        await pilot.press("f1")
        await pilot.pause()
        await snap(pilot, f"help-{size[0]}x{size[1]}")
