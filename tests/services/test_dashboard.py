"""The dashboard on SQLite and PostgreSQL, with known figures, and in agreement with the reports it
sums up: outstanding credit and its ageing with the credit report, the points liability with the
customer report."""

import datetime as dt

import pytest

from kiosk.domain.refund import RefundAsk
from kiosk.domain.tenders import Method, TenderRequest
from kiosk.services import customers, dashboard, khata, products, refunds, sales, users
from kiosk.services.access import NotAllowed
from kiosk.services.reports import credit_report, customer_report
from kiosk.services.sales import ItemRequest

TODAY = dt.date.today()
T = TenderRequest


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def books(shop):
    products.add(shop, sku="1001", name="Atta 10kg", price=1_450_00)
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=650_00)
    owes = customers.add(shop, name="Old Debts", phone="0300 1000001").id
    for days, amount in ((10, 1_000_00), (45, 2_000_00), (75, 3_000_00), (120, 4_000_00)):
        khata.give(shop, owes, amount, date=ago(days))
    slip = khata.give(shop, owes, 500_00, date=ago(20))
    khata.reverse(shop, slip.id, reason="wrong customer", date=ago(20))
    khata.receive(shop, owes, 2_500_00, date=ago(5))  # settles the oldest first: 1,500 of 120 days stays
    credit = customers.add(shop, name="Today On Credit", phone="0300 1000002").id
    ahead = customers.add(shop, name="Paid Ahead", phone="0300 1000003").id
    khata.receive(shop, ahead, 300_00, date=ago(2))  # an advance
    buyer = customers.add(shop, name="Cash Buyer", phone="0300 1000004").id
    sales.sell(shop, sale_id="d3", customer_id=buyer, items=[ItemRequest("1001", "2")], tenders=[T(Method.CASH)],
               date=ago(3))
    gone = customers.add(shop, name="Archived Points", phone="0300 1000005").id
    sales.sell(shop, sale_id="g1", customer_id=gone, items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)], date=ago(8))
    customers.set_archived(shop, gone, True)
    sales.sell(shop, sale_id="t1", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])  # walk-in, today
    sales.sell(shop, sale_id="t2", customer_id=credit, items=[ItemRequest("1001")], tenders=[T(Method.KHATA)])
    refunds.refund(shop, refund_id="t1-back", sale_id="t1", asks=[RefundAsk(1)])
    return shop, {"owes": owes, "credit": credit, "ahead": ahead, "buyer": buyer, "gone": gone}


def test_todays_sales_what_is_owed_and_its_ageing(books):
    ctx, ids = books
    d = dashboard.dashboard(ctx, today=TODAY)
    assert (d.sales_today_count, d.sales_today, d.refunded_today) == (2, 650_00 + 1_450_00, 650_00)
    assert d.average_sale_today == 1_050_00
    assert (d.owing_customers, d.outstanding, d.advances) == (2, 7_500_00 + 1_450_00, 300_00)
    assert d.ageing == {"0-30": 1_000_00 + 1_450_00, "31-60": 2_000_00, "61-90": 3_000_00, "90+": 1_500_00}
    assert list(d.ageing) == ["0-30", "31-60", "61-90", "90+"]
    report = credit_report(ctx, TODAY)
    assert d.outstanding == report.total_outstanding and d.ageing == report.bucket_totals
    assert d.currency == "PKR"


def test_the_points_liability_is_the_customer_reports(books):
    ctx, ids = books
    d = dashboard.dashboard(ctx, today=TODAY)
    held = [customers.get(ctx, i) for i in ids.values()]
    assert d.liability_points == sum(c.points for c in held if not c.archived) > 0
    assert customers.get(ctx, ids["gone"]).points > 0  # archived: not a liability
    report = customer_report(ctx)
    assert (d.liability_points, d.liability_value) == (report.liability_points, report.liability_value)
    assert d.liability_points == 1_450  # 50 points a Rs 100 of the Rs 2,900 cash sale
    assert d.liability_value == 1_450  # 100 points are worth Rs 1: a paisa each


def test_sales_per_day_has_every_day_oldest_first(books):
    ctx, _ids = books
    d = dashboard.dashboard(ctx, today=TODAY, days=10, ageing=False)
    assert [day for day, _total in d.sales_per_day] == [ago(n) for n in range(9, -1, -1)]
    totals = dict(d.sales_per_day)
    assert totals[TODAY] == 2_100_00 and totals[ago(3)] == 2_900_00 and totals[ago(8)] == 650_00
    assert sum(totals.values()) == 2_100_00 + 2_900_00 + 650_00
    assert dict(d.sales_count_per_day)[TODAY] == 2 and dict(d.sales_count_per_day)[ago(1)] == 0
    assert d.ageing is None


def test_ageing_on_an_earlier_day_is_the_credit_reports_too(books):
    ctx, _ids = books
    for as_of in (ago(50), ago(5), ago(4)):  # entries dated after it: read as the credit report reads them
        assert dashboard.ageing(ctx, as_of) == credit_report(ctx, as_of).bucket_totals


def test_an_empty_shop_has_a_dashboard_of_zeros(shop):
    d = dashboard.dashboard(shop, days=3)
    assert (d.sales_today, d.sales_today_count, d.outstanding, d.liability_points, d.liability_value) == (0, 0, 0, 0, 0)
    assert d.ageing == {"0-30": 0, "31-60": 0, "61-90": 0, "90+": 0}
    assert [t for _d, t in d.sales_per_day] == [0, 0, 0] and d.average_sale_today is None


def test_a_cashier_cannot_see_the_dashboard_a_viewer_can(books):
    import dataclasses

    ctx, _ids = books
    cashier = users.add_user(ctx, "Sana", "cashier", "6666")
    viewer = users.add_user(ctx, "Remote", "viewer", "7777")
    with pytest.raises(NotAllowed, match="Sana is a cashier: only managers, owners and viewers can read reports"):
        dashboard.dashboard(dataclasses.replace(ctx, user=cashier))
    assert dashboard.dashboard(dataclasses.replace(ctx, user=viewer)).outstanding == 8_950_00


def test_a_chart_of_no_days_is_refused(shop):
    from kiosk.domain.errors import ValidationError

    with pytest.raises(ValidationError, match="days"):
        dashboard.dashboard(shop, days=0)
