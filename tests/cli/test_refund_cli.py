"""`kiosk refund` and `kiosk pay` as scripts and cashiers use them."""

import json

import pytest

from kiosk.cli import refund_cmds


@pytest.fixture
def till(cli_shop):
    for args in (("--sku", "ATTA", "--name", "Atta 20kg", "--price", "2400"),
                 ("--sku", "RICE", "--name", "Rice", "--price", "300", "--unit", "kg")):
        assert cli_shop("product", "add", *args).code == 0
    r = cli_shop("sell", "--customer", "0300-1234567", "--name", "Amina", "--item", "ATTAx2", "--item", "RICEx1.5",
                 "--pay", "cash=2000", "--pay", "khata", "--id", "s-1", "--json")
    assert r.code == 0, r.err
    return cli_shop


def test_a_partial_refund_then_the_rest_as_json(till):
    r = till("refund", "s-1", "--line", "1x1", "--line", "2x0.5", "--to", "cash", "--id", "r-1", "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert [(x["line"], x["quantity"], x["amount"]) for x in out["lines"]] == [(1, "1", "2400.00"), (2, "0.5", "150.00")]
    assert out["goods"] == "2550.00" and out["to"] == "cash"
    # Khata 3,250 over the lines' nets 4,800 and 450: 2,971.43 and 278.57; half of line 1 and a third
    # of line 2 take 1,485.71 + 92.85 (rounded down until the line's last refund).
    assert out["khata_off"] == "1578.56" and out["payout"] == "971.44"
    rest = json.loads(till("refund", "s-1", "--to", "store-credit", "--json").out)
    assert (rest["goods"], rest["khata_off"], rest["payout"]) == ("2700.00", "1671.44", "1028.56")
    # the khata is clear and the cash paid for the rest is now store credit
    assert json.loads(till("customer", "show", "0300 1234567", "--json").out)["balance"] == "-1028.56"
    again = till("refund", "s-1", "--to", "cash")
    assert again.code == 1 and again.err.strip() == "kiosk: sale s-1 has been refunded in full already"


@pytest.mark.parametrize(("args", "message"), [
    (("nope", "--to", "cash"), "kiosk: sale nope does not exist"),
    (("s-1", "--line", "one", "--to", "cash"), "kiosk: line: 'one' is not N or NxQTY"),
    (("s-1", "--line", "1x0.5", "--to", "cash"), "sold by the piece: refund a whole number, not 0.5"),
    (("s-1", "--line", "9", "--to", "cash"), "sale s-1 has no line 9"),
    (("s-1", "--to", "cheque"), "kiosk: to: 'cheque' is not cash or store-credit"),
])
def test_bad_refunds_say_why_in_one_line_and_book_nothing(till, args, message):
    r = till("refund", *args)
    assert r.code == 1 and message in r.err and len(r.err.strip().splitlines()) == 1
    assert json.loads(till("customer", "show", "0300-1234567", "--json").out)["balance"] == "3250.00"


def test_on_a_terminal_the_refund_is_shown_and_asked_for_first(till, monkeypatch):
    monkeypatch.setattr(refund_cmds, "_interactive", lambda: True)
    no = till("refund", "s-1", "--line", "2", "--to", "cash", stdin="n\n")
    assert no.code == 1 and "line 2 Rice: 1.5 = Rs450.00" in no.out and "Nothing refunded." in no.out
    yes = till("refund", "s-1", "--line", "2", "--to", "cash", stdin="y\n")
    assert yes.code == 0 and "Refund? [y/N]" in yes.out and "Refund " in yes.out


def test_pay_by_phone_earns_the_points_of_what_is_paid(till):
    r = till("pay", "0300 1234567", "3250", "--method", "JazzCash", "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["amount"] == "3250.00" and out["method"] == "JazzCash" and out["customer"]["balance"] == "0.00"
    assert out["points_earned"] == 1_625  # 50 per 100 of the credit, now paid
    bad = till("pay", "0300 9999999", "10")
    assert bad.code == 1 and bad.err.strip() == "kiosk: no customer has phone 0300 9999999"
    bad = till("pay", "0300 1234567", "-5")
    assert bad.code == 1 and "amount" in bad.err
