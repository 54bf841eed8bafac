"""Customer attach (F7 in the sale): search as you type, Enter takes the highlighted match, a phone links
or adds a customer on the spot, Ctrl+X detaches, Esc cancels."""

from __future__ import annotations

import pytest

from kiosk.ui.screens.attach import AttachScreen, phone_like
from tests.ui.conftest import CASHIER
from tests.ui.test_sale import enter, owner, sale, screen_text, type_text


def add_alis(shop_url: str) -> None:
    from kiosk.services import customers

    with owner(shop_url) as ctx:
        customers.add(ctx, name="Ali Raza", phone="03451112223")
        customers.add(ctx, name="Ali Hassan", cnic="35202-1234567-1")


async def open_attach(pilot) -> AttachScreen:
    await pilot.press("f7")
    await pilot.pause()
    assert isinstance(pilot.app.screen, AttachScreen)
    return pilot.app.screen


def test_phone_like():
    assert phone_like("0300 1234567") and phone_like("+92-300-1234567")
    assert not phone_like("Ahmed") and not phone_like("0300") and not phone_like("")


async def test_typing_searches_and_enter_takes_the_first_match(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        attach = await open_attach(pilot)
        await type_text(pilot, "ahm")
        assert [c.name for c in attach.found] == ["Ahmed Khan"]
        assert "Ahmed Khan" in screen_text(till) and "Rs1,980.00" in screen_text(till)
        await pilot.press("enter")
        await pilot.pause()
        basket = sale(till).basket
        assert basket.customer.name == "Ahmed Khan"
        assert till.selected_customer_id == basket.customer.id


async def test_each_keystroke_searches_name_phone_and_cnic(till, login, shop_url, monkeypatch):
    from kiosk.services import customers

    add_alis(shop_url)
    asked = []
    original = customers.search
    monkeypatch.setattr(customers, "search", lambda ctx, text, **kw: asked.append(text) or original(ctx, text, **kw))
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        attach = await open_attach(pilot)
        await type_text(pilot, "ali")
        assert asked == ["a", "al", "ali"]
        assert [c.name for c in attach.found] == ["Ali Hassan", "Ali Raza", "Imran Ali"]
        await pilot.press("ctrl+u")  # clear the box
        await type_text(pilot, "35202-1234567")
        assert [c.name for c in attach.found] == ["Ali Hassan"]
        await pilot.press("ctrl+u")
        await type_text(pilot, "0345")
        assert [c.name for c in attach.found] == ["Ali Raza"]


async def test_arrows_pick_another_match(till, login, shop_url):
    add_alis(shop_url)
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await open_attach(pilot)
        await type_text(pilot, "ali")
        await pilot.press("down", "down", "up", "enter")
        await pilot.pause()
        assert sale(till).basket.customer.name == "Ali Raza"


async def test_an_existing_phone_links_that_customer(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await open_attach(pilot)
        await enter(pilot, "+92 300 1234567")
        assert sale(till).basket.customer.name == "Ahmed Khan"


async def test_a_new_phone_asks_for_a_name_and_adds_the_customer(till, login, notes):
    from kiosk.services import customers

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        attach = await open_attach(pilot)
        await enter(pilot, "0333 7654321")
        assert till.screen is attach and attach.new_phone == "+923337654321"
        assert till.focused is attach.query_one("#attach-name")
        await enter(pilot)  # no name: refused, still asking
        assert till.screen is attach
        assert notes[-1] == ("name: is required", "error")
        await enter(pilot, "Zainab Noor")
        customer = sale(till).basket.customer
        assert customer.name == "Zainab Noor" and customer.phone == "+923337654321"
        assert customers.find_by_phone(till.session.ctx, "03337654321").id == customer.id


async def test_esc_from_the_name_goes_back_to_the_search_and_then_cancels(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        attach = await open_attach(pilot)
        await enter(pilot, "0333 7654321")
        await pilot.press("escape")
        await pilot.pause()
        assert till.screen is attach and attach.new_phone is None
        assert till.focused is attach.query_one("#attach-search")
        await pilot.press("escape")
        await pilot.pause()
        assert till.screen is sale(till) and sale(till).basket.customer is None


async def test_ctrl_n_adds_by_phone_and_needs_a_phone(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        attach = await open_attach(pilot)
        await type_text(pilot, "Zainab")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert notes[-1] == ("type the new customer's phone number first, then Ctrl+N", "error")
        await pilot.press("ctrl+u")
        await type_text(pilot, "03337654321")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert attach.new_phone == "+923337654321"


async def test_no_match_says_so(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await open_attach(pilot)
        await enter(pilot, "zzz")
        assert notes[-1] == ("no customer matches 'zzz'; type a phone number to add one", "error")


async def test_ctrl_x_detaches_and_prices_go_back(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await open_attach(pilot)
        await enter(pilot, "03001234567")
        assert sale(till).basket.customer is not None
        await open_attach(pilot)
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert till.screen is sale(till) and sale(till).basket.customer is None
        assert "Walk-in" in screen_text(till)


async def test_a_wholesale_customer_gets_the_group_price_on_lines_already_in_the_basket(till, login, shop_url):
    from kiosk.services import customers, products

    with owner(shop_url) as ctx:
        atta = products.by_sku(ctx, "1001")
        products.edit(ctx, atta.id, group_prices={"Wholesale": 1_400_00})
        customers.add(ctx, name="Kareem Traders", phone="03009876543", group="Wholesale")
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "2*1001")
        await open_attach(pilot)
        await enter(pilot, "0300 9876543")
        assert [(e.description, e.unit_price) for e in sale(till).basket.entries] == [("Atta 10kg", 1_400_00)]
        await open_attach(pilot)
        await pilot.press("ctrl+x")  # back to walk-in: the shop's price again
        await pilot.pause()
        assert [e.unit_price for e in sale(till).basket.entries] == [1_450_00]


SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@SIZES
async def test_snapshot_attach(till, login, snap, shop_url, size):
    add_alis(shop_url)
    async with till.run_test(size=size) as pilot:
        await login(pilot, CASHIER)
        await open_attach(pilot)
        await type_text(pilot, "a")
        await snap(pilot, f"attach-{size[0]}x{size[1]}")
