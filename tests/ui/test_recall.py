"""Park and recall (F8): park with a note, the recall list, baskets that survive a restart, and the
basket rescued from a crash or a lock, offered back after the next login."""

from __future__ import annotations

from kiosk.ui.screens.error import ErrorScreen
from kiosk.ui.screens.recall import ParkNoteScreen, RecallScreen
from kiosk.ui.screens.sale import RESCUE_NOTE
from tests.ui.conftest import CASHIER, MANAGER
from tests.ui.test_sale import attach_ahmed, enter, lines, sale, screen_text


def parked(app):
    from kiosk.services import parking

    return parking.list_parked(app.session.ctx)


async def park(pilot, note: str = "") -> None:
    await pilot.press("f8")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ParkNoteScreen)
    await enter(pilot, note)


async def test_f8_parks_with_a_note_and_f8_on_an_empty_sale_recalls(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "3*1001")
        await enter(pilot, "loose rice=240")
        await attach_ahmed(pilot)
        sale_id = sale(till).basket.sale_id
        await park(pilot, "back with eggs")
        assert lines(till) == [] and sale(till).basket.customer is None
        assert sale(till).basket.sale_id != sale_id  # the next customer's basket
        (record,) = parked(till)
        assert (record.id, record.note, record.items, record.customer_name) == (sale_id, "back with eggs", 2, "Ahmed Khan")
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(till.screen, RecallScreen)
        shown = screen_text(till)
        assert "back with eggs" in shown and "Ahmed Khan" in shown
        await pilot.press("enter")
        await pilot.pause()
        basket = sale(till).basket
        assert basket.sale_id == sale_id  # its idempotency key comes back with it
        assert basket.customer.name == "Ahmed Khan"
        assert lines(till) == [("Atta 10kg", 3000, 4_350_00), ("loose rice", 1000, 240_00)]
        assert parked(till) == []


async def test_esc_on_the_note_keeps_the_basket(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert len(lines(till)) == 1 and parked(till) == []


async def test_the_recall_list_is_empty_and_says_so(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(till.screen, RecallScreen)
        assert "Nothing is parked" in screen_text(till)
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert till.screen is sale(till)


async def test_del_twice_throws_a_parked_basket_away(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        await park(pilot, "left")
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("delete")
        await pilot.pause()
        assert len(parked(till)) == 1 and "Press Del again" in screen_text(till)
        await pilot.press("delete")
        await pilot.pause()
        assert parked(till) == []


async def test_parked_baskets_survive_a_restart(till, login, shop_url):
    from kiosk.ui.app import KioskApp

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "2*1002")
        sale_id = sale(till).basket.sale_id
        await park(pilot, "Mrs Aslam")
    till.close_shop()
    again = KioskApp(shop_url, keymap={})
    try:
        async with again.run_test(size=(80, 24)) as pilot:
            await login(pilot, MANAGER)
            assert not isinstance(again.screen, RecallScreen)  # parked by hand: not offered, but listed
            await pilot.press("f8")
            await pilot.pause()
            assert "Mrs Aslam" in screen_text(again)
            await pilot.press("enter")
            await pilot.pause()
            assert sale(again).basket.sale_id == sale_id
            assert lines(again) == [("Sugar 1kg", 2000, 300_00)]
    finally:
        again.close_shop()


async def test_a_crash_parks_the_basket_and_the_next_start_offers_it(till, login, shop_url):
    from kiosk.ui.app import KioskApp

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        await attach_ahmed(pilot)
        sale_id = sale(till).basket.sale_id
        till.show_crash(RuntimeError("the printer driver fell over"))  # what @guarded does with a bug
        await pilot.pause()
        assert isinstance(till.screen, ErrorScreen)
        assert "Kept: the sale's basket (1 line) was parked" in screen_text(till)
        (record,) = parked(till)
        assert (record.id, record.note, record.customer_name) == (sale_id, RESCUE_NOTE, "Ahmed Khan")
    till.close_shop()  # the till is closed (or the power went)

    again = KioskApp(shop_url, keymap={})
    try:
        async with again.run_test(size=(80, 24)) as pilot:
            await login(pilot, CASHIER)
            await pilot.pause()
            assert isinstance(again.screen, RecallScreen) and again.screen.rescued
            assert "Kept when the till stopped" in screen_text(again)
            await pilot.press("enter")
            await pilot.pause()
            basket = sale(again).basket
            assert basket.sale_id == sale_id and basket.customer.name == "Ahmed Khan"
            assert lines(again) == [("Atta 10kg", 1000, 1_450_00)]
            assert again.focused is sale(again).query_one("#item")
    finally:
        again.close_shop()


async def test_after_a_crash_the_cashier_carries_on_and_the_kept_copy_goes_with_the_sale(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")
        till.show_crash(RuntimeError("boom"))
        await pilot.pause()
        await pilot.press("enter")  # carry on: the basket is still on the screen
        await pilot.pause()
        assert len(lines(till)) == 1 and len(parked(till)) == 1
        await pilot.press("f12", "1", "enter")
        await pilot.pause()
        await pilot.pause()
        assert parked(till) == []  # sold: nothing left to offer at the next start


async def test_a_lock_parks_the_basket_and_the_next_login_offers_it(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1003")
        sale_id = sale(till).basket.sale_id
        await pilot.press("ctrl+l")
        await pilot.pause()
        await login(pilot, MANAGER)
        await pilot.pause()
        assert isinstance(till.screen, RecallScreen) and till.screen.rescued
        await pilot.press("escape")  # leave it parked
        await pilot.pause()
        assert lines(till) == []
        await pilot.press("f8")  # still in the list
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert sale(till).basket.sale_id == sale_id
        assert lines(till) == [("Cooking oil 1L", 1000, 560_00)]
