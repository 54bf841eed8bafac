"""`kiosk report credit`: who owes what, and for how long. `kiosk report customers`: who buys, how often,
what they are worth, and the points the shop owes."""

from __future__ import annotations

import json

from kiosk.cli.common import opened_shop, table
from kiosk.domain.dates import parse_date
from kiosk.domain.errors import KioskError
from kiosk.domain.khata import AGEING_BUCKETS


def register(commands) -> None:
    report = commands.add_parser("report", help="reports over the books")
    kinds = report.add_subparsers(dest="report", metavar="REPORT", required=True)
    p = kinds.add_parser("credit", help="every customer with khata history: balance, ageing, last payment")
    p.add_argument("--as-of", metavar="DATE", help="the report's date, YYYY-MM-DD or DD/MM/YYYY (default: today)")
    p.add_argument("--json", action="store_true", help="machine-readable output (exact decimal strings)")
    p.add_argument("--pdf", metavar="FILE", help="write the report as a PDF (phones masked) instead of printing it")
    p.set_defaults(func=cmd_credit)
    p = kinds.add_parser(
        "customers", help="new customers, repeat rate, lifetime value, top customers, points and their liability",
        description="Sales count by their date, customers by the day they were created, points entries by "
        "theirs. Without --from: from the beginning of the books; without --to: up to today. Phones are masked.")
    p.add_argument("--from", dest="start", metavar="DATE",
                   help="first day, YYYY-MM-DD or DD/MM/YYYY (default: the beginning of the books)")
    p.add_argument("--to", dest="end", metavar="DATE", help="last day, inclusive (default: today)")
    p.add_argument("--json", action="store_true", help="machine-readable output (exact decimal strings)")
    p.add_argument("--pdf", metavar="FILE", help="write the report as a PDF instead of printing it")
    p.set_defaults(func=cmd_customers)


def _check_pdf(args) -> None:
    if args.pdf and args.json:
        raise KioskError("pdf: choose --json or --pdf, not both")


def _pdf(make, what: str) -> int:
    """`--pdf FILE`: the report as a PDF instead of the text."""
    from kiosk.cli.statement_cmds import wrote

    wrote(make(), what)
    return 0


def cmd_credit(args) -> int:
    from kiosk.cli.statement_cmds import stage_printer
    from kiosk.services import documents
    from kiosk.services.reports import credit_report, credit_report_json

    as_of = parse_date(args.as_of, field="as-of") if args.as_of else None
    _check_pdf(args)
    with opened_shop(args) as ctx:
        if args.pdf:
            return _pdf(lambda: documents.credit_report_pdf(ctx, args.pdf, as_of=as_of, progress=stage_printer()),
                        "credit report")
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


def cmd_customers(args) -> int:
    from kiosk.cli.statement_cmds import stage_printer
    from kiosk.services import documents
    from kiosk.services.reports import customer_report, customer_report_json

    start = parse_date(args.start, field="from") if args.start is not None else None
    end = parse_date(args.end, field="to") if args.end is not None else None
    _check_pdf(args)
    with opened_shop(args) as ctx:
        if args.pdf:
            return _pdf(lambda: documents.customer_report_pdf(ctx, args.pdf, start=start, end=end,
                                                              progress=stage_printer()), "customer report")
        report = customer_report(ctx, start, end)
        if args.json:
            print(json.dumps(customer_report_json(ctx, report), ensure_ascii=False, indent=2))
        else:
            print_customer_report(ctx, report)
    return 0


def print_customer_report(ctx, report) -> None:
    from kiosk.domain.customer_report import decimal_text, percent_text

    money = ctx.shop.money
    t, pts = report.totals, report.points
    since = report.start.isoformat() if report.start else "the beginning"
    print(f"Customer report of {ctx.shop.name}, {since} to {report.end.isoformat()}")

    print(f"\nNew customers: {report.new_customers_total}")
    if report.new_customers:
        rows = [[b.label, f"{b.start.isoformat()} to {b.end.isoformat()}", str(b.customers)]
                for b in report.new_customers]
        print(table([report.bucket, "days", "new"], rows, right={2}))

    def shown(text, suffix=""):
        return "-" if text is None else f"{text}{suffix}"

    print(f"\nBuyers: {t.buyers}, of whom {t.repeaters} bought again; {t.purchases} purchases")
    print(f"Average purchase frequency: {shown(decimal_text(report.average_frequency, 2))} purchases per buyer")
    print(f"Repeat rate: {shown(percent_text(report.repeat_rate, 1), '%')}")
    print(f"Lifetime value: {money(t.value)}; average per buyer: "
          f"{money(report.average_value) if report.average_value is not None else '-'}")

    print(f"\nTop {len(report.top)} customers by lifetime value")
    if report.top:
        rows = [[str(c.customer_id), c.name + (" (archived)" if c.archived else ""), c.phone or "",
                 str(c.purchases), money(c.value)] for c in report.top]
        print(table(["id", "name", "phone", "purchases", "lifetime value"], rows, right={0, 3, 4}))

    print(f"\nPoints earned {pts.earned}, taken back {pts.taken_back} (net issued {pts.net_issued}); "
          f"redeemed {pts.redeemed}, given back {pts.given_back} (net redeemed {pts.net_redeemed}); "
          f"expired {pts.expired}")
    print(f"Points liability on {report.end.isoformat()}: {report.liability_points} points, "
          f"worth {money(report.liability_value)}")
