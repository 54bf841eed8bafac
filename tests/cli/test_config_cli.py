"""`kiosk config get|set|list`: the settings contract on the command line, on both backends."""

import json

import pytest

from kiosk.domain.settings import KEYS


def test_get_lists_every_key_with_its_value_source_and_meaning(cli_shop):
    r = cli_shop("config", "get")
    assert r.code == 0, r.err
    lines = {line.split()[0]: line for line in r.out.splitlines()[3:]}
    assert list(lines) == list(KEYS)
    assert lines["loyalty.earn_per"].split()[1:3] == ["100.00", "default"]
    assert "the amount paid that earns loyalty.earn_points" in lines["loyalty.earn_per"]
    assert lines["loyalty.multiplier.regular"].split()[1:3] == ["1.5", "default"]
    assert lines["shop.mobile_money"].split()[1:3] == ["JazzCash,EasyPaisa", "shop"]
    assert "amounts in PKR" in r.out


def test_set_then_get_round_trips_in_the_shops_terms(cli_shop):
    r = cli_shop("config", "set", "loyalty.earn_per", "150")
    assert r.code == 0 and r.out.strip() == "loyalty.earn_per: 100.00 -> 150.00"
    assert cli_shop("config", "get", "loyalty.earn_per").out == "150.00\n"
    assert cli_shop("config", "set", "loyalty.multiplier.vip", "2.50").out.strip() == "loyalty.multiplier.vip: 2 -> 2.5"
    assert cli_shop("config", "set", "loyalty.expiry_months", "never").out.strip() == \
        "loyalty.expiry_months is already 0: nothing changed"
    assert cli_shop("config", "set", "shop.name", "Ali", "General", "Store").code == 0  # words need no quotes
    assert cli_shop("config", "get", "shop.name").out == "Ali General Store\n"
    assert cli_shop("config", "set", "shop.mobile_money", "JazzCash, SadaPay").code == 0
    r = cli_shop("config", "set", "loyalty.earn_per", "100.00")
    assert r.out.strip() == "loyalty.earn_per: 150.00 -> 100.00 (the default)"
    table = {line.split()[0]: line.split()[1:3] for line in cli_shop("config", "get").out.splitlines()[3:]}
    assert table["loyalty.earn_per"] == ["100.00", "default"] and table["loyalty.multiplier.vip"] == ["2.5", "set"]
    assert table["shop.mobile_money"] == ["JazzCash,SadaPay", "shop"]


def test_get_json_is_exact_and_typed(cli_shop):
    cli_shop("config", "set", "loyalty.tier.vip_spend", "75000.50")
    every = json.loads(cli_shop("config", "get", "--json").out)
    assert list(every) == list(KEYS)
    assert every["loyalty.tier.vip_spend"] == {
        "value": "75000.50", "source": "set", "default": False, "kind": "money", "read_only": False,
        "doc": "lifetime spend above which a customer is VIP whatever the purchase count"}
    assert every["loyalty.earn_points"]["value"] == 50 and every["loyalty.earn_points"]["default"] is True
    assert every["loyalty.multiplier.regular"]["value"] == "1.5"
    assert every["shop.mobile_money"]["value"] == ["JazzCash", "EasyPaisa"]
    assert every["shop.currency"]["read_only"] is True
    one = json.loads(cli_shop("config", "get", "loyalty.credit_earns", "--json").out)
    assert (one["key"], one["value"], one["source"]) == ("loyalty.credit_earns", "paid", "default")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("loyalty.earn_points", "-5"), "loyalty.earn_points: '-5' is negative"),
        (("loyalty.earn_points", "1e3"), "loyalty.earn_points: '1e3' is not a whole number"),
        (("loyalty.earn_per", "abc"), "loyalty.earn_per: 'abc' is not an amount like 1250.50"),
        (("loyalty.earn_per", "1e3"), "loyalty.earn_per: '1e3' is not an amount like 1250.50"),
        (("loyalty.earn_per", "10.005"), "loyalty.earn_per: '10.005' has more than 2 decimal digits for PKR"),
        (("loyalty.multiplier.vip", "0"), "loyalty.multiplier.vip: '0': a multiplier must be more than 0"),
        (("loyalty.credit_earns", "never"), "loyalty.credit_earns: 'never' is not one of sale, paid"),
        (("loyalty.earn_pont", "5"), "unknown setting 'loyalty.earn_pont': did you mean loyalty.earn_points?"),
        (("shop.currency", "USD"), "shop.currency cannot be changed: the currency is fixed when the shop is made"),
        (("shop.country", "KE"), "shop.country cannot be changed: the country is fixed when the shop is made"),
    ],
)
def test_bad_settings_are_one_line_errors_and_change_nothing(cli_shop, args, message):
    before = cli_shop("config", "get", "--json").out
    r = cli_shop("config", "set", *args)
    assert r.code == 1 and r.err.startswith(f"kiosk: {message}") and r.err.count("\n") == 1, r.err
    assert "Traceback" not in r.err
    assert cli_shop("config", "get", "--json").out == before


def test_get_of_an_unknown_key_suggests_too(cli_shop):
    r = cli_shop("config", "get", "vip_spend")
    assert r.code == 1 and "did you mean loyalty.tier.vip_spend?" in r.err


def test_list_and_help_document_every_key(cli_shop):
    listing = cli_shop("config", "list")
    helped = cli_shop("config", "--help")
    assert listing.code == 0 and helped.code == 0
    for key in KEYS:
        assert key in listing.out and key in helped.out
    assert "money: an amount in major units of the shop's currency" in listing.out
    assert "loyalty.multiplier.regular" in helped.out and "default 1.5" in helped.out


def test_a_change_is_audited_and_the_books_still_check(cli_shop):
    cli_shop("customer", "add", "--name", "Amina", "--phone", "0300 1234567")
    cli_shop("khata", "give", "1", "500")
    assert cli_shop("config", "set", "loyalty.redeem_value", "2.00").code == 0
    assert cli_shop("config", "set", "shop.locale", "ur_PK").code == 0
    from kiosk.store.models import AuditLog

    rows = [(a.record, json.loads(a.detail), a.till)
            for a in AuditLog.select().where(AuditLog.action == "setting.set").order_by(AuditLog.id)]
    assert rows == [("loyalty.redeem_value", {"old": "1.00", "new": "2.00"}, "till-1"),
                    ("shop.locale", {"old": "en_PK", "new": "ur_PK"}, "till-1")]
    r = cli_shop("check")
    assert r.code == 0 and r.out.startswith("OK")
