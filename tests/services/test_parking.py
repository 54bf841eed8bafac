"""Parking a sale on SQLite and PostgreSQL: replace, recall, sell, survive a restart, refuse the stale."""

import json

import pytest

from kiosk.domain.basket import Discount
from kiosk.domain.errors import KioskError, NotFound, ValidationError
from kiosk.domain.parked import ParkedBasket, ParkedItem, ParkedOpenItem
from kiosk.domain.tenders import Method, TenderRequest
from kiosk.services import customers, parking, products, sales
from kiosk.services.check import check
from kiosk.services.context import open_shop
from kiosk.services.sales import ItemRequest, OpenItemRequest
from kiosk.store.models import AuditLog, ParkedSale, Sale


@pytest.fixture
def stocked(shop):
    products.add(shop, sku="ATTA-20", name="Atta 20kg", price=2_400_00, group_prices={"Wholesale": 2_250_00})
    products.add(shop, sku="TOMATO", name="ٹماٹر", price=240_00, unit="kg")
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=650_00)
    return shop


def _basket(customer_id=None, **kw) -> ParkedBasket:
    return ParkedBasket(items=(ParkedItem("ATTA-20", "2"), ParkedItem("tomato", "0.5", Discount(percent_bp=1000))),
                        open_items=(ParkedOpenItem("loose sugar", 150_00),), customer_id=customer_id, **kw)


def _actions():
    return [a.action for a in AuditLog.select().where(AuditLog.action.startswith("sale.")).order_by(AuditLog.id)]


def test_park_lists_the_basket_and_recall_gives_it_back_and_removes_it(stocked):
    c = customers.add(stocked, name="محمد علی", phone="0300 1234567")
    record = parking.park(stocked, "s1", _basket(c.id), note="  fetching eggs ")
    assert (record.id, record.user, record.customer_name, record.customer_phone, record.items, record.note) == (
        "s1", "owner", "محمد علی", "+923001234567", 3, "fetching eggs")
    assert parking.list_parked(stocked) == [record]
    assert parking.recall(stocked, "s1") == _basket(c.id)
    assert parking.list_parked(stocked) == [] and ParkedSale.select().count() == 0
    assert _actions() == ["sale.park", "sale.recall"]


def test_parking_the_same_id_again_replaces_the_basket(stocked):
    parking.park(stocked, "s1", _basket(), note="first")
    again = ParkedBasket(items=(ParkedItem("GHEE", "3"),))
    record = parking.park(stocked, "s1", again, note="second")
    assert (record.items, record.note) == (1, "second") and ParkedSale.select().count() == 1
    assert parking.recall(stocked, "s1") == again
    park_rows = AuditLog.select().where(AuditLog.action == "sale.park").order_by(AuditLog.id)
    assert [json.loads(a.detail)["replaced"] for a in park_rows] == [False, True]


def test_the_list_is_newest_first_and_can_be_one_tills(stocked):
    for n in range(3):
        parking.park(stocked, f"s{n}", _basket())
    stocked.till = "till-2"
    parking.park(stocked, "other", ParkedBasket(items=(ParkedItem("GHEE"),)))
    assert [r.id for r in parking.list_parked(stocked)] == ["other", "s2", "s1", "s0"]
    assert [r.id for r in parking.list_parked(stocked, till="till-2")] == ["other"]


def test_a_recalled_basket_goes_straight_to_sell_and_books_the_sale(stocked):
    c = customers.add(stocked, name="Wholesaler", phone="0300 2222222", group="Wholesale")
    items = [ItemRequest("ATTA-20", "2"), ItemRequest("TOMATO", "0.5", Discount(percent_bp=1000))]
    extras = [OpenItemRequest("loose sugar", 150_00)]
    parked = parking.basket(items=items, open_items=extras, customer_id=c.id, basket_discount=Discount(amount=8_00))
    parking.park(stocked, "s1", parked)
    arguments = parking.sell_arguments(parking.recall(stocked, "s1"))
    assert arguments == {"items": items, "open_items": extras, "customer_id": c.id,
                         "basket_discount": Discount(amount=8_00), "redeem": 0}
    r = sales.sell(stocked, sale_id="s1", tenders=[TenderRequest(Method.KHATA)], **arguments)
    # 2 x 2,250 (wholesale) + 0.5 kg x 240 less 10% + 150 = 4,758; less 8 off the basket.
    assert r.total == 4_750_00 and r.customer.balance_after == 4_750_00
    assert Sale.get_by_id("s1").total == 4_750_00 and check(stocked) == []


def test_the_parked_basket_survives_a_restart(stocked, db_url):
    parking.park(stocked, "s1", _basket(), note="back in 5")
    stocked.close()
    reopened = open_shop(db_url)
    try:
        (record,) = parking.list_parked(reopened)
        assert (record.id, record.note, record.items) == ("s1", "back in 5", 3)
        assert parking.recall(reopened, "s1") == _basket()
    finally:
        reopened.close()


def test_an_unknown_id_is_one_clear_line(stocked):
    for action in (parking.recall, parking.drop):
        with pytest.raises(NotFound) as caught:
            action(stocked, "nope")
        assert str(caught.value) == "no parked sale has id 'nope' (`kiosk parked` lists them)"
    with pytest.raises(ValidationError, match="^id: a sale needs an id"):
        parking.park(stocked, " ", _basket())


def test_selling_a_parked_id_elsewhere_takes_the_basket_off_the_parked_list(stocked):
    parking.park(stocked, "s1", _basket())
    stocked.till = "till-2"  # the same basket, finished on another till from a copy
    sales.sell(stocked, sale_id="s1", tenders=[TenderRequest(Method.CASH)], **parking.sell_arguments(_basket()))
    assert ParkedSale.select().count() == 0
    with pytest.raises(NotFound, match="no parked sale has id 's1'"):
        parking.recall(stocked, "s1")


def test_recall_of_an_id_already_sold_refuses_and_removes_a_stale_row(stocked):
    stocked.till = "till-2"
    sales.sell(stocked, sale_id="s1", tenders=[TenderRequest(Method.CASH)], **parking.sell_arguments(_basket()))
    ParkedSale.insert(id="s1", payload=_basket().to_json(), till="till-1").execute()  # from before the sale did it
    with pytest.raises(KioskError, match=r"^sale s1 was already completed on till till-2 at .*: its parked "
                                         r"basket has been removed$"):
        parking.recall(stocked, "s1")
    assert ParkedSale.select().count() == 0 and Sale.select().count() == 1
    with pytest.raises(KioskError, match="already completed: there is nothing to park"):
        parking.park(stocked, "s1", _basket())


def test_a_malformed_payload_is_refused_on_recall_and_kept_for_unpark(stocked):
    parking.park(stocked, "s1", _basket())
    payload = {**json.loads(_basket().to_json()), "items": 3}  # written by hand, or by a later version
    ParkedSale.update(payload=json.dumps(payload)).execute()
    (record,) = parking.list_parked(stocked)
    assert record.items is None  # the list still shows it
    with pytest.raises(KioskError) as caught:
        parking.recall(stocked, "s1")
    assert str(caught.value) == ("parked sale s1 cannot be read (items: must be a list): "
                                 "`kiosk unpark s1` removes it")
    assert ParkedSale.select().count() == 1
    parking.drop(stocked, "s1")
    assert ParkedSale.select().count() == 0 and _actions() == ["sale.park", "sale.unpark"]


def test_a_basket_that_cannot_be_sold_is_refused_when_parked(stocked):
    with pytest.raises(NotFound, match="no product has the barcode or SKU 'NOPE'"):
        parking.park(stocked, "s1", ParkedBasket(items=(ParkedItem("NOPE"),)))
    with pytest.raises(ValidationError, match="items sold by the piece take whole numbers"):
        parking.park(stocked, "s1", ParkedBasket(items=(ParkedItem("GHEE", "1.5"),)))
    with pytest.raises(NotFound, match="customer 99 does not exist"):
        parking.park(stocked, "s1", _basket(99))
    with pytest.raises(ValidationError, match="^quantity of GHEE: 'lots' is not a quantity"):
        parking.basket(items=[ItemRequest("GHEE", "lots")])
    assert ParkedSale.select().count() == 0
