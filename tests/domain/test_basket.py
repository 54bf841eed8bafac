import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.basket import (
    Discount,
    Line,
    allocate,
    discounts_needing_approval,
    line_amount,
    open_item,
    parse_percent,
    parse_quantity,
    round_cash,
    totals,
)
from kiosk.domain.errors import ValidationError
from kiosk.domain.products import Unit


@pytest.mark.parametrize(("text", "unit", "milli"), [("2", Unit.EACH, 2000), ("0.25", Unit.KG, 250),
                                                    ("1.005", Unit.LITRE, 1005), ("3.000", Unit.EACH, 3000)])
def test_quantities_are_thousandths(text, unit, milli):
    assert parse_quantity(text, unit) == milli


@pytest.mark.parametrize(("text", "unit", "why"), [("1.5", Unit.EACH, "whole numbers"), ("0", Unit.KG, "more than zero"),
                                                   ("0.0001", Unit.KG, "not a quantity"), ("-1", Unit.EACH, "not a quantity"),
                                                   ("1e3", Unit.EACH, "not a quantity"), ("", Unit.EACH, "not a quantity")])
def test_bad_quantities(text, unit, why):
    with pytest.raises(ValidationError, match=why):
        parse_quantity(text, unit)


def test_weighed_goods_are_priced_to_the_gram_rounding_half_up():
    assert line_amount(480_00, 250) == 120_00  # 250 g at Rs 480/kg
    assert line_amount(333, 500) == 167  # 166.5 rounds up
    assert line_amount(999, 1) == 1  # 0.999 paisa rounds up


@pytest.mark.parametrize(("text", "bp"), [("10", 1000), ("12.5", 1250), ("12.5%", 1250), ("0", 0), ("100", 10_000)])
def test_percentages_are_basis_points(text, bp):
    assert parse_percent(text) == bp


@pytest.mark.parametrize("text", ["101", "12.555", "-5", "ten", ""])
def test_bad_percentages(text):
    with pytest.raises(ValidationError):
        parse_percent(text)


def test_line_and_basket_discounts_and_the_basket_share_per_line():
    lines = [Line("Atta 20kg", 2_400_00, 1000, discount=Discount(percent_bp=1000)),
             Line("Ghee", 650_00, 2000), open_item("loose sugar", 150_00)]
    t = totals(lines, Discount(amount=100_00))
    assert t.gross == 2_400_00 + 1_300_00 + 150_00
    assert t.line_discounts == 240_00
    assert t.basket_discount == 100_00
    assert t.total == t.gross - 240_00 - 100_00
    assert sum(t.line_nets) == t.total


def test_a_discount_never_takes_more_than_the_price():
    assert Discount(amount=10_000_00).off(500_00) == 500_00
    with pytest.raises(ValidationError):
        Discount(percent_bp=500, amount=100)


def test_discounts_above_the_shops_percentage_need_a_manager():
    lines = [Line("Tea", 1_000_00, 1000, discount=Discount(percent_bp=1500)), Line("Milk", 200_00, 1000)]
    reasons = discounts_needing_approval(lines, Discount(percent_bp=500), threshold_bp=1000)
    assert reasons == ["line 1 (Tea): 15.00% off"]
    assert discounts_needing_approval(lines, Discount(percent_bp=2000), threshold_bp=1000)[-1] == "basket: 20.00% off"
    assert discounts_needing_approval([Line("x", 100, 1000, discount=Discount(percent_bp=1000))], Discount(), 1000) == []


def test_open_item_needs_a_description_and_a_price():
    with pytest.raises(ValidationError, match="description"):
        open_item("  ", 100)
    with pytest.raises(ValidationError, match="price"):
        open_item("bag", 0)


@given(st.integers(min_value=0, max_value=10**12), st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30))
def test_allocation_is_exact_and_proportional(total, weights):
    parts = allocate(total, weights)
    if sum(weights) == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == total
    for part, w in zip(parts, weights):
        assert abs(part * sum(weights) - total * w) < sum(weights)  # within one unit of the exact share


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([0, 1, 5_00, 100_00, 1]))
def test_cash_rounding_goes_to_the_nearest_coin(amount, step):
    rounded = round_cash(amount, step)
    if step > 1:
        assert rounded % step == 0 and abs(rounded - amount) * 2 <= step
    else:
        assert rounded == amount
