"""The login screen: PIN only, the role decides the session, lockout, Ctrl+L back to it."""

from __future__ import annotations

import pytest

from kiosk.ui.screens.login import DEMO_HINT, LoginScreen
from tests.ui.conftest import CASHIER, MANAGER, OWNER, VIEWER


def message(app) -> str:
    return str(app.screen.query_one("#login-message").render())


@pytest.mark.parametrize(("pin", "name", "role", "mode"), [
    (OWNER, "owner", "owner", "sale"),
    (MANAGER, "Bilal", "manager", "sale"),
    (CASHIER, "Sana", "cashier", "sale"),
    (VIEWER, "Vera", "viewer", "reports"),  # a viewer sells nothing: they land where they can read
])
async def test_each_role_logs_in_with_its_pin(till, login, pin, name, role, mode):
    async with till.run_test(size=(80, 24)) as pilot:
        assert isinstance(till.screen, LoginScreen)
        await login(pilot, pin)
        assert till.session is not None
        assert (till.session.user.name, str(till.session.role)) == (name, role)
        assert till.session.ctx.user == till.session.user
        assert till.current_mode == mode


async def test_a_wrong_pin_is_refused_on_the_screen(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, "9999")
        assert till.session is None
        assert isinstance(till.screen, LoginScreen)
        assert message(till) == "wrong PIN"
        assert till.screen.query_one("#pin").value == ""  # the PIN does not stay in the box
        await login(pilot, "12")
        assert "4 to 8 digits" in message(till)


async def test_five_wrong_pins_lock_the_till(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        for _ in range(3):
            await login(pilot, "9999")
        assert message(till) == "wrong PIN (2 more and this till locks)"
        await login(pilot, "9998")
        await login(pilot, "9997")
        assert "this till is now locked for 30 s after 5 wrong PINs in a row" in message(till)
        await login(pilot, CASHIER)  # even the right PIN waits out the lock
        assert till.session is None
        assert message(till).startswith("locked for ")
        assert "ask a manager or owner to unlock this till" in message(till)


async def test_the_lock_doubles_and_the_screen_says_so_in_minutes(till, login):
    """Six wrong PINs earlier (each lock run out), the seventh here locks for 2 minutes."""
    import datetime as dt

    from kiosk.services import users

    async with till.run_test(size=(80, 24)) as pilot:
        await till.ready.wait()
        ctx = till.shop_context()
        now = dt.datetime.now()
        for n in range(6):  # 30 and 60 s locks, each long over by the next try
            with pytest.raises(users.LoginRefused):
                users.login(ctx, "9999", now=now - dt.timedelta(minutes=5 * (6 - n)))
        await login(pilot, "9999")
        assert "this till is now locked for 2 min after 7 wrong PINs in a row" in message(till)
        await login(pilot, CASHIER)
        assert till.session is None
        assert message(till).startswith("locked for ")


async def test_ctrl_l_locks_and_the_next_user_sees_nothing_of_the_last(till, login):
    async with till.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, CASHIER)
        await pilot.press("f5")  # refused: a toast
        await pilot.pause()
        assert till.screen.query("Toast")
        await pilot.press("f3")
        await pilot.pause()
        first_customers = till.screen
        till.selected_customer_id = 1
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(till.screen, LoginScreen)
        assert till.session is None and till.selected_customer_id is None
        assert not till.screen.query("Toast")  # not even the last user's notifications
        assert till.shop_context().user is None  # the till acts as nobody while locked
        with pytest.raises(KeyError):
            till.get_screen_stack("customers")  # thrown away, not just hidden
        await pilot.press("f3")  # the area keys do nothing on the login screen
        await pilot.pause()
        assert isinstance(till.screen, LoginScreen)
        await login(pilot, MANAGER)
        assert till.session.user.name == "Bilal"
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert str(till.screen.query_one("#shop-name").render()) == "Test Kiryana"  # a fresh login screen
        await login(pilot, MANAGER)
        await pilot.press("f3")
        await pilot.pause()
        assert till.current_mode == "customers" and till.screen is not first_customers


async def test_demo_shop_shows_the_demo_pins(till):
    till.demo = True
    async with till.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert str(till.screen.query_one("#demo-pins").render()) == DEMO_HINT


async def test_a_real_shop_does_not(till):
    async with till.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not till.screen.query("#demo-pins")


async def test_the_shop_name_appears_once_the_shop_is_open(till):
    async with till.run_test(size=(80, 24)) as pilot:
        await till.ready.wait()
        await pilot.pause()
        assert str(till.screen.query_one("#shop-name").render()) == "Test Kiryana"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_login_snapshot(till, snap, size):
    till.demo = True
    async with till.run_test(size=size) as pilot:
        await till.ready.wait()
        await snap(pilot, f"login-{size[0]}x{size[1]}")
