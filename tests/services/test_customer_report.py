"""The customer report on SQLite and PostgreSQL, every figure against a hand count.

March 2025 is the period. Who is in the books (50 points per Rs 100 paid, 100 points = Rs 1 at the
sale; the redeem rate is changed to Rs 3 per 100 points afterwards, which is what values the liability):

    Amna   created Feb 10  s1 Mar 3 ghee 650 cash (earns 325); s2 Mar 10 atta 2,400 card (earns 1,200),
                           400 refunded later; s3 Mar 20 ghee 650 with 500 points (Rs 5) off, pays 645
                           (earns 322); adjusted -100 on Mar 25 (take-back), 50 given back on Mar 26
    Bilal  created Mar 5   s4 Mar 12 atta 2,400 cash (earns 1,200), refunded in full later; s5 Mar 15
                           ghee 650 on khata (credit earns when paid: nothing yet)
    Chand  created Mar 20  legacy khata credit sales Mar 22 1,000 and Mar 25 500 (reversed on Mar 26);
                           s6 Mar 28 ghee 650 cash (earns 325)
    Dawood created Jan 5   s8 Feb 20 ghee 650 cash (earns 325, expiring after Mar 20), expired Mar 21;
                           s7 Apr 2 atta 2,400 cash (earns 1,200); a legacy credit sale Apr 5, reversed
    Iqbal  created Mar 18  700 points by hand on Mar 19, then archived
    Ghazal created Mar 1 00:00 (a legacy credit sale Mar 10, reversed: she bought nothing), Eman Mar 31
                           23:30 (both in), Faraz Apr 1 00:00 (out), Huma Mar 15 merged into Amna (a
                           duplicate: not new)
    a walk-in sale s9 on Mar 14 (no customer: not in the report)
"""

import dataclasses
import datetime as dt

import pytest

from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.khata import DebitSource
from kiosk.domain.tenders import Method, TenderRequest
from kiosk.services import customers, khata, loyalty, products, sales
from kiosk.services import settings as shop_settings
from kiosk.services.check import check
from kiosk.services.reports import customer_report, customer_report_json
from kiosk.services.sales import ItemRequest
from kiosk.services.shop import add_user
from kiosk.store.db import write_transaction
from kiosk.store.khata import lock_customer
from kiosk.store.models import Customer as CustomerRow
from kiosk.store.models import Sale

D = dt.date
T = TenderRequest
MARCH = (D(2025, 3, 1), D(2025, 3, 31))


def _created(customer_id: int, at: dt.datetime) -> None:
    CustomerRow.update(created_at=at).where(CustomerRow.id == customer_id).execute()


def _sell(shop, sale_id, customer, sku, on, method=Method.CASH, redeem=0):
    return sales.sell(shop, sale_id=sale_id, customer_id=customer.id if customer else None, items=[ItemRequest(sku)],
                      tenders=[T(method)], redeem=redeem, date=on)


@pytest.fixture
def books(shop):
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=650_00)
    products.add(shop, sku="ATTA", name="Atta 20kg", price=2_400_00)
    people = {}
    for key, name, phone, at in (
        ("amna", "Amna Khan", "0300 1234567", dt.datetime(2025, 2, 10, 9, 0)),
        ("bilal", "Bilal Ahmed", "0301 2345678", dt.datetime(2025, 3, 5, 12, 0)),
        ("chand", "Chand Bibi", "0302 3456789", dt.datetime(2025, 3, 20, 8, 0)),
        ("dawood", "Dawood Butt", "0303 4567890", dt.datetime(2025, 1, 5, 8, 0)),
        ("iqbal", "Iqbal Shah", None, dt.datetime(2025, 3, 18, 10, 0)),
        ("ghazal", "Ghazal Rana", None, dt.datetime(2025, 3, 1, 0, 0)),
        ("eman", "Eman Malik", None, dt.datetime(2025, 3, 31, 23, 30)),
        ("faraz", "Faraz Gill", None, dt.datetime(2025, 4, 1, 0, 0)),
        ("huma", "Huma Khan", None, dt.datetime(2025, 3, 15, 11, 0)),
    ):
        people[key] = customers.add(shop, name=name, phone=phone)
        _created(people[key].id, at)
    amna, bilal, chand, dawood, iqbal = (people[k] for k in ("amna", "bilal", "chand", "dawood", "iqbal"))

    # Dawood's February points expire after a month: the only lot earned while expiry was on.
    shop_settings.set(shop, "loyalty.expiry_months", "1")
    _sell(shop, "s8", dawood, "GHEE", D(2025, 2, 20))
    shop_settings.set(shop, "loyalty.expiry_months", "0")
    assert loyalty.expire(shop, D(2025, 3, 21)).expired == ((dawood.id, 325),)

    _sell(shop, "s1", amna, "GHEE", D(2025, 3, 3))
    _sell(shop, "s2", amna, "ATTA", D(2025, 3, 10), Method.CARD)
    r3 = _sell(shop, "s3", amna, "GHEE", D(2025, 3, 20), redeem=500)
    assert (r3.points_value, r3.paid, r3.points_earned) == (5_00, 645_00, 322)
    loyalty.adjust(shop, amna.id, -100, "points given twice", date=D(2025, 3, 25))
    with write_transaction(shop.db):  # as the refund service will: its transaction, the customer locked
        lock_customer(amna.id)
        loyalty.give_back_in_txn(shop, amna.id, 50, date=D(2025, 3, 26), sale_id="s3", expires_on=None)

    _sell(shop, "s4", bilal, "ATTA", D(2025, 3, 12))
    assert _sell(shop, "s5", bilal, "GHEE", D(2025, 3, 15), Method.KHATA).points_earned == 0

    khata.give(shop, chand.id, 1_000_00, date=D(2025, 3, 22), source=DebitSource.SALE, note="old register")
    undone = khata.give(shop, chand.id, 500_00, date=D(2025, 3, 25), source=DebitSource.SALE)
    khata.reverse(shop, undone.id, reason="written twice", date=D(2025, 3, 26))
    _sell(shop, "s6", chand, "GHEE", D(2025, 3, 28))
    # Reversed legacy credit sales count nowhere: Ghazal's only purchase, and one of Dawood's after March.
    for who, amount, on in ((people["ghazal"], 200_00, D(2025, 3, 10)), (dawood, 300_00, D(2025, 4, 5))):
        entry = khata.give(shop, who.id, amount, date=on, source=DebitSource.SALE)
        khata.reverse(shop, entry.id, reason="never sold", date=on + dt.timedelta(days=1))

    _sell(shop, "s7", dawood, "ATTA", D(2025, 4, 2))
    _sell(shop, "s9", None, "ATTA", D(2025, 3, 14))

    loyalty.adjust(shop, iqbal.id, 700, "opening balance", date=D(2025, 3, 19))
    customers.set_archived(shop, iqbal.id)
    customers.merge(shop, amna.id, people["huma"].id)
    assert check(shop) == []

    # Refunds are being written elsewhere: set what they leave on the sale directly (with no refund rows
    # behind them, which `kiosk check` would point out).
    Sale.update(refunded=400_00).where(Sale.id == "s2").execute()
    Sale.update(refunded=2_400_00, fully_refunded=True).where(Sale.id == "s4").execute()
    shop_settings.set(shop, "loyalty.redeem_value", "3")
    return shop, people


def test_march_against_a_hand_count(books):
    shop, p = books
    r = customer_report(shop, *MARCH)
    t = r.totals
    # Buyers: Amna (s1, s2, s3), Bilal (s5; s4 was refunded in full), Chand (the unreversed legacy sale, s6).
    assert (t.buyers, t.repeaters, t.purchases) == (3, 2, 6)
    assert t.value == (650_00 + 2_000_00 + 650_00) + 650_00 + (1_000_00 + 650_00) == 5_600_00
    assert [(c.customer_id, c.purchases, c.value) for c in r.top] == [
        (p["amna"].id, 3, 3_300_00), (p["chand"].id, 2, 1_650_00), (p["bilal"].id, 1, 650_00)]
    assert [c.phone for c in r.top] == ["+92300****567", "+92302****789", "+92301****678"]
    assert r.top[0].name == "Amna Khan"

    # 31 days: ISO weeks. Ghazal Mar 1 (W09), Bilal Mar 5 (W10), Iqbal Mar 18 and Chand Mar 20 (W12),
    # Eman Mar 31 23:30 (W14); not Huma (merged), Faraz (Apr 1 00:00), Amna or Dawood (before March).
    assert r.bucket == "week"
    assert [(b.label, b.start, b.end, b.customers) for b in r.new_customers] == [
        ("2025-W09", D(2025, 3, 1), D(2025, 3, 2), 1), ("2025-W10", D(2025, 3, 3), D(2025, 3, 9), 1),
        ("2025-W11", D(2025, 3, 10), D(2025, 3, 16), 0), ("2025-W12", D(2025, 3, 17), D(2025, 3, 23), 2),
        ("2025-W13", D(2025, 3, 24), D(2025, 3, 30), 0), ("2025-W14", D(2025, 3, 31), D(2025, 3, 31), 1)]
    assert r.new_customers_total == 5

    pts = r.points
    assert pts.earned == 325 + 1_200 + 322 + 1_200 + 325 + 700  # s1 s2 s3 s4 s6, Iqbal's 700
    assert (pts.redeemed, pts.expired, pts.taken_back, pts.given_back) == (500, 325, 100, 50)
    # On Mar 31, live customers: Amna 325+1,200-500+322-100+50, Bilal 1,200, Chand 325, Dawood 0 (his
    # April 1,200 came after); Iqbal is archived, Huma merged.
    assert r.liability_points == 1_297 + 1_200 + 325 + 0 == 2_822
    assert r.liability_value == 2_822 * 3_00 // 100 == 84_66


def test_march_as_json(books):
    shop, p = books
    out = customer_report_json(shop, customer_report(shop, *MARCH))
    assert (out["from"], out["to"], out["currency"]) == ("2025-03-01", "2025-03-31", "PKR")
    assert out["new_customers"]["total"] == 5 and out["new_customers"]["per"] == "week"
    assert out["new_customers"]["buckets"][3] == {"label": "2025-W12", "from": "2025-03-17", "to": "2025-03-23",
                                                  "customers": 2}
    assert (out["buyers"], out["repeat_buyers"], out["purchases"]) == (3, 2, 6)
    assert out["average_purchase_frequency"] == "2.00"
    assert out["repeat_rate_percent"] == "66.7"
    assert (out["lifetime_value"], out["average_lifetime_value"]) == ("5600.00", "1866.66")
    assert out["top_customers"][0] == {"id": p["amna"].id, "name": "Amna Khan", "phone": "+92300****567",
                                       "purchases": 3, "lifetime_value": "3300.00", "archived": False}
    assert out["points"] == {"earned": 4_072, "redeemed": 500, "expired": 325, "taken_back": 100, "given_back": 50,
                             "net_issued": 3_972, "net_redeemed": 450}
    assert out["points_liability"] == {"points": 2_822, "value": "84.66"}


def test_all_time_up_to_today(books):
    shop, p = books
    r = customer_report(shop)
    assert (r.start, r.end) == (None, dt.date.today())
    t = r.totals
    # Dawood joins the buyers, and the repeaters, with s8 (Feb 20) and s7 (Apr 2).
    assert (t.buyers, t.repeaters, t.purchases, t.value) == (4, 3, 8, 5_600_00 + 650_00 + 2_400_00)
    assert [(c.customer_id, c.value) for c in r.top] == [(p["amna"].id, 3_300_00), (p["dawood"].id, 3_050_00),
                                                         (p["chand"].id, 1_650_00), (p["bilal"].id, 650_00)]
    # The same count as the customer's own figures (kiosk.store.customers.purchase_stats) over all time.
    for c in r.top:
        f = customers.figures(shop, c.customer_id)
        assert (f.purchases, f.total_spent) == (c.purchases, c.value)
    # Months from the first new customer (Dawood, Jan 5 2025) to today.
    assert r.bucket == "month" and r.new_customers[0].start == D(2025, 1, 5)
    assert r.new_customers[-1].end == dt.date.today()
    counts = {b.label: b.customers for b in r.new_customers if b.customers}
    assert counts == {"2025-01": 1, "2025-02": 1, "2025-03": 5, "2025-04": 1}
    assert (r.points.earned, r.points.redeemed, r.points.expired) == (4_072 + 325 + 1_200, 500, 325)
    assert r.liability_points == 2_822 + 1_200 == sum(
        c.points for c in CustomerRow.select().where(~CustomerRow.archived & CustomerRow.merged_into.is_null()))


def test_a_period_with_nothing_in_it(books):
    shop, _p = books
    r = customer_report(shop, D(2024, 6, 1), D(2024, 6, 30))
    assert r.totals.buyers == 0 and r.top == () and r.average_value is None
    assert [b.customers for b in r.new_customers] == [0] * len(r.new_customers) and r.new_customers
    assert r.liability_points == 0  # nobody had points yet
    out = customer_report_json(shop, r)
    assert out["average_purchase_frequency"] is None and out["repeat_rate_percent"] is None
    assert out["top_customers"] == [] and out["lifetime_value"] == "0.00"


def test_the_first_and_last_day_are_in_the_period(books):
    shop, p = books
    r = customer_report(shop, D(2025, 3, 3), D(2025, 3, 3))  # s1 only
    assert [(c.customer_id, c.purchases, c.value) for c in r.top] == [(p["amna"].id, 1, 650_00)]
    assert r.points.earned == 325 and r.new_customers_total == 0


def test_only_owners_managers_and_viewers_see_it_and_a_backwards_period_is_refused(books):
    shop, _p = books
    cashier = add_user(shop, "Sana", "cashier", "6666")
    with pytest.raises(KioskError, match="Sana is a cashier: only managers, owners and viewers can read reports"):
        customer_report(dataclasses.replace(shop, user=cashier))
    viewer = add_user(shop, "Accountant", "viewer", "7777")
    assert customer_report(dataclasses.replace(shop, user=viewer), *MARCH).totals.buyers == 3
    with pytest.raises(ValidationError, match="^from: "):
        customer_report(shop, D(2025, 4, 1), D(2025, 3, 1))


def test_the_statements_read_one_snapshot(shop):
    from kiosk.store import customer_report as store
    from kiosk.store.db import is_sqlite

    with store.snapshot(shop.db):
        if not is_sqlite(shop.db):  # PostgreSQL's default would let each statement see newer commits
            assert shop.db.execute_sql("SHOW transaction_isolation").fetchone()[0] == "repeatable read"
            assert shop.db.execute_sql("SHOW transaction_read_only").fetchone()[0] == "on"
        assert shop.db.in_transaction()
    with shop.db.atomic(), store.snapshot(shop.db):  # inside a caller's transaction: no SET TRANSACTION
        pass
