"""`kiosk refund`: take back all or some lines of a past sale, as cash or store credit."""

from __future__ import annotations

import json
import os
import re
import sys

from kiosk.cli.common import new_key, opened_shop, send_print_jobs
from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.refund import quantity_text

_LINE = re.compile(r"^(?P<n>[0-9]{1,4})(?:[x*](?P<qty>[0-9]+(?:\.[0-9]+)?))?$")


def register(commands) -> None:
    p = commands.add_parser(
        "refund", help="refund all or some lines of a past sale, as cash or store credit",
        description="Refund a sale, or some of its lines. What the sale put on the khata comes off it, the "
        "points it spent come back and the points it earned are taken back; points the customer has already "
        "spent are valued at the redeem rate and deducted. On a terminal the refund is shown first and asked "
        "for; scripts (no terminal, --yes or --json) book it at once.")
    p.add_argument("sale_id", metavar="SALE_ID")
    p.add_argument("--line", action="append", default=[], metavar="N[xQTY]",
                   help="line N of the sale (all of it, or QTY of it, e.g. 2x1 or 3x0.250); repeatable; "
                   "default: every line not yet refunded")
    p.add_argument("--to", required=True, metavar="cash|store-credit", help="how the money goes back")
    p.add_argument("--manager-pin", metavar="PIN", help="a manager's or owner's PIN approving the refund "
                   "(or $KIOSK_MANAGER_PIN)")
    p.add_argument("--id", dest="refund_id", metavar="KEY", help="the refund's idempotency key (default: a new one)")
    p.add_argument("--date", metavar="DATE", help="the refund's date (default: today)")
    p.add_argument("--yes", action="store_true", help="do not ask before booking")
    p.add_argument("--json", action="store_true", help="machine-readable result")
    p.set_defaults(func=cmd_refund)


def _line(text: str, ctx):
    from kiosk.domain.basket import parse_quantity
    from kiosk.domain.products import Unit
    from kiosk.domain.refund import RefundAsk

    match = _LINE.match((text or "").strip())
    if match is None:
        raise ValidationError("line", f"{text!r} is not N or NxQTY, e.g. 2 or 2x1 or 3x0.250")
    qty = match.group("qty")
    return RefundAsk(int(match.group("n")), parse_quantity(qty, Unit.KG, field_name="line") if qty else None)


def cmd_refund(args) -> int:
    from kiosk.domain.dates import parse_date
    from kiosk.services import refunds
    from kiosk.services.shop import user_by_pin

    with opened_shop(args) as ctx:
        asks = [_line(x, ctx) for x in args.line]
        date = parse_date(args.date) if args.date else None
        pin = args.manager_pin or os.environ.get("KIOSK_MANAGER_PIN")
        manager = user_by_pin(ctx, pin) if pin else None
        if pin and manager is None:
            raise KioskError("manager-pin: no active user has this PIN")
        if _interactive() and not (args.yes or args.json):
            plan = refunds.preview(ctx, args.sale_id, asks, to=args.to, date=date)
            _show_plan(ctx, args.sale_id, plan)
            if input("Refund? [y/N] ").strip().lower() not in ("y", "yes"):
                print("Nothing refunded.")
                return 1
        done = refunds.refund(ctx, refund_id=args.refund_id or new_key(), sale_id=args.sale_id, asks=asks,
                              to=args.to, approved_by=manager, date=date)
        _print(ctx, done, args.json)
        send_print_jobs(ctx)
    return 0


def _interactive() -> bool:
    return sys.stdin.isatty()


def _show_plan(ctx, sale_id: str, plan) -> None:
    money = ctx.shop.money
    print(f"Refund of sale {sale_id}:")
    for p in plan.parts:
        print(f"  line {p.n} {p.description}: {quantity_text(p.part.quantity_milli)} = {money(p.part.net)}")
    for label, amount in (("off the khata", plan.khata_off), ("store credit back", plan.store_credit_back)):
        if amount:
            print(f"  {label}: {money(amount)}")
    if plan.points_back or plan.points_take:
        print(f"  points: {plan.points_back} back, {plan.points_taken} taken back")
    if plan.shortfall_points:
        print(f"  the customer has already spent {plan.shortfall_points} of the points to take back: "
              f"{money(plan.shortfall_value)} is deducted")
    print(f"  to pay out as {plan.destination.value}: {money(plan.payout)}")


def _print(ctx, r, as_json: bool) -> None:
    if as_json:
        money = ctx.shop.decimal
        print(json.dumps({
            "refund_id": r.refund_id, "sale_id": r.sale_id, "to": r.destination,
            "lines": [{"line": ln.n, "description": ln.description, "quantity": quantity_text(ln.quantity_milli),
                       "amount": money(ln.net)} for ln in r.lines],
            "goods": money(r.goods), "khata_off": money(r.khata_off), "store_credit_back": money(r.store_credit_back),
            "payout": money(r.payout), "rounding": money(r.rounding), "points_given_back": r.points_given_back,
            "points_taken_back": r.points_taken_back, "shortfall_points": r.shortfall_points,
            "shortfall_value": money(r.shortfall_value),
            "customer": None if r.customer_id is None else {"id": r.customer_id, "balance": money(r.balance_after),
                                                            "points": r.points_after},
        }, ensure_ascii=False))
        return
    money = ctx.shop.money
    print(f"Refund {r.refund_id} of sale {r.sale_id}: goods {money(r.goods)}")
    for ln in r.lines:
        print(f"  line {ln.n} {ln.description}: {quantity_text(ln.quantity_milli)} = {money(ln.net)}")
    if r.khata_off:
        print(f"  off the khata: {money(r.khata_off)}")
    if r.shortfall_points:
        print(f"  {r.shortfall_points} points already spent: {money(r.shortfall_value)} deducted")
    out = "cash to give" if r.destination == "cash" else "store credit"
    print(f"  {out}: {money(r.payout)}" + (f" (+ {money(r.store_credit_back)} store credit back)"
                                           if r.store_credit_back else ""))
    if r.customer_id is not None:
        print(f"  customer {r.customer_id}: balance {money(r.balance_after)}, points {r.points_after} "
              f"(+{r.points_given_back} back, -{r.points_taken_back} taken)")
