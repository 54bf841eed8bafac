"""Selling on SQLite and PostgreSQL: one transaction, idempotent, held to the limit, points and tiers."""

import pytest

from kiosk.domain.basket import Discount
from kiosk.domain.errors import CreditLimitExceeded, KioskError, NotFound, ValidationError
from kiosk.domain.tenders import Method, TenderRequest, TendersShort
from kiosk.services import customers, khata, products, sales
from kiosk.services.check import check
from kiosk.services.sales import ItemRequest, OpenItemRequest
from kiosk.services.shop import add_user
from kiosk.store.models import KhataEntry, Sale

T = TenderRequest


@pytest.fixture
def stocked(shop):
    products.add(shop, sku="ATTA-20", name="Atta 20kg", price=2_400_00, barcode="4006381333931",
                 group_prices={"Wholesale": 2_250_00})
    products.add(shop, sku="TOMATO", name="ٹماٹر", price=240_00, unit="kg")
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=650_00)
    return shop


def _count():
    return Sale.select().count(), KhataEntry.select().count()


def test_a_cash_sale_with_change_by_barcode_sku_weight_and_open_item(stocked):
    r = sales.sell(stocked, sale_id="s1", items=[ItemRequest("4006381333931"), ItemRequest("tomato", "0.5")],
                   open_items=[OpenItemRequest("loose sugar", 150_00)], tenders=[T(Method.CASH, 3_000_00)])
    assert [(ln.description, ln.net) for ln in r.lines] == [("Atta 20kg", 2_400_00), ("ٹماٹر", 120_00),
                                                            ("loose sugar", 150_00)]
    assert (r.total, r.paid, r.change, r.customer) == (2_670_00, 2_670_00, 330_00, None)
    assert check(stocked) == []


def test_the_same_sale_submitted_twice_books_once(stocked):
    c = customers.add(stocked, name="Double", phone="0300 1111111")
    first = sales.sell(stocked, sale_id="twice", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.KHATA)])
    before = _count()
    again = sales.sell(stocked, sale_id="twice", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.KHATA)])
    assert again == first and _count() == before
    assert khata.balance(stocked, c.id) == 650_00


def test_a_credit_sale_goes_on_the_khata_at_the_group_price_and_counts_as_a_purchase(stocked):
    c = customers.add(stocked, name="Wholesaler", phone="0300 2222222", group="Wholesale")
    r = sales.sell(stocked, sale_id="w1", customer_id=c.id, items=[ItemRequest("ATTA-20", "2")],
                   tenders=[T(Method.CASH, 500_00), T(Method.KHATA)])
    assert r.total == 4_500_00 and r.khata == 4_000_00
    assert r.customer.balance_after == 4_000_00 == khata.balance(stocked, c.id)
    (entry,) = khata.entries(stocked, c.id)
    assert (entry.source, entry.amount) == ("sale", 4_000_00)
    f = customers.figures(stocked, c.id)
    assert (f.purchases, f.total_spent) == (1, 4_500_00)
    assert check(stocked) == []


def test_credit_above_the_limit_is_refused_whole_unless_a_manager_overrides(stocked):
    c = customers.add(stocked, name="Limited", phone="0300 3333333", credit_limit=1_000_00)
    before = _count()
    with pytest.raises(CreditLimitExceeded, match="credit limit Rs1,000.00 would be exceeded"):
        sales.sell(stocked, sale_id="x1", customer_id=c.id, items=[ItemRequest("ATTA-20")], tenders=[T(Method.KHATA)])
    assert _count() == before and khata.balance(stocked, c.id) == 0
    cashier = add_user(stocked, "Sana", "cashier", "6666")
    with pytest.raises(KioskError, match="only a manager or owner"):
        sales.sell(stocked, sale_id="x1", customer_id=c.id, items=[ItemRequest("ATTA-20")],
                   tenders=[T(Method.KHATA)], override_by=cashier)
    manager = add_user(stocked, "Bilal", "manager", "5555")
    sales.sell(stocked, sale_id="x1", customer_id=c.id, items=[ItemRequest("ATTA-20")], tenders=[T(Method.KHATA)],
               override_by=manager)
    assert khata.balance(stocked, c.id) == 2_400_00


def test_store_credit_spends_a_negative_balance(stocked):
    c = customers.add(stocked, name="Advance", phone="0300 4444444")
    khata.receive(stocked, c.id, 1_000_00)
    r = sales.sell(stocked, sale_id="sc", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.STORE_CREDIT)])
    assert r.store_credit == 650_00 and khata.balance(stocked, c.id) == -350_00
    with pytest.raises(KioskError, match="store credit: the customer has Rs350.00"):
        sales.sell(stocked, sale_id="sc2", customer_id=c.id, items=[ItemRequest("GHEE")],
                   tenders=[T(Method.STORE_CREDIT)])
    assert check(stocked) == []


def test_a_big_discount_needs_a_manager(stocked):
    with pytest.raises(KioskError, match="discount above 10% needs a manager"):
        sales.sell(stocked, sale_id="d1", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)],
                   basket_discount=Discount(percent_bp=2000))
    manager = add_user(stocked, "Bilal", "manager", "5555")
    r = sales.sell(stocked, sale_id="d1", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)],
                   basket_discount=Discount(percent_bp=2000), approved_by=manager)
    assert r.total == 520_00 and r.discounts == 130_00


def test_points_are_earned_then_redeemed_and_tiers_move(stocked):
    c = customers.add(stocked, name="Loyal", phone="0300 5555555")
    r = sales.sell(stocked, sale_id="p1", customer_id=c.id, items=[ItemRequest("ATTA-20")], tenders=[T(Method.CARD)])
    assert r.points_earned == 1_200 and r.customer.points_after == 1_200  # 50 per Rs 100
    r2 = sales.sell(stocked, sale_id="p2", customer_id=c.id, items=[ItemRequest("GHEE")], redeem=600,
                    tenders=[T(Method.CASH)])
    assert (r2.points_redeemed, r2.points_value, r2.paid) == (600, 6_00, 644_00)
    assert r2.customer.points_after == 1_200 - 600 + r2.points_earned
    for n in range(2):
        sales.sell(stocked, sale_id=f"p{n + 3}", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    assert customers.get(stocked, c.id).tier.value == "Regular"  # the 4th purchase
    assert check(stocked) == []


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    (dict(items=[ItemRequest("NOPE")], tenders=[T(Method.CASH)]), NotFound, "NOPE"),
    (dict(items=[ItemRequest("GHEE", "1.5")], tenders=[T(Method.CASH)]), ValidationError, "whole numbers"),
    (dict(items=[ItemRequest("GHEE")], tenders=[T(Method.CARD, 100_00)]), TendersShort, "short"),
    (dict(items=[ItemRequest("GHEE")], tenders=[T(Method.KHATA)]), KioskError, "needs a customer"),
    (dict(items=[], tenders=[T(Method.CASH)]), ValidationError, "basket: is empty"),
    (dict(items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)], redeem=500), KioskError, "needs a customer"),
])
def test_a_refused_sale_books_nothing(stocked, kwargs, error, message):
    before = _count()
    with pytest.raises(error, match=message):
        sales.sell(stocked, sale_id="bad", **kwargs)
    assert _count() == before


def test_an_inactive_product_is_not_sold(stocked):
    products.set_active(stocked, products.by_sku(stocked, "GHEE").id, False)
    with pytest.raises(ValidationError, match="not sold any more"):
        sales.sell(stocked, sale_id="old", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])


def test_a_merge_brings_the_merged_records_sales_into_the_kept_ones_figures(stocked):
    keep = customers.add(stocked, name="Keep", phone="0300 6666666")
    dup = customers.add(stocked, name="Dup", phone="0300 7777777")
    sales.sell(stocked, sale_id="m1", customer_id=dup.id, items=[ItemRequest("GHEE")], tenders=[T(Method.KHATA)])
    customers.merge(stocked, keep.id, dup.id)
    f = customers.figures(stocked, keep.id)
    assert (f.purchases, f.total_spent, f.balance) == (1, 650_00, 650_00)
    assert customers.get(stocked, keep.id).points == customers.figures(stocked, keep.id).points
    assert check(stocked) == []


def test_finishing_a_parked_basket_by_its_id_takes_it_off_the_parked_list(stocked):
    from kiosk.services import parking

    parking.park(stocked, "p1", parking.basket(items=[ItemRequest("GHEE")]))
    sales.sell(stocked, sale_id="p1", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    assert parking.list_parked(stocked) == []


def test_a_customer_with_only_cash_sales_has_history_and_is_archived_not_deleted(stocked):
    c = customers.add(stocked, name="Cash Only", phone="0300 5555555")
    sales.sell(stocked, sale_id="c1", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    with pytest.raises(KioskError, match="has history: archive instead"):
        customers.delete(stocked, c.id)
