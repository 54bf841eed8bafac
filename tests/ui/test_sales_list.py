"""Sales (F10 on the Sale screen): the day's sales, filtered as you type, a receipt on Enter, a reprint
through the print queue (Ctrl+R), other days (F7/F8, or a date typed), and the end-of-day summary
(Ctrl+T) for a manager, or for a cashier with a manager's PIN."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.ui.screens.day_summary import DaySummaryScreen
from kiosk.ui.screens.manager_pin import ManagerPinScreen
from kiosk.ui.screens.sale import SaleScreen
from kiosk.ui.screens.sales_list import SalesListScreen
from tests.support.escpos_decode import decode
from tests.support.tcp_printer import TcpPrinter
from tests.ui.conftest import CASHIER, MANAGER
from tests.ui.test_printing_ui import PROFILE, set_printer, until
from tests.ui.test_sale import enter, lines, owner, screen_text

#: A fixed day with fixed times, so the pictures are the same every day.
DAY = dt.date(2025, 3, 1)


@pytest.fixture
def printer():
    with TcpPrinter().accept() as p:
        yield p


def _fixed_day(shop_url: str) -> None:
    """Four sales on DAY at set times: Ahmed's on khata, a walk-in's cash, Fatima's by JazzCash, and a
    walk-in's card sale refunded in full."""
    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import customers, refunds, sales
    from kiosk.services.sales import ItemRequest

    T = TenderRequest
    with owner(shop_url) as ctx:
        ahmed = customers.search(ctx, "Ahmed")[0]
        fatima = customers.search(ctx, "Fatima")[0]
        made = [
            ("7c1e2a90d4", "08:05", ["1001"], [T(Method.KHATA)], ahmed.id),
            ("3f9b0c11aa", "11:42", ["1002", "1004"], [T(Method.CASH, 600_00)], None),
            ("e04d7b5c21", "15:17", ["1003"], [T(Method.MOBILE, name="JazzCash")], fatima.id),
            ("9a8b7c6d5e", "19:30", ["1004"], [T(Method.CARD)], None),
        ]
        for sale_id, hhmm, items, tenders, customer_id in made:
            sales.sell(ctx, sale_id=sale_id, items=[ItemRequest(c) for c in items], tenders=tenders,
                       customer_id=customer_id, date=DAY)
            at = dt.datetime.combine(DAY, dt.time.fromisoformat(hhmm))
            ctx.db.execute_sql("UPDATE sale SET created_at = ? WHERE id = ?", (at.isoformat(" "), sale_id))
        refunds.refund(ctx, refund_id="r-9a8b", sale_id="9a8b7c6d5e", to="cash", date=DAY)


def _walk_in_today(shop_url: str) -> None:
    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import sales
    from kiosk.services.sales import ItemRequest

    with owner(shop_url) as ctx:
        sales.sell(ctx, sale_id="walkin-today", items=[ItemRequest("1002")], tenders=[TenderRequest(Method.CASH)])


async def open_list(pilot, login, pin: str = CASHIER) -> SalesListScreen:
    await login(pilot, pin)
    await pilot.press("f10")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SalesListScreen), screen
    return screen


async def type_filter(pilot, text: str) -> None:
    await pilot.press(*text)
    await pilot.pause()


def shown(screen: SalesListScreen) -> list[str]:
    return [row.sale_id for row in screen.rows]


async def test_f10_lists_todays_sales_newest_first_and_esc_goes_back_to_the_basket(till, login, shop_url):
    _walk_in_today(shop_url)
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await enter(pilot, "1001")  # a basket in progress stays as it is
        await pilot.press("f10")
        await pilot.pause()
        screen = till.screen
        assert isinstance(screen, SalesListScreen)
        assert shown(screen)[0] == "walkin-today" and set(shown(screen)) == {"walkin-today", "ahmed-0", "ahmed-1"}
        text = screen_text(till)
        assert "(today) · all tills · 3 sales" in text and "walk-in" in text and "Ahmed Khan" in text
        assert "Sale walkin-today" in text  # the highlighted one in full, under the list
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(till.screen, SaleScreen) and [d for d, _, _ in lines(till)] == ["Atta 10kg"]


async def test_typing_filters_by_name_phone_or_sale_id_and_esc_clears_first(till, login, shop_url):
    _walk_in_today(shop_url)
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        await type_filter(pilot, "khan")
        assert sorted(shown(screen)) == ["ahmed-0", "ahmed-1"]
        assert 'matching “khan”' in screen_text(till)
        await pilot.press("escape")  # clears the box, stays here
        await pilot.pause()
        assert isinstance(till.screen, SalesListScreen) and len(shown(screen)) == 3
        await type_filter(pilot, "0300 123")
        assert sorted(shown(screen)) == ["ahmed-0", "ahmed-1"]
        await pilot.press("ctrl+u")
        await type_filter(pilot, "WALK")
        assert shown(screen) == ["walkin-today"]
        await pilot.press("ctrl+u")
        await type_filter(pilot, "nobody")
        assert shown(screen) == [] and "No sale matches" in screen_text(till)


async def test_enter_shows_the_receipt_and_a_whole_id_finds_a_sale_of_another_day(till, login, shop_url):
    _fixed_day(shop_url)
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        await type_filter(pilot, "e04d7b5c21")  # what a receipt's QR code holds
        assert shown(screen) == ["e04d7b5c21"] and screen.elsewhere
        assert "was on Sat 01 Mar 2025" in screen_text(till)
        await pilot.press("enter")
        await pilot.pause()
        receipt = till.screen
        assert type(receipt).__name__ == "ReceiptScreen" and receipt.receipt.sale_id == "e04d7b5c21"
        text = screen_text(till)
        assert "Reprint of sale e04d7b5c" in text and "Cooking oil 1L" in text and "Fatima Bibi" in text
        await pilot.press("escape")
        await pilot.pause()
        assert till.screen is screen


async def test_coming_back_lists_the_day_again_the_same_sale_highlighted(till, login):
    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import sales
    from kiosk.services.sales import ItemRequest

    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        await pilot.press("down")  # ahmed-0
        await pilot.pause()
        assert screen.highlighted().sale_id == "ahmed-0"
        await pilot.press("enter")
        await pilot.pause()
        # meanwhile another till rings a sale up
        sales.sell(till.session.ctx, sale_id="zz-other-till", items=[ItemRequest("1002")],
                   tenders=[TenderRequest(Method.CASH)])
        await pilot.press("escape")
        await pilot.pause()
        assert shown(screen)[0] == "zz-other-till" and screen.highlighted().sale_id == "ahmed-0"


async def test_a_typed_date_opens_that_day_and_f7_f8_step_through_the_days(till, login, shop_url):
    _fixed_day(shop_url)
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        assert screen.check_action("day", (1,)) is None  # no tomorrow yet: dimmed
        await type_filter(pilot, "2025-03-01")
        assert screen.day == DAY and screen.text == ""
        assert shown(screen) == ["9a8b7c6d5e", "e04d7b5c21", "3f9b0c11aa", "7c1e2a90d4"]
        text = screen_text(till)
        assert "Sat 01 Mar 2025 · all tills · 4 sales" in text and "all" in text  # the refund column
        await pilot.press("f8")
        await pilot.pause()
        assert screen.day == DAY + dt.timedelta(days=1) and shown(screen) == []
        await pilot.press("f7", "f7")
        await pilot.pause()
        assert screen.day == DAY - dt.timedelta(days=1) and shown(screen) == []


async def test_pages_are_read_as_the_highlight_nears_the_end(till, login, shop_url):
    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import sale_list, sales
    from kiosk.services.sales import ItemRequest

    count = sale_list.PAGE + 15
    with owner(shop_url) as ctx:
        for n in range(count):
            sales.sell(ctx, sale_id=f"busy-{n:03d}", items=[ItemRequest("1002")],
                       tenders=[TenderRequest(Method.CASH)], date=DAY)
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        await type_filter(pilot, "2025-03-01")
        assert len(shown(screen)) == sale_list.PAGE and screen.next_cursor is not None
        await pilot.press("pagedown", "pagedown", "pagedown")
        await pilot.pause()
        assert len(shown(screen)) == count and screen.next_cursor is None
        assert len(set(shown(screen))) == count


async def test_ctrl_r_reprints_the_highlighted_sale_through_the_queue(till, login, shop_url, printer, notes):
    from kiosk.services import printing

    set_printer(shop_url, printer.url)
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        await type_filter(pilot, "ahmed-0")
        assert shown(screen) == ["ahmed-0"]
        await pilot.press("ctrl+r")
        (job,) = printer.wait_for(1)
        printed = decode(job, PROFILE)
        assert printed.qr_codes == ["ahmed-0"] and printed.kicks == []
        assert "*** REPRINT ***" in [t.strip() for t in printed.texts()]
        await until(pilot, lambda: any("printed" in n for n, _ in notes), what="the notification")
        assert ("Reprint of sale ahmed-0 printed", "information") in notes
        (queued,) = [j for j in printing.recent(till.session.ctx) if j.reprint]
        assert (queued.kind, queued.ref, queued.status, queued.user) == ("receipt", "ahmed-0", "printed", "Sana")


async def test_a_reprint_without_a_printer_is_one_line(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await open_list(pilot, login)
        await until(pilot, lambda: till.print_worker.state is not None, what="the worker's first round")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert notes[-1] == ("no printer is set: an owner sets it in Settings (F9, 4 Printer)", "error")
        assert isinstance(till.screen, SalesListScreen)


async def test_a_manager_sees_and_prints_the_end_of_day_summary(till, login, shop_url, printer):
    from kiosk.services import printing

    _fixed_day(shop_url)
    set_printer(shop_url, printer.url)
    async with till.run_test(size=(80, 24)) as pilot:
        await open_list(pilot, login, MANAGER)
        await type_filter(pilot, "2025-03-01")
        await pilot.press("ctrl+t")
        await pilot.pause()
        summary = till.screen
        assert isinstance(summary, DaySummaryScreen) and summary.approved_by is None
        d = summary.summary
        assert (d.date, d.sales, d.refunds) == (DAY, 4, 1)
        text = screen_text(till)
        assert "End of day · Sat 01 Mar 2025 · all tills" in text and "CASH IN DRAWER (net)" in text
        assert "JazzCash" in text and "On khata (credit)" in text
        await pilot.press("p")
        (job,) = printer.wait_for(1)
        assert "END OF DAY" in [t.strip() for t in decode(job, PROFILE).texts()]
        await until(pilot, lambda: "printed" in str(summary.query_one("#day-message").render()), what="printed")
        (day_job,) = [j for j in printing.recent(till.session.ctx) if j.kind == "day"]
        assert (day_job.ref, day_job.user) == ("2025-03-01", "Bilal")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(till.screen, SalesListScreen)


async def test_a_cashier_needs_a_managers_pin_for_the_summary(till, login, shop_url, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login, CASHIER)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(till.screen, ManagerPinScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert till.screen is screen
        assert notes[-1] == ("end-of-day summary not shown: it needs a manager's PIN", "warning")
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press(*CASHIER, "enter")  # a cashier's PIN is not a manager's
        await pilot.pause()
        assert isinstance(till.screen, ManagerPinScreen)
        await pilot.press(*MANAGER, "enter")
        await pilot.pause()
        await pilot.pause()
        summary = till.screen
        assert isinstance(summary, DaySummaryScreen)
        assert summary.approved_by.name == "Bilal" and summary.summary.sales == 2  # Ahmed's two, today
        assert "approved by Bilal" in screen_text(till)
        assert till.session.user.name == "Sana"  # the till is still Sana's


async def test_help_lists_the_sales_keys(till, login):
    from kiosk.ui.screens.help import key_rows

    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot, login)
        here, _everywhere = key_rows(screen)
        ids = [binding_id for _, _, binding_id in here]
        for binding_id in ("sales_list.open", "sales_list.reprint", "sales_list.previous_day",
                           "sales_list.day_summary", "sales_list.back"):
            assert binding_id in ids
        assert "sales_list.next_day" not in ids  # today: no day after it yet
        await pilot.press("f7")
        await pilot.pause()
        assert "sales_list.next_day" in [binding_id for _, _, binding_id in key_rows(screen)[0]]
        sale_ids = [binding_id for _, _, binding_id in key_rows(till.get_screen_stack("sale")[0])[0]]
        assert "sale.sales_list" in sale_ids


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_snapshot(till, shop_url, login, snap, size):
    _fixed_day(shop_url)
    async with till.run_test(size=size) as pilot:
        await open_list(pilot, login, MANAGER)
        await type_filter(pilot, "2025-03-01")
        await pilot.press("down")
        await pilot.pause()
        await snap(pilot, f"sales-list-{size[0]}x{size[1]}")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DaySummaryScreen)
        await snap(pilot, f"day-summary-{size[0]}x{size[1]}")
