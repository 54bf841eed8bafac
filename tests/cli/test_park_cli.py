"""`kiosk park`, `parked`, `recall`, `unpark`: each command reopens the shop, so the basket outlives it."""

import json
import shlex

import pytest


@pytest.fixture
def till(cli_shop):
    for args in (("--sku", "ATTA-20", "--name", "Atta 20kg", "--price", "2400"),
                 ("--sku", "TOMATO", "--name", "Tomatoes", "--price", "240", "--unit", "kg"),
                 ("--sku", "BOX10", "--name", "Box of ten", "--price", "100")):
        assert cli_shop("product", "add", *args).code == 0
    assert cli_shop("customer", "add", "--name", "محمد علی", "--phone", "0300-1234567").code == 0
    return cli_shop


def ok(result) -> str:
    assert result.code == 0, result.err
    return result.out


def refused(result) -> str:
    assert result.code == 1 and result.err.count("\n") == 1 and "Traceback" not in result.err, result.err
    return result.err


def test_park_list_recall_and_sell_the_printed_line(till):
    out = ok(till("park", "s-1", "--item", "ATTA-20x2", "--item", "TOMATOx0.5", "--open", "loose sugar=150",
                  "--customer", "+92 300 1234567", "--discount", "5", "--note", "getting eggs"))
    assert out == "Parked sale s-1 for محمد علی: 3 lines (getting eggs)\n"
    ok(till("park", "s-2", "--item", "BOX10"))
    listed = json.loads(ok(till("parked", "--json")))
    assert [(p["id"], p["items"], p["till"], p["user"]) for p in listed] == [("s-2", 1, "till-1", "owner"),
                                                                             ("s-1", 3, "till-1", "owner")]
    assert listed[1]["customer"] == {"id": 1, "name": "محمد علی", "phone": "+923001234567"}
    assert "getting eggs" in ok(till("parked"))
    text = ok(till("recall", "s-1"))
    assert "TOMATO" in text and "محمد علی" in text and "less 5.00%" in text
    command = text.splitlines()[-1].removeprefix("Finish it with: ")
    assert command == ("kiosk sell --id s-1 --customer +923001234567 --item ATTA-20x2 --item TOMATOx0.5 "
                       "--open 'loose sugar=150.00' --discount 5.00 --pay cash")
    sold = json.loads(ok(till(*shlex.split(command)[1:], "--json")))
    assert sold["sale_id"] == "s-1" and sold["total"] == "4816.50"  # (4800 + 120 + 150) less 5%
    assert [p["id"] for p in json.loads(ok(till("parked", "--json")))] == ["s-2"]


def test_park_json_and_recall_json_give_the_basket_with_exact_amounts(till):
    parked = json.loads(ok(till("park", "s-1", "--item", "BOX10x3", "--open", "bag=12.50", "--redeem", "10",
                                "--json")))
    basket = {"items": [{"code": "BOX10", "quantity": "3", "discount": None}],
              "open_items": [{"description": "bag", "price": "12.50", "quantity": "1"}],
              "customer_id": None, "basket_discount": None, "redeem": 10}
    assert parked["id"] == "s-1" and parked["items"] == 2 and parked["basket"] == basket
    assert json.loads(ok(till("recall", "s-1", "--json"))) == {"id": "s-1", "basket": basket}


def test_parking_again_replaces_and_unpark_drops(till):
    ok(till("park", "s-1", "--item", "ATTA-20"))
    ok(till("park", "s-1", "--item", "BOX10x2", "--note", "changed"))
    (only,) = json.loads(ok(till("parked", "--json")))
    assert (only["id"], only["items"], only["note"]) == ("s-1", 1, "changed")
    assert ok(till("unpark", "s-1")) == "Dropped parked sale s-1\n"
    assert ok(till("parked")) == "Nothing is parked.\n"


def test_selling_a_parked_basket_by_its_id_takes_it_off_the_list(till):
    ok(till("park", "s-1", "--item", "ATTA-20"))
    ok(till("sell", "--id", "s-1", "--item", "ATTA-20", "--pay", "cash"))
    assert json.loads(ok(till("parked", "--json"))) == []
    assert "no parked sale has id 's-1'" in refused(till("recall", "s-1"))


@pytest.mark.parametrize(("args", "message"), [
    (("recall", "nope"), "kiosk: no parked sale has id 'nope' (`kiosk parked` lists them)\n"),
    (("unpark", "nope"), "kiosk: no parked sale has id 'nope' (`kiosk parked` lists them)\n"),
    (("park", "s-9"), "kiosk: items: the basket is empty: nothing to park\n"),
    (("park", "s-9", "--item", "NOPE"), "kiosk: no product has the barcode or SKU 'NOPE'\n"),
    (("park", "s-9", "--item", "ATTA-20x1.5"), "kiosk: quantity of ATTA-20: '1.5': items sold by the piece"),
    (("park", "s-9", "--item", "TOMATOx0.2505"), "kiosk: quantity of TOMATO: '0.2505' is not a quantity"),
    (("park", "s-9", "--item", "BOX10", "--customer", "0300 9999999"), "kiosk: customer: no customer has phone"),
    (("park", "s-9", "--item", "BOX10", "--discount", "150"), "kiosk: discount: '150' is more than 100%\n"),
    (("park", "s-9", "--open", "bag"), "kiosk: open: 'bag' is not DESCRIPTION=PRICE\n"),
    (("park", "s-9", "--item", "BOX10", "--redeem", "-1"), "kiosk: redeem: must be a whole number of points"),
])
def test_bad_input_is_one_line_and_parks_nothing(till, args, message):
    assert refused(till(*args)).startswith(message)
    assert json.loads(ok(till("parked", "--json"))) == []
