"""Customers: the fields a shop keeps and the rules each one must meet."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from kiosk.domain.cnic import normalize_cnic
from kiosk.domain.errors import ValidationError
from kiosk.domain.phone import normalize_phone


class Tier(enum.StrEnum):
    NEW = "New"
    REGULAR = "Regular"
    VIP = "VIP"


DEFAULT_GROUPS = ("Retail", "Wholesale", "Corporate", "Walk-in")

# Deliberately loose: one @, a dot in the domain, no spaces. Full RFC 5322 checking refuses real
# addresses more often than it catches typos.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

#: Field names in the order a form and a CSV show them.
FIELDS = (
    "name", "phone", "cnic", "email", "address", "business", "birth_date", "notes",
    "credit_limit", "tier", "group",
)


@dataclass(frozen=True, slots=True)
class CustomerData:
    """What a person types for a customer, checked. Money is minor units; phone is E.164."""

    name: str
    phone: str | None = None
    cnic: str | None = None
    email: str | None = None
    address: str = ""
    business: str = ""
    birth_date: dt.date | None = None
    notes: str = ""
    credit_limit: int | None = None
    tier: Tier = Tier.NEW
    group: str = "Retail"


@dataclass(frozen=True, slots=True)
class Customer(CustomerData):
    """A stored customer with what the books say about them."""

    id: int = 0
    created_at: dt.datetime | None = None
    archived: bool = False
    balance: int = 0
    points: int = 0


@dataclass(frozen=True, slots=True)
class CustomerFigures:
    """Derived from the books; points stay zero until loyalty exists."""

    total_spent: int
    purchases: int
    average_purchase: int
    first_purchase: dt.date | None
    last_purchase: dt.date | None
    balance: int
    points: int


def clean_name(text: str) -> str:
    name = " ".join((text or "").split())
    if not name:
        raise ValidationError("name", "is required")
    if len(name) > 200:
        raise ValidationError("name", "is longer than 200 characters")
    return name


def clean_email(text: str | None) -> str | None:
    raw = (text or "").strip()
    if not raw:
        return None
    if not _EMAIL.match(raw):
        raise ValidationError("email", f"{raw!r} is not an email address")
    return raw.lower()


def clean_tier(text: str | None) -> Tier:
    raw = (text or "").strip()
    if not raw:
        return Tier.NEW
    for tier in Tier:
        if tier.value.lower() == raw.lower():
            return tier
    raise ValidationError("tier", f"{raw!r} is not one of {', '.join(t.value for t in Tier)}")


def clean_group(text: str | None, groups: tuple[str, ...]) -> str:
    raw = " ".join((text or "").split())
    if not raw:
        return "Retail"
    for group in groups:
        if group.lower() == raw.lower():
            return group
    raise ValidationError("group", f"{raw!r} is not a group of this shop ({', '.join(groups)})")


def make_customer_data(
    *,
    country: str,
    groups: tuple[str, ...],
    name: str,
    phone: str | None = None,
    cnic: str | None = None,
    email: str | None = None,
    address: str | None = None,
    business: str | None = None,
    birth_date: dt.date | None = None,
    notes: str | None = None,
    credit_limit: int | None = None,
    tier: str | None = None,
    group: str | None = None,
) -> CustomerData:
    """Check every field and return the clean record, or raise naming the first bad field."""
    if credit_limit is not None and credit_limit < 0:
        raise ValidationError("credit_limit", "cannot be negative")
    if birth_date is not None and birth_date > dt.date.today():
        raise ValidationError("birth_date", f"{birth_date} is in the future")
    return CustomerData(
        name=clean_name(name),
        phone=normalize_phone(phone, country) if (phone or "").strip() else None,
        cnic=normalize_cnic(cnic) if (cnic or "").strip() else None,
        email=clean_email(email),
        address=(address or "").strip(),
        business=(business or "").strip(),
        birth_date=birth_date,
        notes=(notes or "").strip(),
        credit_limit=credit_limit,
        tier=clean_tier(tier),
        group=clean_group(group, groups),
    )


def search_text(data: CustomerData) -> str:
    """Everything a cashier may type to find this customer, casefolded, one string for the index.

    Phones go in every form people write them (+92…, 92…, 03…), CNICs with and without dashes.
    """
    from kiosk.domain.cnic import format_cnic
    from kiosk.domain.phone import search_forms

    parts = [data.name, data.business]
    if data.phone:
        parts.extend(search_forms(data.phone))
    if data.cnic:
        parts.extend([data.cnic, format_cnic(data.cnic)])
    if data.email:
        parts.append(data.email)
    return " | ".join(p for p in parts if p).casefold()


def search_query(text: str) -> str:
    """Normalise what was typed the way `search_text` was: casefold, and drop the spaces and dashes
    people put inside phone numbers and CNICs."""
    query = " ".join((text or "").split()).casefold()
    if query and all(ch.isdigit() or ch in " -+" for ch in query):
        query = query.replace(" ", "").replace("-", "")
    return query
