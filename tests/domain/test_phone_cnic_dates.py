import datetime as dt

import pytest

from kiosk.domain.cnic import format_cnic, mask_cnic, normalize_cnic
from kiosk.domain.dates import parse_date
from kiosk.domain.errors import ValidationError
from kiosk.domain.phone import mask_phone, normalize_phone


@pytest.mark.parametrize("typed", ["0300 1234567", "0300-1234567", "+92 300 1234567", "923001234567", "03001234567"])
def test_pakistani_phone_in_any_format_is_one_number(typed):
    assert normalize_phone(typed, "PK") == "+923001234567"


@pytest.mark.parametrize(
    ("typed", "country", "e164"),
    [("0712 345678", "KE", "+254712345678"), ("024 123 4567", "GH", "+233241234567"),
     ("0812-3456-7890", "ID", "+6281234567890")],
)
def test_other_countries(typed, country, e164):
    assert normalize_phone(typed, country) == e164


@pytest.mark.parametrize("typed", ["12345", "0300 12345", "abc", "+1 555", "0000000000", "++92300"])
def test_invalid_phone_is_refused_naming_the_field(typed):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(typed, "PK")
    assert exc.value.field == "phone"
    assert "not a valid phone number for PK" in str(exc.value)


def test_phone_mask():
    assert mask_phone("+923001234567") == "+92300****567"


@pytest.mark.parametrize("typed", ["35202-1234567-1", "3520212345671"])
def test_cnic_is_stored_as_13_digits_and_shown_with_dashes(typed):
    digits = normalize_cnic(typed)
    assert digits == "3520212345671"
    assert format_cnic(digits) == "35202-1234567-1"
    assert mask_cnic(digits) == "35202-*******-1"


@pytest.mark.parametrize("typed", ["35202-1234567", "352021234567", "35202-1234567-12", "3520a1234567-1",
                                   "05202-1234567-1", "95202-1234567-1", "35202_1234567_1"])
def test_invalid_cnic_is_refused(typed):
    with pytest.raises(ValidationError) as exc:
        normalize_cnic(typed)
    assert exc.value.field == "cnic"


@pytest.mark.parametrize(("typed", "date"), [("2026-03-31", dt.date(2026, 3, 31)), ("31/03/2026", dt.date(2026, 3, 31)),
                                             ("1/2/2026", dt.date(2026, 2, 1))])
def test_dates_iso_or_day_first(typed, date):
    assert parse_date(typed) == date


@pytest.mark.parametrize("typed", ["2026-02-30", "31/04/2026", "2026-13-01", "03/31/2026", "yesterday", "", "2026/03/31"])
def test_impossible_or_unknown_dates_are_refused(typed):
    with pytest.raises(ValidationError) as exc:
        parse_date(typed, field="date")
    assert exc.value.field == "date"
