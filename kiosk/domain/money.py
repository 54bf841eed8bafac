"""Money as integer minor units (paisa, cents), parsed strictly and formatted by babel.

No float ever touches an amount: text is parsed digit by digit into an int, and Decimal is used only
at the edge to hand babel a value to format.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from kiosk.domain.errors import ValidationError

_AMOUNT = re.compile(r"^(?P<int>[0-9]{1,15})(?:\.(?P<frac>[0-9]+))?$")  # ASCII digits only


@lru_cache(maxsize=64)
def minor_digits(currency: str) -> int:
    """Digits after the point for an ISO 4217 currency (PKR 2, JPY 0, KWD 3), from CLDR via babel."""
    from babel.numbers import get_currency_precision

    return get_currency_precision(currency)


def is_known_currency(code: str) -> bool:
    from babel.numbers import list_currencies

    return code in list_currencies()


def parse_amount(text: str, currency: str, *, field: str = "amount", allow_zero: bool = False) -> int:
    """Parse a plain major-unit amount such as ``1250.50`` into minor units.

    Refuses everything a person might mistype: signs, exponents, currency symbols, thousands
    separators, several points, and more decimals than the currency has.
    """
    raw = (text or "").strip()
    if not raw:
        raise ValidationError(field, "is empty")
    match = _AMOUNT.match(raw)
    if match is None:
        raise ValidationError(field, f"{raw!r} is not an amount like 1250.50")
    digits = minor_digits(currency)
    frac = match.group("frac") or ""
    if len(frac) > digits:
        raise ValidationError(field, f"{raw!r} has more than {digits} decimal digits for {currency}")
    minor = int(match.group("int")) * 10**digits + int(frac.ljust(digits, "0") or "0")
    if minor == 0 and not allow_zero:
        raise ValidationError(field, "must be more than zero")
    return minor


def to_decimal_string(minor: int, currency: str) -> str:
    """Exact major-unit string with the currency's minor digits: 125050 PKR -> ``1250.50``."""
    digits = minor_digits(currency)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}" if digits else f"{sign}{whole}"


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-minor_digits(currency))


def format_money(minor: int, currency: str, locale: str = "en") -> str:
    """For people: ``Rs1,250.50`` in en_PK, ``Rp1.250,00`` in id_ID."""
    from babel.numbers import format_currency

    return format_currency(to_decimal(minor, currency), currency, locale=locale)
