"""Refunds on SQLite and PostgreSQL: exact shares, khata and points undone, shortfalls, store credit."""

import datetime as dt

import pytest

from kiosk.domain.errors import KioskError, NotFound, ValidationError
from kiosk.domain.khata import EntryKind
from kiosk.domain.refund import RefundAsk
from kiosk.domain.tenders import Method, TenderRequest
from kiosk.services import customers, khata, loyalty, products, refunds, sales, settings
from kiosk.services.check import check
from kiosk.services.sales import ItemRequest
from kiosk.services.shop import add_user
from kiosk.store.models import KhataEntry, OutboxMessage, PointsEntry, Refund, Sale

T = TenderRequest


@pytest.fixture
def stocked(shop):
    products.add(shop, sku="ATTA", name="Atta 20kg", price=2_400_00)
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=650_00)
    products.add(shop, sku="RICE", name="Rice", price=333_33, unit="kg")
    return shop


def _customer(ctx, name="Amina", phone="0300 1234567", **kw):
    return customers.add(ctx, name=name, phone=phone, **kw)


def _state(ctx, cid):
    f = customers.figures(ctx, cid)
    c = customers.get(ctx, cid)
    return c.balance, c.points, c.tier, f.purchases, f.total_spent


def test_a_full_refund_leaves_the_customer_as_before_the_sale(stocked):
    c = _customer(stocked)
    loyalty.adjust(stocked, c.id, 800, "welcome")
    sales.sell(stocked, sale_id="first", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    before = _state(stocked, c.id)
    sale = sales.sell(stocked, sale_id="mixed", customer_id=c.id, redeem=600,
                      items=[ItemRequest("ATTA", "2"), ItemRequest("GHEE"), ItemRequest("RICE", "1.5")],
                      tenders=[T(Method.CASH, 1_000_00), T(Method.CARD, 500_00), T(Method.KHATA)])
    assert sale.points_redeemed == 600 and sale.khata > 0 and sale.points_earned > 0
    r = refunds.refund(stocked, refund_id="r1", sale_id="mixed", to="cash")
    assert r.khata_off == sale.khata and r.points_given_back == 600 and r.points_taken_back == sale.points_earned
    assert r.payout == 1_500_00 and r.goods == sale.total and r.shortfall_points == 0
    assert _state(stocked, c.id) == before
    assert Sale.get_by_id("mixed").fully_refunded and check(stocked) == []


def test_partial_quantities_then_the_rest_add_up_to_the_sale_exactly(stocked):
    c = _customer(stocked)
    sale = sales.sell(stocked, sale_id="s", customer_id=c.id, items=[ItemRequest("RICE", "2.5"), ItemRequest("GHEE", "3")],
                      tenders=[T(Method.CASH, 700_00), T(Method.KHATA)])
    parts = [refunds.refund(stocked, refund_id="a", sale_id="s", asks=[RefundAsk(1, 1000), RefundAsk(2, 1000)]),
             refunds.refund(stocked, refund_id="b", sale_id="s", asks=[RefundAsk(1, 250)]),
             refunds.refund(stocked, refund_id="c", sale_id="s")]
    assert sum(p.goods for p in parts) == sale.total
    assert sum(p.khata_off for p in parts) == sale.khata
    assert sum(p.payout for p in parts) == 700_00
    assert sum(p.points_taken_back for p in parts) == sale.points_earned
    assert khata.balance(stocked, c.id) == 0 and customers.get(stocked, c.id).points == 0
    with pytest.raises(KioskError, match="refunded in full already"):
        refunds.refund(stocked, refund_id="d", sale_id="s")
    assert check(stocked) == []


def test_points_already_spent_are_valued_at_the_redeem_rate_and_deducted_shown_first(stocked):
    c = _customer(stocked)
    sales.sell(stocked, sale_id="earn", customer_id=c.id, items=[ItemRequest("ATTA", "2")], tenders=[T(Method.CASH)])
    assert customers.get(stocked, c.id).points == 2_400  # 4,800 paid at 50 points per 100
    sales.sell(stocked, sale_id="spend", customer_id=c.id, redeem=2_000, items=[ItemRequest("GHEE")],
               tenders=[T(Method.CASH)])
    preview = refunds.preview(stocked, "earn", to="cash")
    # 2,400 to take back, 400 left (+ the 2,400 - 2,000 ...): 2,000 short, worth Rs 20 at 100 points = Rs 1
    points_now = customers.get(stocked, c.id).points
    assert preview.points_take == 2_400 and preview.points_taken == points_now
    assert preview.shortfall_points == 2_400 - points_now and preview.shortfall_value == (2_400 - points_now)
    assert preview.payout == 4_800_00 - preview.shortfall_value
    assert Refund.select().count() == 0  # a preview writes nothing
    done = refunds.refund(stocked, refund_id="r", sale_id="earn", to="cash")
    assert (done.payout, done.shortfall_value) == (preview.payout, preview.shortfall_value)
    assert customers.get(stocked, c.id).points == 0 and check(stocked) == []


def test_store_credit_is_in_the_history_and_spendable_at_the_next_sale(stocked):
    c = _customer(stocked)
    sales.sell(stocked, sale_id="s", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.CARD)])
    r = refunds.refund(stocked, refund_id="r", sale_id="s", to="store-credit")
    assert r.payout == 650_00 and r.balance_after == -650_00
    (entry,) = [e for e in khata.entries(stocked, c.id) if e.kind is EntryKind.CREDIT]
    assert (entry.amount, entry.source, entry.sale_id) == (650_00, "store-credit", "s")
    again = sales.sell(stocked, sale_id="next", customer_id=c.id, items=[ItemRequest("GHEE")],
                       tenders=[T(Method.STORE_CREDIT)])
    assert again.store_credit == 650_00 and khata.balance(stocked, c.id) == 0 and check(stocked) == []


def test_a_refund_submitted_twice_books_once(stocked):
    c = _customer(stocked)
    sales.sell(stocked, sale_id="s", customer_id=c.id, items=[ItemRequest("GHEE", "2")], tenders=[T(Method.KHATA)])
    first = refunds.refund(stocked, refund_id="r", sale_id="s", asks=[RefundAsk(1, 1000)])
    counts = Refund.select().count(), KhataEntry.select().count(), PointsEntry.select().count()
    assert refunds.refund(stocked, refund_id="r", sale_id="s", asks=[RefundAsk(1, 1000)]) == first
    assert (Refund.select().count(), KhataEntry.select().count(), PointsEntry.select().count()) == counts


@pytest.mark.parametrize(("sale_id", "asks", "to", "error", "message"), [
    ("nope", [], "cash", NotFound, "sale nope does not exist"),
    ("s", [RefundAsk(3)], "cash", ValidationError, "sale s has no line 3"),
    ("s", [RefundAsk(1, 3000)], "cash", ValidationError, "line 1 \\(Ghee 1kg\\): 3 asked, 2 each left"),
    ("s", [RefundAsk(1, 1000), RefundAsk(1, 2000)], "cash", ValidationError, ": 2 asked, 1 each left"),
    ("s", [RefundAsk(1, 500)], "cash", ValidationError, "sold by the piece: refund a whole number, not 0.5"),
    ("s", [], "bank", ValidationError, "'bank' is not cash or store-credit"),
    ("anon", [], "store-credit", KioskError, "has no customer: its refund can only be cash"),
])
def test_bad_refunds_are_refused_with_one_line_and_change_nothing(stocked, sale_id, asks, to, error, message):
    c = _customer(stocked)
    sales.sell(stocked, sale_id="s", customer_id=c.id, items=[ItemRequest("GHEE", "2")], tenders=[T(Method.KHATA)])
    sales.sell(stocked, sale_id="anon", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    before = KhataEntry.select().count(), PointsEntry.select().count()
    with pytest.raises(error, match=message):
        refunds.refund(stocked, refund_id="bad", sale_id=sale_id, asks=asks, to=to)
    assert Refund.select().count() == 0 and (KhataEntry.select().count(), PointsEntry.select().count()) == before


def test_a_cashier_needs_a_manager_to_refund(stocked):
    sales.sell(stocked, sale_id="s", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    cashier = add_user(stocked, "Sana", "cashier", "6666")
    manager = add_user(stocked, "Bilal", "manager", "5555")
    stocked.user = cashier
    with pytest.raises(KioskError, match="Sana is a cashier: only managers and owners can refund a sale"):
        refunds.refund(stocked, refund_id="r", sale_id="s")
    with pytest.raises(KioskError, match="Sana is a cashier"):
        refunds.refund(stocked, refund_id="r", sale_id="s", approved_by=cashier)
    r = refunds.refund(stocked, refund_id="r", sale_id="s", approved_by=manager)
    assert r.payout == 650_00 and Refund.get_by_id("r").approved_by_id == manager.id


def test_a_sale_entry_on_the_khata_is_refunded_not_reversed(stocked):
    c = _customer(stocked)
    sales.sell(stocked, sale_id="s", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.KHATA)])
    (entry,) = khata.entries(stocked, c.id)
    with pytest.raises(ValidationError, match="belongs to sale s: refund the sale instead"):
        khata.reverse(stocked, entry.id, reason="mistake")


def test_credit_earns_once_paid_in_proportion_and_a_refund_takes_it_back(stocked):
    assert settings.get(stocked, "loyalty.credit_earns") == "paid"
    c = _customer(stocked)
    sale = sales.sell(stocked, sale_id="s", customer_id=c.id, items=[ItemRequest("ATTA")], tenders=[T(Method.KHATA)])
    assert sale.points_earned == 0 and Sale.get_by_id("s").khata_points_due == 1_200
    khata.receive(stocked, c.id, 600_00)  # a quarter paid
    assert customers.get(stocked, c.id).points == 300
    khata.receive(stocked, c.id, 1_800_00)
    assert customers.get(stocked, c.id).points == 1_200 and Sale.get_by_id("s").khata_points_earned == 1_200
    r = refunds.refund(stocked, refund_id="r", sale_id="s", to="cash")
    assert (r.khata_off, r.points_taken_back, r.payout) == (2_400_00, 1_200, 0)
    assert khata.balance(stocked, c.id) == -2_400_00  # what they paid is now their store credit
    assert customers.get(stocked, c.id).points == 0 and check(stocked) == []


def test_a_reversed_payment_takes_back_what_it_earned(stocked):
    c = _customer(stocked)
    sales.sell(stocked, sale_id="s", customer_id=c.id, items=[ItemRequest("ATTA")], tenders=[T(Method.KHATA)])
    paid = khata.receive(stocked, c.id, 1_200_00)
    assert customers.get(stocked, c.id).points == 600
    khata.reverse(stocked, paid.id, reason="cheque bounced")
    assert customers.get(stocked, c.id).points == 0 and check(stocked) == []


def test_an_advance_pays_a_later_credit_sale_at_once(stocked):
    c = _customer(stocked)
    khata.receive(stocked, c.id, 1_200_00)
    r = sales.sell(stocked, sale_id="s", customer_id=c.id, items=[ItemRequest("ATTA")], tenders=[T(Method.KHATA)])
    assert customers.get(stocked, c.id).points == 600 == r.customer.points_after


def test_messages_are_queued_with_the_sale_and_the_payment(stocked):
    c = _customer(stocked)
    sales.sell(stocked, sale_id="cash", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    assert OutboxMessage.select().count() == 0  # nothing on the khata: nothing to tell
    sales.sell(stocked, sale_id="credit", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.KHATA)])
    khata.receive(stocked, c.id, 150_00, method="JazzCash")
    first, second = OutboxMessage.select().order_by(OutboxMessage.id)
    assert (first.kind, first.recipient, first.channel, first.sale_id) == ("credit-sale", "+923001234567", "sms", "credit")
    assert "Rs650.00 added to your khata" in first.body and "You owe Rs650.00" in first.body
    assert second.kind == "payment" and "Rs150.00 by JazzCash" in second.body and "You owe Rs500.00" in second.body
    settings.set(stocked, "notify.channel", "none")
    sales.sell(stocked, sale_id="quiet", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.KHATA)])
    assert OutboxMessage.select().count() == 2


def test_a_reprinted_receipt_shows_the_balance_and_points_as_they_were(stocked):
    c = _customer(stocked)
    sales.sell(stocked, sale_id="s", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.KHATA)])
    khata.receive(stocked, c.id, 650_00, date=dt.date.today())
    again = sales.receipt(stocked, "s")
    assert again.customer.balance_after == 650_00 and khata.balance(stocked, c.id) == 0


def test_a_refund_re_evaluates_the_tier_unless_it_is_pinned(stocked):
    c = _customer(stocked)
    for n in range(4):  # the fourth purchase makes a Regular
        sales.sell(stocked, sale_id=f"s{n}", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    assert customers.get(stocked, c.id).tier.value == "Regular"
    refunds.refund(stocked, refund_id="r3", sale_id="s3")
    assert customers.get(stocked, c.id).tier.value == "New"
    loyalty.set_tier(stocked, c.id, "VIP")
    refunds.refund(stocked, refund_id="r2", sale_id="s2")
    assert customers.get(stocked, c.id).tier.value == "VIP"
