import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.errors import ValidationError
from kiosk.domain.money import format_money, minor_digits, parse_amount, to_decimal_string


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("1250.50", "PKR", 125050), ("1250.5", "PKR", 125050), ("1250", "PKR", 125000), ("0.01", "KES", 1),
     ("1000", "JPY", 1000), ("1.234", "KWD", 1234), (" 99.99 ", "GHS", 9999), ("15000", "IDR", 1500000)],
)
def test_parses_plain_amounts_to_minor_units(text, currency, minor):
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "why"),
    [("12.5.0", "not an amount"), ("-5", "not an amount"), ("1e3", "not an amount"), ("Rs 500", "not an amount"),
     ("1,250", "not an amount"), ("1250.505", "more than 2 decimal digits"), ("", "is empty"), ("   ", "is empty"),
     ("0", "more than zero"), ("0.00", "more than zero"), (".5", "not an amount"), ("5.", "not an amount"),
     ("NaN", "not an amount"), ("١٢٣", "not an amount")],
)
def test_refuses_what_a_person_might_mistype(text, why):
    with pytest.raises(ValidationError) as exc:
        parse_amount(text, "PKR", field="amount")
    assert exc.value.field == "amount"
    assert why in str(exc.value)


def test_a_currency_without_minor_units_refuses_decimals():
    with pytest.raises(ValidationError, match="more than 0 decimal digits for JPY"):
        parse_amount("10.5", "JPY")


@given(st.integers(min_value=-(10**14), max_value=10**14), st.sampled_from(["PKR", "KES", "GHS", "IDR", "JPY", "KWD"]))
def test_decimal_string_round_trips_exactly(minor, currency):
    text = to_decimal_string(minor, currency)
    assert len(text.partition(".")[2]) == minor_digits(currency)
    if minor > 0:
        assert parse_amount(text, currency) == minor


def test_formats_for_people_in_the_shops_locale():
    assert format_money(125050, "PKR", "en_PK") == "Rs1,250.50"
    assert format_money(125000, "IDR", "id_ID") == "Rp1.250,00"
    assert "1,250.50" in format_money(125050, "KES", "en_KE")
