"""`kiosk park`, `kiosk parked`, `kiosk recall`, `kiosk unpark`: put a basket aside and take it back.

The basket is typed as for `kiosk sell` (the same --item, --open, --customer and --discount parsing);
`recall` prints it with the `kiosk sell` line that finishes it, and removes it from the parked list.
"""

from __future__ import annotations

import json
import shlex

from kiosk.cli.common import opened_shop, table
from kiosk.cli.sale_cmds import _item, _open_item  # the parsing `kiosk sell` does, shared on purpose
from kiosk.domain.errors import KioskError


def register(commands) -> None:
    p = commands.add_parser("park", help="put a basket aside under its sale id, to finish later",
                            description="Park a basket. Parking the same id again replaces the basket.")
    p.add_argument("sale_id", metavar="ID", help="the sale id made when the basket opened")
    p.add_argument("--item", action="append", default=[], metavar="CODE[xQTY]",
                   help="a product by barcode or SKU, e.g. ATTA-20 or ATTA-20x2 or TOMATOx0.250 (repeatable)")
    p.add_argument("--open", action="append", default=[], metavar="DESCRIPTION=PRICE",
                   help='an item with no code, e.g. "loose sugar=150" (repeatable)')
    p.add_argument("--customer", metavar="PHONE", help="the customer with this phone (any format)")
    p.add_argument("--discount", metavar="PCT", help="a discount on the whole basket, in percent")
    p.add_argument("--redeem", type=int, default=0, metavar="POINTS", help="points to redeem off the bill")
    p.add_argument("--note", default="", help="a word for whoever recalls it")
    p.add_argument("--json", action="store_true", help="machine-readable result")
    p.set_defaults(func=cmd_park)

    p = commands.add_parser("parked", help="list parked baskets, newest first")
    p.add_argument("--till", help="only this till's")
    p.add_argument("--json", action="store_true", help="machine-readable result")
    p.set_defaults(func=cmd_parked)

    p = commands.add_parser("recall", help="take a parked basket back (prints it and removes it from the list)")
    p.add_argument("sale_id", metavar="ID")
    p.add_argument("--json", action="store_true", help="machine-readable result")
    p.set_defaults(func=cmd_recall)

    p = commands.add_parser("unpark", help="throw a parked basket away")
    p.add_argument("sale_id", metavar="ID")
    p.set_defaults(func=cmd_unpark)


def cmd_park(args) -> int:
    from kiosk.domain.basket import Discount, parse_percent
    from kiosk.services import customers, parking

    with opened_shop(args) as ctx:
        customer_id = None
        if args.customer:
            found = customers.find_by_phone(ctx, args.customer)
            if found is None:
                raise KioskError(f"customer: no customer has phone {args.customer} "
                                 f"(add them with `kiosk customer add`)")
            customer_id = found.id
        basket = parking.basket(
            items=[_item(i, ctx) for i in args.item], open_items=[_open_item(o, ctx) for o in args.open],
            customer_id=customer_id, redeem=args.redeem,
            basket_discount=Discount(percent_bp=parse_percent(args.discount)) if args.discount else Discount())
        record = parking.park(ctx, args.sale_id, basket, note=args.note)
        if args.json:
            print(json.dumps({**_record_json(record), "basket": _basket_json(ctx, basket)}, ensure_ascii=False))
        else:
            who = f" for {record.customer_name}" if record.customer_name else ""
            note = f" ({record.note})" if record.note else ""
            print(f"Parked sale {record.id}{who}: {_lines(record.items)}{note}")
    return 0


def cmd_parked(args) -> int:
    from kiosk.services import parking

    with opened_shop(args) as ctx:
        records = parking.list_parked(ctx, till=args.till)
        if args.json:
            print(json.dumps([_record_json(r) for r in records], ensure_ascii=False))
            return 0
        if not records:
            print("Nothing is parked.")
            return 0
        rows = [[r.id, f"{r.created_at:%Y-%m-%d %H:%M}", r.till, r.user or "",
                 " ".join(x for x in (r.customer_name, r.customer_phone) if x),
                 "?" if r.items is None else str(r.items), r.note] for r in records]
        print(table(["id", "parked", "till", "by", "customer", "lines", "note"], rows, right={5}))
    return 0


def cmd_recall(args) -> int:
    from kiosk.services import parking

    with opened_shop(args) as ctx:
        basket = parking.recall(ctx, args.sale_id)
        if args.json:
            print(json.dumps({"id": args.sale_id.strip(), "basket": _basket_json(ctx, basket)}, ensure_ascii=False))
            return 0
        money = ctx.shop.money
        print(f"Recalled sale {args.sale_id.strip()}")
        for i in basket.items:
            print(f"  {i.code:<30} {i.quantity:>8}" + _discount_text(ctx, i.discount))
        for o in basket.open_items:
            print(f"  {o.description:<30} {o.quantity:>8} x {money(o.price)}")
        if basket.customer_id is not None:
            from kiosk.services import customers

            c = customers.get(ctx, basket.customer_id)
            print(f"  customer {c.id}: {c.name}" + (f" {c.phone}" if c.phone else ""))
        if basket.basket_discount.percent_bp or basket.basket_discount.amount:
            print(f"  basket discount{_discount_text(ctx, basket.basket_discount)}")
        if basket.redeem:
            print(f"  redeem {basket.redeem} points")
        hint = _sell_line(ctx, args.sale_id.strip(), basket)
        if hint:
            print(f"Finish it with: {hint}")
    return 0


def cmd_unpark(args) -> int:
    from kiosk.services import parking

    with opened_shop(args) as ctx:
        parking.drop(ctx, args.sale_id)
        print(f"Dropped parked sale {args.sale_id.strip()}")
    return 0


def _lines(n: int | None) -> str:
    return "unreadable basket" if n is None else f"{n} line{'' if n == 1 else 's'}"


def _record_json(r) -> dict:
    return {"id": r.id, "created_at": r.created_at.isoformat(sep=" ", timespec="seconds"), "till": r.till,
            "user": r.user, "customer": None if r.customer_id is None else
            {"id": r.customer_id, "name": r.customer_name, "phone": r.customer_phone},
            "items": r.items, "note": r.note}


def _discount_json(ctx, d) -> dict | None:
    if d.percent_bp:
        return {"percent": f"{d.percent_bp // 100}.{d.percent_bp % 100:02d}"}
    return {"amount": ctx.shop.decimal(d.amount)} if d.amount else None


def _discount_text(ctx, d) -> str:
    found = _discount_json(ctx, d)
    if found is None:
        return ""
    return f" less {found['percent']}%" if "percent" in found else f" less {ctx.shop.money(d.amount)}"


def _basket_json(ctx, b) -> dict:
    """Amounts as exact decimal strings, as `kiosk sell --json` gives them."""
    return {
        "items": [{"code": i.code, "quantity": i.quantity, "discount": _discount_json(ctx, i.discount)}
                  for i in b.items],
        "open_items": [{"description": o.description, "price": ctx.shop.decimal(o.price), "quantity": o.quantity}
                       for o in b.open_items],
        "customer_id": b.customer_id, "basket_discount": _discount_json(ctx, b.basket_discount), "redeem": b.redeem,
    }


def _sell_line(ctx, sale_id: str, b) -> str | None:
    """The `kiosk sell` command that books this basket, or None when it holds what that command cannot
    say (a line discount, an open item with a quantity, an amount off the basket)."""
    from kiosk.services import customers

    if any(i.discount.percent_bp or i.discount.amount for i in b.items) or b.basket_discount.amount \
            or any(o.quantity != "1" for o in b.open_items):
        return None
    words = ["kiosk", "sell", "--id", sale_id]
    if b.customer_id is not None:
        phone = customers.get(ctx, b.customer_id).phone
        if phone is None:
            return None
        words += ["--customer", phone]
    for i in b.items:
        words += ["--item", i.code if i.quantity == "1" else f"{i.code}x{i.quantity}"]
    for o in b.open_items:
        words += ["--open", f"{o.description}={ctx.shop.decimal(o.price)}"]
    if b.basket_discount.percent_bp:
        words += ["--discount", _discount_json(ctx, b.basket_discount)["percent"]]
    if b.redeem:
        words += ["--redeem", str(b.redeem)]
    return shlex.join(words + ["--pay", "cash"])
