from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.basket import Discount, Line
from kiosk.domain.customers import Tier
from kiosk.domain.errors import KioskError
from kiosk.domain.products import Unit
from kiosk.domain.loyalty import Rates, TierRules, max_points_for
from kiosk.domain.sale import LoyaltyTerms, Standing, plan_sale
from kiosk.domain.tenders import Method, TenderRequest, TendersShort

T = TenderRequest
TERMS = LoyaltyTerms(Rates(), TierRules(), Fraction(1), Fraction(1), credit_earns_at_sale=False)
LINES = [Line("Atta 20kg", 2_400_00, 1000, sku="ATTA20"), Line("Tomatoes", 240_00, 500, unit=Unit.KG)]


def standing(**kw):
    base = dict(customer_id=1, balance=0, credit_limit=None, points=0, tier=Tier.NEW, tier_pinned=False,
                group="Retail", purchases=0, spend=0)
    return Standing(**{**base, **kw})


def test_a_walk_in_cash_sale_earns_nothing_and_needs_no_customer():
    plan = plan_sale(LINES, [T(Method.CASH, 3_000_00)], standing=None, loyalty=TERMS)
    assert plan.totals.total == 2_520_00 and plan.settlement.change == 480_00
    assert plan.points_earned == 0 and plan.tier_after is None


def test_khata_and_store_credit_need_a_customer():
    with pytest.raises(KioskError, match="needs a customer"):
        plan_sale(LINES, [T(Method.KHATA)], standing=None, loyalty=TERMS)


def test_a_credit_sale_near_the_limit_reports_how_far_over_it_goes():
    plan = plan_sale(LINES, [T(Method.CASH, 500_00), T(Method.KHATA)],
                     standing=standing(balance=4_000_00, credit_limit=5_000_00), loyalty=TERMS)
    assert plan.khata == 2_020_00 and plan.over_limit_by == 1_020_00
    assert plan.points_earned == 250  # only the cash part earns when credit earns on payment


def test_points_redeemed_come_off_the_bill_and_earning_skips_points_and_store_credit():
    s = standing(points=1_000, balance=-500_00)
    plan = plan_sale(LINES, [T(Method.STORE_CREDIT, 500_00), T(Method.CARD)], standing=s, loyalty=TERMS, redeem=800)
    assert plan.points_value == 8_00
    assert plan.due == 2_512_00
    assert plan.store_credit == 500_00
    assert plan.points_earned == (2_512_00 - 500_00) * 50 // 100_00
    with pytest.raises(KioskError, match="store credit: the customer has"):
        plan_sale(LINES, [T(Method.STORE_CREDIT, 600_00), T(Method.CARD)], standing=s, loyalty=TERMS)


def test_the_tier_moves_after_the_sale_unless_pinned():
    assert plan_sale(LINES, [T(Method.CASH)], standing=standing(purchases=3), loyalty=TERMS).tier_after is Tier.REGULAR
    pinned = standing(purchases=30, tier=Tier.NEW, tier_pinned=True)
    assert plan_sale(LINES, [T(Method.CASH)], standing=pinned, loyalty=TERMS).tier_after is Tier.NEW


def test_an_empty_basket_and_short_tenders_are_refused():
    with pytest.raises(KioskError, match="basket: is empty"):
        plan_sale([], [T(Method.CASH)], standing=None, loyalty=TERMS)
    with pytest.raises(TendersShort):
        plan_sale(LINES, [T(Method.CARD, 100)], standing=None, loyalty=TERMS)


lines_st = st.lists(st.builds(Line, st.just("item"), st.integers(min_value=1, max_value=10**7),
                              st.integers(min_value=1, max_value=50_000),
                              discount=st.builds(Discount, percent_bp=st.integers(min_value=0, max_value=5000))),
                    min_size=1, max_size=8)


@given(lines_st, st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=5000),
       st.sampled_from([Method.CASH, Method.KHATA, Method.CARD]))
def test_every_lines_shares_add_up_to_the_sale(lines, points, basket_bp, method):
    s = standing(points=points, balance=-10**12)
    plan_args = dict(standing=s, loyalty=TERMS, basket_discount=Discount(percent_bp=basket_bp))
    total = plan_sale(lines, [T(Method.CASH)], **plan_args).totals.total
    redeem = min(points, max_points_for(total, TERMS.rates))
    redeem = redeem if redeem >= TERMS.rates.min_redeem else 0
    plan = plan_sale(lines, [T(method)], redeem=redeem, **plan_args)
    assert sum(sh.net for sh in plan.shares) == plan.totals.total
    assert sum(sh.points_discount for sh in plan.shares) == plan.points_value
    assert sum(sh.points_redeemed for sh in plan.shares) == plan.points_redeemed
    assert sum(sh.points_earned for sh in plan.shares) == plan.points_earned >= 0
    assert sum(sh.khata for sh in plan.shares) == plan.khata
    assert plan.settlement.paid == plan.due + plan.settlement.rounding
