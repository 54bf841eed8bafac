"""Products: what a shop sells, the codes a cashier finds them by, and the rules each field must meet.

- SKU: the shop's own code, 1 to 32 ASCII letters, digits, ``-`` or ``_``. Unique without regard to
  case ("atta-10" and "ATTA-10" are one product); kept as first typed, compared by `sku_key`.
- Barcode (optional): digits only, spaces and dashes printed under the bars dropped. 8, 12 and 13
  digits are EAN-8, UPC-A and EAN-13 and must carry a valid GS1 check digit; any other length from 4
  to 32 digits is an in-store code. A UPC-A and its EAN-13 form (the same digits after a leading 0)
  are one GTIN: scanners send either, so `barcode_forms` gives both and `barcode_key` compares them.
- Name: any script (Urdu, Arabic, Devanagari…), spaces collapsed, NFC-normalised so the same word
  typed on two keyboards is one string for search.
- Price: integer minor units above zero, per item for ``each`` and per kg or litre for weighed units
  (sold to the gram or millilitre: the quantity maths lives with the basket, not here).
- Group prices (optional): a price per customer group of the shop (e.g. Wholesale), used instead of
  the unit price for a customer in that group.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kiosk.domain.customers import clean_name
from kiosk.domain.errors import ValidationError

SKU_MAX = 32
BARCODE_MIN, BARCODE_MAX = 4, 32
_SKU = re.compile(r"[A-Za-z0-9_-]+")
_GTIN_NAMES = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13"}


class Unit(enum.StrEnum):
    """How a product is counted: by the piece, or weighed/measured and priced per kg or litre."""

    EACH = "each"
    KG = "kg"
    LITRE = "litre"

    @property
    def weighed(self) -> bool:
        return self is not Unit.EACH


#: Other spellings a price list may use for a unit.
_UNIT_ALIASES = {"liter": Unit.LITRE}

#: Field names in the order a form and a CSV show them.
FIELDS = ("sku", "barcode", "name", "price", "unit", "group_prices", "active")


@dataclass(frozen=True, slots=True)
class ProductData:
    """What a person types for a product, checked. Prices are minor units; `group_prices` holds
    (group name, price) pairs in the shop's group order."""

    sku: str
    name: str
    price: int
    barcode: str | None = None
    unit: Unit = Unit.EACH
    group_prices: tuple[tuple[str, int], ...] = ()
    active: bool = True

    def price_for(self, group: str | None) -> int:
        """The price a customer of `group` pays per unit: the group's price, else the unit price."""
        if group:
            for name, price in self.group_prices:
                if name.lower() == group.lower():
                    return price
        return self.price


@dataclass(frozen=True, slots=True)
class Product(ProductData):
    """A stored product."""

    id: int = 0
    created_at: dt.datetime | None = None

    def data(self) -> ProductData:
        """The editable fields alone, to compare with a checked `ProductData`."""
        return ProductData(sku=self.sku, name=self.name, price=self.price, barcode=self.barcode, unit=self.unit,
                           group_prices=self.group_prices, active=self.active)


# --- SKU -----------------------------------------------------------------------------------------


def clean_sku(text: str | None) -> str:
    raw = (text or "").strip()
    if not raw:
        raise ValidationError("sku", "is required")
    if len(raw) > SKU_MAX:
        raise ValidationError("sku", f"{raw[:40]!r} is longer than {SKU_MAX} characters")
    if not _SKU.fullmatch(raw) or not raw.isascii():
        bad = next(ch for ch in raw if not (ch.isascii() and _SKU.fullmatch(ch)))
        raise ValidationError("sku", f"{raw!r} has {bad!r}; a SKU is letters A-Z, digits, '-' and '_'")
    return raw


def sku_key(sku: str) -> str:
    """What SKUs are compared by: ASCII lower case."""
    return sku.lower()


# --- Barcodes ------------------------------------------------------------------------------------


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for the digits before it (EAN-8, UPC-A, EAN-13 alike): weights 3
    and 1 alternate from the rightmost digit of the body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def clean_barcode(text: str | None) -> str | None:
    """A checked barcode, or None when nothing was typed."""
    raw = "".join((text or "").split()).replace("-", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise ValidationError("barcode", f"{raw[:40]!r} is not digits only")
    n = len(raw)
    if n in _GTIN_NAMES:
        expected = gs1_check_digit(raw[:-1])
        if int(raw[-1]) != expected:
            raise ValidationError("barcode", f"{raw} is not a valid {_GTIN_NAMES[n]}: the check digit should be "
                                             f"{expected}, not {raw[-1]}")
    elif not BARCODE_MIN <= n <= BARCODE_MAX:
        raise ValidationError("barcode", f"{raw[:40]} has {n} digits; expected an EAN-8, UPC-A (12) or EAN-13 "
                                         f"code, or an in-store code of {BARCODE_MIN} to {BARCODE_MAX} digits")
    return raw


def barcode_forms(code: str) -> tuple[str, ...]:
    """Every way a scanner may send this code: a UPC-A as itself or as EAN-13 with a leading 0."""
    if len(code) == 12:
        return (code, "0" + code)
    if len(code) == 13 and code.startswith("0"):
        return (code, code[1:])
    return (code,)


def barcode_key(code: str) -> str:
    """One string per GTIN: a UPC-A compares as its EAN-13 form."""
    return "0" + code if len(code) == 12 else code


# --- Other fields --------------------------------------------------------------------------------


def clean_product_name(text: str | None) -> str:
    return clean_name(unicodedata.normalize("NFC", text or ""))


def check_price(price: int, field: str = "price") -> int:
    if isinstance(price, bool) or not isinstance(price, int):
        raise ValidationError(field, f"{price!r} is not an amount in minor units")
    if price <= 0:
        raise ValidationError(field, "must be more than zero")
    return price


def clean_unit(text: str | Unit | None) -> Unit:
    raw = (text or "").strip().lower()
    if not raw:
        return Unit.EACH
    if raw in _UNIT_ALIASES:
        return _UNIT_ALIASES[raw]
    for unit in Unit:
        if unit.value == raw:
            return unit
    raise ValidationError("unit", f"{str(text).strip()!r} is not one of {', '.join(u.value for u in Unit)}")


_YES = ("yes", "y", "true", "1", "active")
_NO = ("no", "n", "false", "0", "inactive")


def clean_active(text: str, field: str = "active") -> bool:
    raw = (text or "").strip().lower()
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise ValidationError(field, f"{text.strip()!r} is not yes or no")


def clean_price_group(text: str | None, groups: tuple[str, ...], field: str = "group_price") -> str:
    """The shop's own spelling of a customer group named case-insensitively."""
    raw = " ".join((text or "").split())
    for group in groups:
        if group.lower() == raw.lower():
            return group
    raise ValidationError(field, f"{raw or '(empty)'!r} is not a customer group of this shop ({', '.join(groups)})")


def clean_group_prices(prices: Mapping[str, int] | Iterable[tuple[str, int]] | None,
                       groups: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """(group, price) pairs checked, in the shop's group order; a group named twice is refused."""
    pairs = list(prices.items()) if isinstance(prices, Mapping) else list(prices or ())
    clean: dict[str, int] = {}
    for name, price in pairs:
        group = clean_price_group(name, groups)
        if group in clean:
            raise ValidationError("group_price", f"{group} is given twice")
        check_price(price, "group_price")
        clean[group] = price
    return tuple((g, clean[g]) for g in groups if g in clean)


def merge_group_prices(current: Iterable[tuple[str, int]], changes: Mapping[str, int | None],
                       groups: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """`current` with the groups in `changes` set to a new price, or removed where it is None."""
    merged = dict(current)
    for name, price in changes.items():
        group = clean_price_group(name, groups)
        if price is None:
            merged.pop(group, None)
        else:
            merged[group] = price
    return clean_group_prices(merged, groups)


def make_product_data(
    *,
    groups: tuple[str, ...],
    sku: str,
    name: str,
    price: int,
    barcode: str | None = None,
    unit: str | Unit | None = None,
    group_prices: Mapping[str, int] | Iterable[tuple[str, int]] | None = None,
    active: bool = True,
) -> ProductData:
    """Check every field and return the clean record, or raise naming the first bad field."""
    return ProductData(
        sku=clean_sku(sku),
        name=clean_product_name(name),
        price=check_price(price),
        barcode=clean_barcode(barcode),
        unit=clean_unit(unit),
        group_prices=clean_group_prices(group_prices, groups),
        active=bool(active),
    )


# --- Search --------------------------------------------------------------------------------------


def search_text(data: ProductData) -> str:
    """Everything a cashier may type to find this product, casefolded, one string for the index."""
    return " | ".join(p for p in (data.sku, data.barcode, data.name) if p).casefold()


def search_query(text: str) -> str:
    """Normalise what was typed the way `search_text` was; the spaces printed inside a barcode go."""
    query = " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()
    if query and all(ch.isdigit() or ch == " " for ch in query):
        query = query.replace(" ", "")
    return query
