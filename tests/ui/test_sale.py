"""The Sale screen: codes, quantities, search as you type, open items, the line keys, the customer card,
the headline flow (cashier sells SKU 1001 on khata to 0300 1234567), and its snapshots."""

from __future__ import annotations

import contextlib

import pytest

from kiosk.domain.products import gs1_check_digit
from kiosk.ui.screens.sale import SaleScreen, split_quantity, wants_search
from tests.ui.conftest import CASHIER, MANAGER

BARCODE = "896400000001" + str(gs1_check_digit("896400000001"))  # an EAN-13 on a new product


# --- Helpers, shared by the attach, payment and recall tests ---------------------------------------


@contextlib.contextmanager
def owner(shop_url: str):
    """The shop opened as its owner, for setting a test up before the till runs (never while it runs:
    the models are bound to one database at a time)."""
    from kiosk.services.context import open_shop

    ctx = open_shop(shop_url)
    try:
        yield ctx
    finally:
        ctx.close()


def add_products(shop_url: str) -> None:
    """A product with a barcode, and a second tea for picking among suggestions."""
    from kiosk.services import products

    with owner(shop_url) as ctx:
        products.add(ctx, sku="2001", name="Biscuits family pack", price=250_00, barcode=BARCODE)
        products.add(ctx, sku="1005", name="Tea 500g", price=900_00)
        products.add(ctx, sku="TOM", name="Tomatoes", price=200_00, unit="kg")


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)
    await pilot.pause()


async def enter(pilot, text: str = "") -> None:
    if text:
        await pilot.press(*text)
    await pilot.press("enter")
    await pilot.pause()


def sale(app) -> SaleScreen:
    screen = app.get_screen_stack("sale")[0]
    assert isinstance(screen, SaleScreen)
    return screen


def lines(app) -> list[tuple[str, int, int]]:
    """The basket as (description, quantity in thousandths, line total)."""
    s = sale(app)
    return [(entry.description, entry.quantity_milli, line.net) for entry, line in zip(s.basket.entries, s.basket.lines())]


def screen_text(app) -> str:
    """What the top screen shows, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def attach_ahmed(pilot) -> None:
    await pilot.press("f7")
    await pilot.pause()
    await enter(pilot, "0300 1234567")


# --- Pure helpers -----------------------------------------------------------------------------------


def test_quantity_syntax():
    assert split_quantity("3*1001") == ("3", "1001")
    assert split_quantity("0.250 * TOM") == ("0.250", "TOM")
    assert split_quantity("2x1001") == ("2", "1001")
    assert split_quantity("1001") == (None, "1001")
    assert split_quantity("2*loose sugar=150") == ("2", "loose sugar=150")


def test_only_words_search_as_you_type():
    assert wants_search("atta") and wants_search("tea 2")
    assert not wants_search("1001")  # a scanner's digits wait for Enter
    assert not wants_search("a")
    assert not wants_search("sugar=150")  # an open item


# --- Adding ------------------------------------------------------------------------------------------


async def test_item_input_has_focus_and_takes_sku_barcode_and_quantity(till, login, shop_url):
    add_products(shop_url)
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        assert till.current_mode == "sale"
        assert till.focused is sale(till).query_one("#item")
        await enter(pilot, "1001")
        await enter(pilot, "3*1002")
        await enter(pilot, BARCODE)
        await enter(pilot, "1001")  # the same product again: one more on its line
        assert lines(till) == [("Atta 10kg", 2000, 2_900_00), ("Sugar 1kg", 3000, 450_00),
                               ("Biscuits family pack", 1000, 250_00)]
        await enter(pilot, "0.250*TOM")  # weighed: 250 g at Rs 200/kg
        assert lines(till)[-1] == ("Tomatoes", 250, 50_00)
        assert "TOTAL                     Rs3,650.00" in screen_text(till)
        assert sale(till).query_one("#item").value == ""


async def test_unknown_code_and_half_a_piece_are_one_line_errors(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "9999")
        await enter(pilot, "1.5*1001")
        assert lines(till) == []
        errors = [text for text, severity in notes if severity == "error"]
        assert errors == ["no product has the barcode or SKU '9999'",
                          "quantity of 1001: '1.5': items sold by the piece take whole numbers"]


async def test_words_search_as_you_type_and_enter_takes_the_highlighted(till, login, shop_url):
    add_products(shop_url)
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        s = sale(till)
        await type_text(pilot, "te")
        assert [p.name for p in s._found] == ["Tea 200g", "Tea 500g"]
        assert s.query_one("#suggestions").display
        await pilot.press("enter")  # the first match
        await pilot.pause()
        await type_text(pilot, "tea")
        await pilot.press("down", "enter")  # the second
        await pilot.pause()
        await type_text(pilot, "2*oil")  # a quantity before words
        await pilot.press("enter")
        await pilot.pause()
        assert lines(till) == [("Tea 200g", 1000, 380_00), ("Tea 500g", 1000, 900_00),
                               ("Cooking oil 1L", 2000, 1_120_00)]
        assert not s.query_one("#suggestions").display


async def test_search_repaints_on_every_keystroke_without_loading_the_catalogue(till, login, monkeypatch):
    from kiosk.services import products

    calls = []
    original = products.search

    def counted(ctx, text, **kwargs):
        calls.append((text, kwargs.get("limit")))
        return original(ctx, text, **kwargs)

    monkeypatch.setattr(products, "search", counted)
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await type_text(pilot, "sug")
        assert calls == [("su", 8), ("sug", 8)]  # one small page per keystroke, from the index
        await pilot.press("escape")
        await type_text(pilot, "1001")
        assert calls == [("su", 8), ("sug", 8)]  # codes wait for Enter


async def test_open_item_is_description_equals_price(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "loose sugar=150")
        await enter(pilot, "2*eggs=15.50")
        assert lines(till) == [("loose sugar", 1000, 150_00), ("eggs", 2000, 31_00)]
        assert "loose sugar (open)" in screen_text(till)


# --- The line keys -------------------------------------------------------------------------------


async def test_quantity_keys_and_remove_act_on_the_highlighted_line(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        await enter(pilot, "1002")
        await pilot.press("plus")  # the new line is highlighted
        await pilot.pause()
        assert [q for _, q, _ in lines(till)] == [1000, 2000]
        await pilot.press("up", "plus", "plus", "minus")
        await pilot.pause()
        assert [q for _, q, _ in lines(till)] == [2000, 2000]
        await pilot.press("asterisk")
        await pilot.pause()
        assert sale(till).mode == "quantity"
        assert "Quantity for line 1 (Atta 10kg)" in screen_text(till)
        await enter(pilot, "5")
        assert [q for _, q, _ in lines(till)] == [5000, 2000]
        assert sale(till).mode == "item"
        await pilot.press("down", "delete")
        await pilot.pause()
        assert lines(till) == [("Atta 10kg", 5000, 7_250_00)]
        await pilot.press("minus", "minus", "minus", "minus", "minus")  # not below one: Del removes
        await pilot.pause()
        assert lines(till) == [("Atta 10kg", 1000, 1_450_00)]
        assert ("line 1 is at its smallest quantity: Del removes it", "error") in notes


async def test_a_burst_of_keys_from_a_scanner_is_taken_in_order(till, login):
    """A scanner (or a fast typist) sends whole entries and line keys faster than the screen handles them."""
    from textual import events

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        burst = [*"1001", "enter", *"2*eggs=15", "enter", *"3*1002", "enter", "percent_sign", *"5%", "enter",
                 "asterisk", "4", "enter", "plus", "up", "up", "delete", "minus"]
        names = {"percent_sign": "%", "asterisk": "*", "plus": "+", "minus": "-", "enter": "\r"}
        for key in burst:  # posted all at once, with no pause between them
            char = names.get(key, key if len(key) == 1 else None)
            till.post_message(events.Key({"*": "asterisk", "=": "equals_sign", "%": "percent_sign"}.get(key, key),
                                         char))
        await pilot.pause()
        await pilot.pause()
        # 3 sugar at 5% off, then 4 of them, +1 = 5; up twice to Atta: removed; "-" on eggs: 1 left
        assert lines(till) == [("eggs", 1000, 15_00), ("Sugar 1kg", 5000, 712_50)]
        assert sale(till).query_one("#item").value == ""


async def test_line_keys_type_into_a_code_that_is_being_typed(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        await type_text(pilot, "AB-1*")
        assert sale(till).query_one("#item").value == "AB-1*"
        assert lines(till) == [("Atta 10kg", 1000, 1_450_00)]
        await pilot.press("escape")  # Esc clears the input
        await pilot.pause()
        assert sale(till).query_one("#item").value == ""


async def test_line_discount_percent_or_amount_and_a_big_one_needs_a_manager(till, login):
    from kiosk.ui.screens.manager_pin import ManagerPinScreen

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        await pilot.press("percent_sign")
        await enter(pilot, "10%")  # at the approval percentage: no manager needed
        assert lines(till) == [("Atta 10kg", 1000, 1_305_00)]
        await pilot.press("percent_sign")
        await enter(pilot, "100")  # an amount
        assert lines(till) == [("Atta 10kg", 1000, 1_350_00)]
        await pilot.press("percent_sign")
        await enter(pilot, "50%")
        assert isinstance(till.screen, ManagerPinScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert lines(till) == [("Atta 10kg", 1000, 1_350_00)]  # refused: unchanged
        await pilot.press("percent_sign")
        await enter(pilot, "50%")
        await enter(pilot, MANAGER)
        await pilot.pause()
        assert lines(till) == [("Atta 10kg", 1000, 725_00)]
        assert sale(till).basket.discount_approver.name == "Bilal"
        await pilot.press("f12", "1", "enter")
        await pilot.pause()
        await pilot.pause()
        assert "Discount approved by Bilal (manager)" in screen_text(till)


async def test_void_needs_two_presses(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        first_id = sale(till).basket.sale_id
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert len(lines(till)) == 1
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert lines(till) == [] and sale(till).basket.sale_id != first_id


# --- The customer on the sale ----------------------------------------------------------------------


async def test_the_customer_card_shows_balance_limit_points_and_tier(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        assert "Walk-in" in screen_text(till)
        await attach_ahmed(pilot)
        card = screen_text(till)
        for part in ("Ahmed Khan", "0300 1234567", "owes Rs1,980.00", "limit Rs20,000.00", "0 pts", "New"):
            assert part in card
        assert till.selected_customer_id == sale(till).basket.customer.id
        assert till.focused is sale(till).query_one("#item")  # back to the input


# --- The headline flow -------------------------------------------------------------------------------


async def test_cashier_sells_1001_on_khata_to_ahmed_and_sees_his_new_balance(till, login):
    from kiosk.ui.screens.receipt_view import ReceiptViewScreen

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        await pilot.press("f7")
        await pilot.pause()
        await enter(pilot, "0300 1234567")
        await pilot.press("f12")
        await pilot.pause()
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(till.screen, ReceiptViewScreen)
        shown = screen_text(till)
        assert "On khata this sale Rs1,450.00" in shown
        assert "New balance: owes Rs3,430.00" in shown  # 1,980 owed before
        assert till.screen.receipt.customer.balance_after == 3_430_00
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(till.screen, SaleScreen) and lines(till) == []
        assert till.focused is sale(till).query_one("#item")
        # F4 opens the khata of the customer just sold to
        assert till.selected_customer_id is not None


# --- Snapshots ---------------------------------------------------------------------------------------


SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@SIZES
async def test_snapshot_empty_sale(till, login, snap, size):
    async with till.run_test(size=size) as pilot:
        await login(pilot, CASHIER)
        await snap(pilot, f"sale-empty-{size[0]}x{size[1]}")


@SIZES
async def test_snapshot_sale_with_basket_and_customer(till, login, snap, size):
    async with till.run_test(size=size) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        await enter(pilot, "3*1002")
        await enter(pilot, "loose rice=240")
        await pilot.press("up", "percent_sign")
        await enter(pilot, "5%")
        await attach_ahmed(pilot)
        await snap(pilot, f"sale-basket-{size[0]}x{size[1]}")
