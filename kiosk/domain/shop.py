"""The shop's settings as the rules see them: country, currency, locale, mobile-money names, groups."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain.errors import ValidationError
from kiosk.domain.money import formatter, is_known_currency, to_decimal_string

#: A sensible display locale per country; any babel locale can be set instead.
DEFAULT_LOCALES = {"PK": "en_PK", "KE": "en_KE", "GH": "en_GH", "ID": "id_ID", "IN": "en_IN", "NG": "en_NG"}

#: Mobile-money services a new shop in each country starts with; the shop edits the list.
DEFAULT_MOBILE_MONEY = {
    "PK": ("JazzCash", "EasyPaisa"),
    "KE": ("M-Pesa", "Airtel Money"),
    "GH": ("MTN MoMo", "Telecel Cash", "AirtelTigo Money"),
    "ID": ("GoPay", "OVO", "DANA"),
}


@dataclass(frozen=True, slots=True)
class ShopSettings:
    name: str
    country: str
    currency: str
    locale: str
    mobile_money: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    demo: bool = False

    def money(self, minor: int) -> str:
        """For people, in the shop's locale: ``Rs1,250.50`` (babel's answer, kiosk.domain.money.formatter)."""
        return formatter(self.currency, self.locale)(minor)

    def decimal(self, minor: int) -> str:
        """For files and JSON: ``1250.50``."""
        return to_decimal_string(minor, self.currency)

    @property
    def payment_methods(self) -> tuple[str, ...]:
        from kiosk.domain.khata import BASE_METHODS

        return BASE_METHODS + self.mobile_money


def check_country(code: str) -> str:
    import phonenumbers

    code = (code or "").strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError("country", f"{code or '(empty)'!r} is not a two-letter country code like PK, KE, GH, ID")
    return code


def check_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if not is_known_currency(code):
        raise ValidationError("currency", f"{code or '(empty)'!r} is not an ISO 4217 currency code like PKR, KES, GHS, IDR")
    return code


def check_payment_method(method: str, shop: ShopSettings) -> str:
    raw = " ".join((method or "").split())
    for known in shop.payment_methods:
        if known.lower() == raw.lower():
            return known
    raise ValidationError("method", f"{raw or '(empty)'!r} is not one of {', '.join(shop.payment_methods)}")
