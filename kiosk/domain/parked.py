"""A parked basket: a sale put aside to finish later ("I forgot the eggs"), kept as JSON in the database.

The basket is kept as it was asked for, not as priced lines: codes and quantities as typed, so a recalled
basket is sold at the prices and the customer's group on the day it is sold, exactly as a fresh one.
`to_json` writes one canonical form (sorted keys, no spaces) and `from_json` reads only that shape and
refuses anything else with the field's path ("items[2].quantity: ..."), so a payload never half-loads.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from kiosk.domain.basket import Discount, parse_quantity
from kiosk.domain.errors import ValidationError
from kiosk.domain.products import Unit

#: Bumped when the payload's shape changes; an unknown version is refused, never guessed at.
PAYLOAD_VERSION = 1


def _check_quantity(text: object, unit: Unit) -> None:
    if not isinstance(text, str):
        raise ValidationError("quantity", "must be text like 2 or 0.250")
    # The product's unit is not known here: a weighed unit lets any well-formed quantity through,
    # and the sale checks whole pieces against the real unit.
    parse_quantity(text, unit)


@dataclass(frozen=True, slots=True)
class ParkedItem:
    """A product by barcode or SKU, the quantity as typed, and its own discount."""

    code: str
    quantity: str = "1"
    discount: Discount = Discount()

    def __post_init__(self):
        if not isinstance(self.code, str) or not self.code.strip():
            raise ValidationError("code", "needs a barcode or SKU")
        _check_quantity(self.quantity, Unit.KG)
        if not isinstance(self.discount, Discount):
            raise ValidationError("discount", "must be a Discount")


@dataclass(frozen=True, slots=True)
class ParkedOpenItem:
    """Goods with no code: a typed description and a price in minor units."""

    description: str
    price: int
    quantity: str = "1"

    def __post_init__(self):
        if not isinstance(self.description, str) or not self.description.strip():
            raise ValidationError("description", "is empty")
        if not _is_int(self.price) or self.price <= 0:
            raise ValidationError("price", "must be a whole number of minor units above zero")
        _check_quantity(self.quantity, Unit.EACH)  # as sell() reads an open item's quantity


@dataclass(frozen=True, slots=True)
class ParkedBasket:
    items: tuple[ParkedItem, ...] = ()
    open_items: tuple[ParkedOpenItem, ...] = ()
    customer_id: int | None = None
    basket_discount: Discount = Discount()
    redeem: int = 0  # points

    def __post_init__(self):
        # Lists are accepted for convenience and kept as tuples, so the basket stays immutable.
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "open_items", tuple(self.open_items))
        if not all(isinstance(i, ParkedItem) for i in self.items):
            raise ValidationError("items", "must be ParkedItem values")
        if not all(isinstance(i, ParkedOpenItem) for i in self.open_items):
            raise ValidationError("open_items", "must be ParkedOpenItem values")
        if not self.items and not self.open_items:
            raise ValidationError("items", "the basket is empty: nothing to park")
        if self.customer_id is not None and (not _is_int(self.customer_id) or self.customer_id <= 0):
            raise ValidationError("customer_id", "must be a customer id (a whole number above zero) or null")
        if not isinstance(self.basket_discount, Discount):
            raise ValidationError("basket_discount", "must be a Discount")
        if not _is_int(self.redeem) or self.redeem < 0:
            raise ValidationError("redeem", "must be a whole number of points, 0 or more")

    @property
    def line_count(self) -> int:
        return len(self.items) + len(self.open_items)

    def to_json(self) -> str:
        return json.dumps({
            "v": PAYLOAD_VERSION,
            "items": [{"code": i.code, "quantity": i.quantity, "discount": _discount_json(i.discount)}
                      for i in self.items],
            "open_items": [{"description": o.description, "price": o.price, "quantity": o.quantity}
                           for o in self.open_items],
            "customer_id": self.customer_id,
            "basket_discount": _discount_json(self.basket_discount),
            "redeem": self.redeem,
        }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ParkedBasket:
        """The basket `to_json` wrote; anything else raises ValidationError naming the field's path."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise ValidationError("payload", f"is not JSON ({exc})") from None
        obj = _object(data, "payload", {"v", "items", "open_items", "customer_id", "basket_discount", "redeem"})
        if not _is_int(obj["v"]) or obj["v"] != PAYLOAD_VERSION:
            raise ValidationError("v", f"{obj['v']!r} is not a parked basket version this till reads")
        items = tuple(_item(value, f"items[{n}]") for n, value in enumerate(_list(obj, "items")))
        extras = tuple(_open_item(value, f"open_items[{n}]") for n, value in enumerate(_list(obj, "open_items")))
        return cls(items=items, open_items=extras, customer_id=obj["customer_id"],
                   basket_discount=_discount(obj["basket_discount"], "basket_discount"), redeem=obj["redeem"])


@dataclass(frozen=True, slots=True)
class ParkedRecord:
    """One parked basket as a list shows it."""

    id: str
    created_at: dt.datetime
    till: str
    user: str | None
    customer_id: int | None
    customer_name: str | None
    customer_phone: str | None
    items: int | None  # lines in the basket; None when its payload cannot be read (recall says why)
    note: str


# --- Reading the payload --------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is not 1 point


def _discount_json(d: Discount) -> dict:
    return {"percent_bp": d.percent_bp, "amount": d.amount}


def _object(value: object, path: str, keys: set[str]) -> dict:
    if not isinstance(value, dict):
        raise ValidationError(path, "must be a JSON object")
    missing, unknown = keys - value.keys(), value.keys() - keys
    if missing:
        raise ValidationError(f"{path}.{sorted(missing)[0]}" if path != "payload" else sorted(missing)[0], "is missing")
    if unknown:
        raise ValidationError(path, f"has unknown field(s) {', '.join(sorted(unknown))}")
    return value


def _list(obj: dict, key: str) -> list:
    if not isinstance(obj[key], list):
        raise ValidationError(key, "must be a list")
    return obj[key]


def _int(obj: dict, key: str, path: str) -> int:
    if not _is_int(obj[key]):
        raise ValidationError(f"{path}.{key}", f"{obj[key]!r} is not a whole number")
    return obj[key]


def _discount(value: object, path: str) -> Discount:
    obj = _object(value, path, {"percent_bp", "amount"})
    percent_bp, amount = _int(obj, "percent_bp", path), _int(obj, "amount", path)
    try:
        return Discount(percent_bp=percent_bp, amount=amount)
    except ValidationError as exc:
        raise ValidationError(path, exc.reason) from None


def _built(cls, path: str, **fields):
    """Construct a line, naming the bad field by its path in the payload."""
    try:
        return cls(**fields)
    except ValidationError as exc:
        raise ValidationError(f"{path}.{exc.field}", exc.reason) from None


def _item(value: object, path: str) -> ParkedItem:
    obj = _object(value, path, {"code", "quantity", "discount"})
    return _built(ParkedItem, path, code=obj["code"], quantity=obj["quantity"],
                  discount=_discount(obj["discount"], f"{path}.discount"))


def _open_item(value: object, path: str) -> ParkedOpenItem:
    obj = _object(value, path, {"description", "price", "quantity"})
    return _built(ParkedOpenItem, path, description=obj["description"], price=obj["price"], quantity=obj["quantity"])
