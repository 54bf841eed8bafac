"""Settings (F9, owners): the shop's fields, users and PINs, the tills' locks; who may open it; snapshots."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, OptionList, Static, TabbedContent

from kiosk.domain.errors import KioskError
from kiosk.ui.screens.login import LoginScreen
from kiosk.ui.screens.settings import SettingsScreen
from kiosk.ui.screens.settings_forms import AddUserForm, ConfirmForm, ResetPinForm, RoleForm
from tests.ui.conftest import CASHIER, MANAGER, OWNER, VIEWER


async def open_settings(pilot, login) -> SettingsScreen:
    await login(pilot, OWNER)
    await pilot.press("f9")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    return screen


async def type_into(pilot, selector: str, text: str) -> None:
    box = pilot.app.screen.query_one(selector, Input)
    box.focus()
    box.value = text
    await pilot.pause()


def users_by_name(till) -> dict:
    from kiosk.services import users

    return {u.name: u for u in users.list_users(till.session.ctx)}


def highlight(screen: SettingsScreen, name: str) -> None:
    screen._select_user(name)


async def log_in_again(pilot, login, pin: str) -> None:
    await pilot.press("ctrl+l")
    await pilot.pause()
    assert isinstance(pilot.app.screen, LoginScreen)
    await login(pilot, pin)


# --- Users and PINs ----------------------------------------------------------------------------------


async def test_the_owner_adds_a_user_whose_pin_then_logs_in(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, login)
        await pilot.press("2")
        assert screen.query_one("#settings-tabs", TabbedContent).active == "users"
        await pilot.press("a")
        await pilot.pause()
        form = till.screen
        assert isinstance(form, AddUserForm)
        assert form.query_one("#pin", Input).password and form.query_one("#pin-again", Input).password
        await pilot.press(*"Nadia", "tab", "tab", *"5678", "tab", *"5678", "enter")
        await pilot.pause()
        assert till.screen is screen
        assert notes[-1][0] == "Nadia added as a cashier: their PIN works from now"
        table = screen.query_one("#users-table", DataTable)
        assert "Nadia" in [str(table.get_row_at(n)[0]) for n in range(table.row_count)]
        assert users_by_name(till)["Nadia"].role == "cashier"

        await log_in_again(pilot, login, "5678")
        assert till.session.user.name == "Nadia" and till.session.user.role == "cashier"
        assert till.current_mode == "sale"


async def test_adding_a_manager_picks_the_role(till, login):
    from textual.widgets import Select

    async with till.run_test(size=(80, 24)) as pilot:
        await open_settings(pilot, login)
        await pilot.press("2", "a")
        await pilot.pause()
        form = till.screen
        await type_into(pilot, "#name", "Omar")
        form.query_one("#role", Select).value = "manager"
        await type_into(pilot, "#pin", "24680")
        await type_into(pilot, "#pin-again", "24680")
        await pilot.press("enter")
        await pilot.pause()
        assert users_by_name(till)["Omar"].role == "manager"


async def test_a_duplicate_pin_is_refused_and_nothing_is_added(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await open_settings(pilot, login)
        await pilot.press("2", "a")
        await pilot.pause()
        form = till.screen
        await type_into(pilot, "#name", "Twin")
        await type_into(pilot, "#pin", CASHIER)
        await type_into(pilot, "#pin-again", CASHIER)
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is form  # still open, to choose another
        assert notes[-1] == ("pin: another user already has this PIN; choose another", "error")
        assert form.query_one("#pin", Input).value == "" and form.focused is form.query_one("#pin", Input)
        assert "Twin" not in users_by_name(till)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(till.screen, SettingsScreen)
        assert "Twin" not in users_by_name(till)


async def test_pins_typed_differently_or_badly_are_named(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await open_settings(pilot, login)
        await pilot.press("2", "a")
        await pilot.pause()
        form = till.screen
        await type_into(pilot, "#name", "Zara")
        await type_into(pilot, "#pin", "9876")
        await type_into(pilot, "#pin-again", "9867")
        await pilot.press("enter")
        await pilot.pause()
        assert notes[-1] == ("pin again: is not the same as the PIN: type it again", "error")
        assert form.focused is form.query_one("#pin-again", Input)
        await type_into(pilot, "#pin", "98")
        await type_into(pilot, "#pin-again", "98")
        await pilot.press("enter")
        await pilot.pause()
        assert notes[-1] == ("pin: must be 4 to 8 digits, not 2", "error")
        await type_into(pilot, "#name", "")
        await type_into(pilot, "#pin", "9876")
        await type_into(pilot, "#pin-again", "9876")
        await pilot.press("enter")
        await pilot.pause()
        assert notes[-1] == ("name: is required", "error")
        assert till.screen is form and set(users_by_name(till)) == {"owner", "Bilal", "Sana", "Vera"}


async def test_reset_pin_the_old_stops_and_the_new_logs_in(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, login)
        await pilot.press("2")
        highlight(screen, "Sana")
        await pilot.press("p")
        await pilot.pause()
        form = till.screen
        assert isinstance(form, ResetPinForm) and form.user_name == "Sana"
        await pilot.press(*"7777", "tab", *"7777", "enter")
        await pilot.pause()
        assert notes[-1][0] == "Sana has a new PIN; the old one no longer works"

        await log_in_again(pilot, login, CASHIER)
        assert till.session is None and isinstance(till.screen, LoginScreen)  # the old PIN is refused
        await login(pilot, "7777")
        assert till.session.user.name == "Sana"


async def test_disable_asks_first_then_the_pin_stops_and_enable_brings_it_back(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, login)
        await pilot.press("2")
        highlight(screen, "Sana")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(till.screen, ConfirmForm)
        await pilot.press("escape")  # no: nothing changes
        await pilot.pause()
        assert users_by_name(till)["Sana"].active
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert not users_by_name(till)["Sana"].active
        assert notes[-1][0] == "Sana is disabled: their PIN no longer logs in"
        table = screen.query_one("#users-table", DataTable)
        assert "disabled" in str(table.get_row_at(table.cursor_row)[2])

        await log_in_again(pilot, login, CASHIER)
        assert till.session is None
        assert "Sana is disabled" in str(till.screen.query_one("#login-message", Static).render())

        await login(pilot, OWNER)
        await pilot.press("f9", "2")
        await pilot.pause()
        screen = till.screen
        highlight(screen, "Sana")
        await pilot.press("d")  # enabling needs no question
        await pilot.pause()
        assert users_by_name(till)["Sana"].active


async def test_the_last_owner_cannot_be_disabled_or_demoted(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, login)
        await pilot.press("2")
        highlight(screen, "owner")
        await pilot.press("d", "enter")
        await pilot.pause()
        assert "the shop's only active owner" in notes[-1][0] and notes[-1][1] == "error"
        assert users_by_name(till)["owner"].active
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "the shop's only active owner" in notes[-1][0]
        assert users_by_name(till)["owner"].role == "owner"


async def test_change_a_role(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, login)
        await pilot.press("2")
        highlight(screen, "Sana")
        await pilot.press("o")
        await pilot.pause()
        form = till.screen
        assert isinstance(form, RoleForm)
        roles = form.query_one("#role", OptionList)
        assert [roles.get_option_at_index(n).id for n in range(roles.option_count)] == ["owner", "manager", "viewer"]
        await pilot.press("down", "enter")  # manager
        await pilot.pause()
        assert users_by_name(till)["Sana"].role == "manager"
        assert notes[-1][0] == "Sana is now a manager"


# --- The shop ----------------------------------------------------------------------------------------


async def test_shop_fields_save_through_the_services_and_are_audited(till, login, notes):
    from kiosk.services import settings

    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, login)
        assert screen.query_one("#shop-name-box", Input).value == "Test Kiryana"
        assert screen.query_one("#mobile-money-box", Input).value == "JazzCash, EasyPaisa"
        await type_into(pilot, "#shop-name-box", "Test Kiryana Store")
        await type_into(pilot, "#mobile-money-box", "JazzCash, EasyPaisa, SadaPay")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert notes[-1][0] == "Saved: name, mobile money"
        ctx = till.session.ctx
        assert settings.get(ctx, "shop.name") == "Test Kiryana Store"
        assert settings.get(ctx, "shop.mobile_money") == ("JazzCash", "EasyPaisa", "SadaPay")
        assert "Test Kiryana Store" in str(screen.query_one("SessionBar", Static).render())
        audit = ctx.db.execute_sql("SELECT record FROM audit_log WHERE action = 'setting.set' ORDER BY id").fetchall()
        assert [r[0] for r in audit] == ["shop.name", "shop.mobile_money"]


async def test_a_bad_field_is_named_and_nothing_is_saved(till, login, notes):
    from kiosk.services import settings

    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, login)
        await type_into(pilot, "#shop-name-box", "Renamed Kiryana")
        await type_into(pilot, "#locale-box", "xx_YY")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert notes[-1] == ("shop.locale: 'xx_YY' is not a known locale like en_PK or id_ID", "error")
        assert settings.get(till.session.ctx, "shop.name") == "Test Kiryana"  # not saved either
        await type_into(pilot, "#mobile-money-box", "JazzCash, jazzcash")
        await type_into(pilot, "#locale-box", "en_PK")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert notes[-1][1] == "error" and "listed twice" in notes[-1][0]
        assert settings.get(till.session.ctx, "shop.name") == "Test Kiryana"
        await pilot.press("escape")  # puts back what is saved
        assert screen.query_one("#shop-name-box", Input).value == "Test Kiryana"
        assert screen.query_one("#mobile-money-box", Input).value == "JazzCash, EasyPaisa"


async def test_a_new_locale_shows_money_its_way_at_once(till, login):
    async with till.run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot, login)
        await type_into(pilot, "#locale-box", "id_ID")
        await pilot.press("enter")
        await pilot.pause()
        assert till.session.shop.locale == "id_ID"
        assert till.session.money(1_250_50) == "PKR1.250,50"  # as babel writes rupees in id_ID
        assert "PKR1.250,50" in str(screen.query_one("#money-example", Static).render())


async def test_country_and_currency_are_shown_and_the_services_refuse_to_change_them(till, login):
    from kiosk.services import settings

    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, login)
        assert "PKR" in str(screen.query_one("#currency", Static).render())
        assert "PK" in str(screen.query_one("#country", Static).render())
        assert "fixed" in str(screen.query_one("#fixed-note", Static).render())
        assert not screen.query("#currency-box")  # no box to type a currency into
        ctx = till.session.ctx
        # The till has sales on the books; the services refuse a new currency (or country) whatever.
        with pytest.raises(KioskError, match="shop.currency cannot be changed: the currency is fixed"):
            settings.set(ctx, "shop.currency", "USD")
        with pytest.raises(KioskError, match="shop.country cannot be changed"):
            settings.set(ctx, "shop.country", "KE")
        assert ctx.shop.currency == "PKR"


async def test_keys_are_scoped_to_their_tab(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, login)
        assert screen.check_action("add_user", ()) is False  # the Shop tab is showing
        assert screen.check_action("save", ()) is None  # nothing typed yet: shown dimmed
        await pilot.press("a")  # not a user action here
        await pilot.pause()
        assert till.screen is screen
        await pilot.press("2")
        assert screen.check_action("add_user", ()) is True and screen.check_action("save", ()) is False
        await pilot.press("3")
        assert screen.check_action("unlock", ()) is True and screen.check_action("reset_pin", ()) is False
        ids = {b.id for b in SettingsScreen.BINDINGS}
        assert all(i.startswith("settings.") for i in ids) and len(ids) == len(SettingsScreen.BINDINGS)


# --- Tills -------------------------------------------------------------------------------------------


async def test_tills_tab_shows_this_till_and_unlocks_a_locked_one(till, login, notes):
    from kiosk.services import users

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, OWNER)
        ctx = till.session.ctx
        till_name, ctx.till = ctx.till, "till-2"  # three wrong PINs on the till by the door
        for _ in range(3):
            with pytest.raises(users.LoginRefused):
                users.login(ctx, "0000")
        ctx.till = till_name
        users.login(ctx, OWNER)  # back as the owner here (a login on till-1 clears only till-1)
        await pilot.press("f9", "3")
        await pilot.pause()
        screen = till.screen
        assert "This till is till-1" in str(screen.query_one("#this-till", Static).render())
        table = screen.query_one("#locks-table", DataTable)
        assert table.row_count == 1 and table.get_row_at(0)[0] == "till-2" and table.get_row_at(0)[1] == "3"
        await pilot.press("u")
        await pilot.pause()
        assert notes[-1][0] == "till-2 unlocked: its wrong-PIN count is cleared"
        assert users.till_locks(ctx) == [] and table.row_count == 0
        assert "No till has wrong PINs" in str(screen.query_one("#locks-note", Static).render())
        await pilot.press("u")
        await pilot.pause()
        assert notes[-1] == ("unlock: no till has wrong PINs against it", "error")


# --- Who may open it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("pin,who", [(MANAGER, "Bilal is a manager"), (VIEWER, "Vera is a viewer"),
                                     (CASHIER, "Sana is a cashier")])
async def test_only_owners_open_settings(till, login, notes, pin, who):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, pin)
        mode = till.current_mode
        await pilot.press("f9")
        await pilot.pause()
        assert till.current_mode == mode
        assert notes[-1] == (f"{who}: only owners can change the shop's own settings", "error")


async def test_the_screen_itself_refuses_a_manager(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, MANAGER)
        await till.switch_mode("settings")
        await pilot.pause()
        screen = till.screen
        assert isinstance(screen, SettingsScreen)
        assert "only owners can change the shop's own settings" in str(
            screen.query_one("#settings-refused", Static).render())
        assert not screen.query(Input) and not screen.query(DataTable)
        await pilot.press("2", "a")
        await pilot.pause()
        assert till.screen is screen


# --- Snapshots ---------------------------------------------------------------------------------------


async def test_settings_snapshot_80x24(till, login, snap):
    async with till.run_test(size=(80, 24)) as pilot:
        await open_settings(pilot, login)
        await snap(pilot, "settings-80x24")


async def test_settings_snapshot_120x40(till, login, snap):
    async with till.run_test(size=(120, 40)) as pilot:
        await open_settings(pilot, login)
        await snap(pilot, "settings-120x40")
