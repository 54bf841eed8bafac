"""`kiosk statement PHONE-OR-ID [--from D] [--to D] -o FILE.pdf`: a customer's khata statement as a PDF.

Anyone who may look the customer up may print it (a cashier too: it shows what `kiosk khata show`
already shows, and the cashier is who stands across the counter from the customer). PDF helpers for
the other commands (`report credit --pdf`, `report customers --pdf`, `export customers --format pdf`)
live here as well, so each of those needs one line.
"""

from __future__ import annotations

import sys

from kiosk.cli.common import opened_shop
from kiosk.domain.dates import parse_date


def register(commands) -> None:
    p = commands.add_parser(
        "statement", help="a customer's khata statement as a PDF",
        description="Opening balance, every debit and credit of the period with the running balance, the closing "
        "balance, what is still owed by age (oldest debts paid first) and any promised payment date, as a PDF. "
        "Without --from: from the customer's first khata entry; without --to: up to today.")
    p.add_argument("who", metavar="PHONE-OR-ID", help="a phone in any format (0300-1234567, +92 300 1234567) or an id")
    p.add_argument("--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD or DD/MM/YYYY")
    p.add_argument("--to", dest="end", metavar="DATE", help="last day, inclusive (default: today)")
    p.add_argument("-o", "--output", metavar="FILE.pdf", required=True, help="the PDF to write (created 0600)")
    p.set_defaults(func=cmd_statement)


def stage_printer():
    """progress(stage, fraction) that shows the stage on a terminal (stderr), nothing when piped."""
    if not sys.stderr.isatty():
        return None

    def show(stage: str, fraction: float) -> None:
        sys.stderr.write(f"\r{stage:<20} {fraction:4.0%}" + ("\n" if fraction >= 1 else ""))
        sys.stderr.flush()

    return show


def wrote(result, what: str) -> None:
    pages = f"{result.pages} page{'s' if result.pages != 1 else ''}"
    print(f"Wrote {result.path}: {what}, {pages}, {result.size // 1024 or 1} KiB")


def cmd_statement(args) -> int:
    from kiosk.cli.customer_cmds import find_customer
    from kiosk.services import documents

    start = parse_date(args.start, field="from") if args.start else None
    end = parse_date(args.end, field="to") if args.end else None
    with opened_shop(args) as ctx:
        customer = find_customer(ctx, args.who)
        result = documents.statement_pdf(ctx, customer.id, args.output, start=start, end=end,
                                         progress=stage_printer())
    wrote(result, f"statement of {customer.name} (customer {customer.id})")
    return 0
