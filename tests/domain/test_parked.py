"""A parked basket's JSON: an exact round trip, and a malformed payload refused naming the field."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.basket import Discount
from kiosk.domain.errors import ValidationError
from kiosk.domain.parked import ParkedBasket, ParkedItem, ParkedOpenItem

FULL = ParkedBasket(
    items=(ParkedItem("ATTA-20", "2", Discount(percent_bp=1250)), ParkedItem("TOMATO", "0.250"),
           ParkedItem("4006381333931", "1", Discount(amount=50_00))),
    open_items=(ParkedOpenItem("ٹماٹر loose", 150_00, "3"),),
    customer_id=7, basket_discount=Discount(percent_bp=500), redeem=120,
)


def test_a_basket_round_trips_exactly():
    text = FULL.to_json()
    assert ParkedBasket.from_json(text) == FULL
    assert ParkedBasket.from_json(text).to_json() == text  # one canonical form
    assert "ٹماٹر" in text  # kept as written, not \u-escaped
    assert FULL.line_count == 4


def test_lists_become_tuples_so_the_basket_stays_frozen():
    b = ParkedBasket(items=[ParkedItem("GHEE")])
    assert b.items == (ParkedItem("GHEE"),) and ParkedBasket.from_json(b.to_json()) == b
    with pytest.raises(AttributeError):
        b.redeem = 5


_discounts = st.one_of(st.builds(Discount), st.builds(lambda p: Discount(percent_bp=p), st.integers(1, 10_000)),
                       st.builds(lambda a: Discount(amount=a), st.integers(1, 10**12)))
_quantities = st.builds(lambda w, f: f"{w}" + (f".{f}" if f else ""), st.integers(1, 999_999),
                        st.sampled_from(["", "5", "25", "250", "001"]))
_text = st.text(min_size=1, max_size=20).filter(str.strip)


@given(items=st.lists(st.builds(ParkedItem, _text, _quantities, _discounts), max_size=4),
       extras=st.lists(st.builds(ParkedOpenItem, _text, st.integers(1, 10**12),
                                 st.integers(1, 999).map(str)), max_size=3),
       customer=st.none() | st.integers(1, 10**9), discount=_discounts, redeem=st.integers(0, 10**9))
def test_any_basket_round_trips(items, extras, customer, discount, redeem):
    if not items and not extras:
        items = [ParkedItem("X")]
    b = ParkedBasket(items=items, open_items=extras, customer_id=customer, basket_discount=discount, redeem=redeem)
    assert ParkedBasket.from_json(b.to_json()) == b


def _with(**changes) -> str:
    data = json.loads(FULL.to_json())
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is KeyError:
            del node[leaf]
        else:
            node[leaf] = value
    return json.dumps(data)


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "payload: is not JSON"),
    ("[]", "payload: must be a JSON object"),
    (_with(v=2), "v: 2 is not a parked basket version"),
    (_with(redeem=KeyError), "redeem: is missing"),
    (_with(extra=1), "payload: has unknown field(s) extra"),
    (_with(items="ATTA"), "items: must be a list"),
    (_with(items__1__quantity="1/4"), "items[1].quantity: '1/4' is not a quantity"),
    (_with(items__1__quantity=2), "items[1].quantity: must be text"),
    (_with(items__0__code=" "), "items[0].code: needs a barcode or SKU"),
    (_with(items__2__discount__amount=1.5), "items[2].discount.amount: 1.5 is not a whole number"),
    (_with(items__0__discount__amount=5), "items[0].discount: give a percentage or an amount, not both"),
    (_with(items__0__discount=KeyError), "items[0].discount: is missing"),
    (_with(open_items__0__price=-1), "open_items[0].price: must be a whole number of minor units"),
    (_with(open_items__0__price="150.00"), "open_items[0].price"),
    (_with(open_items__0__quantity="0.5"), "open_items[0].quantity: '0.5': items sold by the piece"),
    (_with(customer_id="7"), "customer_id: must be a customer id"),
    (_with(redeem=True), "redeem: must be a whole number of points"),
    (_with(basket_discount__percent_bp=20_000), "basket_discount: must be between 0 and 100%"),
    (_with(items=[], open_items=[]), "items: the basket is empty"),
])
def test_a_malformed_payload_is_refused_naming_the_field(text, message):
    with pytest.raises(ValidationError) as caught:
        ParkedBasket.from_json(text)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)


def test_building_a_bad_basket_by_hand_is_refused_too():
    with pytest.raises(ValidationError, match="^quantity: 'two' is not a quantity"):
        ParkedItem("ATTA", "two")
    with pytest.raises(ValidationError, match="^items: the basket is empty"):
        ParkedBasket()
    with pytest.raises(ValidationError, match="^redeem:"):
        ParkedBasket(items=[ParkedItem("ATTA")], redeem=-1)
