import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.customers import Tier
from kiosk.domain.loyalty import (
    Campaign,
    NotEnoughPoints,
    PointsEntry,
    PointsKind,
    Rates,
    TierRules,
    balance,
    campaign_multiplier,
    check_redemption,
    due_to_expire,
    expiry_date,
    max_points_for,
    open_lots,
    points_earned,
    redemption_value,
    tier_for,
)

RATES = Rates()  # 50 points per PKR 100, 100 points = PKR 1, minimum 500


def test_earning_is_rounded_down_once_after_multipliers():
    assert points_earned(1_250_50, RATES) == 625  # Rs 1,250.50 -> 625.25 points
    assert points_earned(1_250_50, RATES, tier_multiplier=Fraction(3, 2)) == 937  # 937.875
    assert points_earned(1_250_50, RATES, tier_multiplier=Fraction(2), campaign_multiplier=Fraction(2)) == 2501
    assert points_earned(0, RATES) == 0 and points_earned(-5, RATES) == 0


def test_redemption_value_and_limits():
    assert redemption_value(500, RATES) == 5_00
    assert redemption_value(150, RATES) == 1_50
    assert check_redemption(600, balance=1_000, due=100_00, rates=RATES) == 6_00
    with pytest.raises(NotEnoughPoints, match="at least 500 are needed"):
        check_redemption(100, balance=400, due=100_00, rates=RATES)
    with pytest.raises(NotEnoughPoints, match="at least 500 points at a time"):
        check_redemption(400, balance=1_000, due=100_00, rates=RATES)
    with pytest.raises(NotEnoughPoints, match="the customer has 1000"):
        check_redemption(1_200, balance=1_000, due=100_00, rates=RATES)
    with pytest.raises(NotEnoughPoints, match="at most 500 points"):
        check_redemption(600, balance=1_000, due=5_00, rates=RATES)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=1000), st.integers(min_value=1, max_value=10**5))
def test_max_points_for_a_bill_is_the_largest_that_fits(due, rp, rv):
    rates = Rates(redeem_points=rp, redeem_value=rv)
    p = max_points_for(due, rates)
    assert p >= 0
    assert redemption_value(p, rates) <= due < redemption_value(p + 1, rates)


@pytest.mark.parametrize(("earned", "months", "expires"), [
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)), (dt.date(2026, 11, 15), 3, dt.date(2027, 2, 15)),
    (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)), (dt.date(2026, 5, 5), 0, None)])
def test_expiry_is_n_calendar_months_later(earned, months, expires):
    assert expiry_date(earned, months) == expires


def _e(i, kind, points, day, expires=None):
    return PointsEntry(i, 1, kind, points, dt.date(2026, 1, 1) + dt.timedelta(days=day), expires)


def test_points_are_spent_nearest_expiry_first_and_never_expiring_last():
    entries = [
        _e(1, PointsKind.EARN, 300, 0, None),
        _e(2, PointsKind.EARN, 200, 1, dt.date(2026, 6, 1)),
        _e(3, PointsKind.EARN, 100, 2, dt.date(2026, 3, 1)),
        _e(4, PointsKind.REDEEM, 250, 3),
    ]
    lots = {lot.entry_id: lot.left for lot in open_lots(entries)}
    assert lots == {1: 300, 2: 50}
    assert due_to_expire(entries, dt.date(2026, 7, 1)) == 50


def test_an_expiry_only_takes_expired_points():
    entries = [_e(1, PointsKind.EARN, 300, 0, dt.date(2026, 2, 1)), _e(2, PointsKind.EARN, 100, 0, None),
               _e(3, PointsKind.EXPIRE, 300, 40)]
    assert {lot.entry_id: lot.left for lot in open_lots(entries)} == {2: 100}
    with pytest.raises(NotEnoughPoints):
        open_lots([_e(1, PointsKind.EARN, 100, 0, None), _e(2, PointsKind.EXPIRE, 50, 10)])


@st.composite
def ledgers(draw):
    entries, bal = [], 0
    for i in range(1, draw(st.integers(min_value=0, max_value=25)) + 1):
        day = draw(st.integers(min_value=0, max_value=400))
        if bal and draw(st.booleans()):
            pts = draw(st.integers(min_value=1, max_value=bal))
            entries.append(_e(i, PointsKind.REDEEM, pts, 1000 + i))  # spends come after the earns they use
            bal -= pts
        else:
            pts = draw(st.integers(min_value=1, max_value=10_000))
            exp = draw(st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2028, 1, 1))))
            entries.append(_e(i, PointsKind.EARN, pts, day, exp))
            bal += pts
    return entries


@given(ledgers())
def test_lots_left_add_up_to_the_balance_and_never_go_negative(entries):
    lots = open_lots(entries)
    assert sum(lot.left for lot in lots) == balance(entries) >= 0
    assert all(lot.left > 0 for lot in lots)


def test_tiers_by_purchases_or_spend():
    rules = TierRules()
    assert tier_for(0, 0, rules) is Tier.NEW and tier_for(3, 0, rules) is Tier.NEW
    assert tier_for(4, 0, rules) is Tier.REGULAR and tier_for(20, 0, rules) is Tier.REGULAR
    assert tier_for(21, 0, rules) is Tier.VIP
    assert tier_for(2, 50_000_01, rules) is Tier.VIP and tier_for(2, 50_000_00, rules) is Tier.NEW


def test_campaigns_by_date_group_and_tier_do_not_compound():
    ramadan = Campaign("Ramadan", dt.date(2027, 2, 8), dt.date(2027, 3, 9), Fraction(2))
    eid = Campaign("Eid", dt.date(2027, 3, 9), dt.date(2027, 3, 12), Fraction(3, 2), tiers=(Tier.VIP,))
    wholesale = Campaign("Wholesale week", dt.date(2027, 1, 1), dt.date(2027, 1, 7), Fraction(3), groups=("Wholesale",))
    camps = [ramadan, eid, wholesale]
    assert campaign_multiplier(camps, dt.date(2027, 3, 9), "Retail", Tier.VIP) == 2
    assert campaign_multiplier(camps, dt.date(2027, 3, 10), "Retail", Tier.VIP) == Fraction(3, 2)
    assert campaign_multiplier(camps, dt.date(2027, 3, 10), "Retail", Tier.NEW) == 1
    assert campaign_multiplier(camps, dt.date(2027, 1, 3), "Wholesale", Tier.NEW) == 3
    assert campaign_multiplier(camps, dt.date(2027, 1, 3), "Retail", Tier.NEW) == 1
