"""The catalogue: add, edit, activate and find products, and the price a customer group pays.

Changing the catalogue (prices included) is for an owner or a manager; anyone may look products up.
Each change is one transaction with an audit row; a price change records the old and new price.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from peewee import IntegrityError

from kiosk.domain.errors import KioskError, NotFound, ValidationError
from kiosk.domain.products import (
    Product,
    ProductData,
    clean_price_group,
    make_product_data,
    merge_group_prices,
)
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.store import products as store
from kiosk.store.db import write_transaction
from kiosk.store.products import PricedProduct
from kiosk.store.shop import audit

def require_catalogue_role(ctx: Context) -> None:
    require(ctx, Permission.EDIT_CATALOGUE)


def validate(ctx: Context, **fields) -> ProductData:
    """Check fields as typed (prices already in minor units)."""
    return make_product_data(groups=ctx.shop.groups, **fields)


def _refuse_duplicates(data: ProductData, own_id: int | None = None) -> None:
    other = store.by_sku(data.sku)
    if other is not None and other.id != own_id:
        same = "" if other.sku == data.sku else f" (as {other.sku}: SKUs ignore case)"
        raise ValidationError("sku", f"{data.sku} is already the SKU of {other.name}{same}")
    if data.barcode:
        other = store.by_barcode(data.barcode)
        if other is not None and other.id != own_id:
            raise ValidationError("barcode", f"{data.barcode} already belongs to {other.sku} ({other.name})")


def _taken(data: ProductData) -> ValidationError:
    """Another till took the SKU or barcode between our check and our write."""
    return ValidationError("sku", f"{data.sku}" + (f" or barcode {data.barcode}" if data.barcode else "")
                           + " was just taken by another product; nothing was saved")


def add(ctx: Context, *, sku: str, name: str, price: int, barcode: str | None = None, unit: str | None = None,
        group_prices: Mapping[str, int] | None = None, active: bool = True) -> Product:
    require_catalogue_role(ctx)
    data = validate(ctx, sku=sku, name=name, price=price, barcode=barcode, unit=unit, group_prices=group_prices,
                    active=active)
    with write_transaction(ctx.db):
        _refuse_duplicates(data)
        try:
            product_id = store.insert(data)
        except IntegrityError:
            raise _taken(data) from None
        audit("product.add", f"product:{product_id}", user=ctx.user, till=ctx.till, sku=data.sku, name=data.name,
              price=data.price, group_prices=dict(data.group_prices))
    return store.get(product_id)


def edit(ctx: Context, product_id: int, *, group_prices: Mapping[str, int | None] | None = None,
         **changes) -> Product:
    """Change some fields; the others keep their values, and every field is checked again.

    `group_prices` changes only the groups it names: a price sets that group's price, None removes it.
    """
    require_catalogue_role(ctx)
    current = store.get(product_id)
    fields = {f.name: getattr(current, f.name) for f in dataclasses.fields(ProductData)}
    unknown = set(changes) - set(fields)
    if unknown:
        raise KioskError(f"unknown product field(s): {', '.join(sorted(unknown))}")
    fields.update(changes)
    if group_prices:
        fields["group_prices"] = merge_group_prices(current.group_prices, group_prices, ctx.shop.groups)
    data = validate(ctx, **fields)
    before = current.data()
    changed = sorted(f.name for f in dataclasses.fields(ProductData)
                     if getattr(data, f.name) != getattr(before, f.name))
    if not changed:
        return current
    with write_transaction(ctx.db):
        _refuse_duplicates(data, own_id=product_id)
        try:
            store.update(product_id, data)
        except IntegrityError:
            raise _taken(data) from None
        detail: dict = {"fields": changed}
        if data.price != before.price:
            detail["price"] = [before.price, data.price]
        if data.group_prices != before.group_prices:
            detail["group_prices"] = [dict(before.group_prices), dict(data.group_prices)]
        audit("product.edit", f"product:{product_id}", user=ctx.user, till=ctx.till, sku=data.sku, **detail)
    return store.get(product_id)


def set_active(ctx: Context, product_id: int, active: bool = True) -> Product:
    """Deactivate a product the shop no longer sells (it stays in the books and can come back)."""
    require_catalogue_role(ctx)
    product = store.get(product_id)
    if product.active == active:
        return product
    with write_transaction(ctx.db):
        store.set_active(product_id, active)
        audit("product.activate" if active else "product.deactivate", f"product:{product_id}", user=ctx.user,
              till=ctx.till, sku=product.sku)
    return store.get(product_id)


def get(ctx: Context, product_id: int) -> Product:
    return store.get(product_id)


def by_sku(ctx: Context, sku: str) -> Product:
    product = store.by_sku(sku or "")
    if product is None:
        raise NotFound(f"no product has SKU {(sku or '').strip()!r}")
    return product


def not_found(code: str) -> NotFound:
    """The refusal for a code no product has."""
    return NotFound(f"no product has the barcode or SKU {(code or '').strip()!r}")


def lookup(ctx: Context, code: str) -> Product:
    """The product a scanned barcode or a typed SKU names (barcode first), active or not."""
    product = store.lookup(code)
    if product is None:
        raise not_found(code)
    return product


def lookup_priced(ctx: Context, codes: Sequence[str], group: str | None) -> list[PricedProduct | None]:
    """For a basket: each code's product as `lookup` finds it, with the unit price a customer of `group`
    pays (`price_for_customer_group`), or None where no product has the code (`not_found` says so).
    One query for the basket. A group the shop does not have is refused as there."""
    name = clean_price_group(group, ctx.shop.groups, field="group") if group and codes else None
    return store.lookup_priced(codes, name)


def search(ctx: Context, text: str, *, limit: int = 20, include_inactive: bool = False) -> list[Product]:
    return store.search(text, limit=limit, include_inactive=include_inactive)


def price_for_customer_group(ctx: Context, product_id: int, group: str | None) -> int:
    """What a customer of `group` pays per unit (per kg or litre when weighed), in minor units."""
    name = clean_price_group(group, ctx.shop.groups, field="group") if group else None
    return store.price_for(product_id, name)

