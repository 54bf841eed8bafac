"""`kiosk customer show PHONE-OR-ID [--json]`: every field and figure, after real sales made with `kiosk sell`."""

import json

import pytest


@pytest.fixture
def shop(cli_shop):
    assert cli_shop("product", "add", "--sku", "ATTA-20", "--name", "Atta 20kg", "--price", "2400").code == 0
    r = cli_shop("customer", "add", "--name", "محمد علی", "--phone", "0300-1234567", "--cnic", "35202-1234567-1",
                 "--email", "Ali@Example.com", "--address", "12 Mall Road, Lahore", "--business", "Ali Traders",
                 "--birth-date", "1980-04-01", "--notes", "pays on Fridays", "--credit-limit", "5000",
                 "--group", "Corporate")
    assert r.code == 0, r.err
    return cli_shop


def ok(result) -> str:
    assert result.code == 0, result.err
    return result.out


def test_show_json_gives_every_field_and_the_figures_of_real_sales(shop):
    empty = json.loads(ok(shop("customer", "show", "1", "--json")))
    assert (empty["purchases"], empty["total_spent"], empty["average_purchase"], empty["first_purchase"],
            empty["last_purchase"], empty["balance"], empty["points"]) == (0, "0.00", "0.00", None, None, "0.00", 0)

    ok(shop("sell", "--customer", "0300 1234567", "--item", "ATTA-20", "--pay", "khata", "--date", "2025-01-05"))
    ok(shop("khata", "receive", "1", "400.50"))  # a credit sale's points are earned as it is paid
    last = json.loads(ok(shop("sell", "--customer", "+923001234567", "--open", "bag=12.55", "--pay", "cash",
                              "--date", "2025-02-10", "--json")))
    assert last["customer"]["points"] > 0
    ok(shop("loyalty", "tier", "1", "VIP"))

    shown = json.loads(ok(shop("customer", "show", "0300-1234567", "--json")))
    created = shown.pop("created_at")
    assert created[:4].isdigit() and created[10] == " "
    assert shown == {
        "id": 1, "name": "محمد علی", "phone": "+923001234567", "cnic": "3520212345671",
        "email": "ali@example.com",
        "address": "12 Mall Road, Lahore", "business": "Ali Traders", "birth_date": "1980-04-01",
        "notes": "pays on Fridays", "group": "Corporate", "tier": "VIP", "tier_pinned": True,
        "credit_limit": "5000.00", "archived": False,
        "balance": "1999.50",  # 2,400 on khata less 400.50 received
        "points": last["customer"]["points"], "total_spent": "2412.55", "purchases": 2,
        "average_purchase": "1206.27",  # 2,412.55 / 2, rounded down to the paisa
        "first_purchase": "2025-01-05", "last_purchase": "2025-02-10",
    }


@pytest.mark.parametrize("who", ["1", "0300-1234567", "+92 300 1234567", "923001234567", "03001234567"])
def test_a_phone_in_any_format_or_the_id_finds_the_same_customer(shop, who):
    shown = json.loads(ok(shop("customer", "show", who, "--json")))
    assert (shown["id"], shown["phone"], shown["credit_limit"], shown["tier_pinned"]) == (
        1, "+923001234567", "5000.00", False)


def test_without_json_a_readable_card(shop):
    ok(shop("sell", "--customer", "0300 1234567", "--item", "ATTA-20", "--pay", "khata", "--date", "2025-01-05"))
    card = ok(shop("customer", "show", "+92 300 1234567"))
    lines = card.splitlines()
    assert lines[0] == "Customer 1"
    assert "  name              محمد علی" in lines
    assert "  cnic              35202-1234567-1" in lines
    assert "  credit limit      Rs5,000.00" in lines
    assert "  balance           Rs2,400.00" in lines
    assert "  first purchase    2025-01-05" in lines and "  purchases         1" in lines


@pytest.mark.parametrize(("who", "message"), [
    ("42", "kiosk: customer 42 does not exist\n"),
    ("0300-9999999", "kiosk: no customer has phone 0300-9999999\n"),
    ("not-a-phone", "kiosk: phone: 'not-a-phone' is not a valid phone number for PK\n"),
])
def test_an_unknown_customer_is_one_line_naming_what_was_not_found(shop, who, message):
    r = shop("customer", "show", who, "--json")
    assert (r.code, r.out, r.err) == (1, "", message)
