"""Payment (F12): cash with change, split tenders, khata within and above the limit (a manager's PIN),
mobile money by name, store credit, points, a double Enter, and the receipt shown after."""

from __future__ import annotations

import pytest

from kiosk.ui.screens.manager_pin import ManagerPinScreen
from kiosk.ui.screens.payment import PaymentScreen
from kiosk.ui.screens.receipt_view import ReceiptViewScreen
from tests.ui.conftest import AHMED_PHONE, CASHIER, MANAGER
from tests.ui.test_sale import attach_ahmed, enter, lines, owner, sale, screen_text


async def pay(pilot) -> PaymentScreen:
    await pilot.press("f12")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PaymentScreen)
    return pilot.app.screen


async def tender(pilot, key: str, amount: str | None = None) -> None:
    """A method key, then the amount typed over the default (or the default), then Enter."""
    await pilot.press(key)
    await pilot.pause()
    if amount is not None:
        await pilot.press(*amount)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()


def receipt(app):
    assert isinstance(app.screen, ReceiptViewScreen), app.screen
    return app.screen.receipt


def sales_booked(app, sale_id: str) -> int:
    (count,) = app.session.ctx.db.execute_sql("SELECT COUNT(*) FROM sale WHERE id = ?", (sale_id,)).fetchone()
    return count


async def test_cash_shows_the_change(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        payment = await pay(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert payment.query_one("#pay-amount").value == "1450.00"  # what is left, selected: typing replaces it
        await pilot.press(*"2000", "enter")
        await pilot.pause()
        await pilot.pause()
        r = receipt(till)
        assert (r.total, r.cash_given, r.change) == (1_450_00, 2_000_00, 550_00)
        shown = screen_text(till)
        assert "Cash given" in shown and "CHANGE" in shown and "Rs550.00" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert lines(till) == [] and till.focused is sale(till).query_one("#item")


async def test_split_cash_and_khata(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        await attach_ahmed(pilot)
        payment = await pay(pilot)
        await tender(pilot, "1", "1000")
        assert till.screen is payment and payment.left == 450_00
        assert "Left to pay" in screen_text(till) and "Rs450.00" in screen_text(till)
        await tender(pilot, "4")  # khata takes what is left
        r = receipt(till)
        assert [(t.method, t.amount) for t in r.tenders] == [("cash", 1_000_00), ("khata", 450_00)]
        assert r.khata == 450_00 and r.customer.balance_after == 1_980_00 + 450_00
        assert "New balance: owes Rs2,430.00" in screen_text(till)


async def test_khata_needs_a_customer(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        payment = await pay(pilot)
        await pilot.press("4")
        await pilot.pause()
        assert payment.method is None
        assert notes[-1] == ("khata needs a customer: Esc, then F7 to attach one", "error")


async def test_a_card_cannot_pay_more_than_is_left(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        payment = await pay(pilot)
        await tender(pilot, "2", "2000")
        assert till.screen is payment and payment.tenders == []
        assert notes[-1][0].startswith("card: Rs2,000.00 is more than the Rs1,450.00 left to pay")


async def test_khata_above_the_limit_asks_a_manager(till, login, shop_url):
    from kiosk.store.shop import audit_rows

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "14*1001")  # Rs 20,300 on a Rs 20,000 limit, Rs 1,980 owed already
        await attach_ahmed(pilot)
        sale_id = sale(till).basket.sale_id
        await pay(pilot)
        await tender(pilot, "4")
        assert isinstance(till.screen, ManagerPinScreen)
        assert "credit above the limit" in screen_text(till)
        await enter(pilot, CASHIER)  # a cashier cannot approve
        assert "Sana is a cashier" in screen_text(till)
        await enter(pilot, "9999")  # a wrong PIN is refused
        assert "wrong PIN" in screen_text(till)
        assert sales_booked(till, sale_id) == 0
        await enter(pilot, MANAGER)
        await pilot.pause()
        r = receipt(till)
        assert r.sale_id == sale_id and r.khata == 20_300_00
        assert "Credit above the limit approved by Bilal (manager)" in screen_text(till)
        row = next(a for a in audit_rows(action_prefix="sale") if a.record == f"sale:{sale_id}")
        assert till.screen.approvals == ["credit above the limit approved by Bilal (manager)"]
        assert row.user == "Sana" and row.detail["override_by"] is not None
        (name,) = till.session.ctx.db.execute_sql("SELECT name FROM app_user WHERE id = ?",
                                                  (row.detail["override_by"],)).fetchone()
        assert name == "Bilal"


async def test_no_manager_no_sale(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "14*1001")
        await attach_ahmed(pilot)
        sale_id = sale(till).basket.sale_id
        payment = await pay(pilot)
        await tender(pilot, "4")
        await pilot.press("escape")  # the manager is not there
        await pilot.pause()
        await pilot.pause()
        assert till.screen is payment and not payment.booking
        assert sales_booked(till, sale_id) == 0
        assert notes[-1][0].startswith("not booked: credit above the limit needs a manager's PIN")
        await pilot.press("backspace")  # take the khata back, pay cash instead
        await tender(pilot, "1")
        assert receipt(till).sale_id == sale_id


async def test_points_are_redeemed_off_the_bill(till, login, shop_url):
    from kiosk.services import customers, loyalty

    with owner(shop_url) as ctx:
        ahmed = customers.find_by_phone(ctx, AHMED_PHONE)
        loyalty.adjust(ctx, ahmed.id, 1_200, "welcome gift")
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        await attach_ahmed(pilot)
        payment = await pay(pilot)
        await pilot.press("6")
        await pilot.pause()
        assert payment.query_one("#pay-amount").value == "1200"  # all of them: worth Rs 12
        await pilot.press(*"500", "enter")
        await pilot.pause()
        assert sale(till).basket.redeem == 500 and payment.due == 1_445_00
        assert "Points redeemed (500)" in screen_text(till)
        await tender(pilot, "1")
        r = receipt(till)
        assert (r.points_redeemed, r.points_value, r.paid) == (500, 5_00, 1_445_00)
        assert r.customer.points_after == 1_200 - 500 + r.points_earned
        shown = screen_text(till)
        assert "Points redeemed (500)" in shown and "-500 redeemed" in shown


async def test_too_few_points_is_refused(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        await attach_ahmed(pilot)
        await pay(pilot)
        await pilot.press("6")
        await pilot.pause()
        assert notes[-1] == ("points: Ahmed Khan has 0; at least 500 are needed to redeem", "error")


async def test_mobile_money_by_the_shops_names(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1002")
        await pay(pilot)
        assert "3 JazzCash/EasyPaisa" in screen_text(till)
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("down", "enter")  # EasyPaisa
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert [(t.method, t.name) for t in receipt(till).tenders] == [("mobile", "EasyPaisa")]


async def test_store_credit_spends_what_the_shop_owes(till, login, shop_url):
    from kiosk.services import customers, khata

    with owner(shop_url) as ctx:
        fatima = customers.find_by_phone(ctx, "03211234567")
        khata.receive(ctx, fatima.id, 500_00, note="paid in advance")
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1002")
        await pilot.press("f7")
        await enter(pilot, "0321 1234567")
        payment = await pay(pilot)
        await pilot.press("5")
        await pilot.pause()
        assert payment.query_one("#pay-amount").value == "150.00"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        r = receipt(till)
        assert r.store_credit == 150_00 and r.customer.balance_after == -350_00
        assert "store credit Rs350.00" in screen_text(till)


async def test_double_enter_books_once(till, login):
    from kiosk.services import customers

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        await attach_ahmed(pilot)
        sale_id = sale(till).basket.sale_id
        await pay(pilot)
        await pilot.press("4", "enter", "enter", "enter")
        await pilot.pause()
        await pilot.pause()
        assert sales_booked(till, sale_id) == 1
        ahmed = customers.find_by_phone(till.session.ctx, AHMED_PHONE)
        assert ahmed.balance == 1_980_00 + 1_450_00  # once


async def test_the_same_sale_sent_again_books_once(till, login):
    """A retry (the Enter after an error, a recalled basket already sold) answers with the first receipt."""
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        basket = sale(till).basket
        payment = await pay(pilot)
        await tender(pilot, "1")
        first = receipt(till)
        await pilot.press("enter")
        await pilot.pause()
        payment.booking = False
        again = await payment._book()  # the same basket, the same id
        assert again.sale_id == first.sale_id == basket.sale_id
        assert sales_booked(till, basket.sale_id) == 1


async def test_esc_goes_back_to_the_sale_with_the_basket(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        payment = await pay(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert payment.method is not None
        await pilot.press("escape")  # leaves the amount
        await pilot.pause()
        assert till.screen is payment and payment.method is None
        await pilot.press("escape")  # leaves Payment
        await pilot.pause()
        assert till.screen is sale(till) and len(lines(till)) == 1
        assert till.focused is sale(till).query_one("#item")


async def test_f12_on_an_empty_basket_says_so(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await pilot.press("f12")
        await pilot.pause()
        assert till.screen is sale(till)
        assert notes[-1] == ("the basket is empty: scan or type an item first", "error")


SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@SIZES
async def test_snapshot_payment(till, login, snap, size):
    async with till.run_test(size=size) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        await enter(pilot, "2*1004")
        await attach_ahmed(pilot)
        sale(till).basket.sale_id = "snapshot-sale-0001"  # a fixed id on the picture
        await pay(pilot)
        await tender(pilot, "1", "1000")
        await pilot.press("4")
        await pilot.pause()
        await snap(pilot, f"payment-{size[0]}x{size[1]}")
