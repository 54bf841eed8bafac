"""`kiosk product …`: add, edit, show, search, deactivate and activate products."""

from __future__ import annotations

import json

from kiosk.cli.common import opened_shop, table
from kiosk.domain.errors import ValidationError
from kiosk.domain.money import parse_amount

_UNITS = "each (the default), kg or litre; a weighed product's price is per kg or litre"


def register(commands) -> None:
    product = commands.add_parser("product", help="add, edit, show, find, deactivate products")
    sub = product.add_subparsers(dest="action", metavar="ACTION", required=True)

    for action in ("add", "edit"):
        adding = action == "add"
        p = sub.add_parser(action, help="add a product" if adding else "change a product's fields",
                           description=None if adding else "Fields not given keep their values.")
        if not adding:
            p.add_argument("code", metavar="SKU", help="the product's SKU (any case)")
        p.add_argument("--sku", required=adding, help="letters, digits, - and _, up to 32; unique in any case"
                       + ("" if adding else " (renames the SKU)"))
        p.add_argument("--name", required=adding, help="any script, e.g. چینی 1 کلو")
        p.add_argument("--price", required=adding, metavar="AMOUNT", help="major units, e.g. 250.00")
        p.add_argument("--barcode", help="EAN-13, EAN-8, UPC-A (check digit verified) or an in-store code of 4-32 "
                       "digits" + ("" if adding else "; 'none' removes it"))
        p.add_argument("--unit", help=_UNITS)
        p.add_argument("--group-price", action="append", default=[], metavar="GROUP=PRICE",
                       help="the price for a customer group, e.g. Wholesale=230.00; repeat for more groups"
                       + ("" if adding else "; GROUP=none removes it"))
        p.set_defaults(func=cmd_add if adding else cmd_edit)

    p = sub.add_parser("show", help="a product's details, found by barcode or SKU")
    p.add_argument("code", metavar="SKU-OR-BARCODE")
    p.add_argument("--json", action="store_true", help="machine-readable (prices as exact decimal strings)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("search", help="find by any part of name, SKU or barcode")
    p.add_argument("query")
    p.add_argument("--inactive", action="store_true", help="include deactivated products")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_search)

    for action, text in (("deactivate", "stop selling a product; it stays in the books"),
                         ("activate", "sell a deactivated product again")):
        p = sub.add_parser(action, help=text)
        p.add_argument("code", metavar="SKU")
        p.set_defaults(func=cmd_set_active)


def _group_prices(args, currency: str) -> dict[str, int | None]:
    prices: dict[str, int | None] = {}
    for given in args.group_price:
        group, sep, amount = given.partition("=")
        group = group.strip()
        if not sep or not group:
            raise ValidationError("group-price", f"{given!r} is not GROUP=PRICE, e.g. Wholesale=230.00")
        if amount.strip().lower() in ("", "none"):
            prices[group] = None
        else:
            prices[group] = parse_amount(amount, currency, field=f"group-price {group}")
    return prices


def _fields(args, ctx) -> dict:
    fields = {k: getattr(args, k) for k in ("sku", "name", "unit") if getattr(args, k) is not None}
    if args.price is not None:
        fields["price"] = parse_amount(args.price, ctx.shop.currency, field="price")
    if args.barcode is not None:
        fields["barcode"] = None if args.barcode.strip().lower() in ("", "none") else args.barcode
    return fields


def _per(product) -> str:
    return "" if product.unit.value == "each" else f" per {product.unit.value}"


def cmd_add(args) -> int:
    from kiosk.services import products

    with opened_shop(args) as ctx:
        prices = _group_prices(args, ctx.shop.currency)
        unset = [g for g, price in prices.items() if price is None]
        if unset:
            raise ValidationError("group-price", f"{unset[0]} has no price; give it as {unset[0]}=230.00")
        p = products.add(ctx, **_fields(args, ctx), group_prices=prices)
        print(f"Added product {p.sku}: {p.name}, {ctx.shop.money(p.price)}{_per(p)}")
    return 0


def cmd_edit(args) -> int:
    from kiosk.services import products

    with opened_shop(args) as ctx:
        current = products.by_sku(ctx, args.code)
        p = products.edit(ctx, current.id, **_fields(args, ctx), group_prices=_group_prices(args, ctx.shop.currency))
        print(f"Saved product {p.sku}: {p.name}, {ctx.shop.money(p.price)}{_per(p)}"
              + ("" if p != current else " (nothing changed)"))
    return 0


def product_json(ctx, p) -> dict:
    """Every field; prices as exact decimal strings in the shop's currency."""
    return {
        "id": p.id, "sku": p.sku, "barcode": p.barcode, "name": p.name, "price": ctx.shop.decimal(p.price),
        "unit": p.unit.value, "active": p.active,
        "group_prices": {group: ctx.shop.decimal(price) for group, price in p.group_prices},
        "created_at": p.created_at.isoformat(sep=" ") if p.created_at else None,
    }


def cmd_show(args) -> int:
    from kiosk.services import products

    with opened_shop(args) as ctx:
        p = products.lookup(ctx, args.code)
        if args.json:
            print(json.dumps(product_json(ctx, p), ensure_ascii=False, indent=2))
            return 0
        money = ctx.shop.money
        facts = [("sku", p.sku), ("barcode", p.barcode or "none"), ("name", p.name),
                 ("price", money(p.price) + _per(p)),
                 ("unit", p.unit.value + (" (sold by weight or volume)" if p.unit.weighed else ""))]
        facts += [(f"price {group}", money(price) + _per(p)) for group, price in p.group_prices]
        facts += [("active", "yes" if p.active else "no"),
                  ("created", f"{p.created_at:%Y-%m-%d}" if p.created_at else "")]
        width = max(len(label) for label, _ in facts)
        print(f"Product {p.id}")
        for label, value in facts:
            print(f"  {label:<{width}}  {value}")
    return 0


def cmd_search(args) -> int:
    from kiosk.services import products

    with opened_shop(args) as ctx:
        found = products.search(ctx, args.query, limit=args.limit, include_inactive=args.inactive)
        rows = [[p.sku, p.barcode or "", p.name, ctx.shop.money(p.price), p.unit.value,
                 "" if p.active else "inactive"] for p in found]
        print(table(["sku", "barcode", "name", "price", "unit", ""], rows, right={3}))
    return 0


def cmd_set_active(args) -> int:
    from kiosk.services import products

    active = args.action == "activate"
    with opened_shop(args) as ctx:
        p = products.set_active(ctx, products.by_sku(ctx, args.code).id, active)
        print(f"Product {p.sku} ({p.name}) {'activated' if active else 'deactivated'}")
    return 0
