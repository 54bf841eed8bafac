"""The till under test: a small SQLite shop made in a moment (not the demo seed), a KioskApp on it, and
`login(pilot, pin)`.

    async def test_something(till, login):
        async with till.run_test(size=(80, 24)) as pilot:
            await login(pilot, CASHIER)
            await pilot.press("f3")
            assert till.current_mode == "customers"
"""

from __future__ import annotations

import asyncio
import inspect

import pytest

OWNER, MANAGER, CASHIER, VIEWER = "1111", "2222", "3333", "4444"
AHMED_PHONE = "03001234567"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run `async def` tests in a fresh event loop (no asyncio plugin is needed for App.run_test)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(autouse=True)
def till_environment(monkeypatch, tmp_path):
    """Crash logs in a temp data dir, no keymap from the machine, a known till name."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("KIOSK_KEYMAP", str(tmp_path / "no-keymap.toml"))
    monkeypatch.setenv("KIOSK_TILL", "till-1")


def _build_shop(url: str) -> None:
    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import customers, products, sales, users
    from kiosk.services.sales import ItemRequest
    from kiosk.services.shop import init_shop

    ctx = init_shop(url, name="Test Kiryana", country="PK", currency="PKR", owner_pin=OWNER)
    try:
        users.add_user(ctx, "Bilal", "manager", MANAGER)
        users.add_user(ctx, "Sana", "cashier", CASHIER)
        users.add_user(ctx, "Vera", "viewer", VIEWER)
        for sku, name, price in (("1001", "Atta 10kg", 1_450_00), ("1002", "Sugar 1kg", 150_00),
                                 ("1003", "Cooking oil 1L", 560_00), ("1004", "Tea 200g", 380_00)):
            products.add(ctx, sku=sku, name=name, price=price)
        ahmed = customers.add(ctx, name="Ahmed Khan", phone=AHMED_PHONE, credit_limit=20_000_00)
        customers.add(ctx, name="Fatima Bibi", phone="03211234567")
        customers.add(ctx, name="Imran Ali")
        for n, items in enumerate((["1001"], ["1002", "1004"])):
            sales.sell(ctx, sale_id=f"ahmed-{n}", items=[ItemRequest(code) for code in items],
                       tenders=[TenderRequest(Method.KHATA)], customer_id=ahmed.id)
        ctx.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # one file to copy
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def shop_template(tmp_path_factory):
    """The small shop, built once per run in its own in-memory keyring: (database file, PIN pepper)."""
    import keyring

    from kiosk.devices import secrets
    from tests.support.memory_keyring import MemoryKeyring

    folder = tmp_path_factory.mktemp("till-shop")
    previous = keyring.get_keyring()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(secrets.CONFIG_ENV, str(folder / "no-keyring.cfg"))
        patch.delenv(secrets.PASSWORD_ENV, raising=False)
        keyring.set_keyring(MemoryKeyring())
        secrets.forget()
        try:
            _build_shop(str(folder / "till.db"))
            pepper = secrets.get_secret(secrets.PEPPER)
        finally:
            keyring.set_keyring(previous)
            secrets.forget()
    return folder / "till.db", pepper


@pytest.fixture
def shop_url(shop_template, tmp_path, memory_keyring):
    """A PK shop in PKR: owner 1111, manager 2222, cashier 3333, viewer 4444; a few products (SKU 1001
    "Atta 10kg"); customers, among them Ahmed Khan (03001234567) with two credit sales on his khata.
    A fresh copy of the run's template, with its pepper in this test's keyring."""
    import shutil

    from kiosk.devices import secrets

    template, pepper = shop_template
    url = str(tmp_path / "till.db")
    shutil.copyfile(template, url)
    secrets.set_secret(secrets.PEPPER, pepper)
    return url


@pytest.fixture
def till(shop_url):
    """A KioskApp on the small shop (not running: use `async with till.run_test() as pilot`)."""
    from kiosk.ui.app import KioskApp

    app = KioskApp(shop_url, keymap={})
    yield app
    app.close_shop()


@pytest.fixture
def login():
    """`await login(pilot, "3333")`: type a PIN on the login screen and press Enter."""
    async def log_in(pilot, pin: str) -> None:
        app = pilot.app
        await app.ready.wait()
        app.screen.query_one("#pin").focus()
        await pilot.press(*pin, "enter")
        await pilot.pause()

    return log_in


SNAPSHOTS = __import__("pathlib").Path(__file__).parent / "snapshots"
UPDATE_ENV = "KIOSK_UPDATE_SNAPSHOTS"


@pytest.fixture
def snap(tmp_path):
    """`await snap(pilot, "login-80x24")`: the screen as SVG against tests/ui/snapshots/<name>.svg.

    The cursor stops blinking first so the picture is stable. KIOSK_UPDATE_SNAPSHOTS=1 writes the files
    (look at them before committing); a missing snapshot fails and says how to make it."""
    import os

    async def check(pilot, name: str) -> None:
        from textual.widgets import Input

        app = pilot.app
        for box in app.screen.query(Input):
            box.cursor_blink = False
        await pilot.pause()
        svg = app.export_screenshot(title=name)
        path = SNAPSHOTS / f"{name}.svg"
        if os.environ.get(UPDATE_ENV):
            SNAPSHOTS.mkdir(exist_ok=True)
            path.write_text(svg, encoding="utf-8")
            return
        assert path.exists(), f"no snapshot {path.name}: run with {UPDATE_ENV}=1 and look at it"
        expected = path.read_text(encoding="utf-8")
        if svg != expected:
            got = tmp_path / f"{name}.svg"
            got.write_text(svg, encoding="utf-8")
            raise AssertionError(f"{name} differs from {path}; the new picture is {got} "
                                 f"({UPDATE_ENV}=1 accepts it)")

    return check


@pytest.fixture
def notes(till, monkeypatch):
    """Every notification the till shows, as (message, severity), in order."""
    shown: list[tuple[str, str]] = []
    original = till.notify

    def record(message, *args, **kwargs):
        shown.append((str(message), kwargs.get("severity", "information")))
        return original(message, *args, **kwargs)

    monkeypatch.setattr(till, "notify", record)
    return shown
