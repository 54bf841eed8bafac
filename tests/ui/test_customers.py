"""Customers (F3): search per keystroke by name, phone and CNIC; every filter and sort; paging as the
cursor nears the end; Enter, F4, Ctrl+N and app.open_customer; snapshots at rest.

Most tests run on "the crowd": the small test shop plus a few hundred seeded customers with a year of
sales (built once per run by `kiosk.services.seed`, about a second), and three customers of our own
with a known name, phone and CNIC.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from kiosk.domain.customer_list import PAGE, RECENT_DAYS, high_value_rank
from tests.ui.conftest import AHMED_PHONE, CASHIER, MANAGER

CROWD = 320
ZAINAB = {"name": "Zainab Qureshi", "phone": "03451234987", "cnic": "3520212345671"}


# --- The crowd ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def crowd_template(shop_template, tmp_path_factory):
    """The small shop plus CROWD seeded customers and Zainab (known phone and CNIC), Old Archived
    (archived) and Wholesale Waqar (group Wholesale, VIP)."""
    from kiosk.services import customers
    from kiosk.services.context import open_shop
    from kiosk.services.seed import seed_shop

    template, pepper = shop_template
    path = tmp_path_factory.mktemp("crowd") / "crowd.db"
    shutil.copyfile(template, path)
    ctx = open_shop(str(path))  # acts as the shop's first owner
    try:
        seed_shop(ctx, customers=CROWD, sales=1200, seed=5)
        customers.add(ctx, **ZAINAB)
        old = customers.add(ctx, name="Old Archived", phone="03009998887")
        customers.set_archived(ctx, old.id, True)
        customers.add(ctx, name="Wholesale Waqar", group="Wholesale", tier="VIP")
        ctx.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        ctx.close()
    return path, pepper


@pytest.fixture
def crowd(crowd_template, tmp_path, memory_keyring):
    """A KioskApp on a fresh copy of the crowd."""
    from kiosk.devices import secrets
    from kiosk.ui.app import KioskApp

    template, pepper = crowd_template
    url = str(tmp_path / "crowd.db")
    shutil.copyfile(template, url)
    secrets.set_secret(secrets.PEPPER, pepper)
    app = KioskApp(url, keymap={})
    yield app
    app.close_shop()


@pytest.fixture
def crowd_notes(crowd, monkeypatch):
    """Every notification the crowd's till shows, as (message, severity)."""
    shown: list[tuple[str, str]] = []
    original = crowd.notify

    def record(message, *args, **kwargs):
        shown.append((str(message), kwargs.get("severity", "information")))
        return original(message, *args, **kwargs)

    monkeypatch.setattr(crowd, "notify", record)
    return shown


async def open_list(pilot, login, pin=MANAGER):
    await login(pilot, pin)
    await pilot.press("f3")
    await pilot.pause()
    return pilot.app.screen


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[" " if ch == " " else ch for ch in text])
    await pilot.pause()


def every_row(app):
    """Every row the list would show for its current query, read through the service page by page."""
    from kiosk.services import customer_list

    screen = app.screen
    query = screen.list_query()
    rows, after = [], None
    while True:
        page = customer_list.page(app.session.ctx, query, after=after, limit=500)
        rows.extend(page.rows)
        after = page.next_cursor
        if after is None:
            return rows


# --- Opening and searching -----------------------------------------------------------------------------


async def test_f3_shows_the_list_with_the_search_focused(crowd, login):
    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login, CASHIER)
        assert type(screen).__name__ == "CustomersScreen"
        assert crowd.current_mode == "customers"
        assert crowd.focused.id == "customer-search"
        table = screen.table
        assert table.row_count == PAGE  # one page, not the shop
        assert screen.next_cursor is not None
        assert crowd.selected_customer_id == table.loaded[0].id
        assert all(not row.archived for row in table.loaded)


async def test_every_key_has_an_id_and_shows_in_the_footer(crowd, login):
    async with crowd.run_test(size=(120, 40)) as pilot:
        screen = await open_list(pilot, login)
        ours = {b.binding.id: b for b in screen.active_bindings.values()
                if b.binding.id and b.binding.id.startswith("customers.")}
        for action in ("open", "filter", "group", "tier", "sort", "reverse", "add", "clear"):
            assert f"customers.{action}" in ours, action
            assert ours[f"customers.{action}"].binding.show
            assert ours[f"customers.{action}"].binding.description


async def test_search_by_name_one_query_per_keystroke(crowd, login):
    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        before = screen.queries
        await type_text(pilot, "zain")
        assert screen.queries == before + 4
        names = [row.name for row in screen.table.loaded]
        assert "Zainab Qureshi" in names
        assert all("zain" in name.casefold() for name in names)
        assert crowd.selected_customer_id == screen.table.loaded[0].id


@pytest.mark.parametrize("typed", ["0345 1234987", "03451234987", "+923451234987"])
async def test_search_by_phone(crowd, login, typed):
    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login, CASHIER)
        await type_text(pilot, typed)
        assert [row.name for row in screen.table.loaded] == ["Zainab Qureshi"]


@pytest.mark.parametrize("typed", ["35202-1234567-1", "3520212345671"])
async def test_search_by_cnic(crowd, login, typed):
    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login, CASHIER)
        await type_text(pilot, typed)
        assert [row.name for row in screen.table.loaded] == ["Zainab Qureshi"]


async def test_a_search_that_finds_nobody_and_esc_clears(crowd, login, crowd_notes):
    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login, CASHIER)
        await type_text(pilot, "qqqxqq")
        assert screen.table.row_count == 0
        await pilot.press("enter")
        await pilot.pause()
        assert type(crowd.screen).__name__ == "CustomersScreen"
        assert any("No customer" in text for text, _ in crowd_notes)
        await pilot.press("escape")
        await pilot.pause()
        assert screen.text == ""
        assert screen.table.row_count == PAGE


# --- Filters and sorts -----------------------------------------------------------------------------


def _check_flag(app, flag: str, rows) -> None:
    today = dt.date.today()
    if flag == "has balance":
        assert all(row.balance > 0 for row in rows)
    elif flag == "no purchases":
        assert all(row.total_spent == 0 and row.purchases == 0 for row in rows)
    elif flag == "high value":
        from kiosk.domain.customer_list import Filters, ListQuery
        from kiosk.services import customer_list

        everyone, after = [], None
        for archived in (False, True):  # the threshold ranks archived spenders too
            after = None
            while True:
                page = customer_list.page(app.session.ctx, ListQuery(filters=Filters(archived=archived)),
                                          after=after, limit=500)
                everyone.extend(page.rows)
                if (after := page.next_cursor) is None:
                    break
        spent = sorted((row.total_spent for row in everyone if row.total_spent > 0), reverse=True)
        threshold = spent[high_value_rank(len(spent)) - 1]
        assert {row.id for row in rows} == {row.id for row in everyone
                                            if row.total_spent >= threshold and not row.archived}
    elif flag == "recent activity":
        since = today - dt.timedelta(days=RECENT_DAYS - 1)
        assert all(row.last_activity is not None and row.last_activity >= since for row in rows)
    elif flag == "archived":
        assert all(row.archived for row in rows)
        assert "Old Archived" in {row.name for row in rows}
    if flag != "archived":
        assert not any(row.archived for row in rows)


async def test_each_filter_by_ctrl_f(crowd, login):
    from kiosk.ui.screens.customers import FLAGS

    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        everybody = len(every_row(crowd))
        for name, _attr in FLAGS[1:]:
            await pilot.press("ctrl+f")
            await pilot.pause()
            assert FLAGS[screen.flag][0] == name
            assert name in str(screen.query_one("#customer-status").render())
            rows = every_row(crowd)
            assert rows, f"the crowd has nobody for {name}"
            assert len(rows) < everybody or name == "archived"
            shown = screen.table.loaded
            assert [row.id for row in shown] == [row.id for row in rows[:PAGE]]
            _check_flag(crowd, name, rows)
        await pilot.press("ctrl+f")  # round to "all"
        await pilot.pause()
        assert screen.flag == 0 and len(every_row(crowd)) == everybody


async def test_group_and_tier_filters(crowd, login):
    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        await pilot.press("ctrl+g")  # the shop's first group
        await pilot.pause()
        first = crowd.session.shop.groups[0]
        assert screen.group == first
        assert all(row.group == first for row in every_row(crowd))
        while screen.group != "Wholesale":
            await pilot.press("ctrl+g")
            await pilot.pause()
        assert "Wholesale Waqar" in {row.name for row in every_row(crowd)}
        assert all(row.group == "Wholesale" for row in screen.table.loaded)
        while screen.tier is None or screen.tier.value != "VIP":
            await pilot.press("ctrl+t")
            await pilot.pause()
        rows = every_row(crowd)
        assert "Wholesale Waqar" in {row.name for row in rows}
        assert all(row.tier.value == "VIP" and row.group == "Wholesale" for row in rows)
        await pilot.press("escape")  # clears the filters
        await pilot.pause()
        assert screen.group is None and screen.tier is None


def _key(sort, row):
    from kiosk.domain.customer_list import Sort

    return {
        Sort.NAME: None,
        Sort.SPENT: row.total_spent,
        Sort.ACTIVITY: row.last_activity or dt.date.min,
        Sort.ADDED: row.id,
        Sort.BALANCE: row.balance,
    }[sort]


async def test_each_sort_by_ctrl_o_and_reverse(crowd, login):
    from kiosk.domain.customer_list import Direction, Sort

    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        seen = [screen.sort]
        for _ in range(len(Sort) - 1):
            await pilot.press("ctrl+o")
            await pilot.pause()
            seen.append(screen.sort)
            for reverse in (False, True):
                if reverse:
                    await pilot.press("ctrl+r")
                    await pilot.pause()
                rows = screen.table.loaded
                assert len(rows) == PAGE
                keys = [_key(screen.sort, row) for row in rows]
                descending = screen.direction is Direction.DESC
                assert keys == sorted(keys, reverse=descending), (screen.sort, screen.direction)
                arrow = "↓" if descending else "↑"
                assert f"sort: {screen.sort.value} {arrow}" in str(screen.query_one("#customer-status").render())
        assert seen == list(Sort)


async def test_sort_by_name_reversed(crowd, login):
    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        first = [row.id for row in every_row(crowd)]
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [row.id for row in screen.table.loaded] == first[::-1][:PAGE]


# --- Paging ------------------------------------------------------------------------------------------


async def test_rows_come_a_page_at_a_time_as_the_cursor_nears_the_end(crowd, login):
    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        table = screen.table
        assert table.row_count == PAGE
        start = screen.queries
        for _ in range(PAGE - 12):
            await pilot.press("down")
        await pilot.pause()
        assert table.row_count == PAGE and screen.queries == start  # not near the end yet
        await pilot.press("down", "down")
        await pilot.pause()
        assert table.row_count == 2 * PAGE and screen.queries == start + 1
        assert crowd.selected_customer_id == table.loaded[table.cursor_row].id
        everyone = every_row(crowd)
        while screen.next_cursor is not None:
            await pilot.press("pagedown")
            await pilot.pause()
        ids = [row.id for row in table.loaded]
        assert len(ids) == len(set(ids)) == len(everyone) == table.row_count
        assert ids == [row.id for row in everyone]
        assert screen.queries == start + -(-len(everyone) // PAGE) - 1


# --- Into a customer ---------------------------------------------------------------------------------


async def test_enter_opens_the_profile_and_esc_comes_back(crowd, login):
    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login, CASHIER)
        await type_text(pilot, "zainab q")
        zainab = screen.table.customer_id
        await pilot.press("enter")
        await pilot.pause()
        profile = crowd.screen
        assert type(profile).__name__ == "ProfileScreen"
        assert profile.customer_id == zainab
        assert profile.customer.name == "Zainab Qureshi"
        await pilot.press("escape")
        await pilot.pause()
        assert crowd.screen is screen
        assert screen.text == "zainab q" and screen.table.customer_id == zainab
        assert crowd.focused.id == "customer-search"


async def test_f4_opens_the_khata_of_the_highlighted_customer(crowd, login):
    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login, CASHIER)
        await pilot.press("down", "down")
        await pilot.pause()
        highlighted = screen.table.customer_id
        assert crowd.selected_customer_id == highlighted
        await pilot.press("f4")
        await pilot.pause()
        assert crowd.current_mode == "khata"
        assert crowd.selected_customer_id == highlighted


async def test_open_customer_shows_that_profile(crowd, login):
    async with crowd.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        assert crowd.current_mode == "sale"
        crowd.open_customer(1)
        await pilot.pause()
        await pilot.pause()
        assert crowd.current_mode == "customers"
        assert type(crowd.screen).__name__ == "ProfileScreen"
        assert crowd.screen.customer_id == 1
        crowd.open_customer(2)  # another one while a profile is open: that one replaces it
        await pilot.pause()
        await pilot.pause()
        assert type(crowd.screen).__name__ == "ProfileScreen"
        assert crowd.screen.customer_id == 2
        await pilot.press("escape")
        await pilot.pause()
        assert type(crowd.screen).__name__ == "CustomersScreen"


async def test_ctrl_n_adds_a_customer_from_what_was_typed(crowd, login):
    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login, CASHIER)
        await type_text(pilot, "0321 7654321")
        assert screen.table.row_count == 0
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = crowd.screen
        assert type(form).__name__ == "CustomerFormScreen"
        assert form.value("phone") == "0321 7654321"
        await type_text(pilot, "Nadia Shah")
        await pilot.press("enter")
        await pilot.pause()
        profile = crowd.screen
        assert type(profile).__name__ == "ProfileScreen"
        assert profile.customer.name == "Nadia Shah" and profile.customer.phone == "+923217654321"
        await pilot.press("escape")
        await pilot.pause()
        assert [row.name for row in screen.table.loaded] == ["Nadia Shah"]


async def test_archived_customers_are_hidden_until_asked_for(crowd, login):
    async with crowd.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        await type_text(pilot, "old arch")
        assert screen.table.row_count == 0
        while screen.flag != 5:
            await pilot.press("ctrl+f")
            await pilot.pause()
        assert [row.name for row in screen.table.loaded] == ["Old Archived"]


# --- Snapshots ---------------------------------------------------------------------------------------


def _give_fatima_points(url: str) -> None:
    """A cash sale to Fatima so the small shop has a points badge to show (no dates on this screen)."""
    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import customers, sales
    from kiosk.services.context import open_shop
    from kiosk.services.sales import ItemRequest

    ctx = open_shop(url)
    try:
        fatima = customers.search(ctx, "Fatima")[0]
        sales.sell(ctx, sale_id="snap-fatima", items=[ItemRequest("1003")], tenders=[TenderRequest(Method.CASH)],
                   customer_id=fatima.id)
    finally:
        ctx.close()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_snapshot(till, shop_url, login, snap, size):
    _give_fatima_points(shop_url)
    async with till.run_test(size=size) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f3")
        await pilot.pause()
        await snap(pilot, f"customers-{size[0]}x{size[1]}")


async def test_phone_of_ahmed_finds_him(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login, CASHIER)
        await type_text(pilot, AHMED_PHONE)
        assert [row.name for row in screen.table.loaded] == ["Ahmed Khan"]
