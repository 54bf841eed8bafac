"""The settings registry: typed keys, defaults in the shop's currency, strict parsing, exact multipliers."""

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.customers import Tier
from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.settings import (
    BY_KEY,
    KEYS,
    SETTINGS,
    STORED_KEYS,
    Kind,
    LoyaltySettings,
    SaleSettings,
    Setting,
    UnknownSetting,
    check_together,
    defaults,
    fraction_text,
    lookup,
    suggest,
)

ISSUE_KEYS = (
    "loyalty.earn_points", "loyalty.earn_per", "loyalty.redeem_points", "loyalty.redeem_value", "loyalty.min_redeem",
    "loyalty.expiry_months", "loyalty.credit_earns", "loyalty.multiplier.new", "loyalty.multiplier.regular",
    "loyalty.multiplier.vip", "loyalty.tier.regular_from", "loyalty.tier.vip_from", "loyalty.tier.vip_spend",
    "sale.discount_approval_percent", "sale.cash_rounding", "notify.channel", "notify.credit_sale",
    "notify.payment", "shop.name", "shop.locale", "shop.mobile_money",
    "shop.country", "shop.currency",
    "printer.url", "printer.profile", "printer.footer", "printer.auto_print",
)


def test_every_key_of_the_issue_is_registered_documented_and_unique():
    assert set(ISSUE_KEYS) == set(KEYS) and len(KEYS) == len(SETTINGS)
    for s in SETTINGS:
        assert s.key == s.key.lower() and s.doc and "\n" not in s.doc
        assert (s.default is None) == bool(s.shop_column or s.read_only), s.key
        assert s.default is not None or s.default_note, s.key


def test_the_defaults_of_the_issue_in_minor_units_of_the_shop_currency():
    assert defaults("PKR") == {
        "loyalty.earn_points": 50, "loyalty.earn_per": 10_000, "loyalty.redeem_points": 100,
        "loyalty.redeem_value": 100, "loyalty.min_redeem": 500, "loyalty.expiry_months": 0,
        "loyalty.credit_earns": "paid", "loyalty.multiplier.new": 1, "loyalty.multiplier.regular": Fraction(3, 2),
        "loyalty.multiplier.vip": 2, "loyalty.tier.regular_from": 4, "loyalty.tier.vip_from": 21,
        "loyalty.tier.vip_spend": 5_000_000, "sale.discount_approval_percent": 10, "sale.cash_rounding": 0,
        "notify.channel": "sms", "notify.credit_sale": True, "notify.payment": True,
        "printer.url": "none", "printer.profile": "POS-5890", "printer.footer": "Thank you for shopping with us",
        "printer.auto_print": True,
    }
    assert defaults("JPY")["loyalty.earn_per"] == 100 and defaults("KWD")["loyalty.earn_per"] == 100_000
    assert defaults("IDR")["loyalty.tier.vip_spend"] == 5_000_000
    assert all(type(v) is not float for v in defaults("PKR").values())


@pytest.mark.parametrize("key", STORED_KEYS)
@pytest.mark.parametrize("currency", ["PKR", "JPY", "KWD", "IDR"])
def test_each_default_is_valid_and_round_trips_through_text_and_storage(key, currency):
    s = BY_KEY[key]
    value = s.default_for(currency)
    assert s.parse(s.format(value, currency), currency) == value
    assert s.load(s.dump(value, currency), currency) == value
    check_together(defaults(currency))


def _one(kind, **kw):
    return Setting("test.key", kind, kw.pop("default", None), "a test key", **kw)


@pytest.mark.parametrize(
    ("setting", "text", "value", "shown", "stored"),
    [
        (_one(Kind.INT, minimum=0, maximum=100), " 42 ", 42, "42", "42"),
        (_one(Kind.PERCENT, minimum=0, maximum=100), "12%", 12, "12", "12"),
        (_one(Kind.MONEY), "150.5", 15_050, "150.50", "15050"),
        (_one(Kind.MONEY), "0", 0, "0.00", "0"),
        (_one(Kind.BOOL), "Yes", True, "yes", "yes"),
        (_one(Kind.BOOL), "off", False, "no", "no"),
        (_one(Kind.MONTHS, minimum=0, maximum=600), "never", 0, "0", "0"),
        (_one(Kind.MONTHS, minimum=0, maximum=600), "18", 18, "18", "18"),
        (_one(Kind.MULTIPLIER, allow_zero=False), "1.50", Fraction(3, 2), "1.5", "1.5"),
        (_one(Kind.MULTIPLIER, allow_zero=False), "0.0625", Fraction(1, 16), "0.0625", "0.0625"),
        (_one(Kind.NAMES), " M-Pesa ,  Airtel   Money,", ("M-Pesa", "Airtel Money"), "M-Pesa,Airtel Money",
         "M-Pesa,Airtel Money"),
        (_one(Kind.NAMES), "", (), "", ""),
        (_one(Kind.DATE), "31/03/2026", dt.date(2026, 3, 31), "2026-03-31", "2026-03-31"),
        (_one(Kind.CHOICE, choices=("sale", "paid")), "SALE", "sale", "sale", "sale"),
        (_one(Kind.TEXT, maximum=20), "  Duka   la Mama ", "Duka la Mama", "Duka la Mama", "Duka la Mama"),
        (_one(Kind.LOCALE), "id_ID", "id_ID", "id_ID", "id_ID"),
    ],
    ids=lambda p: p.kind if isinstance(p, Setting) else None,
)
def test_every_kind_parses_formats_stores_and_loads_back(setting, text, value, shown, stored):
    parsed = setting.parse(text, "PKR")
    assert parsed == value and type(parsed) is type(value)
    assert setting.format(parsed, "PKR") == shown
    assert setting.dump(parsed, "PKR") == stored
    assert setting.load(stored, "PKR") == value
    assert setting.parse(shown, "PKR") == value


@pytest.mark.parametrize(
    ("key", "text", "why"),
    [
        ("loyalty.earn_points", "-5", "'-5' is negative"),
        ("loyalty.earn_points", "abc", "'abc' is not a whole number"),
        ("loyalty.earn_points", "1e3", "'1e3' is not a whole number"),
        ("loyalty.earn_points", "5.5", "'5.5' is not a whole number"),
        ("loyalty.earn_points", "", "is empty"),
        ("loyalty.earn_points", "١٢", "is not a whole number"),
        ("loyalty.earn_points", "1000001", "above the maximum 1000000"),
        ("loyalty.redeem_points", "0", "below the minimum 1"),
        ("loyalty.earn_per", "-5", "'-5' is negative"),
        ("loyalty.earn_per", "1e3", "'1e3' is not an amount"),
        ("loyalty.earn_per", "abc", "'abc' is not an amount"),
        ("loyalty.earn_per", "100.001", "more than 2 decimal digits for PKR"),
        ("loyalty.earn_per", "0", "must be more than zero"),
        ("loyalty.earn_per", "Rs 100", "is not an amount"),
        ("loyalty.expiry_months", "601", "above the maximum 600"),
        ("loyalty.expiry_months", "soon", "is not a whole number"),
        ("loyalty.credit_earns", "later", "'later' is not one of sale, paid"),
        ("loyalty.multiplier.vip", "0", "must be more than 0"),
        ("loyalty.multiplier.vip", "0.0", "must be more than 0"),
        ("loyalty.multiplier.vip", "-2", "'-2' is negative"),
        ("loyalty.multiplier.vip", "1e3", "is not a multiplier like 1.5"),
        ("loyalty.multiplier.vip", "1.23456", "is not a multiplier like 1.5"),
        ("loyalty.multiplier.vip", "3/2", "is not a multiplier like 1.5"),
        ("loyalty.multiplier.vip", "nan", "is not a multiplier like 1.5"),
        ("loyalty.multiplier.vip", "101", "above the maximum 100"),
        ("sale.discount_approval_percent", "101", "above the maximum 100"),
        ("sale.discount_approval_percent", "7.5", "is not a whole number"),
        ("sale.cash_rounding", "-100", "is negative"),
        ("shop.name", "   ", "is empty"),
        ("shop.locale", "xx_YY", "is not a known locale"),
        ("shop.mobile_money", "JazzCash,jazzcash", "'jazzcash' is listed twice"),
        ("shop.mobile_money", "Cash", "'Cash' is a built-in method"),
    ],
)
def test_bad_values_are_refused_with_the_key_and_a_reason(key, text, why):
    with pytest.raises(ValidationError) as exc:
        BY_KEY[key].parse(text, "PKR")
    assert exc.value.field == key
    assert why in str(exc.value)


def test_money_follows_the_currency_of_the_shop():
    earn_per = BY_KEY["loyalty.earn_per"]
    assert earn_per.parse("100", "JPY") == 100 and earn_per.format(100, "JPY") == "100"
    with pytest.raises(ValidationError, match="more than 0 decimal digits for JPY"):
        earn_per.parse("1.5", "JPY")
    assert earn_per.parse("1.234", "KWD") == 1234 and earn_per.format(1234, "KWD") == "1.234"
    assert BY_KEY["sale.cash_rounding"].parse("100.00", "IDR") == 10_000


@pytest.mark.parametrize("stored", ["abc", "1.00", "-5", "", "0"])
def test_a_stored_value_is_checked_again_when_loaded(stored):
    with pytest.raises(ValidationError):
        BY_KEY["loyalty.earn_per"].load(stored, "PKR")


@given(st.integers(min_value=0, max_value=9999), st.integers(min_value=0, max_value=4), st.data())
def test_multipliers_are_exact_and_survive_text_round_trips(whole, places, data):
    frac = data.draw(st.integers(min_value=0, max_value=10**places - 1)) if places else 0
    text = f"{whole}.{frac:0{places}d}" if places else str(whole)
    setting = _one(Kind.MULTIPLIER, allow_zero=True)
    value = setting.parse(text, "PKR")
    assert value == Fraction(whole) + Fraction(frac, 10**places)
    assert setting.parse(fraction_text(value), "PKR") == value
    assert setting.load(setting.dump(value, "PKR"), "PKR") == value


def test_fraction_text_is_the_shortest_exact_decimal():
    assert [fraction_text(x) for x in (Fraction(3, 2), 2, Fraction(1, 16), Fraction(5, 4), Fraction(1, 3))] == \
        ["1.5", "2", "0.0625", "1.25", "1/3"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("loyalty.earn_point", "loyalty.earn_points"), ("earn_points", "loyalty.earn_points"),
     ("loyalty.multiplier.vpi", "loyalty.multiplier.vip"), ("vip_spend", "loyalty.tier.vip_spend"),
     ("sale.cash_round", "sale.cash_rounding"), ("shop.mobilemoney", "shop.mobile_money")],
)
def test_an_unknown_key_suggests_the_closest_one(typed, meant):
    assert suggest(typed) == meant
    with pytest.raises(UnknownSetting, match=f"unknown setting '{typed}': did you mean {meant}\\?"):
        lookup(typed)


def test_an_unknown_key_with_nothing_close_says_where_the_list_is():
    with pytest.raises(KioskError) as exc:
        lookup("colour")
    assert "did you mean" not in str(exc.value) and "kiosk config list" in str(exc.value)
    assert lookup(" Loyalty.Earn_Points ") is BY_KEY["loyalty.earn_points"]


def test_read_only_keys_say_why():
    assert "fixed when the shop is made" in BY_KEY["shop.country"].read_only
    assert "minor units" in BY_KEY["shop.currency"].read_only


def test_tier_thresholds_must_stay_in_order():
    values = defaults("PKR")
    with pytest.raises(ValidationError, match="30 must be below loyalty.tier.vip_from \\(21\\)"):
        check_together({**values, "loyalty.tier.regular_from": 30}, changed="loyalty.tier.regular_from")
    with pytest.raises(ValidationError, match="4 must be above loyalty.tier.regular_from") as exc:
        check_together({**values, "loyalty.tier.vip_from": 4}, changed="loyalty.tier.vip_from")
    assert exc.value.field == "loyalty.tier.vip_from"


def test_loyalty_and_sale_settings_are_small_frozen_views():
    values = defaults("PKR")
    loyalty = LoyaltySettings.from_values(values)
    assert (loyalty.earn_points, loyalty.earn_per, loyalty.redeem_points, loyalty.redeem_value) == (50, 10_000, 100, 100)
    assert (loyalty.min_redeem, loyalty.expiry_months, loyalty.credit_earns) == (500, 0, "paid")
    assert (loyalty.regular_from, loyalty.vip_from, loyalty.vip_spend) == (4, 21, 5_000_000)
    assert loyalty.multiplier(Tier.REGULAR) == Fraction(3, 2) and loyalty.multipliers["VIP"] == 2
    assert loyalty.multiplier("New") == 1
    with pytest.raises(AttributeError):
        loyalty.earn_points = 1
    with pytest.raises(TypeError):
        loyalty.multipliers["VIP"] = Fraction(5)
    sale = SaleSettings.from_values({**values, "sale.cash_rounding": 10_000})
    assert (sale.discount_approval_percent, sale.cash_rounding) == (10, 10_000)


def test_json_keeps_money_and_multipliers_exact():
    assert BY_KEY["loyalty.earn_per"].to_json(10_000, "PKR") == "100.00"
    assert BY_KEY["loyalty.multiplier.regular"].to_json(Fraction(3, 2), "PKR") == "1.5"
    assert BY_KEY["loyalty.earn_points"].to_json(50, "PKR") == 50
    assert BY_KEY["shop.mobile_money"].to_json(("JazzCash",), "PKR") == ["JazzCash"]
