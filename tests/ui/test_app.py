"""The app around the screens: areas and who may open them, F4, the manager's PIN, errors, the keymap."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual import work
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from kiosk.domain.errors import KioskError
from kiosk.ui.guard import guarded
from kiosk.ui.screens.error import ErrorScreen
from kiosk.ui.screens.login import LoginScreen
from kiosk.ui.screens.manager_pin import ManagerPinScreen
from kiosk.ui.screens.unbuilt import UnbuiltScreen
from tests.ui.conftest import CASHIER, MANAGER, OWNER, VIEWER


class Workbench(Screen):
    """A screen with unsaved work and handlers that fail in each way."""

    BINDINGS = [
        Binding("b", "boom", "Boom", id="test.boom"),
        Binding("r", "refuse", "Refuse", id="test.refuse"),
        Binding("u", "unguarded", "Unguarded", id="test.unguarded"),
        Binding("m", "approve", "Approve", id="test.approve"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rescued = 0
        self.approved = "not asked"

    def compose(self):
        yield Static("typed but not saved")

    def rescue(self) -> str:
        self.rescued += 1
        return "basket parked as test-1"

    @guarded
    def action_boom(self) -> None:
        raise RuntimeError("boom")

    @guarded
    def action_refuse(self) -> None:
        raise KioskError("amount: must be more than zero")

    def action_unguarded(self) -> None:
        raise ZeroDivisionError("nobody guarded this")

    @work(exclusive=True)
    @guarded
    async def action_approve(self) -> None:
        self.approved = await self.app.ask_manager("credit above the limit")


class Recorder(Screen):
    """Stands in for the customers / khata screens to see what the app asks them to show."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[tuple[str, int]] = []

    def on_show_customer(self, message) -> None:
        self.shown.append(("customer", message.customer_id))

    def on_show_khata(self, message) -> None:
        self.shown.append(("khata", message.customer_id))


def logs() -> list[Path]:
    folder = Path(os.environ["XDG_DATA_HOME"]) / "kiosk" / "logs"
    return sorted(folder.glob("*.log")) if folder.exists() else []


async def test_app_defaults(till):
    async with till.run_test(size=(80, 24)):
        assert till.animation_level == "none"
        assert isinstance(till.screen, LoginScreen)
        assert till.session is None


async def test_the_till_keeps_a_small_sqlite_page_cache(till, login):
    from kiosk.ui.app import TILL_CACHE_MIB

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        (cache,) = till.session.ctx.db.execute_sql("PRAGMA cache_size").fetchone()  # the UI's shops are SQLite
        assert cache == -1024 * TILL_CACHE_MIB


async def test_f5_is_refused_for_a_cashier(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await pilot.press("f5")
        await pilot.pause()
        assert till.current_mode == "sale"
        assert ("Sana is a cashier: only managers, owners and viewers can read reports", "error") in notes


async def test_f5_opens_reports_for_a_manager(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5")
        await pilot.pause()
        assert till.current_mode == "reports"
        try:
            import kiosk.ui.screens.reports  # noqa: F401
        except ModuleNotFoundError:
            assert isinstance(till.screen, UnbuiltScreen)
            assert "not built yet" in str(till.screen.query_one("#unbuilt-text").render())


@pytest.mark.parametrize(("pin", "key", "mode", "allowed"), [
    (MANAGER, "f9", "settings", False),
    (OWNER, "f9", "settings", True),
    (VIEWER, "f2", "sale", False),
    (CASHIER, "f3", "customers", True),
    (CASHIER, "f6", "loyalty", True),
])
async def test_who_may_open_which_area(till, login, notes, pin, key, mode, allowed):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, pin)
        before = till.current_mode
        await pilot.press(key)
        await pilot.pause()
        assert till.current_mode == (mode if allowed else before)
        assert any(severity == "error" for _, severity in notes) is not allowed


async def test_f4_needs_a_customer_then_opens_their_khata(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await pilot.press("f4")
        await pilot.pause()
        assert till.current_mode == "sale"
        assert notes[-1][1] == "warning" and "attach a customer" in notes[-1][0]
        khata = Recorder()
        await till.remove_mode("khata")
        till.add_mode("khata", lambda: khata)
        till.selected_customer_id = 1
        await pilot.press("f4")
        await pilot.pause()
        assert till.current_mode == "khata"
        assert khata.shown == [("khata", 1)]


async def test_open_customer_switches_and_asks_the_screen_to_show_them(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        customers = Recorder()
        await till.remove_mode("customers")
        till.add_mode("customers", lambda: customers)
        assert till.open_customer(2)
        await pilot.pause()
        assert till.current_mode == "customers" and till.selected_customer_id == 2
        assert customers.shown == [("customer", 2)]


async def test_a_service_refusal_is_one_line_not_an_error_screen(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        bench = Workbench()
        await till.push_screen(bench)
        await pilot.press("r")
        await pilot.pause()
        assert notes[-1] == ("amount: must be more than zero", "error")
        assert till.screen is bench and not logs() and bench.rescued == 0


async def test_an_unexpected_error_shows_the_error_screen_logs_and_rescues(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        bench = Workbench()
        await till.push_screen(bench)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(till.screen, ErrorScreen)
        assert bench.rescued == 1
        [log] = logs()
        text = log.read_text()
        assert "RuntimeError: boom" in text and "action_boom" in text and "user: Sana (cashier)" in text
        body = str(till.screen.query_one("#error-body").render())
        assert "RuntimeError: boom" in body and "basket parked as test-1" in body and log.name in body
        await pilot.press("enter")  # and the cashier carries on where they were
        await pilot.pause()
        assert till.screen is bench


async def test_an_unguarded_error_ends_the_app_but_still_rescues(till, login):
    bench = Workbench()
    with pytest.raises(ZeroDivisionError):
        async with till.run_test(size=(80, 24)) as pilot:
            await login(pilot, CASHIER)
            await till.push_screen(bench)
            await pilot.press("u")
            await pilot.pause()
    assert till.return_code == 1
    assert bench.rescued == 1 and till.rescued == ["basket parked as test-1"]


def test_the_last_resort_log_leaves_out_local_variables():
    from kiosk.cli.till_cmds import without_locals

    textual_traceback = """╭──── Traceback (most recent call last) ────╮
│ pin_field.py:65 in on_key                 │
│ ❱ 65 │ self.value += event.character      │
│ ╭──────────── locals ────────────╮        │
│ │ event = Key(key='3', character='3') │   │
│ ╰─────────────────────────────────╯       │
╰───────────────────────────────────────────╯
ZeroDivisionError: division by zero
"""
    kept = without_locals(textual_traceback)
    assert "character='3'" not in kept and "locals" not in kept
    assert "in on_key" in kept and "ZeroDivisionError: division by zero" in kept and kept.count("╰") == 1


async def test_locking_rescues_unsaved_work(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        bench = Workbench()
        await till.push_screen(bench)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(till.screen, LoginScreen) and bench.rescued == 1


async def test_ask_manager(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        bench = Workbench()
        await till.push_screen(bench)

        async def type_pin(pin: str) -> str:
            await pilot.press(*pin, "enter")
            await pilot.pause()
            return str(till.screen.query_one("#manager-message").render())

        await pilot.press("m")
        await pilot.pause()
        assert isinstance(till.screen, ManagerPinScreen)
        assert await type_pin(CASHIER) == "Sana is a cashier: a manager's or owner's PIN is needed"
        assert await type_pin("9999") == "wrong PIN"
        await pilot.press(*MANAGER, "enter")
        await pilot.pause()
        assert till.screen is bench
        assert bench.approved.name == "Bilal" and bench.approved.role == "manager"
        assert till.session.user.name == "Sana"  # the override does not change who is at the till

        await pilot.press("m")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert till.screen is bench and bench.approved is None


async def test_keymap_remaps_the_global_keys(shop_url, login):
    from kiosk.ui.app import KioskApp
    from kiosk.ui.screens.help import HelpScreen

    app = KioskApp(shop_url, keymap={"kiosk.help": "f10", "kiosk.lock": "ctrl+k"})
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, CASHIER)
            await pilot.press("f1")
            await pilot.pause()
            assert not isinstance(app.screen, HelpScreen)
            await pilot.press("f10")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape", "ctrl+k")
            await pilot.pause()
            assert isinstance(app.screen, LoginScreen) and app.session is None
    finally:
        app.close_shop()


async def test_keymap_file(shop_url, login, tmp_path, monkeypatch):
    from kiosk.ui.app import KioskApp

    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[keymap]\n"kiosk.customers" = "f11"\n"kiosk.sale" = 3\n')
    monkeypatch.setenv("KIOSK_KEYMAP", str(keymap))
    app = KioskApp(shop_url)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, CASHIER)
            await pilot.press("f11")
            await pilot.pause()
            assert app.current_mode == "customers"
    finally:
        app.close_shop()


def test_load_keymap_reports_what_it_ignores(tmp_path):
    from kiosk.ui.keymap import load_keymap

    assert load_keymap(tmp_path / "none.toml") == ({}, [])
    bad = tmp_path / "bad.toml"
    bad.write_text("[keymap\n")
    keymap, problems = load_keymap(bad)
    assert keymap == {} and "was ignored" in problems[0]
    mixed = tmp_path / "mixed.toml"
    mixed.write_text('[keymap]\n"kiosk.help" = "f1, f10"\n"kiosk.sale" = 3\n')
    keymap, problems = load_keymap(mixed)
    assert keymap == {"kiosk.help": "f1,f10"} and "'kiosk.sale' must be a key" in problems[0]


def test_kiosk_till_needs_a_shop_and_a_terminal(shop_url, tmp_path, capsys):
    from kiosk.cli import main

    assert main(["--db", str(tmp_path / "nothing.db"), "till"]) == 1
    assert "no shop there" in capsys.readouterr().err
    assert main(["--db", shop_url, "till"]) == 1  # pytest's stdin is no terminal
    assert "needs a terminal" in capsys.readouterr().err
