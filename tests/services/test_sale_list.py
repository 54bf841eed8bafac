"""The sale list on SQLite and PostgreSQL: one day's sales newest first, paged by keyset, filtered by a
sale id's start or the customer's name or phone; refunds and tenders shown; the end-of-day summary for
managers, or for a cashier with a manager's PIN."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.domain.errors import ValidationError
from kiosk.domain.refund import RefundAsk
from kiosk.domain.tenders import Method, TenderRequest
from kiosk.services import customers, products, refunds, sale_list, sales
from kiosk.services.access import NotAllowed
from kiosk.services.sales import ItemRequest
from kiosk.services.shop import add_user

T = TenderRequest
TODAY = dt.date.today()
YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def till(shop):
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=650_00)
    products.add(shop, sku="TEA", name="Tea 200g", price=380_00)
    return shop


def sell(ctx, sale_id: str, *, at: dt.datetime, customer_id: int | None = None, tenders=None, sku: str = "GHEE"):
    """A sale booked on `at`'s day, its created_at set to `at` (the till stamps the moment it commits)."""
    sales.sell(ctx, sale_id=sale_id, items=[ItemRequest(sku)], tenders=tenders or [T(Method.CASH, 1_000_00)],
               customer_id=customer_id, date=at.date())
    value = at.isoformat(" ") if ctx.db.param == "?" else at
    ctx.db.execute_sql(f"UPDATE sale SET created_at = {ctx.db.param} WHERE id = {ctx.db.param}", (value, sale_id))


def at(day: dt.date, hh: int, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm, ss))


def ids(page) -> list[str]:
    return [r.sale_id for r in page.rows]


def test_a_day_pages_newest_first_by_keyset_ties_broken_by_id(till):
    for n in range(7):
        sell(till, f"s{n}", at=at(TODAY, 9, n))
    sell(till, "t-a", at=at(TODAY, 9, 3))  # the same second as s3: the id decides, newest (largest) first
    seen, cursor, pages = [], None, 0
    while True:
        page = sale_list.page(till, TODAY, after=cursor, limit=3)
        pages += 1
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert seen == ["s6", "s5", "s4", "t-a", "s3", "s2", "s1", "s0"]
    # exactly a page's worth left: no empty page after it
    last = sale_list.page(till, TODAY, after=sale_list.page(till, TODAY, limit=5).next_cursor, limit=3)
    assert ids(last) == ["s2", "s1", "s0"] and last.next_cursor is None


def test_the_days_edges_belong_to_their_own_day_and_today_is_the_default(till):
    sell(till, "late", at=at(YESTERDAY, 23, 59, 59))
    sell(till, "early", at=at(TODAY, 0, 0, 0))
    assert ids(sale_list.page(till, YESTERDAY)) == ["late"]
    assert ids(sale_list.page(till, TODAY)) == ["early"]
    assert ids(sale_list.page(till)) == ["early"]
    assert ids(sale_list.page(till, TODAY - dt.timedelta(days=2))) == []
    # a receipt's id finds its sale on whatever day it was
    found = sale_list.find(till, "late")
    assert found is not None and found.date == YESTERDAY and found.at == at(YESTERDAY, 23, 59, 59)
    assert sale_list.find(till, "nope") is None and sale_list.find(till, "  ") is None


def test_typing_filters_by_sale_id_start_customer_name_or_phone(till):
    ahmed = customers.add(till, name="Ahmed Khan", phone="0300 1234567")
    fatima = customers.add(till, name="Fatima Bibi", phone="0321 7654321")
    sell(till, "a1b2c3", at=at(TODAY, 10), customer_id=ahmed.id)
    sell(till, "F00D01", at=at(TODAY, 11), customer_id=fatima.id)
    sell(till, "a1ffff", at=at(TODAY, 12))  # a walk-in
    sell(till, "a1b2old", at=at(YESTERDAY, 12), customer_id=ahmed.id)  # another day: never listed today
    assert ids(sale_list.page(till, text="a1")) == ["a1ffff", "a1b2c3"]
    assert ids(sale_list.page(till, text="A1B2")) == ["a1b2c3"]
    assert ids(sale_list.page(till, text="f00d")) == ["F00D01"]  # ids compare whatever their case
    assert ids(sale_list.page(till, text="khan")) == ["a1b2c3"]
    assert ids(sale_list.page(till, text="  fatima   BIBI ")) == ["F00D01"]
    assert ids(sale_list.page(till, text="0321-765")) == ["F00D01"]  # as people type phones
    assert ids(sale_list.page(till, text="+92300")) == ["a1b2c3"]
    assert ids(sale_list.page(till, text="zzz")) == []
    assert ids(sale_list.page(till, text="%")) == []  # no wildcard gets through
    row = sale_list.page(till, text="khan").rows[0]
    assert (row.customer_name, row.customer_phone, row.walk_in) == ("Ahmed Khan", "+923001234567", False)
    walk_in = sale_list.page(till, text="a1ff").rows[0]
    assert (walk_in.customer_name, walk_in.customer_phone, walk_in.walk_in) == (None, None, True)


def test_rows_show_the_till_cashier_tenders_and_refunds(till):
    ahmed = customers.add(till, name="Ahmed Khan", phone="0300 1234567", credit_limit=10_000_00)
    sana = add_user(till, "Sana", "cashier", "6666")
    bilal = add_user(till, "Bilal", "manager", "7777")
    till.user = sana
    sell(till, "split", at=at(TODAY, 9), customer_id=ahmed.id, tenders=[T(Method.CASH, 200_00), T(Method.KHATA)])
    sell(till, "jazz", at=at(TODAY, 10), tenders=[T(Method.MOBILE, name="JazzCash")])
    sell(till, "card", at=at(TODAY, 11), sku="TEA", tenders=[T(Method.CARD)])
    sell(till, "whole", at=at(TODAY, 12), tenders=[T(Method.CASH, 1_000_00)])
    till.user = bilal

    refunds.refund(till, refund_id="r-whole", sale_id="whole", to="cash")
    sales.sell(till, sale_id="two-teas", items=[ItemRequest("TEA", quantity="2")], tenders=[T(Method.CARD)])
    refunds.refund(till, refund_id="r-part", sale_id="two-teas", asks=[RefundAsk(1, 1_000)], to="cash")
    rows = {r.sale_id: r for r in sale_list.page(till).rows}
    split = rows["split"]
    assert (split.till, split.cashier, split.paid, split.tenders) == (
        till.till, "Sana", 650_00, (("cash", 200_00), ("khata", 450_00)))
    assert rows["jazz"].tenders == (("JazzCash", 650_00),)
    assert rows["card"].tenders == (("card", 380_00),) and not rows["card"].refunded_any
    assert (rows["whole"].refunded, rows["whole"].fully_refunded, rows["whole"].refunded_any) == (650_00, True, True)
    assert (rows["two-teas"].refunded, rows["two-teas"].fully_refunded) == (380_00, False)
    assert rows["two-teas"].cashier == "Bilal"


def test_listing_needs_someone_logged_in_and_a_sane_page(till):
    sell(till, "s", at=at(TODAY, 9))
    sana, vera = add_user(till, "Sana", "cashier", "6666"), add_user(till, "Vera", "viewer", "6667")
    till.user = sana
    assert ids(sale_list.page(till)) == ["s"]  # a cashier finds and reprints receipts
    till.user = vera
    assert ids(sale_list.page(till)) == ["s"]
    for bad in (0, sale_list.MAX_PAGE + 1, True):
        with pytest.raises(ValidationError, match="limit"):
            sale_list.page(till, limit=bad)
    till.user = None
    with pytest.raises(NotAllowed, match="nobody is logged in"):
        sale_list.page(till)
    with pytest.raises(NotAllowed, match="nobody is logged in"):
        sale_list.find(till, "s")


def test_the_day_summary_is_for_managers_or_a_cashier_with_a_managers_pin(till):
    sell(till, "a", at=at(TODAY, 9))
    sell(till, "b", at=at(TODAY, 10))
    sell(till, "old", at=at(YESTERDAY, 10))
    manager = add_user(till, "Bilal", "manager", "7777")
    other_cashier = add_user(till, "Asif", "cashier", "7778")
    till.user = add_user(till, "Sana", "cashier", "6666")
    with pytest.raises(NotAllowed, match="Sana is a cashier: only managers, owners and viewers can read reports"):
        sale_list.day_summary(till)
    with pytest.raises(NotAllowed, match="Asif is a cashier"):
        sale_list.day_summary(till, approved_by=other_cashier)
    summary = sale_list.day_summary(till, approved_by=manager)
    assert (summary.date, summary.sales, summary.total) == (TODAY, 2, 1_300_00)
    assert sale_list.day_summary(till, YESTERDAY, approved_by=manager).sales == 1
    assert till.user.name == "Sana"  # the approval acted for one call, not for the till
    with pytest.raises(NotAllowed, match="Sana is a cashier"):
        sale_list.print_day_summary(till)
    till.user = manager
    assert sale_list.day_summary(till).sales == 2


def test_a_cashier_prints_the_day_slip_with_a_managers_pin_as_that_manager(till):
    from kiosk.services import printing, settings
    from tests.support.tcp_printer import TcpPrinter

    sell(till, "a", at=at(TODAY, 9))
    manager = add_user(till, "Bilal", "manager", "7777")
    sana = add_user(till, "Sana", "cashier", "6666")
    with TcpPrinter().accept() as printer:
        settings.set(till, "printer.url", printer.url)
        printing.send_pending(till)  # the sale's own receipt
        till.user = sana
        result = sale_list.print_day_summary(till, approved_by=manager)
        assert result.printed
        printer.wait_for(2)
    till.user = manager
    day_job = next(j for j in printing.recent(till) if j.kind == "day")
    assert (day_job.ref, day_job.user) == (TODAY.isoformat(), "Bilal")
