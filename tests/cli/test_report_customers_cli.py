"""`kiosk report customers` as scripts and owners use it: the JSON contract, the text, bad dates."""

import datetime as dt
import json

import pytest

JSON_KEYS = {"from", "to", "currency", "new_customers", "buyers", "repeat_buyers", "purchases",
             "average_purchase_frequency", "repeat_rate_percent", "lifetime_value",
             "average_lifetime_value", "top_customers", "points", "points_liability"}


@pytest.fixture
def shop_with_sales(cli_shop):
    assert cli_shop("product", "add", "--sku", "GHEE", "--name", "Ghee 1kg", "--price", "650").code == 0
    for args in (("--customer", "0300-1234567", "--name", "Ayesha", "--date", "2026-01-05"),
                 ("--customer", "0300-1234567", "--date", "2026-01-20"),
                 ("--customer", "0301-7654321", "--name", "Bilal", "--date", "2026-01-21"),
                 ("--customer", "0301-7654321", "--date", "2026-02-03")):  # after January
        r = cli_shop("sell", *args, "--item", "GHEE", "--pay", "cash")
        assert r.code == 0, r.err
    return cli_shop


def test_json_for_january(shop_with_sales):
    r = shop_with_sales("report", "customers", "--from", "2026-01-01", "--to", "31/01/2026", "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert set(out) == JSON_KEYS
    assert (out["from"], out["to"], out["currency"]) == ("2026-01-01", "2026-01-31", "PKR")
    assert set(out["new_customers"]) == {"total", "per", "buckets"} and out["new_customers"]["per"] == "week"
    assert set(out["new_customers"]["buckets"][0]) == {"label", "from", "to", "customers"}
    assert (out["buyers"], out["repeat_buyers"], out["purchases"]) == (2, 1, 3)
    assert out["average_purchase_frequency"] == "1.50" and out["repeat_rate_percent"] == "50.0"
    assert (out["lifetime_value"], out["average_lifetime_value"]) == ("1950.00", "975.00")
    ayesha, bilal = out["top_customers"]
    assert set(ayesha) == {"id", "name", "phone", "purchases", "lifetime_value", "archived"}
    assert (ayesha["name"], ayesha["phone"], ayesha["purchases"], ayesha["lifetime_value"]) == (
        "Ayesha", "+92300****567", 2, "1300.00")
    assert (bilal["name"], bilal["purchases"]) == ("Bilal", 1)
    assert set(out["points"]) == {"earned", "redeemed", "expired", "taken_back", "given_back", "net_issued",
                                  "net_redeemed"}
    assert out["points"]["earned"] == 3 * 325  # Rs 650 cash earns 325 points; Feb's sale is outside
    assert out["points_liability"] == {"points": 3 * 325, "value": "9.75"}  # on Jan 31


def test_all_time_by_default_as_text(shop_with_sales):
    r = shop_with_sales("report", "customers")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == f"Customer report of Test Kiryana, the beginning to {dt.date.today().isoformat()}"
    assert "Buyers: 2, of whom 2 bought again; 4 purchases" in lines
    assert "Repeat rate: 100.0%" in lines
    assert any(line.split()[:3] == ["1", "Ayesha", "+92300****567"] for line in lines)
    assert "+923001234567" not in r.out  # phones are masked
    assert lines[-1] == "Points liability on " + dt.date.today().isoformat() + ": 1300 points, worth Rs13.00"


@pytest.mark.parametrize(("args", "message"), [
    (("--from", "2026-02-30"), "kiosk: from: '2026-02-30' is not a real date"),
    (("--from", "yesterday"), "kiosk: from: 'yesterday' is not a date like 2026-03-31 or 31/03/2026"),
    (("--to", "31/13/2026"), "kiosk: to: '31/13/2026' is not a real date"),
    (("--from", "2026-02-01", "--to", "2026-01-01"), "kiosk: from: 2026-02-01 is after --to 2026-01-01"),
])
def test_a_bad_date_is_one_line_naming_the_field(shop_with_sales, args, message):
    r = shop_with_sales("report", "customers", *args, "--json")
    assert r.code == 1 and r.out == "" and r.err.startswith(message) and r.err.count("\n") == 1, r.err
