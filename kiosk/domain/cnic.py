"""Pakistan's CNIC: 13 digits, shown 12345-1234567-1."""

from __future__ import annotations

import re

from kiosk.domain.errors import ValidationError

_CNIC = re.compile(r"^\d{5}-?\d{7}-?\d$", re.ASCII)


def normalize_cnic(text: str, *, field: str = "cnic") -> str:
    """Accepts ``3520212345671`` or ``35202-1234567-1``; stores the 13 digits."""
    raw = (text or "").strip()
    if not _CNIC.match(raw):
        raise ValidationError(field, f"{raw!r} is not a CNIC: 13 digits like 35202-1234567-1")
    digits = raw.replace("-", "")
    # The first digit is a province code, 1 to 7; 0, 8 and 9 are never issued.
    if digits[0] not in "1234567":
        raise ValidationError(field, f"{raw!r} is not a CNIC: the first digit must be 1 to 7")
    return digits


def format_cnic(digits: str) -> str:
    return f"{digits[:5]}-{digits[5:12]}-{digits[12]}"


def mask_cnic(digits: str) -> str:
    """``35202-*******-1``: the district and the gender digit, not the person."""
    return f"{digits[:5]}-*******-{digits[12]}"
