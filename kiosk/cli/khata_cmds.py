"""`kiosk khata …`: give on credit, receive payments, reverse, read the ledger, statements, ageing."""

from __future__ import annotations

import datetime as dt

from kiosk.cli.common import new_key, opened_shop, send_print_jobs, table
from kiosk.domain.dates import parse_date
from kiosk.domain.khata import AGEING_BUCKETS
from kiosk.domain.money import parse_amount


def register(commands) -> None:
    khata = commands.add_parser("khata", help="the credit ledger: give, receive, reverse, show, statement")
    sub = khata.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = sub.add_parser("give", help="a debit: goods or money given on credit")
    p.add_argument("customer", type=int)
    p.add_argument("amount", help="major units, e.g. 1250.50")
    p.add_argument("--sale", action="store_true", help="a credit sale (counts as a purchase), not a manual entry")
    p.add_argument("--promised", metavar="DATE", help="the date the customer promised to pay")
    _common(p)
    p.set_defaults(func=cmd_give)

    p = sub.add_parser("receive", help="a credit: a payment received")
    p.add_argument("customer", type=int)
    p.add_argument("amount", help="major units, e.g. 1250.50")
    p.add_argument("--method", default="cash", help="cash, card, bank transfer or a mobile-money name")
    _common(p)
    p.set_defaults(func=cmd_receive)

    p = sub.add_parser("reverse", help="undo an entry with a reversing entry that points at it")
    p.add_argument("entry", type=int)
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_reverse)

    p = sub.add_parser("show", help="a customer's ledger with running balance and ageing")
    p.add_argument("customer", type=int)
    p.add_argument("--as-of", metavar="DATE")
    p.set_defaults(func=cmd_show)

    p = commands.add_parser("pay", help="a khata payment from a customer found by phone or id",
                            description="Record a payment on a customer's khata (what `kiosk khata receive` does, "
                            "by phone). Credit sales that earn points once paid earn them now.")
    p.add_argument("who", metavar="PHONE-OR-ID")
    p.add_argument("amount", help="major units, e.g. 1250.50")
    p.add_argument("--method", default="cash", help="cash, card, bank transfer or a mobile-money name")
    _common(p)
    p.add_argument("--json", action="store_true", help="machine-readable result")
    p.set_defaults(func=cmd_pay)

    p = sub.add_parser("statement", help="opening balance, the period's entries, closing balance")
    p.add_argument("customer", type=int)
    p.add_argument("--from", dest="start", metavar="DATE", required=True)
    p.add_argument("--to", dest="end", metavar="DATE", default=None)
    p.set_defaults(func=cmd_statement)


def _common(p) -> None:
    p.add_argument("--date", metavar="DATE", help="the entry's date (default: today)")
    p.add_argument("--note", default="")
    p.add_argument("--key", help="idempotency key: the same key books once (default: a new one)")


def _date(text, field="date"):
    return parse_date(text, field=field) if text else None


def cmd_give(args) -> int:
    from kiosk.services import khata

    with opened_shop(args) as ctx:
        amount = parse_amount(args.amount, ctx.shop.currency)
        entry = khata.give(ctx, args.customer, amount, date=_date(args.date), note=args.note,
                           source="sale" if args.sale else "gave", promised_date=_date(args.promised, "promised"),
                           idempotency_key=args.key or new_key())
        print(f"Entry {entry.id}: gave {ctx.shop.money(amount)}; balance {ctx.shop.money(khata.balance(ctx, args.customer))}")
    return 0


def cmd_receive(args) -> int:
    from kiosk.services import khata

    with opened_shop(args) as ctx:
        amount = parse_amount(args.amount, ctx.shop.currency)
        entry = khata.receive(ctx, args.customer, amount, method=args.method, date=_date(args.date),
                              note=args.note, idempotency_key=args.key or new_key())
        print(f"Entry {entry.id}: received {ctx.shop.money(amount)} by {entry.method}; "
              f"balance {ctx.shop.money(khata.balance(ctx, args.customer))}")
        send_print_jobs(ctx)
    return 0


def cmd_pay(args) -> int:
    import json

    from kiosk.cli.customer_cmds import find_customer
    from kiosk.services import customers, khata

    with opened_shop(args) as ctx:
        amount = parse_amount(args.amount, ctx.shop.currency)
        who = find_customer(ctx, args.who)
        entry = khata.receive(ctx, who.id, amount, method=args.method, date=_date(args.date), note=args.note,
                              idempotency_key=args.key or new_key())
        send_print_jobs(ctx)
        after = customers.get(ctx, who.id)
        earned = after.points - who.points
        if args.json:
            money = ctx.shop.decimal
            print(json.dumps({"entry_id": entry.id, "amount": money(amount), "method": entry.method,
                              "points_earned": earned,
                              "customer": {"id": after.id, "phone": after.phone, "balance": money(after.balance),
                                           "points": after.points, "tier": after.tier.value}}, ensure_ascii=False))
            return 0
        money = ctx.shop.money
        print(f"Entry {entry.id}: {after.name} paid {money(amount)} by {entry.method}; balance "
              f"{money(after.balance)}" + (f"; points +{earned} = {after.points}" if earned else ""))
    return 0


def cmd_reverse(args) -> int:
    from kiosk.services import khata

    with opened_shop(args) as ctx:
        entry = khata.reverse(ctx, args.entry, reason=args.reason)
        print(f"Entry {entry.id} reverses entry {args.entry}; "
              f"balance {ctx.shop.money(khata.balance(ctx, entry.customer_id))}")
    return 0


def _lines_table(ctx, lines) -> str:
    money = ctx.shop.money
    rows = [[str(ln.entry.id), ln.entry.date.isoformat(), ln.entry.kind.value,
             ln.entry.method or ln.entry.source or (f"of {ln.entry.reverses_id}" if ln.entry.reverses_id else ""),
             money(ln.signed) if ln.signed > 0 else "", money(-ln.signed) if ln.signed < 0 else "",
             money(ln.running_balance), ln.entry.note] for ln in lines]
    return table(["id", "date", "kind", "how", "Dr", "Cr", "balance", "note"], rows, right={0, 4, 5, 6})


def cmd_show(args) -> int:
    from kiosk.services import customers, khata

    with opened_shop(args) as ctx:
        customer = customers.get(ctx, args.customer)
        as_of = _date(args.as_of, "as-of") or dt.date.today()
        print(f"Khata of {customer.name} (customer {customer.id})")
        print(_lines_table(ctx, khata.ledger(ctx, args.customer)))
        aged = khata.ageing(ctx, args.customer, as_of)
        print(f"\nBalance {ctx.shop.money(customer.balance)}; ageing as of {as_of}: "
              + ", ".join(f"{b}: {ctx.shop.money(aged.buckets[b])}" for b in AGEING_BUCKETS)
              + (f"; oldest unpaid {aged.oldest_unpaid}" if aged.oldest_unpaid else ""))
    return 0


def cmd_statement(args) -> int:
    from kiosk.services import customers, khata

    with opened_shop(args) as ctx:
        customer = customers.get(ctx, args.customer)
        start, end = _date(args.start, "from"), _date(args.end, "to") or dt.date.today()
        st = khata.statement(ctx, args.customer, start, end)
        money = ctx.shop.money
        print(f"Statement of {customer.name} (customer {customer.id}), {start} to {end}")
        print(f"Opening balance {money(st.opening)}")
        print(_lines_table(ctx, st.lines))
        print(f"Closing balance {money(st.closing)}  (debits {money(st.total_debits)}, credits {money(st.total_credits)})")
    return 0
