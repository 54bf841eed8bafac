"""kiosk.domain.money.MoneyFormat: the till's small formatter writes every amount exactly as babel does
(`format_money`, and `format_decimal` with the table cells' pattern), and hands itself across processes
as plain JSON values; where it cannot reproduce babel it says so and babel answers."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain import money
from kiosk.domain.money import MoneyFormat, format_money, money_format, plain_pattern


def _known(name: str) -> bool:
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return False
    return True


#: The shops' locales, and a few others with other separators, patterns and scripts.
LOCALES = [name for name in ("en_PK", "ur_PK", "en_KE", "sw_KE", "en_GH", "ak_GH", "id_ID", "en_US", "en_IN",
                             "de_DE", "fr_FR", "de_CH", "ar_EG", "ar", "he_IL", "fa_IR", "bn_BD") if _known(name)]
CURRENCIES = ["PKR", "KES", "GHS", "IDR", "USD", "INR", "JPY", "KWD", "EUR"]
AMOUNTS = st.one_of(st.integers(-(10**15), 10**15), st.integers(-10**4, 10**4),
                    st.sampled_from([0, 1, -1, 10**15, -(10**15), 999_999, 1_000_000, 100_000_000]))


def babel_plain(minor: int, currency: str, locale: str) -> str:
    """What the table cells showed before (kiosk/ui/widgets/basket.py plain_amount), straight from babel."""
    digits = money.minor_digits(currency)
    return format_decimal(Decimal(minor).scaleb(-digits), format=plain_pattern(digits), locale=locale,
                          decimal_quantization=True)


@pytest.fixture(autouse=True)
def _no_registered_formats():
    money.forget_formats()
    yield
    money.forget_formats()


@pytest.fixture(scope="module")
def formats() -> dict[tuple[str, str], MoneyFormat]:
    return {(currency, locale): money_format(currency, locale) for locale in LOCALES for currency in CURRENCIES}


@settings(max_examples=400, deadline=None)
@given(locale=st.sampled_from(LOCALES), currency=st.sampled_from(CURRENCIES), minor=AMOUNTS)
def test_money_and_plain_are_babels_strings(formats, locale, currency, minor):
    fmt = formats[(currency, locale)]
    assert fmt.money(minor) == format_money(minor, currency, locale)
    assert fmt.plain(minor) == babel_plain(minor, currency, locale)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("currency", CURRENCIES)
def test_every_pair_on_the_edges(formats, locale, currency):
    fmt = formats[(currency, locale)]
    for minor in (0, 1, -1, 9, 10, 99, 100, 101, 999, 1000, 99_999, 100_000, 10**15, -(10**15), 10**15 - 1):
        assert fmt.money(minor) == format_money(minor, currency, locale), minor
        assert fmt.plain(minor) == babel_plain(minor, currency, locale), minor


def test_the_shops_locales_are_formatted_by_hand_not_by_babel(formats):
    for locale in ("en_PK", "ur_PK", "en_KE", "sw_KE", "en_GH", "id_ID", "en_US", "en_IN", "de_DE", "fr_FR"):
        for currency in CURRENCIES:
            assert formats[(currency, locale)].exact, (currency, locale)


def test_known_answers():
    assert money_format("PKR", "en_PK").money(125050) == "Rs1,250.50"
    assert money_format("PKR", "en_PK").money(-125050) == "-Rs1,250.50"
    assert money_format("IDR", "id_ID").money(125000) == "Rp1.250,00"
    assert money_format("INR", "en_IN").money(1234567890) == "₹1,23,45,678.90"
    assert money_format("INR", "en_IN").plain(1234567890) == "12,345,678.90"  # the cells' pattern: groups of 3
    assert money_format("JPY", "en_US").money(-1234) == "-¥1,234"
    assert money_format("KWD", "en_US").plain(1234567) == "1,234.567"
    assert money_format("EUR", "fr_FR").money(123456) == "1\u202f234,56\xa0€"


def test_a_locale_whose_numbers_are_not_latn_falls_back_to_babel():
    fmt = money_format("EGP", "ar_EG")  # arab digits by default
    assert fmt.exact is False
    for minor in (0, 123456, -123456, 10**15):
        assert fmt.money(minor) == format_money(minor, "EGP", "ar_EG")
        assert fmt.plain(minor) == babel_plain(minor, "EGP", "ar_EG")


def test_a_pattern_outside_the_small_formatter_falls_back_to_babel(monkeypatch):
    """Padding ('*'), significant digits, a percent, the currency's long name: babel formats them."""
    from babel.numbers import parse_pattern

    for pattern in ("*x¤#,##0.00", "¤@@@", "#,##0.00%", "#,##0.00 ¤¤¤"):
        monkeypatch.setattr(Locale, "currency_formats", property(lambda self, p=pattern: {"standard": parse_pattern(p)}))
        assert money_format("PKR", "en_PK").exact is False, pattern


def test_a_wrong_answer_is_never_trusted(monkeypatch):
    """money_format checks itself against babel: a formatter that would be wrong is marked inexact, and
    babel answers."""
    monkeypatch.setattr(money, "_PLAIN_GROUPING", (2, 2))
    fmt = money_format("PKR", "en_PK")
    assert fmt.exact is False
    assert fmt.plain(123456) == "1,234.56" and fmt.money(123456) == "Rs1,234.56"


@pytest.mark.parametrize("locale", LOCALES)
def test_json_round_trip(formats, locale):
    for currency in CURRENCIES:
        fmt = formats[(currency, locale)]
        again = MoneyFormat.from_json(json.loads(json.dumps(fmt.to_json())))
        assert again == fmt
        assert again.money(-123456789) == fmt.money(-123456789)


@pytest.mark.parametrize("bad", [{}, {"currency": "PKR"}, "x", None,
                                 {**money_format("PKR", "en_PK").to_json(), "digits": "2"},
                                 {**money_format("PKR", "en_PK").to_json(), "grouping": [3]},
                                 {**money_format("PKR", "en_PK").to_json(), "grouping": [0, 3]},
                                 {**money_format("PKR", "en_PK").to_json(), "exact": 1}])
def test_from_json_refuses_anything_else(bad):
    with pytest.raises(ValueError):
        MoneyFormat.from_json(bad)


def test_a_registered_format_serves_formatter_and_digits_without_babel(monkeypatch):
    fmt = money_format("PKR", "en_PK")
    money.use_format(fmt)

    def no_babel(*args, **kwargs):
        raise AssertionError("babel asked")

    monkeypatch.setattr(money, "money_format", no_babel)
    monkeypatch.setattr(money, "_cldr_digits", no_babel)
    assert money.formatter("PKR", "en_PK")(125050) == "Rs1,250.50"
    assert money.format_of("PKR", "en_PK").plain(-125050) == "-1,250.50"
    assert money.minor_digits("PKR") == 2
    assert money.to_decimal_string(125050, "PKR") == "1250.50"


def test_a_new_currency_or_locale_gets_its_own_format():
    """A shop whose settings change (Settings: currency, locale) never keeps the old pair's format."""
    money.use_format(money_format("PKR", "en_PK"))
    assert money.formatter("PKR", "en_PK")(125050) == "Rs1,250.50"
    assert money.formatter("KES", "en_KE")(125050) == "Ksh1,250.50"
    assert money.formatter("PKR", "ur_PK")(-125050) == format_money(-125050, "PKR", "ur_PK")
    assert money.formatter("IDR", "id_ID")(125000) == "Rp1.250,00"


def test_registering_after_a_formatter_was_built_replaces_it():
    built = money.formatter("PKR", "en_PK")
    registered = money_format("PKR", "en_PK")
    money.use_format(registered)
    assert money.format_of("PKR", "en_PK") is registered
    assert money.formatter("PKR", "en_PK")(1) == built(1) == "Rs0.01"


def test_the_shops_settings_format_through_it():
    from kiosk.domain.shop import ShopSettings

    shop = ShopSettings(name="Test", country="ID", currency="IDR", locale="id_ID")
    assert shop.money(-125000) == format_money(-125000, "IDR", "id_ID") == "-Rp1.250,00"
    assert money.format_of("IDR", "id_ID").exact
