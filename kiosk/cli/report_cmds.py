"""`kiosk report credit`: who owes what, and for how long."""

from __future__ import annotations

import json

from kiosk.cli.common import opened_shop, table
from kiosk.domain.dates import parse_date
from kiosk.domain.khata import AGEING_BUCKETS


def register(commands) -> None:
    report = commands.add_parser("report", help="reports over the books")
    kinds = report.add_subparsers(dest="report", metavar="REPORT", required=True)
    p = kinds.add_parser("credit", help="every customer with khata history: balance, ageing, last payment")
    p.add_argument("--as-of", metavar="DATE", help="the report's date, YYYY-MM-DD or DD/MM/YYYY (default: today)")
    p.add_argument("--json", action="store_true", help="machine-readable output (exact decimal strings)")
    p.set_defaults(func=cmd_credit)


def cmd_credit(args) -> int:
    from kiosk.services.reports import credit_report, credit_report_json

    as_of = parse_date(args.as_of, field="as-of") if args.as_of else None
    with opened_shop(args) as ctx:
        report = credit_report(ctx, as_of)
        if args.json:
            print(json.dumps(credit_report_json(ctx, report), ensure_ascii=False, indent=2))
        else:
            print_credit_report(ctx, report)
    return 0


def print_credit_report(ctx, report) -> None:
    money = ctx.shop.money
    rows = [
        [str(r.customer_id), r.name, r.phone or "", money(r.balance),
         money(r.credit_limit) if r.credit_limit is not None else "-",
         *(money(r.ageing[b]) for b in AGEING_BUCKETS),
         r.last_payment.isoformat() if r.last_payment else "never"]
        for r in report.rows
    ]
    headers = ["id", "name", "phone", "balance", "limit", *AGEING_BUCKETS, "last payment"]
    print(f"Credit report of {ctx.shop.name} as of {report.as_of.isoformat()}")
    print(table(headers, rows, right={0, 3, 4, 5, 6, 7, 8}))
    totals = report.bucket_totals
    print()
    print(f"Total outstanding: {money(report.total_outstanding)}  ("
          + ", ".join(f"{b}: {money(totals[b])}" for b in AGEING_BUCKETS) + f")  customers: {len(report.rows)}")
