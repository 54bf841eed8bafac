"""The print queue on SQLite and PostgreSQL, against a stand-in network printer on 127.0.0.1.

Receipts go through python-escpos's Network printer over a real TCP socket and are decoded back
(tests/support/escpos_decode.py) to check every figure of the sale; the queue is proved to survive a
printer that refuses connections, one out of paper, a restart, a reset mid-job and two workers at once.
"""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest

from kiosk.domain.basket import Discount
from kiosk.domain.errors import CreditLimitExceeded, KioskError, NotFound, ValidationError
from kiosk.domain.refund import RefundAsk
from kiosk.domain.tenders import Method, TenderRequest
from kiosk.services import customers, khata, printing, products, refunds, sales, settings
from kiosk.services.access import NotAllowed
from kiosk.services.context import open_shop
from kiosk.services.sales import ItemRequest, OpenItemRequest
from kiosk.services.shop import add_user
from kiosk.store import print_jobs as job_store
from kiosk.store.models import AuditLog, PrintJob, Sale
from tests.support.escpos_decode import decode
from tests.support.tcp_printer import TcpPrinter

T = TenderRequest
LATER = dt.timedelta(minutes=10)


@pytest.fixture
def printer():
    with TcpPrinter().accept() as p:
        yield p


@pytest.fixture
def till(shop, printer):
    """A shop with a catalogue, printing to the stand-in printer as an 80 mm TM-T88V (42 columns)."""
    products.add(shop, sku="ATTA-20", name="Atta 20kg", price=2_400_00, barcode="4006381333931")
    products.add(shop, sku="TOMATO", name="ٹماٹر", price=240_00, unit="kg")
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=650_00)
    settings.set(shop, "printer.url", printer.url)
    settings.set(shop, "printer.profile", "TM-T88V")
    settings.set(shop, "printer.footer", "Shukriya! Come again")
    return shop


def _jobs() -> list[PrintJob]:
    return list(PrintJob.select().order_by(PrintJob.id))


def _later(minutes: int = 10) -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0) + dt.timedelta(minutes=minutes)


def _has(texts: list[str], label: str, value: str) -> bool:
    """A line with `label` on the left and `value` at the right edge."""
    return any(t.startswith(label) and t.endswith(value) for t in texts)


# --- Written in the sale's own transaction -------------------------------------------------------------------


def test_a_sale_writes_its_receipt_job_in_its_own_transaction_and_a_refused_sale_writes_none(till):
    c = customers.add(till, name="Limited", phone="0300 1111111", credit_limit=100_00)
    with pytest.raises(CreditLimitExceeded):
        sales.sell(till, sale_id="no", customer_id=c.id, items=[ItemRequest("ATTA-20")], tenders=[T(Method.KHATA)])
    assert _jobs() == []
    sales.sell(till, sale_id="s1", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH, 1_000_00)])
    sales.sell(till, sale_id="s1", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH, 1_000_00)])  # a double Enter
    (job,) = _jobs()
    assert (job.kind, job.ref, job.status, job.kick_drawer, job.reprint) == ("receipt", "s1", "pending", True, False)
    assert job.idempotency_key == "sale:s1"
    sales.sell(till, sale_id="s2", items=[ItemRequest("GHEE")], tenders=[T(Method.CARD)])
    assert _jobs()[-1].kick_drawer is False  # no cash: the drawer stays shut


def test_a_shop_without_a_printer_queues_nothing_and_says_so_on_a_reprint(shop):
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=650_00)
    sales.sell(shop, sale_id="s1", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    assert _jobs() == []
    with pytest.raises(KioskError, match="no printer is set"):
        printing.reprint_receipt(shop, "s1")
    with pytest.raises(NotFound, match="sale nope does not exist"):
        printing.reprint_receipt(shop, "nope", printer="tcp://127.0.0.1:9")
    with pytest.raises(ValidationError, match="printer: tcp://host:99999: the port '99999'"):
        printing.reprint_receipt(shop, "s1", printer="tcp://host:99999")
    assert _jobs() == []


# --- Every figure on the paper --------------------------------------------------------------------------------


def test_every_figure_of_a_sale_is_on_the_receipt_sent_over_tcp(till, printer):
    money = printing.money_of(till)
    c = customers.add(till, name="Ahmed Khan", phone="0300 1234567")
    sales.sell(till, sale_id="first", customer_id=c.id, items=[ItemRequest("ATTA-20")], tenders=[T(Method.CARD)])
    printing.send_pending(till)
    r = sales.sell(till, sale_id="sale-42", customer_id=c.id,
                   items=[ItemRequest("4006381333931"), ItemRequest("TOMATO", "0.5"),
                          ItemRequest("GHEE", "2", Discount(amount=50_00))],
                   open_items=[OpenItemRequest("loose sugar", 150_00)], basket_discount=Discount(percent_bp=500),
                   redeem=500, tenders=[T(Method.CASH, 2_000_00), T(Method.KHATA)])
    assert r.khata and r.change == 0 and r.points_value == 5_00
    (result,) = printing.send_pending(till)
    assert result.printed and result.bytes > 0
    d = decode(printer.wait_for(2)[1], "TM-T88V")
    texts = d.texts()
    assert "Test Kiryana" in texts[0] and d.lines[0].width == 2  # the shop's name, big
    assert any(t.strip() == "RECEIPT" for t in texts)
    assert _has(texts, "Sale", "sale-42") and _has(texts, "Customer", "Ahmed Khan")
    assert _has(texts, "Phone", "+923001234567") and _has(texts, r.at.strftime("%Y-%m-%d %H:%M"), f"Till {r.till}")
    atta, tomato, ghee, sugar = r.lines
    assert _has(texts, "Atta 20kg", money(atta.gross)) or _has(texts, "  1 x", money(atta.gross))
    assert _has(texts, "  0.500 kg x Rs240.00", money(tomato.gross))
    assert "Ghee 1kg" in texts and _has(texts, "  2 x Rs650.00", money(ghee.gross))
    for line in r.lines:
        if line.discount:
            assert _has(texts, "  discount", money(-line.discount))
    assert _has(texts, "Subtotal (4 items)", money(r.gross)) and _has(texts, "Discounts", money(-r.discounts))
    total = next(ln for ln in d.lines if ln.text.startswith("TOTAL"))
    assert total.text.rstrip().endswith(money(r.total)) and total.width == 2 and total.bold
    assert _has(texts, "Points redeemed (500)", money(-5_00)) and _has(texts, "TO PAY", money(r.paid))
    assert _has(texts, "Cash", money(2_000_00)) and _has(texts, "On khata (credit)", money(r.khata))
    assert _has(texts, "Cash given", money(r.cash_given)) and _has(texts, "CHANGE", money(r.change))
    assert _has(texts, "Put on khata", money(r.khata))
    assert _has(texts, "Khata balance owed", money(r.customer.balance_after))
    assert _has(texts, "Points earned", str(r.points_earned)) and _has(texts, "Points redeemed", "500")
    assert _has(texts, "Points balance", str(r.customer.points_after)) and _has(texts, "Tier", r.customer.tier)
    assert "Shukriya! Come again" in [t.strip() for t in texts]
    assert d.qr_codes == ["sale-42"] and d.cuts == 1 and len(d.kicks) == 1 and d.events[0].kind == "kick"
    assert not any("?" in t for t in texts)  # nothing the code page could not carry was sent as text
    (urdu,) = d.images  # the tomato's Urdu name, drawn, in place of its text line
    assert urdu.width == 512 and urdu.ink() > 100
    at = [e.kind for e in d.events].index("image")
    assert d.events[at + 1].value.text.startswith("  0.500 kg x")
    # Every line fits the 42 columns of the TM-T88V (big lines 21).
    assert all(len(ln.text.rstrip()) * ln.width <= 42 for ln in d.lines)
    assert sum(Sale.select().where(Sale.id == "sale-42").count() for _ in [0]) == 1


def test_the_urdu_image_is_the_line_as_laid_out(till, printer):
    from kiosk.devices.escpos_image import line_image
    from kiosk.domain.print_layout import Document, Pair, layout

    sales.sell(till, sale_id="u1", items=[ItemRequest("TOMATO", "1")], tenders=[T(Method.CASH)])
    printing.send_pending(till)
    d = decode(printer.wait_for(1)[0], "TM-T88V")
    (image,) = d.images
    (line,) = layout(Document("x", "x", (Pair("ٹماٹر", ""),)), 42)
    expected = line_image(line, width_px=512, columns=42)
    got = [[1 - bit for bit in row] for row in image.bits]  # printer bits are 1 = black; Pillow's "1" is 1 = white
    assert (image.width, image.height) == expected.size
    assert got == [[1 if expected.getpixel((x, y)) else 0 for x in range(expected.size[0])]
                   for y in range(expected.size[1])]


@pytest.mark.parametrize(("profile", "columns"), [("POS-5890", 32), ("TM-T88V", 42), ("TM-T20II", 48)])
def test_a_receipt_fits_32_42_and_48_columns(till, printer, profile, columns):
    settings.set(till, "printer.profile", profile)
    c = customers.add(till, name="A customer with a rather long name indeed", phone="0300 7777777")
    sales.sell(till, sale_id="wide-sale-with-a-long-id", customer_id=c.id,
               items=[ItemRequest("ATTA-20", "12"), ItemRequest("GHEE")],
               open_items=[OpenItemRequest("a very long open item description that must wrap", 99_999_00)],
               tenders=[T(Method.CASH, 200_000_00)])
    assert printing.send_pending(till)[0].printed
    d = decode(printer.wait_for(1)[0], profile)
    for ln in d.lines:
        assert len(ln.text.rstrip()) * ln.width <= columns, ln.text
    assert "-" * columns in d.texts()
    assert _has(d.texts(), "CHANGE", printing.money_of(till)(200_000_00 - 99_999_00 - 12 * 2_400_00 - 650_00))
    if profile == "POS-5890":  # no native QR: printed as an image
        assert d.qr_codes == [] and d.images and d.cuts == 0  # and no cutter: fed, not cut
    else:
        assert d.qr_codes == ["wide-sale-with-a-long-id"] and d.cuts == 1


def test_a_ghana_receipt_prints_the_cedi_sign_the_code_page_has(make_shop, printer):
    ctx = make_shop(country="GH", currency="GHS", name="Kumasi Provisions")
    products.add(ctx, sku="RICE", name="Rice 5kg", price=95_50)
    settings.set(ctx, "printer.url", printer.url)
    sales.sell(ctx, sale_id="gh1", items=[ItemRequest("RICE")], tenders=[T(Method.CASH, 100_00)])
    printing.send_pending(ctx)
    d = decode(printer.wait_for(1)[0], "POS-5890")
    assert _has(d.texts(), "Rice 5kg", "GH¢95.50") and _has(d.texts(), "CHANGE", "GH¢4.50")


# --- Never lost, printed once ---------------------------------------------------------------------------------


def test_a_printer_that_refuses_then_accepts_prints_the_committed_sale_once(till, printer):
    printer.refuse()
    r = sales.sell(till, sale_id="s1", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH, 700_00)])
    assert Sale.get_by_id("s1").total == r.total  # the sale is committed, printer or not
    (first,) = printing.send_pending(till)
    assert first.status == printing.WAITING and "cannot connect" in first.error and "refused" in first.error
    (job,) = printing.waiting(till)
    assert (job.status, job.attempts, job.last_error) == ("pending", 1, first.error)
    assert job.next_attempt_at > dt.datetime.now()  # backoff: not tried again at once
    assert printing.send_pending(till) == []
    printer.accept()
    (done,) = printing.send_pending(till, now=_later())
    assert done.printed
    assert printing.send_pending(till, now=_later(60)) == []
    assert len(printer.wait_for(1)) == 1 and printer.connections == 1
    assert decode(printer.jobs[0]).qr_codes == ["s1"]
    assert job_store.get(job.id).status == "printed" and printing.waiting(till) == []


def test_a_printer_out_of_paper_keeps_the_committed_sale_waiting_until_paper_is_loaded(till, printer):
    printer.paper("out")  # it would take the bytes into its buffer: they must not be sent
    r = sales.sell(till, sale_id="s1", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH, 700_00)])
    assert Sale.get_by_id("s1").total == r.total  # the sale is committed, paper or not
    (first,) = printing.send_pending(till)
    assert first.status == printing.WAITING and first.error == f"printer {printer.url}: out of paper"
    (job,) = printing.waiting(till)
    assert (job.status, job.attempts, job.last_error) == ("pending", 1, first.error)
    assert printer.status_queries == 1 and printer.wait_for(1, timeout=0.3) == []  # nothing sent
    assert printing.send_pending(till) == []  # backoff, as for a printer that is off
    (again,) = printing.send_pending(till, now=_later())
    assert again.error == first.error and printer.jobs == [] and job_store.get(job.id).status == "pending"
    printer.paper("paper")  # a roll is loaded
    (done,) = printing.send_pending(till, now=_later(60))
    assert done.printed and done.warning == ""
    assert printing.send_pending(till, now=_later(120)) == []
    assert [decode(j).qr_codes for j in printer.wait_for(1)] == [["s1"]] and len(printer.jobs) == 1
    assert job_store.get(job.id).status == "printed" and printing.waiting(till) == []


def test_a_job_waiting_for_paper_can_go_to_another_printer(till, printer):
    printer.paper("out")
    sales.sell(till, sale_id="s1", items=[ItemRequest("GHEE")], tenders=[T(Method.CARD)])
    (job,) = [r.job_id for r in printing.send_pending(till)]
    with TcpPrinter().accept() as other:
        assert printing.retry(till, job, printer=other.url).printed
        assert [decode(j).qr_codes for j in other.wait_for(1)] == [["s1"]]
    assert printer.jobs == [] and printing.waiting(till) == []


def test_paper_near_the_end_prints_and_says_so(till, printer):
    printer.paper("near end")
    sales.sell(till, sale_id="s1", items=[ItemRequest("GHEE")], tenders=[T(Method.CARD)])
    (result,) = printing.send_pending(till)
    assert result.printed and result.warning == "paper near end" and result.error == ""
    assert printing.reprint_receipt(till, "s1").warning == "paper near end"
    assert len(printer.wait_for(2)) == 2


def test_a_printer_that_never_answers_about_paper_prints_as_before(till, printer):
    from kiosk.devices import printer as device

    device.forget_status(printer.url)
    printer.paper("silent")
    for sale_id in ("s1", "s2"):
        sales.sell(till, sale_id=sale_id, items=[ItemRequest("GHEE")], tenders=[T(Method.CARD)])
    assert [(r.status, r.warning) for r in printing.send_pending(till)] == [("printed", "")] * 2
    assert [decode(j).qr_codes for j in printer.wait_for(2)] == [["s1"], ["s2"]]
    assert printer.status_queries == 1  # asked once: a printer that never answers is not asked each time


def test_a_drawer_kick_alone_is_sent_whatever_the_paper(till, printer):
    printer.paper("out")
    settings.set(till, "printer.auto_print", "no")
    sales.sell(till, sale_id="cash", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    assert printing.send_pending(till)[0].printed
    assert printing.open_drawer(till, reason="change").printed
    assert [len(decode(j).kicks) for j in printer.wait_for(2)] == [1, 1] and printer.status_queries == 0


def test_a_restart_while_the_printer_is_off_loses_nothing(till, printer, db_url):
    printer.refuse()
    sales.sell(till, sale_id="before-restart", items=[ItemRequest("GHEE")], tenders=[T(Method.CARD)])
    assert printing.send_pending(till)[0].status == printing.WAITING
    till.close()
    again = open_shop(db_url)
    try:
        (job,) = printing.waiting(again)
        assert (job.ref, job.attempts) == ("before-restart", 1)
        printer.accept()
        assert [r.status for r in printing.send_pending(again, now=_later())] == ["printed"]
        assert printing.send_pending(again, now=_later(60)) == []
    finally:
        again.close()
    assert [decode(j).qr_codes for j in printer.wait_for(1)] == [["before-restart"]]


def test_a_connection_reset_mid_job_is_not_marked_printed(till, printer):
    printer.reset_next()
    sales.sell(till, sale_id="s1", items=[ItemRequest("GHEE")], tenders=[T(Method.CARD)])
    (first,) = printing.send_pending(till)
    assert first.status == printing.WAITING and "not taken" in first.error
    (job,) = printing.waiting(till)
    assert printing.retry(till, job.id).printed
    assert len(printer.wait_for(1)) == 1 and printer.connections == 2


def test_a_printer_that_keeps_the_connection_open_still_prints(till, printer):
    printer.hold_open()
    sales.sell(till, sale_id="s1", items=[ItemRequest("GHEE")], tenders=[T(Method.CARD)])
    assert printing.send_pending(till)[0].printed


def test_two_workers_never_print_one_job_twice(till, printer):
    printer.refuse()
    for n in range(6):
        sales.sell(till, sale_id=f"w{n}", items=[ItemRequest("GHEE")], tenders=[T(Method.CARD)])
    printer.accept()
    start, results, errors = threading.Barrier(2), [], []

    def worker():
        try:
            start.wait()
            results.extend(printing.send_pending(till))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            till.db.close()  # this thread's connection

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(r.job_id for r in results if r.printed) == [j.id for j in _jobs()]
    printed = [decode(j).qr_codes[0] for j in printer.wait_for(6)]
    assert sorted(printed) == [f"w{n}" for n in range(6)] and printer.connections == 6


def test_a_job_is_claimed_by_one_worker_and_a_dead_workers_claim_is_taken_over(till, printer):
    sales.sell(till, sale_id="s1", items=[ItemRequest("GHEE")], tenders=[T(Method.CARD)])
    (job,) = _jobs()
    now = dt.datetime.now().replace(microsecond=0)
    assert job_store.claim(job.id, "worker-a", now, now - printing.LEASE)
    assert not job_store.claim(job.id, "worker-b", now, now - printing.LEASE)
    assert printing.send_pending(till) == []  # worker-a holds it
    (taken,) = printing.send_pending(till, now=now + printing.LEASE + dt.timedelta(seconds=1))
    assert taken.printed and not job_store.mark_printed(job.id, "worker-a", now)  # the dead worker's mark is void


# --- The drawer -----------------------------------------------------------------------------------------------


def test_the_drawer_opens_with_a_fresh_cash_receipt_only(till, printer):
    sales.sell(till, sale_id="cash", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    sales.sell(till, sale_id="late", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    PrintJob.update(created_at=dt.datetime.now() - dt.timedelta(minutes=3)).where(PrintJob.ref == "late").execute()
    sales.sell(till, sale_id="card", items=[ItemRequest("GHEE")], tenders=[T(Method.CARD)])
    printing.send_pending(till)
    printing.reprint_receipt(till, "cash")
    jobs = {decode(j).qr_codes[0]: decode(j) for j in printer.wait_for(4)[:3]}
    assert len(jobs["cash"].kicks) == 1 and jobs["late"].kicks == [] and jobs["card"].kicks == []
    reprint = decode(printer.jobs[3])
    assert reprint.kicks == [] and "*** REPRINT ***" in [t.strip() for t in reprint.texts()]
    audit = AuditLog.select().where(AuditLog.action == "print.reprint").get()
    assert audit.record == "sale:cash"


def test_with_auto_print_off_a_cash_sale_only_opens_the_drawer(till, printer):
    settings.set(till, "printer.auto_print", "no")
    sales.sell(till, sale_id="card", items=[ItemRequest("GHEE")], tenders=[T(Method.CARD)])
    sales.sell(till, sale_id="cash", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    (job,) = _jobs()
    assert (job.kind, job.kick_drawer) == ("drawer", True)
    assert printing.send_pending(till)[0].printed
    d = decode(printer.wait_for(1)[0])
    assert len(d.kicks) == 1 and d.texts() in ([], [""]) and d.cuts == 0 and d.images == []


def test_a_drawer_kick_that_waited_too_long_expires_instead_of_opening(till, printer):
    settings.set(till, "printer.auto_print", "no")
    printer.refuse()
    sales.sell(till, sale_id="cash", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    printing.send_pending(till)
    printer.accept()
    (result,) = printing.send_pending(till, now=_later())
    assert result.status == printing.EXPIRED and printer.wait_for(1, timeout=0.3) == []
    assert job_store.get(_jobs()[0].id).status == "expired"


def test_a_no_sale_drawer_open_needs_a_manager_and_is_audited(till, printer):
    cashier = add_user(till, "Sana", "cashier", "6666")
    manager = add_user(till, "Bilal", "manager", "5555")
    till.user = cashier
    with pytest.raises(NotAllowed, match="Sana is a cashier: only managers and owners can approve"):
        printing.open_drawer(till, reason="change for the float")
    with pytest.raises(NotAllowed, match="Sana is a cashier"):
        printing.open_drawer(till, approved_by=cashier)
    assert _jobs() == [] and printer.connections == 0
    result = printing.open_drawer(till, approved_by=manager, reason="change for the float")
    assert result.printed
    d = decode(printer.wait_for(1)[0])
    assert len(d.kicks) == 1 and d.images == [] and d.qr_codes == []
    row = AuditLog.select().where(AuditLog.action == "drawer.no_sale").get()
    detail = json.loads(row.detail)
    assert (row.user_id, detail["approved_by"], detail["reason"]) == (cashier.id, "Bilal", "change for the float")
    till.user = manager
    assert printing.open_drawer(till).printed


# --- Slips ------------------------------------------------------------------------------------------------------


def test_a_cash_refund_prints_a_slip_and_opens_the_drawer(till, printer):
    money = printing.money_of(till)
    c = customers.add(till, name="Ayesha", phone="0300 2222222")
    sales.sell(till, sale_id="s1", customer_id=c.id, items=[ItemRequest("GHEE", "2")], tenders=[T(Method.CARD)])
    done = refunds.refund(till, refund_id="r1", sale_id="s1", asks=[RefundAsk(1, 1000)], to="cash")
    results = printing.send_pending(till)
    assert [r.printed for r in results] == [True, True]
    d = decode(printer.wait_for(2)[1])
    texts = d.texts()
    assert "REFUND" in [t.strip() for t in texts] and _has(texts, "Refund", "r1") and _has(texts, "Of sale", "s1")
    assert _has(texts, "1. Ghee 1kg x1", money(650_00)) and _has(texts, "CASH PAID OUT", money(done.payout))
    assert _has(texts, "Customer", "Ayesha") and _has(texts, "Khata balance owed", money(done.balance_after))
    assert len(d.kicks) == 1
    printing.print_refund_slip(till, "r1")
    assert "*** REPRINT ***" in [t.strip() for t in decode(printer.wait_for(3)[2]).texts()]


def test_a_khata_payment_prints_its_slip_with_the_balance_after(till, printer):
    money = printing.money_of(till)
    c = customers.add(till, name="Bashir", phone="0300 3333333")
    khata.give(till, c.id, 5_000_00)
    entry = khata.receive(till, c.id, 1_200_00, method="EasyPaisa")
    assert printing.send_pending(till)[0].printed
    d = decode(printer.wait_for(1)[0])
    texts = d.texts()
    assert _has(texts, "AMOUNT RECEIVED", money(1_200_00)) and _has(texts, "Method", "EasyPaisa")
    assert _has(texts, "Khata balance owed", money(3_800_00)) and _has(texts, "Entry", str(entry.id))
    assert d.kicks == []  # not cash
    khata.receive(till, c.id, 3_900_00, method="cash")  # pays more than owed: store credit left
    printing.send_pending(till)
    d = decode(printer.wait_for(2)[1])
    assert _has(d.texts(), "Store credit left", money(100_00)) and len(d.kicks) == 1


def test_a_statement_slip_shows_the_last_entries_with_the_running_balance(till, printer):
    money = printing.money_of(till)
    c = customers.add(till, name="Chaudhry", phone="0300 4444444")
    day = dt.date(2026, 1, 1)
    for n in range(5):
        khata.give(till, c.id, 1_000_00, date=day + dt.timedelta(days=n), note=f"goods {n}")
    khata.receive(till, c.id, 1_500_00, method="cash", date=day + dt.timedelta(days=6))
    printing.send_pending(till)  # the payment slip
    result = printing.print_statement_slip(till, c.id, last=3)
    assert result.printed
    khata.give(till, c.id, 9_000_00)  # after the slip was asked for: not on it
    d = decode(printer.wait_for(2)[1])
    texts = d.texts()
    assert _has(texts, "Brought forward (3 earlier)", money(3_000_00))
    assert "2026-01-04 gave: goods 3" in texts and "2026-01-07 payment (cash)" in texts
    assert _has(texts, f"  +{money(1_000_00)}", f"= {money(4_000_00)}")
    assert _has(texts, f"  {money(-1_500_00)}", f"= {money(3_500_00)}")
    assert _has(texts, "Khata balance owed", money(3_500_00))
    with pytest.raises(ValidationError, match="last: 0 entries"):
        printing.print_statement_slip(till, c.id, last=0)


def test_the_end_of_day_slip_adds_up_the_day_for_managers_only(till, printer):
    money = printing.money_of(till)
    c = customers.add(till, name="Daud", phone="0300 5555555")
    sales.sell(till, sale_id="a", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH, 1_000_00)])
    sales.sell(till, sale_id="b", customer_id=c.id, items=[ItemRequest("ATTA-20")],
               tenders=[T(Method.CARD, 400_00), T(Method.KHATA)])
    refunds.refund(till, refund_id="r", sale_id="a", to="cash")
    khata.receive(till, c.id, 500_00, method="cash")
    summary = printing.day_summary(till)
    assert (summary.sales, summary.total, summary.credit_given, summary.refunded_cash) == (2, 3_050_00, 2_000_00, 650_00)
    assert dict(summary.tenders) == {"cash": 650_00, "card": 400_00, "khata": 2_000_00}
    assert summary.cash_in == 650_00 + 500_00 - 650_00
    printing.send_pending(till)
    assert printing.print_day_summary(till).printed
    texts = decode(printer.wait_for(5)[4]).texts()
    assert _has(texts, "Sales", "2") and _has(texts, "Total sold", money(3_050_00))
    assert _has(texts, "  Cash", money(650_00)) and _has(texts, "  Card", money(400_00))
    assert _has(texts, "  cash paid out", money(-650_00)) and _has(texts, "  cash (1)", money(500_00))
    assert _has(texts, "CASH IN DRAWER (net)", money(500_00))
    till.user = add_user(till, "Sana", "cashier", "6666")
    with pytest.raises(NotAllowed, match="only managers, owners and viewers can read reports"):
        printing.print_day_summary(till)


def test_a_test_page_shows_the_printer_the_columns_and_urdu(till, printer):
    assert printing.print_test_page(till).printed
    d = decode(printer.wait_for(1)[0])
    assert _has(d.texts(), "Printer", printer.url) and _has(d.texts(), "Columns", "42")
    assert "123456789012345678901234567890123456789012" in d.texts()
    assert d.qr_codes == ["kiosk printer test"] and len(d.images) == 1  # the Urdu line


# --- The queue ---------------------------------------------------------------------------------------------------


def test_waiting_jobs_can_be_retried_dropped_or_sent_to_another_printer(till, printer):
    printer.refuse()
    for sale_id in ("a", "b", "c"):
        sales.sell(till, sale_id=sale_id, items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    printing.send_pending(till)
    a, b, c = printing.waiting(till)
    dropped = printing.drop(till, a.id, reason="customer left")
    assert dropped.status == "dropped"
    assert json.loads(AuditLog.select().where(AuditLog.action == "print.drop").get().detail)["reason"] == "customer left"
    with pytest.raises(KioskError, match=f"print job {a.id} is dropped, not waiting"):
        printing.retry(till, a.id)
    with TcpPrinter().accept() as other:
        result = printing.retry(till, b.id, printer=other.url)
        assert result.printed and result.printer == other.url
        assert decode(other.wait_for(1)[0]).kicks == []  # the drawer is not on that printer
        (moved,) = printing.send_to(till, other.url)
        assert moved.printed and [decode(j).qr_codes for j in other.wait_for(2)] == [["b"], ["c"]]
    assert printing.waiting(till) == [] and printer.jobs == []
    with pytest.raises(NotFound, match="print job 999 does not exist"):
        printing.drop(till, 999)


def test_a_viewer_cannot_queue_and_a_cashier_cannot_drop_what_is_not_waiting(till, printer):
    sales.sell(till, sale_id="a", items=[ItemRequest("GHEE")], tenders=[T(Method.CARD)])
    printing.send_pending(till)
    (job,) = _jobs()
    cashier, viewer = add_user(till, "Sana", "cashier", "6666"), add_user(till, "Vera", "viewer", "7777")
    till.user = cashier
    with pytest.raises(KioskError, match=f"print job {job.id} is printed, not waiting"):
        printing.drop(till, job.id)
    till.user = viewer
    with pytest.raises(NotAllowed, match="Vera is a viewer"):
        printing.retry(till, job.id)


def test_a_no_sale_kick_the_printer_does_not_take_is_not_retried(till, printer):
    printer.refuse()
    result = printing.open_drawer(till, reason="float")
    assert result.status == printing.EXPIRED and "cannot connect" in result.error
    printer.accept()
    assert printing.send_pending(till) == [] and printing.waiting(till) == []
    assert AuditLog.select().where(AuditLog.action == "drawer.no_sale").count() == 1
