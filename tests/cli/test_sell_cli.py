"""`kiosk sell` as scripts use it: the JSON contract, idempotency, and one-line refusals."""

import json

import pytest

from tests.conftest import OWNER_PIN


@pytest.fixture
def till(cli_shop):
    for args in (("--sku", "ATTA-20", "--name", "Atta 20kg", "--price", "2400"),
                 ("--sku", "TOMATO", "--name", "Tomatoes", "--price", "240", "--unit", "kg"),
                 ("--sku", "BOX10", "--name", "Box of ten", "--price", "100")):
        r = cli_shop("product", "add", *args)
        assert r.code == 0, r.err
    return cli_shop


def test_a_credit_sale_to_a_customer_added_on_the_spot(till):
    r = till("sell", "--customer", "0300-1234567", "--name", "محمد علی", "--item", "ATTA-20x2", "--item",
             "TOMATOx0.5", "--open", "loose sugar=150", "--pay", "cash=1000", "--pay", "khata", "--id", "s-1", "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["sale_id"] == "s-1" and out["total"] == "5070.00" and out["change"] == "0.00"
    assert out["tenders"] == [{"method": "cash", "amount": "1000.00"}, {"method": "khata", "amount": "4070.00"}]
    assert out["customer"]["phone"] == "+923001234567" and out["customer"]["balance"] == "4070.00"
    assert out["points_earned"] == 500 and out["customer"]["points"] == 500  # credit earns when paid
    again = till("sell", "--customer", "+92 300 1234567", "--item", "ATTA-20", "--pay", "khata", "--id", "s-1", "--json")
    assert json.loads(again.out) == out  # the same id books once


def test_a_code_ending_in_x_and_digits_is_a_code_first(till):
    out = json.loads(till("sell", "--item", "BOX10", "--pay", "cash", "--json").out)
    assert out["total"] == "100.00"


@pytest.mark.parametrize(("args", "message"), [
    (("--item", "ATTA-20", "--pay", "card=100"), "short"),
    (("--item", "ATTA-20", "--pay", "bitcoin"), "pay: 'bitcoin' is not one of cash, card, mobile"),
    (("--item", "ATTA-20", "--pay", "khata"), "needs a customer"),
    (("--customer", "0300 9999999", "--item", "ATTA-20", "--pay", "cash"), "give --name to add them"),
    (("--item", "ATTA-20", "--pay", "cash", "--discount", "50"), "needs a manager"),
    (("--item", "ATTA-20", "--pay", "cash=12.5.0"), "pay cash: '12.5.0' is not an amount"),
])
def test_a_refused_sale_is_one_line_and_books_nothing(till, args, message):
    r = till("sell", *args)
    assert r.code == 1 and message in r.err and r.err.count("\n") == 1, r.err
    assert '"total_outstanding": "0.00"' in till("report", "credit", "--json").out


def test_a_manager_pin_approves_a_big_discount(till):
    r = till("sell", "--item", "ATTA-20", "--pay", "cash", "--discount", "50", "--manager-pin", OWNER_PIN, "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["total"] == "1200.00"
    bad = till("sell", "--item", "ATTA-20", "--pay", "cash", "--discount", "50", "--manager-pin", "0000")
    assert bad.code == 1 and "no active user has this PIN" in bad.err
