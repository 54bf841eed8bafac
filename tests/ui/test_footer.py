"""Every key of every screen is in the footer and on screen at 80x24 (issue 5): the footer wraps onto
more lines when a screen's keys do not fit one (kiosk/ui/widgets/footer.py), and keeps one line when they
do."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from kiosk.ui.widgets.footer import TillFooter
from tests.ui.conftest import OWNER


def shown_actions(app) -> set[str]:
    """The actions the footer must show: every active binding marked to be shown, but the area's own F-key
    (F2 on the Sale screen leads nowhere; Help lists it)."""
    own = f"mode({app.current_mode!r})"
    return {binding.action for (_node, binding, _enabled, _tip) in app.screen.active_bindings.values()
            if binding.show and binding.action != own}


def keys_on_screen(app) -> dict[str, object]:
    footer = app.screen.query_one(TillFooter)
    width, height = app.size
    out = {}
    for key in footer.query(FooterKey):
        region = key.region
        if region.width and region.x >= 0 and region.right <= width and 0 <= region.y < height:
            out[key.action] = region
    return out


@pytest.mark.parametrize("keys", [(), ("f3",), ("f4",), ("f5",), ("f6",), ("f9",), ("f10",)],
                         ids=["sale", "customers", "khata", "reports", "loyalty", "settings", "sales-list"])
async def test_every_key_of_the_screen_is_on_screen_at_80_columns(till, login, keys):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, OWNER)
        if keys == ("f4",):  # the khata needs a customer: the first of the list
            await pilot.press("f3")
            await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.pause()
        wanted = shown_actions(till)
        on_screen = keys_on_screen(till)
        assert wanted, "the screen shows no keys at all"
        assert f"mode({till.current_mode!r})" not in on_screen
        assert wanted <= set(on_screen), f"not on screen: {sorted(wanted - set(on_screen))}"
        boxes = list(on_screen.values())  # and no key is drawn over another
        for n, a in enumerate(boxes):
            for b in boxes[n + 1:]:
                assert not a.overlaps(b), (a, b)


async def test_the_footer_takes_more_lines_only_where_one_is_not_enough(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, OWNER)
        await pilot.pause()
        footer = till.screen.query_one(TillFooter)
        assert footer.lines > 1  # the Sale screen's keys need more than one at 80 columns
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        await pilot.pause()
        assert footer.lines == 1 and footer.region.height == 1


@pytest.mark.parametrize(("keys", "window"), [
    (("1", "0", "0", "1", "enter", "f12"), "PaymentScreen"),  # over a basket
    (("f7",), "AttachScreen"),
    (("f3", "enter"), "ProfileScreen"),
    (("f3", "f4", "p"), "PaymentForm"),  # the khata's
    (("f6",), "CustomerPicker"),  # Loyalty asks whose points first
    (("f1",), "HelpScreen"),
], ids=["payment", "attach", "profile", "khata-payment", "customer-picker", "help"])
async def test_every_key_of_a_window_over_an_area_is_on_screen_at_80_columns(till, login, keys, window):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, OWNER)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause()
        assert type(till.screen).__name__ == window
        wanted = shown_actions(till)
        on_screen = keys_on_screen(till)
        assert wanted, f"{type(till.screen).__name__} shows no keys at all"
        assert wanted <= set(on_screen), f"{type(till.screen).__name__}: not on screen: {sorted(wanted - set(on_screen))}"
