"""Phone numbers: parsed with the shop's country by phonenumbers, stored as E.164."""

from __future__ import annotations

import phonenumbers

from kiosk.domain.errors import ValidationError


def normalize_phone(text: str, country: str, *, field: str = "phone") -> str:
    """``0300-1234567``, ``+92 300 1234567`` and ``923001234567`` all become ``+923001234567``."""
    raw = (text or "").strip()
    if not raw:
        raise ValidationError(field, "is empty")
    candidates = [raw]
    # A number written with its country code but no plus (923001234567, as Excel keeps it).
    digits = "".join(ch for ch in raw if ch.isdigit())
    if not raw.startswith(("+", "0")) and digits == raw.replace(" ", "").replace("-", ""):
        candidates.append("+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, country)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise ValidationError(field, f"{raw!r} is not a valid phone number for {country}")


def search_forms(e164: str) -> list[str]:
    """What a cashier might type to find this number: ``+923001234567``, ``923001234567``, ``03001234567``."""
    number = phonenumbers.parse(e164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    national_digits = "".join(ch for ch in national if ch.isdigit())
    return [e164, e164.lstrip("+"), national_digits]


def mask_phone(e164: str) -> str:
    """``+923001234567`` -> ``+92300****567``: enough to recognise, not enough to call."""
    if len(e164) < 8:
        return "*" * len(e164)
    return e164[:-7] + "****" + e164[-3:]
