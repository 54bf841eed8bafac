"""`kiosk sell`: a whole sale from the command line, for scripts and for testing the engine."""

from __future__ import annotations

import json
import os
import re

from kiosk.cli.common import new_key, opened_shop, send_print_jobs
from kiosk.domain.errors import KioskError, NotFound, ValidationError

_QTY_SUFFIX = re.compile(r"^(?P<code>.+?)[x*](?P<qty>[0-9]+(?:\.[0-9]+)?)$")


def register(commands) -> None:
    p = commands.add_parser(
        "sell", help="book a sale: items, open items, discount, points, tenders",
        description="Book a sale in one transaction. A tender without an amount takes what is left to pay. "
        "A refused sale (credit limit, too few points, tenders that do not cover the total) books nothing.")
    p.add_argument("--customer", metavar="PHONE", help="attach the customer with this phone (any format)")
    p.add_argument("--name", help="with --customer: add the customer on the spot when the phone is new")
    p.add_argument("--item", action="append", default=[], metavar="CODE[xQTY]",
                   help="a product by barcode or SKU, e.g. ATTA-20 or ATTA-20x2 or TOMATOx0.250 (repeatable)")
    p.add_argument("--open", action="append", default=[], metavar="DESCRIPTION=PRICE",
                   help='an item with no code, e.g. "loose sugar=150" (repeatable)')
    p.add_argument("--discount", metavar="PCT", help="a discount on the whole basket, in percent")
    p.add_argument("--redeem", type=int, default=0, metavar="POINTS", help="points to redeem off the bill")
    p.add_argument("--pay", action="append", default=[], required=True, metavar="METHOD[=AMOUNT]",
                   help="cash, card, mobile (or the service's name, e.g. JazzCash), khata or store-credit; "
                   "without an amount it takes what is left (repeatable)")
    p.add_argument("--manager-pin", metavar="PIN",
                   help="a manager's or owner's PIN approving a big discount or credit above the limit "
                   "(or $KIOSK_MANAGER_PIN)")
    p.add_argument("--id", dest="sale_id", metavar="KEY", help="the sale's idempotency key (default: a new one)")
    p.add_argument("--date", metavar="DATE", help="the sale's date (default: today)")
    p.add_argument("--json", action="store_true", help="machine-readable result")
    p.add_argument("--no-print", action="store_true",
                   help="queue the receipt without sending it now (`kiosk printer send` or the till sends it)")
    p.set_defaults(func=cmd_sell)


def _tender(text: str, ctx):
    from kiosk.domain.money import parse_amount
    from kiosk.domain.tenders import Method, TenderRequest

    method, _, amount = text.partition("=")
    method = method.strip()
    value = parse_amount(amount, ctx.shop.currency, field=f"pay {method}") if amount.strip() else None
    for m in Method:
        if m.value == method.lower():
            return TenderRequest(m, value)
    for service in ctx.shop.mobile_money:
        if service.lower() == method.lower():
            return TenderRequest(Method.MOBILE, value, service)
    choices = ", ".join([m.value for m in Method] + list(ctx.shop.mobile_money))
    raise ValidationError("pay", f"{method!r} is not one of {choices}")


def _item(text: str, ctx):
    from kiosk.services import products
    from kiosk.services.sales import ItemRequest

    try:  # a code that itself ends in x and digits ("BOX10") wins over a quantity suffix
        products.lookup(ctx, text)
        return ItemRequest(text)
    except NotFound:
        match = _QTY_SUFFIX.match(text.strip())
        if match is None:
            raise
        return ItemRequest(match.group("code"), match.group("qty"))


def _open_item(text: str, ctx):
    from kiosk.domain.money import parse_amount
    from kiosk.services.sales import OpenItemRequest

    description, sep, price = text.rpartition("=")
    if not sep:
        raise ValidationError("open", f"{text!r} is not DESCRIPTION=PRICE")
    return OpenItemRequest(description, parse_amount(price, ctx.shop.currency, field="open item price"))


def cmd_sell(args) -> int:
    from kiosk.domain.basket import Discount, parse_percent
    from kiosk.domain.dates import parse_date
    from kiosk.services import customers, sales
    from kiosk.services.shop import user_by_pin

    with opened_shop(args) as ctx:
        customer_id = None
        if args.customer:
            found = customers.find_by_phone(ctx, args.customer)
            if found is None and not args.name:
                raise KioskError(f"no customer has phone {args.customer}: give --name to add them on the spot")
            customer_id = found.id if found else customers.add(ctx, name=args.name, phone=args.customer).id
        pin = args.manager_pin or os.environ.get("KIOSK_MANAGER_PIN")
        manager = user_by_pin(ctx, pin) if pin else None
        if pin and manager is None:
            raise KioskError("manager-pin: no active user has this PIN")
        receipt = sales.sell(
            ctx, sale_id=args.sale_id or new_key(), customer_id=customer_id,
            items=[_item(i, ctx) for i in args.item], open_items=[_open_item(o, ctx) for o in args.open],
            tenders=[_tender(t, ctx) for t in args.pay],
            basket_discount=Discount(percent_bp=parse_percent(args.discount)) if args.discount else Discount(),
            redeem=args.redeem, approved_by=manager, override_by=manager,
            date=parse_date(args.date) if args.date else None,
        )
        _print(ctx, receipt, args.json)
        if not args.no_print:
            send_print_jobs(ctx)
    return 0


def _print(ctx, r, as_json: bool) -> None:
    money = ctx.shop.decimal if as_json else ctx.shop.money
    if as_json:
        c = r.customer
        print(json.dumps({
            "sale_id": r.sale_id, "total": money(r.total), "paid": money(r.paid),
            "tenders": [{"method": t.method, **({"name": t.name} if t.name else {}), "amount": money(t.amount)}
                        for t in r.tenders],
            "change": money(r.change), "rounding": money(r.rounding),
            "points_earned": r.points_earned, "points_redeemed": r.points_redeemed,
            "customer": None if c is None else {"id": c.id, "phone": c.phone, "balance": money(c.balance_after),
                                                "points": c.points_after, "tier": c.tier},
        }, ensure_ascii=False))
        return
    print(f"Sale {r.sale_id}")
    for line in r.lines:
        whole, milli = divmod(line.quantity_milli, 1000)
        qty = f"{whole}.{milli:03d}" if line.unit != "each" else str(whole)  # grams shown as grams
        print(f"  {line.description:<30} {qty:>8} x {money(line.unit_price):>12} = {money(line.net):>12}")
    print(f"  Total {money(r.total)}" + (f", points {r.points_redeemed} = -{money(r.points_value)}" if r.points_redeemed else "")
          + (f", rounding {money(r.rounding)}" if r.rounding else "") + f"; paid {money(r.paid)}")
    for t in r.tenders:
        print(f"  {t.name or t.method}: {money(t.amount)}")
    if r.change:
        print(f"  Change {money(r.change)} (cash given {money(r.cash_given)})")
    if r.customer:
        c = r.customer
        print(f"  {c.name}: balance {money(c.balance_after)}, points {c.points_after} (+{r.points_earned}), tier {c.tier}")
