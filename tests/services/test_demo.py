"""The demo shop tells its story: Ahmed Khan owes from several credit sales and holds points, SKU 1001
is Atta 10kg, a campaign is on, the PINs log in, and the books are whole."""

import datetime as dt

import pytest

from kiosk.domain.customer_list import Filters, ListQuery
from kiosk.domain.tenders import Method
from kiosk.services import customer_list, customers, demo, loyalty, products, users
from kiosk.services.check import check


@pytest.fixture(scope="module")
def demo_shop(tmp_path_factory):
    """Made once for the module (about a second); the tests only read it."""
    import keyring

    from kiosk.devices import secrets
    from tests.support.memory_keyring import MemoryKeyring

    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("demo-data")))
    mp.setenv(secrets.CONFIG_ENV, str(tmp_path_factory.getbasetemp() / "no-kiosk-keyring.cfg"))
    keyring.set_keyring(MemoryKeyring())
    secrets.forget()
    ctx, created = demo.open_demo(reset=True)
    assert created
    yield ctx
    ctx.close()
    secrets.forget()
    mp.undo()


def test_ahmed_khan_owes_from_several_credit_sales_and_has_points(demo_shop):
    ahmed = customers.find_by_phone(demo_shop, "0300 1234567")
    assert ahmed is not None and ahmed.name == "Ahmed Khan" and ahmed.phone == "+923001234567"
    assert ahmed.balance > 0 and ahmed.points > 0
    assert ahmed.balance <= ahmed.credit_limit
    bought = customer_list.purchases(demo_shop, ahmed.id, limit=100).rows
    on_credit = [p for p in bought if any(t.method == Method.KHATA for t in p.tenders)]
    assert len(on_credit) >= 3
    today = dt.date.today()
    assert all(today - dt.timedelta(days=200) <= p.date < today for p in bought)  # dated back from today
    assert ahmed.created_at.date() < min(p.date for p in bought)  # on the books before his first purchase
    assert "1001" in [f.sku for f in customer_list.favourite_products(demo_shop, ahmed.id)]
    # The customers list finds him by phone as a cashier types it, among those who owe.
    rows = customer_list.page(demo_shop, ListQuery(text="0300 123", filters=Filters(has_balance=True))).rows
    assert ahmed.id in [r.id for r in rows]


def test_sku_1001_is_atta_10kg_at_a_sensible_price(demo_shop):
    atta = products.lookup(demo_shop, "1001")
    assert atta.name == "Atta 10kg" and atta.active
    assert 1_000_00 <= atta.price <= 2_500_00  # rupees, in paisa


def test_a_campaign_is_on_today_and_for_weeks(demo_shop):
    today = dt.date.today()
    on = [r.campaign for r in loyalty.list_campaigns(demo_shop)
          if r.active and r.campaign.start <= today <= r.campaign.end]
    assert [c.name for c in on] == ["Ramzan double points"]
    assert on[0].end - today >= dt.timedelta(days=28) and today - on[0].start >= dt.timedelta(days=28)


def test_the_demo_has_its_people_and_pins(demo_shop):
    assert len(customers.search(demo_shop, "", limit=1000, include_archived=True)) == demo.DEMO_CUSTOMERS + 1
    for role, pin in demo.DEMO_PINS.items():
        assert users.login(demo_shop, pin).role == role


def test_the_demo_books_are_whole(demo_shop):
    assert check(demo_shop) == []
    assert customer_list.mismatches(demo_shop) == []
