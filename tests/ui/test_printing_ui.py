"""Printing at the till, against a stand-in network printer on 127.0.0.1 (tests/support/tcp_printer.py):
a sale's receipt sent by the print worker's thread, a printer that refuses and comes back (the sale is
booked, the bar says 1 waiting, it prints once), the queue sending to another printer, a reprint from
the customer's history, the printer set in Settings, and a no-sale drawer opening with a manager's PIN."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import pytest

from kiosk.ui.screens.manager_pin import ManagerPinScreen
from kiosk.ui.screens.receipt_view import ReceiptViewScreen
from tests.support.escpos_decode import decode
from tests.support.tcp_printer import TcpPrinter
from tests.ui.conftest import CASHIER, MANAGER, OWNER
from tests.ui.test_profile import open_profile
from tests.ui.test_sale import enter, owner, screen_text

PROFILE = "TM-T88V"  # 80 mm, with native QR codes the decoder reads back (a 58 mm POS-5890 prints an image)


@pytest.fixture
def printer():
    with TcpPrinter().accept() as p:
        yield p


def set_printer(shop_url: str, url: str) -> None:
    from kiosk.services import settings

    with owner(shop_url) as ctx:
        settings.set(ctx, "printer.url", url)
        settings.set(ctx, "printer.profile", PROFILE)


async def until(pilot, check, timeout: float = 10.0, what: str = "") -> None:
    """Let the app run until `check()` holds (the worker's thread reports through the event loop)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what or check}"
        await pilot.pause(0.05)


async def cash_sale(pilot, sku: str = "1001", given: str = "2000"):
    """Sell one `sku` for cash; the receipt view's screen."""
    await enter(pilot, sku)
    await pilot.press("f12")
    await pilot.pause()
    await pilot.press("1", *given, "enter")
    await pilot.pause()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReceiptViewScreen), screen
    return screen


def bar_text(app) -> str:
    """The Sale screen's session bar."""
    return str(app.get_screen_stack("sale")[0].query_one("SessionBar").render())


async def test_a_sale_prints_its_receipt_from_the_worker_thread(till, login, shop_url, printer, monkeypatch):
    from kiosk.services import printing

    set_printer(shop_url, printer.url)
    threads = []
    original = printing.send_pending

    def recorded(ctx, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return original(ctx, **kwargs)

    monkeypatch.setattr(printing, "send_pending", recorded)
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        view = await cash_sale(pilot)
        sale_id = view.receipt.sale_id
        await until(pilot, lambda: view.print_state == "printed", what="the receipt to print")
        assert "Receipt printed" in screen_text(till)
        (job,) = printer.wait_for(1)
        printed = decode(job, PROFILE)
        assert printed.qr_codes == [sale_id] and len(printed.kicks) == 1  # cash: the drawer opens
        text = "\n".join(printed.texts())
        assert "Atta 10kg" in text and "Test Kiryana" in text and "1,450.00" in text and "550.00" in text
        assert threads and not any(threads)  # every send ran off the app's thread
        assert "waiting" not in bar_text(till)


async def test_a_printer_that_is_off_never_holds_the_sale_and_the_job_prints_once_when_it_is_back(
        till, login, shop_url, printer, monkeypatch):
    from kiosk.services import printing

    set_printer(shop_url, printer.url)
    printer.refuse()
    monkeypatch.setattr(printing, "backoff", lambda attempts: dt.timedelta(0))  # due again at once
    till.print_worker.poll_seconds = 0.2
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        view = await cash_sale(pilot)
        sale_id = view.receipt.sale_id
        await until(pilot, lambda: view.print_state == "waiting", what="the receipt to wait")
        shown = str(view.query_one("#receipt-print").render())
        assert shown.startswith("Receipt waiting for the printer: cannot connect (Connection refused).")
        (booked,) = till.session.ctx.db.execute_sql("SELECT COUNT(*) FROM sale WHERE id = ?", (sale_id,)).fetchone()
        assert booked == 1
        await pilot.press("enter")  # the next sale, while the printer is still off
        await pilot.pause()
        await until(pilot, lambda: "printer: 1 waiting" in bar_text(till), what="the bar to say 1 waiting")
        attempts = till.print_worker.state.waiting[0].attempts
        await until(pilot, lambda: till.print_worker.state.waiting[0].attempts > attempts, what="a retry")
        printer.accept()
        await until(pilot, lambda: till.print_worker.state.count == 0, what="the queue to empty")
        await pilot.pause(0.6)  # a few more rounds: nothing prints twice
        assert len(printer.wait_for(1)) == 1 and printer.connections == 1
        assert decode(printer.jobs[0], PROFILE).qr_codes == [sale_id]
        await until(pilot, lambda: "waiting" not in bar_text(till), what="the bar to clear")


async def test_the_queue_sends_waiting_jobs_to_another_printer(till, login, shop_url, printer):
    set_printer(shop_url, printer.url)
    printer.refuse()
    async with till.run_test(size=(100, 30)) as pilot:
        await login(pilot, CASHIER)
        view = await cash_sale(pilot)
        await until(pilot, lambda: view.print_state == "waiting", what="the receipt to wait")
        await pilot.press("enter", "ctrl+r")
        await pilot.pause()
        queue = till.screen
        assert type(queue).__name__ == "PrintQueueScreen"
        assert [j.ref for j in queue.jobs] == [view.receipt.sale_id]
        assert "cannot connect (Connection refused)" in screen_text(till)
        with TcpPrinter().accept() as other:
            await pilot.press("s")
            await pilot.pause()
            await pilot.press(*other.url, "enter")
            await until(pilot, lambda: other.jobs, what="the other printer")
            assert decode(other.jobs[0], PROFILE).qr_codes == [view.receipt.sale_id]
            await until(pilot, lambda: not queue.jobs, what="the queue to empty")
        assert printer.jobs == []
        (row,) = till.session.ctx.db.execute_sql(
            "SELECT detail FROM audit_log WHERE action = 'print.send_to'").fetchall()
        assert other.url in row[0]


async def test_reprint_from_the_customers_history_prints_marked_reprint(till, login, shop_url, printer, notes):
    set_printer(shop_url, printer.url)
    async with till.run_test(size=(80, 24)) as pilot:
        await open_profile(pilot, login, CASHIER)
        await pilot.press("p")  # the highlighted (latest) purchase's receipt on screen
        await pilot.pause()
        assert type(till.screen).__name__ == "ReceiptScreen"
        await pilot.press("p")  # and on paper
        (job,) = printer.wait_for(1)
        printed = decode(job, PROFILE)
        assert printed.qr_codes == ["ahmed-1"] and printed.kicks == []
        assert "*** REPRINT ***" in [t.strip() for t in printed.texts()]
        await until(pilot, lambda: any("printed" in n for n, _ in notes), what="the notification")
        assert ("Reprint of sale ahmed-1 printed", "information") in notes


async def test_settings_set_the_printer_a_bad_address_is_refused_and_a_test_page_prints(
        till, login, printer, notes):
    """(The shop's printer profile stays the default 58 mm POS-5890 here.)"""
    from textual.widgets import Input

    from kiosk.services import settings

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, OWNER)
        await pilot.press("f9", "4")
        await pilot.pause()
        screen = till.screen
        box = screen.query_one("#printer-url-box", Input)
        assert box.value == "none"
        await pilot.press("t")
        await pilot.pause()
        assert notes[-1][1] == "error" and "no printer is set" in notes[-1][0]
        box.focus()
        box.value = "tcp://till:99999"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert notes[-1] == ("printer.url: tcp://till:99999: the port '99999' is not a number from 1 to 65535",
                             "error")
        assert settings.get(till.session.ctx, "printer.url") == "none"  # nothing saved
        box.value = printer.url
        await pilot.press("enter")
        await pilot.pause()
        assert notes[-1][0] == "Saved: printer url"
        assert settings.get(till.session.ctx, "printer.url") == printer.url
        await pilot.press("t")
        (page,) = printer.wait_for(1)
        assert printer.url in "\n".join(decode(page, "POS-5890").texts())
        await until(pilot, lambda: notes[-1][0].startswith("Test page printed"), what="the notification")


@pytest.mark.parametrize("pin", [CASHIER, MANAGER])
async def test_a_no_sale_drawer_opening_needs_a_manager_and_is_audited(till, login, shop_url, printer, notes, pin):
    set_printer(shop_url, printer.url)
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, pin)
        await pilot.press("ctrl+o")
        await pilot.pause()
        if pin == CASHIER:
            assert isinstance(till.screen, ManagerPinScreen)
            await pilot.press(*MANAGER, "enter")
            await pilot.pause()
        (job,) = printer.wait_for(1)
        assert len(decode(job, PROFILE).kicks) == 1
        await until(pilot, lambda: any(n.startswith("drawer opened") for n, _ in notes), what="the notification")
        rows = till.session.ctx.db.execute_sql(
            "SELECT u.name, a.detail FROM audit_log a JOIN app_user u ON u.id = a.user_id "
            "WHERE a.action = 'drawer.no_sale'").fetchall()
        (who, detail), = rows
        detail = json.loads(detail)
        if pin == CASHIER:
            assert who == "Sana" and detail["approved_by"] == "Bilal"
        else:
            assert who == "Bilal" and detail.get("approved_by") is None


async def test_a_cashier_without_a_managers_pin_opens_no_drawer(till, login, shop_url, printer, notes):
    set_printer(shop_url, printer.url)
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert notes[-1] == ("drawer not opened: a no-sale opening needs a manager's PIN", "warning")
        assert printer.wait_for(1, timeout=0.3) == []
        (count,) = till.session.ctx.db.execute_sql(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'drawer.no_sale'").fetchone()
        assert count == 0


def test_the_worker_does_not_run_in_a_review():
    from kiosk.ui.print_worker import PrintWorker

    class FakeApp:
        session = None

        def set_interval(self, *args, **kwargs):
            raise AssertionError("no timer in a review")

        def run_worker(self, *args, **kwargs):
            raise AssertionError("no round in a review")

    class ReviewSession:
        read_only = True

    worker = PrintWorker(FakeApp())
    assert worker.start(ReviewSession()) is False
    assert not worker.running and worker.kick() == 0


async def test_paper_near_end_is_said_and_out_of_paper_keeps_the_receipt_waiting(
        till, login, shop_url, printer, monkeypatch):
    from kiosk.services import printing

    set_printer(shop_url, printer.url)
    printer.paper("near end")
    monkeypatch.setattr(printing, "backoff", lambda attempts: dt.timedelta(0))
    till.print_worker.poll_seconds = 0.2
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        view = await cash_sale(pilot)
        await until(pilot, lambda: view.print_state == "printed", what="the receipt to print")
        assert "Receipt printed (paper near end: load a new roll soon)" in str(view.query_one("#receipt-print").render())
        await pilot.press("enter")
        await pilot.pause()
        await until(pilot, lambda: "printer: paper near end" in bar_text(till), what="the bar to warn")
        printer.paper("out")
        view = await cash_sale(pilot)
        await until(pilot, lambda: view.print_state == "waiting", what="the receipt to wait")
        assert "Receipt waiting for the printer: out of paper." in str(view.query_one("#receipt-print").render())
        assert len(printer.jobs) == 1  # the first sale's only
        printer.paper("paper")
        await until(pilot, lambda: till.print_worker.state.count == 0, what="the queue to empty")
        assert len(printer.wait_for(2)) == 2
        await pilot.press("enter")
        await pilot.pause()
        await until(pilot, lambda: "printer:" not in bar_text(till), what="the warning to clear")
