"""Customer segments on SQLite and PostgreSQL, every count against a hand count.

Today is 2025-06-15: "active" is since 2025-05-17 (30 days), "dormant" is nothing since 2025-03-18
(90 days), "new this month" since 2025-06-01 00:00.

    Amna    created Jun 2      sale Jun 10 ghee 650 cash (points)            active, new, bought
    Bilal   created Dec 1 '24  gave 1,500 on khata Jan 10, limit 1,000       owes, 500 over the limit
    Chand   created Jan 1      sale Feb 1 atta 2,400 cash (points)           dormant, high value
    Dawood  created Jun 1 0:00 paid 300 on Jun 1 owing nothing               in advance, active, new
    Eman    created Jun 5      gave 100, then archived                       counted nowhere
    Faraz   created May 31 23:59:59, nothing                                 never bought, not new
"""

import dataclasses
import datetime as dt

import pytest

from kiosk.domain.errors import KioskError
from kiosk.domain.tenders import Method, TenderRequest
from kiosk.services import customers, khata, loyalty, products, sales
from kiosk.services.sales import ItemRequest
from kiosk.services.segments import DORMANT_DAYS, MONEY, POINTS, segments
from kiosk.services.shop import add_user
from kiosk.store.models import Customer as CustomerRow

D = dt.date
TODAY = D(2025, 6, 15)


def _created(customer_id: int, at: dt.datetime) -> None:
    CustomerRow.update(created_at=at).where(CustomerRow.id == customer_id).execute()


@pytest.fixture
def books(shop):
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=650_00)
    products.add(shop, sku="ATTA", name="Atta 20kg", price=2_400_00)
    people = {}
    for key, limit, at in (
        ("amna", None, dt.datetime(2025, 6, 2, 9, 0)),
        ("bilal", 1_000_00, dt.datetime(2024, 12, 1, 9, 0)),
        ("chand", None, dt.datetime(2025, 1, 1, 9, 0)),
        ("dawood", None, dt.datetime(2025, 6, 1, 0, 0)),
        ("eman", None, dt.datetime(2025, 6, 5, 9, 0)),
        ("faraz", None, dt.datetime(2025, 5, 31, 23, 59, 59)),
    ):
        people[key] = customers.add(shop, name=key.title(), credit_limit=limit)
        _created(people[key].id, at)
    sales.sell(shop, sale_id="s1", customer_id=people["amna"].id, items=[ItemRequest("GHEE")],
               tenders=[TenderRequest(Method.CASH)], date=D(2025, 6, 10))
    sales.sell(shop, sale_id="s2", customer_id=people["chand"].id, items=[ItemRequest("ATTA")],
               tenders=[TenderRequest(Method.CASH)], date=D(2025, 2, 1))
    khata.give(shop, people["bilal"].id, 1_500_00, date=D(2025, 1, 10), enforce_limit=False)
    khata.receive(shop, people["dawood"].id, 300_00, date=D(2025, 6, 1))
    khata.give(shop, people["eman"].id, 100_00, date=D(2025, 6, 5))
    customers.set_archived(shop, people["eman"].id)
    return shop, people


def test_every_segment_against_a_hand_count(books):
    shop, p = books
    s = segments(shop, TODAY)
    assert s.as_of == TODAY
    assert s.customers == 5  # Eman is archived
    points = loyalty.balance(shop, p["amna"].id) + loyalty.balance(shop, p["chand"].id)
    assert points > 0
    got = {seg.key: (seg.customers, seg.total) for seg in s.segments}
    assert got == {
        "has_balance": (1, 1_500_00),
        "over_limit": (1, 500_00),
        "in_advance": (1, 300_00),
        "with_points": (2, points),
        "high_value": (1, 2_400_00),  # two spent anything: the top 10% is the one who spent most
        "active": (2, None),  # Amna (Jun 10) and Dawood (Jun 1); Faraz has nothing booked
        "dormant": (1, 2_400_00),
        "never_bought": (3, None),  # Bilal's "gave" entry is no purchase
        "new_this_month": (2, None),  # Amna, and Dawood at midnight; Faraz a second too early
        "tier_new": (5, None),
        "tier_regular": (0, None),
        "tier_vip": (0, None),
    }
    assert s["has_balance"].unit == MONEY and s["with_points"].unit == POINTS and s["active"].unit is None
    assert "90 days" in s["dormant"].about and DORMANT_DAYS == 90


def test_the_edges_of_active_and_dormant_move_with_today(books):
    shop, _p = books
    # Jun 10 + 29 days: Amna is still active on Jul 9, not on Jul 10 (Dawood's Jun 1 is long past).
    assert segments(shop, D(2025, 7, 9))["active"].customers == 1
    assert segments(shop, D(2025, 7, 10))["active"].customers == 0
    # Chand's Feb 1 sale: still not dormant on May 1 (89 days later), dormant on May 2.
    assert segments(shop, D(2025, 5, 1))["dormant"].customers == 0
    assert segments(shop, D(2025, 5, 2))["dormant"].customers == 1
    # A new month: nobody is new.
    assert segments(shop, D(2025, 7, 1))["new_this_month"].customers == 0


def test_an_empty_shop_has_empty_segments(shop):
    s = segments(shop, TODAY)
    assert s.customers == 0
    assert all(seg.customers == 0 for seg in s.segments)
    assert all(seg.total in (0, None) for seg in s.segments)


def test_cashiers_are_refused_and_viewers_read(books):
    shop, _p = books
    cashier = add_user(shop, "Sana", "cashier", "6666")
    with pytest.raises(KioskError, match="Sana is a cashier: only managers, owners and viewers can read reports"):
        segments(dataclasses.replace(shop, user=cashier), TODAY)
    viewer = add_user(shop, "Vera", "viewer", "7777")
    assert segments(dataclasses.replace(shop, user=viewer), TODAY).customers == 5


def test_high_value_counts_the_customers_lists_high_value_filter(books):
    """The segment and the Customers screen's "high value" filter are the same people."""
    from kiosk.domain.customer_list import Filters, ListQuery
    from kiosk.store.customer_list import count, high_value_threshold

    shop, _p = books
    listed = count(ListQuery(filters=Filters(high_value=True)), today=TODAY, threshold=high_value_threshold())
    assert segments(shop, TODAY)["high_value"].customers == listed == 1
